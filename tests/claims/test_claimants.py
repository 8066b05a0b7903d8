"""Claimant attribution: who said it, for the patterns news text uses (sentences written for these tests)."""

import pytest

from claims.eval.polnear import claimant_names, evaluate_polnear, is_bad_claimant, polnear_dir
from claims.extraction import analyse


def claimants(text):
    return [candidate.claimant for candidate in analyse(text)]


def test_a_quotation_over_several_sentences_is_the_speaker_named_where_it_closes():
    text = (
        "Mayor Ada Lindqvist opened the new bridge on Monday. "
        "“The crossing cuts twenty minutes from every commute. It cost less than planned. "
        "We finished it a month early,” said Tomas Berg, the finance chair."
    )
    assert claimants(text)[1:] == ["Tomas Berg", "Tomas Berg", "Tomas Berg"]


def test_the_previous_speaker_does_not_carry_over_to_a_quotation_with_its_own_speaker():
    text = (
        "Ada Lindqvist said the bridge would open in May. "
        "“The budget was never realistic. The council knew it all along,” Tomas Berg told reporters."
    )
    assert claimants(text) == ["Ada Lindqvist", "Tomas Berg", "Tomas Berg"]


def test_reported_speech_inside_a_quotation_is_the_quoted_speaker_s_claim():
    text = (
        "Tomas Berg spoke after the vote. “I know what they think of me. "
        "Your own chief of staff said you were a disaster for this city. I disagree,” Berg said."
    )
    assert claimants(text)[1:] == ["Tomas Berg", "Tomas Berg", "Tomas Berg"]


def test_he_is_the_person_named_before_in_full():
    text = (
        "Tomas Berg, the council’s finance chair, resigned on Tuesday. "
        "He said the budget for the bridge had been cut by a third."
    )
    assert claimants(text)[1] == "Tomas Berg"


def test_he_is_never_an_organisation_and_stays_empty_without_a_person():
    text = "The finance ministry published its figures on Tuesday. He said the deficit had doubled since May."
    assert claimants(text)[1] == ""


def test_fragments_are_never_speakers():
    for sentence in (
        "Strongly, said the council would never approve the bridge budget.",
        "The board with newly said the bridge would open in the spring.",
    ):
        assert all(not is_bad_claimant(claimant) for claimant in claimants(sentence)), sentence


def test_i_we_and_you_are_never_claimants():
    for sentence in (
        "I said the bridge would open in May next year.",
        "I’ve said the bridge would open in May next year.",
        "We said the budget would be cut by a third in June.",
        "You said the toll would double after the vote.",
    ):
        assert claimants(sentence) == [""], sentence


def test_saying_adding_and_writing_attribute_to_the_subject():
    assert claimants("Tomas Berg apologised for the delay on Monday, saying the steel had arrived late.") == [
        "Tomas Berg"
    ]
    assert claimants("On Friday, Ada Lindqvist defended the budget, adding that costs had fallen by 4%.") == [
        "Ada Lindqvist"
    ]
    candidate = analyse("The mayor posted a long message on Friday, writing: “The bridge will reopen in May.”")[0]
    assert candidate.claimant == "mayor"
    assert candidate.quote.startswith("“The bridge will reopen")


def test_a_title_abbreviation_after_a_quotation_stays_with_the_name():
    (candidate,) = analyse("“The bridge is the best thing we have built in decades,” said Gov. Ada Lindqvist.")
    assert candidate.claimant == "Ada Lindqvist"


def test_two_apostrophes_are_read_as_a_quotation_mark():
    (candidate,) = analyse("''The toll will double next year,'' said Tomas Berg, the finance chair.")
    assert candidate.claimant == "Tomas Berg"
    assert candidate.quote == "The toll will double next year"


def test_party_and_state_in_parentheses_and_an_age_are_not_the_speaker():
    assert claimants("Sen. Ada Lindqvist (D-Ore.) said the bridge would open in May.") == ["Ada Lindqvist"]
    assert claimants("Tomas Berg, 47, a ferry captain, said the bridge would cost him his job.") == ["Tomas Berg"]


def test_the_subject_of_coordinated_verbs_is_the_speaker():
    assert claimants("Ms. Ada Lindqvist smiled and said the bridge would open in May.") == ["Ada Lindqvist"]
    assert claimants("When Tomas Berg said the bridge would close, the crowd booed loudly.") == ["Tomas Berg"]


def test_a_headline_name_before_a_colon_is_the_speaker():
    assert claimants("Tomas Berg: Bridge Budget Was Cut by a Third") == ["Tomas Berg"]
    assert claimants("Update: the bridge reopened at noon on Monday.") == [""]


def test_the_polnear_rule_for_a_right_claimant():
    assert claimant_names("Hillary Clinton", "Clinton")
    assert claimant_names("Clinton campaign", "Hillary Clinton")
    assert claimant_names("Hillary", "Hillary Clinton")
    assert not claimant_names("Bill de Blasio", "Hillary Clinton")
    assert not claimant_names("", "Hillary Clinton")


def test_polnear_dev_claimant_accuracy():
    if polnear_dir("dev") is None:
        pytest.skip("PolNeAR dev is not in the datasets directory (set FACTCHECK_DATASETS_DIR to measure on it)")
    result = evaluate_polnear("dev")
    assert result.named > 500
    assert result.coverage >= 0.95
    assert result.accuracy >= 0.78  # 0.81 when measured (0.52 before the rules of issue 14)
    assert result.bad_claimant_share <= 0.01


def test_a_speaker_in_the_present_progressive_is_the_claimant():
    assert claimants("The harbour authority is saying that the ferry will resume in June.") == ["harbour authority"]


def test_said_before_the_speaker_at_the_start_of_a_sentence():
    (candidate,) = analyse("Said Ada Lindqvist, “The bridge will open in May, not June.”")
    assert candidate.claimant == "Ada Lindqvist"


def test_first_reported_by_names_the_reporting_source():
    assert claimants("The closure of the bridge was first reported by The Harbour Gazette on Monday.") == [
        "Harbour Gazette"
    ]


def test_a_speaker_written_with_mr_is_the_next_he():
    text = "The toll will double next year, Mr. Berg said on Monday. He said the council had agreed in May."
    assert claimants(text) == ["Berg", "Berg"]


def test_a_subordinate_clause_before_the_subject_is_skipped():
    assert claimants("When asked why, Tomas Berg responded in a letter that the budget had been cut.") == ["Tomas Berg"]


def test_every_sentence_of_an_interview_turn_is_the_speaker_s():
    text = "ADA LINDQVIST: The bridge opens in May. It cost less than planned. We finished it a month early."
    assert claimants(text) == ["ADA LINDQVIST"] * 3


# --- The PolNeAR measure, on an article written for this test ---------------------------------------

ARTICLE = (
    "Mayor Ada Lindqvist opened the bridge on Monday. She said it had cost less than planned.\n"
    "“I am proud of it,” Lindqvist told reporters.\n"
    "Officials said the toll would double."
)


def annotation(tmp_path, text, relations):
    """A brat ``.ann`` file for ``text`` with one Source/Cue/Content triple per relation."""
    lines = []
    for number, (source, cue, content) in enumerate(relations):
        ids = []
        for offset, (role, phrase) in enumerate((("Source", source), ("Cue", cue), ("Content", content))):
            start = text.index(phrase)
            ids.append(f"T{number * 3 + offset + 1}")
            lines.append(f"{ids[-1]}\t{role} {start} {start + len(phrase)}\t{phrase}")
        lines.append(f"E{number + 1}\tAttribution:{ids[1]} Source:{ids[0]} Cue:{ids[1]} Content:{ids[2]}")
    path = tmp_path / "article.ann"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_polnear_named_sources_resolve_pronouns_and_skip_unnamed_ones(tmp_path):
    from claims.eval.polnear import named_attributions, read_annotations

    path = annotation(
        tmp_path,
        ARTICLE,
        [
            ("She", "said", "it had cost less than planned"),
            ("I", "am proud of", "it"),
            ("Lindqvist", "told", "I am proud of it"),
            ("Officials", "said", "the toll would double"),
        ],
    )
    named = named_attributions(ARTICLE, read_annotations(path))
    # "She" is the mayor named before; "Officials" has no name; "am proud of" is no statement.
    assert [(item.source, item.name) for item in named] == [("She", "Ada Lindqvist"), ("Lindqvist", "Lindqvist")]


def test_polnear_is_skipped_without_the_datasets_directory(tmp_path, settings):
    from io import StringIO

    from django.core.management import call_command

    settings.FACTCHECK_DATASETS_DIR = tmp_path / "missing"
    assert polnear_dir("dev") is None
    assert evaluate_polnear("dev") is None
    out = StringIO()
    call_command("evaluate_extraction", stdout=out)
    assert "PolNeAR dev: not found" in out.getvalue()


def test_polnear_never_reads_the_test_split():
    with pytest.raises(ValueError, match="unknown PolNeAR split"):
        polnear_dir("test")


def test_a_relative_aside_ending_in_a_quotation_does_not_hide_the_speaker():
    assert claimants("Tomas Berg, who calls the bridge a “white elephant,” said the toll would double in May.") == [
        "Tomas Berg"
    ]


def test_an_inverted_speaker_before_a_quotation():
    (candidate,) = analyse("Because of the steel shortage, explained Ada Lindqvist, “the bridge will open in June.”")
    assert candidate.claimant == "Ada Lindqvist"


def test_a_reporting_verb_then_a_quotation_after_a_comma():
    (candidate,) = analyse("Ada Lindqvist tweeted, “The bridge opens on Monday at noon.”")
    assert candidate.claimant == "Ada Lindqvist"
    assert candidate.quote.startswith("“The bridge opens")


def test_a_participle_aside_or_a_place_after_the_comma_is_not_the_speaker():
    assert claimants("Ada Lindqvist, speaking on Radio Sarn, called the toll plan “a tax on workers.”") == [
        "Ada Lindqvist"
    ]
    assert claimants("Tomas Berg of Kerrow, North Valley says the ferry will stop running in May.") == ["Tomas Berg"]


def test_who_said_is_the_person_named_before_it():
    text = "The deal was reached with help from Harbour Secretary Tomas Berg, who said the ferries would run in May."
    assert claimants(text) == ["Tomas Berg"]
