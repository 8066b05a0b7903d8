"""Claim extraction: sentences and clauses, claimants, check-worthiness, storage, commands, admin."""

import random
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils.dateparse import parse_datetime

from claims.eval import evaluate, labelled_set, same_claimant
from claims.extraction import (
    SUPPORTED_LANGUAGES,
    ExtractionTimeout,
    UnsupportedLanguage,
    analyse,
    extract_claims,
    find_candidates,
    score_sentences,
    sentence_spans,
)
from claims.models import Article, Claim
from claims.seed import SEEDS_DIR, load_seed_file
from tests.factories import ArticleFactory, ClaimFactory, ReviewerFactory

SEED = SEEDS_DIR / "kharkiv-counteroffensive-2022-09-10.json"


def only(text):
    """The single candidate ``text`` yields, proposed or not."""
    candidates = analyse(text)
    assert len(candidates) == 1, candidates
    return candidates[0]


def claimants(text):
    return [candidate.claimant for candidate in analyse(text)]


# --- Sentences and offsets -------------------------------------------------------------------------


def test_sentences_do_not_break_after_abbreviations_or_initials():
    text = "Dr. Lena Okafor of St. Brigid’s Hospital met J. Smith in the U.S. on Monday. Then she left."
    assert [text[start:end] for start, end in sentence_spans(text)] == [
        "Dr. Lena Okafor of St. Brigid’s Hospital met J. Smith in the U.S. on Monday.",
        "Then she left.",
    ]


def test_paragraphs_never_merge_into_one_sentence():
    text = "Prices rose 5% in May\nThe ministry said 40 people died."
    assert len(sentence_spans(text)) == 2


def test_every_candidate_quote_is_the_body_at_its_offsets():
    for text in labelled_set():
        for candidate in analyse(text.body):
            assert text.body[candidate.start : candidate.end] == candidate.quote
            assert 0 <= candidate.check_worthiness <= 1


# --- Claimants -------------------------------------------------------------------------------------


def test_claimant_is_the_subject_of_said_and_the_claim_is_the_reported_clause():
    candidate = only("Ukrainian President Volodymyr Zelensky said on Friday that his troops had liberated 30 towns.")
    assert candidate.claimant == "Volodymyr Zelensky"
    assert candidate.quote == "his troops had liberated 30 towns"
    assert candidate.proposed


def test_claimant_of_a_ministry_that_pointed_out_something():
    candidate = only(
        "The Ministry of Defense pointed out that its forces destroyed 100 armored vehicles in three days."
    )
    assert candidate.claimant == "Ministry of Defense"
    assert candidate.quote.startswith("its forces destroyed")


def test_according_to_at_the_start_or_the_end_names_the_source():
    assert claimants("According to the national weather service, temperatures reached 43C on Saturday.") == [
        "national weather service"
    ]
    assert claimants("Consumer prices rose 9.4% in August, according to the statistics office.") == [
        "statistics office"
    ]


def test_according_to_a_doctor_skips_the_relative_clause_that_describes_her():
    candidate = only(
        "According to Dr. Lena Okafor, who heads the unit at St. Brigid’s Hospital, 40 children were admitted."
    )
    assert candidate.claimant == "Lena Okafor"
    assert candidate.quote == "40 children were admitted"


def test_a_quote_followed_by_its_speaker_is_attributed_to_the_speaker():
    candidate = only("“Mortgage payments have risen by 310 euros a month since January,” said Ana Ribeiro, an MP.")
    assert candidate.claimant == "Ana Ribeiro"
    assert candidate.quote == "Mortgage payments have risen by 310 euros a month since January"
    candidate = only('"Two villages were evacuated overnight," regional fire chief Paulo Serrat told reporters.')
    assert candidate.claimant == "Paulo Serrat"


def test_a_pronoun_refers_to_the_previous_speaker():
    text = (
        "Governor Helena Markovic told reporters that rates rose to 4.75% on Thursday. "
        "The health ministry said 14 clinics closed in May. "
        "She said wages had grown 7.2% in the second quarter. "
        "It added that 3 more clinics would close in June."
    )
    assert claimants(text) == ["Helena Markovic", "health ministry", "Helena Markovic", "health ministry"]


def test_a_pronoun_after_a_leading_adverb_still_refers_to_the_speaker():
    text = (
        "The pro-Russian chief in Kharkiv, Vitali Ganchev, admitted the loss of the city of Balakleya. "
        "And yesterday he recommended the population of the disputed areas to evacuate."
    )
    assert claimants(text) == ["Vitali Ganchev", "Vitali Ganchev"]


def test_a_quote_without_a_speaker_carries_on_from_the_previous_one():
    text = (
        "The Russian Ministry of Defense said the troops had regrouped on Saturday. "
        "“It has been decided to regroup the forces in the Izium region” around Donetsk."
    )
    assert claimants(text) == ["Russian Ministry of Defense", "Russian Ministry of Defense"]


def test_a_short_mention_resolves_to_the_full_name_met_before():
    text = (
        "The National Bank of Estravia raised its rate to 4.75% on Thursday, the National Bank of Estravia said. "
        "The bank said all seven members had voted for the move. "
        "Transport Minister Daniel Reyes said the tunnels flooded twice in 2024. "
        "Reyes said 11 of the 14 stations are finished."
    )
    assert claimants(text) == ["National Bank of Estravia", "National Bank of Estravia", "Daniel Reyes", "Daniel Reyes"]


def test_an_appositive_name_or_description_picks_the_name():
    assert claimants("The electricity company, Redel, denied that its equipment started the fire on 3 June.") == [
        "Redel"
    ]
    assert claimants("Denís Pushilin, head of the self-proclaimed republic, said 12 towns were lost on Friday.") == [
        "Denís Pushilin"
    ]


def test_attribution_at_the_end_of_the_sentence_keeps_the_content_before_it():
    candidate = only("Three children have died since May, the regional health department said on Tuesday.")
    assert candidate.claimant == "regional health department"
    assert candidate.quote == "Three children have died since May"
    candidate = only("The line carries 180,000 passengers a day, the operator, Metrovia, said in its annual report.")
    assert candidate.claimant == "Metrovia"
    assert candidate.quote == "The line carries 180,000 passengers a day"


def test_the_supplier_of_images_is_the_claimant_of_what_they_show():
    candidate = only("Russian media showed images supplied by the Defense Ministry showing 40 trucks near Kharkiv.")
    assert candidate.claimant == "Defense Ministry"


def test_posting_an_emoji_is_the_article_s_own_observation_not_a_claim_by_the_poster():
    assert claimants("Andriy Yermak posted a fox emoji on Friday, referring to Lisichansk, taken in July.") == [""]
    assert claimants("In the morning, the army posted photos of troops with the flag in front of the city hall.") == [
        "army"
    ]


def test_a_sentence_without_attribution_is_the_article_s_own_claim():
    candidate = only("Russian forces seized Izium, which then had a population of 45,000, in February.")
    assert candidate.claimant == ""
    assert candidate.proposed


# --- Check-worthiness ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sentence",
    [
        "The Ukrainian advance may also reach the other Donbass region controlled by separatists, Luhansk.",
        "The offensive could cut off 10,000 Russian troops within days, analysts said.",
        "Commuters are likely to face more crowded trains in the meantime.",
        "But the Russian Defense Ministry did not confirm this information.",
        "The Ukrainian authorities did not immediately confirm the seizure of Izium.",
        "Investigators have not yet determined the cause of the fire.",
        "The port authority did not respond to requests for comment.",
        "It is unclear how many families have refused the vaccine.",
        "Whether the new timetable will hold is another question.",
        "Moscow is silent about the successes of the enemy advance.",
        "It is a familiar scene for the valley.",
        "Will the ministry publish the 2023 figures before the vote on Monday?",
        "“People here feel abandoned,” the mayor said.",
    ],
)
def test_speculation_unconfirmed_statements_open_questions_and_commentary_are_not_proposed(sentence):
    candidate = only(sentence)
    assert candidate.check_worthiness < 0.5
    assert find_candidates(sentence) == []


@pytest.mark.parametrize(
    "sentence",
    [
        "Ukrainian forces said yesterday that they had entered the city of Kupiansk.",
        "Consumer prices rose 9.4% in the year to August, according to the national statistics office.",
        "In 2017, a fire in the same area killed 11 people and destroyed more than 300 homes.",
        "The Ministry of Defense pointed out that its forces annihilated more than 2,000 combatants.",
    ],
)
def test_verifiable_statements_with_figures_dates_or_named_sources_are_proposed(sentence):
    assert only(sentence).check_worthiness >= 0.5
    assert len(find_candidates(sentence)) == 1


def test_speculation_scores_below_the_same_statement_made_as_fact():
    fact = only("Ukrainian troops reached Luhansk on Friday.").check_worthiness
    speculation = only("Ukrainian troops may reach Luhansk on Friday.").check_worthiness
    assert speculation < fact


# --- Every sentence, and sentences one by one ------------------------------------------------------

MIXED = (
    "  Kharkiv, 10 September.\n"
    "“We have liberated more than 30 towns,” President Zelensky said on Friday. He added that 2,000 "
    "soldiers had been captured.\n\n"
    "Analysts think the army may reach Luhansk within weeks. " + "The ministry said " + "very " * 250 + "many left.\n"
    "Міністерство оборони заявило про 2000 полонених.\nYes."
)


def test_analysing_every_sentence_adds_the_skipped_ones_whole_at_0_with_the_reason():
    every = analyse(MIXED, every=True)
    assert [
        c for c in every if c.reasons[0] not in ("too short to check", "too long to check", "not English prose")
    ] == (analyse(MIXED))
    spans = sentence_spans(MIXED)
    assert len(every) == len(spans)
    for (start, end), candidate in zip(spans, every, strict=True):
        assert start <= candidate.start < candidate.end <= end
        assert MIXED[candidate.start : candidate.end] == candidate.quote
    skipped = {c.quote[:20]: c.reasons for c in every if c.check_worthiness == 0.0 and not c.claimant}
    assert skipped["Kharkiv, 10 Septembe"] == ("too short to check",)
    assert skipped["The ministry said ve"] == ("too long to check",)
    assert skipped["Міністерство оборони"] == ("not English prose",)
    assert skipped["Yes."] == ("too short to check",)
    assert not any(c.proposed for c in every if c.reasons[0].endswith("check"))


def test_analysing_every_sentence_keeps_offsets_into_text_with_carriage_returns():
    text = "The bank said prices rose 9.4% in August.\r\nIt fell 2% in 2023, the office said.\rShort one."
    every = analyse(text, every=True)
    assert [text[c.start : c.end] for c in every] == [c.quote for c in every]
    assert [c.quote for c in every] == ["prices rose 9.4% in August", "It fell 2% in 2023", "Short one."]


def test_scoring_sentences_scores_each_whole_and_alone():
    sentences = [
        "Ukrainian forces said they had entered the city of Kupiansk on Saturday.",
        "He said that 2,000 soldiers had been captured on Friday.",
        "“We will stay in Izium until 2025.”",
        "Yes.",
        "",
        "  Prices rose 9.4% in August, the statistics office said.  ",
    ]
    scored = score_sentences(sentences)
    assert [(c.start, c.end, c.quote) for c in scored] == [(0, len(s), s) for s in sentences]
    assert [c.claimant for c in scored] == ["Ukrainian forces", "", "", "", "", "statistics office"]
    assert scored[0].proposed and scored[0].check_worthiness == only(sentences[0]).check_worthiness
    assert [c.reasons for c in scored[3:5]] == [("too short to check",), ("too short to check",)]
    assert [c.check_worthiness for c in scored[3:5]] == [0.0, 0.0]
    assert scored[5].check_worthiness == only(sentences[5].strip()).check_worthiness


def test_scoring_sentences_gives_up_past_its_time_budget():
    with pytest.raises(ExtractionTimeout):
        score_sentences(["The ministry said 2,000 soldiers were killed."] * 10, time_limit=0)


# --- Bad input -------------------------------------------------------------------------------------


@pytest.mark.parametrize("body", ["", "   \n\t  ", "\n\n\n"])
def test_empty_text_yields_no_candidates(body):
    assert find_candidates(body) == []


def test_binary_junk_yields_no_candidates_and_no_error():
    junk = bytes(random.Random(5).randrange(1, 256) for _ in range(50_000)).decode("latin-1")
    assert find_candidates(junk) == []


@pytest.mark.parametrize(
    "body",
    [
        "Министерство обороны заявило, что 2000 военных были убиты в Харькове в пятницу. " * 50,
        "国防部表示，已有2000名士兵在哈尔科夫死亡。" * 50,
        "وقالت الوزارة إن 2000 جندي قتلوا يوم الجمعة. " * 50,
    ],
)
def test_text_in_other_scripts_yields_no_candidates(body):
    assert find_candidates(body) == []


def test_an_article_in_another_language_is_not_read_with_english_rules():
    english = "The ministry said 2,000 soldiers were killed in three days."
    assert find_candidates(english, language="en-GB")
    assert find_candidates(english, language="uk") == []


def test_pathological_text_is_handled():
    text = ("said that " * 20_000) + ("a, " * 5_000) + ("“" + "x " * 3_000 + "”") + ("The minister said " * 500)
    assert isinstance(find_candidates(text), list)


def test_a_500k_character_article_is_read_in_one_pass():
    body = (SEED.with_suffix(".txt").read_text(encoding="utf-8") + "\n\n") * 160
    body = body[:500_000]
    candidates = find_candidates(body)
    assert len(candidates) > 1000
    assert all(body[c.start : c.end] == c.quote for c in candidates[-50:])


# --- The labelled set ------------------------------------------------------------------------------


def test_extraction_reaches_the_targets_on_the_labelled_set():
    per_text, overall = evaluate()
    assert len(per_text) >= 4
    assert overall.labelled >= 80
    assert overall.recall >= 0.9
    assert overall.precision >= 0.8
    assert overall.claimant_accuracy >= 0.8


def test_claimants_match_when_one_name_contains_the_other():
    assert same_claimant("Ministry of Defense", "Russian Ministry of Defense")
    assert same_claimant("Dr. Lena Okafor", "Lena Okafor")
    assert same_claimant("", "")
    assert not same_claimant("Ukrainian forces", "")
    assert not same_claimant("", "Russia")
    assert not same_claimant("Russian bloggers", "Ukrainian forces")


def test_evaluate_extraction_prints_figures_per_text_and_overall():
    out = StringIO()
    call_command("evaluate_extraction", "--details", "--check", stdout=out)
    output = out.getvalue()
    for text in labelled_set():
        assert text.name[:40] in output
    assert "overall" in output
    assert "Overall: precision" in output


# --- Storing candidates ----------------------------------------------------------------------------


@pytest.fixture
def article(db):
    body = (Path(__file__).resolve().parents[2] / "claims" / "eval" / "estravia-rates.txt").read_text(encoding="utf-8")
    return ArticleFactory(body=body, published_at=parse_datetime("2024-09-12T09:00:00+00:00"))


def test_extracted_claims_are_candidates_by_the_user_dated_from_the_article_with_history(article, reviewer):
    created = extract_claims(article, by=reviewer)
    assert len(created) == 12
    claims = list(Claim.objects.filter(article=article).order_by("start"))
    assert [claim.pk for claim in claims] == sorted(claim.pk for claim in created)
    for claim in claims:
        assert claim.status == Claim.Status.CANDIDATE
        assert claim.created_by == reviewer
        assert str(claim.claimed_at) == "2024-09-12"
        assert article.body[claim.start : claim.end] == claim.quote
        assert 0.5 <= claim.check_worthiness <= 1
        record = claim.history.get()
        assert record.history_user == reviewer
        assert record.history_type == "+"
        assert record.history_change_reason == "extracted"
        assert claim.check_worthiness_reasons and record.check_worthiness_reasons == claim.check_worthiness_reasons
    assert {claim.claimant for claim in claims} >= {"Helena Markovic", "Ana Ribeiro", "national statistics office"}


def test_running_extraction_again_adds_nothing_twice(article, reviewer):
    first = extract_claims(article, by=reviewer)
    assert first
    assert extract_claims(article, by=reviewer) == []
    assert Claim.objects.filter(article=article).count() == len(first)


def test_extraction_skips_sentences_that_already_carry_a_claim(db):
    article, _, seeded = load_seed_file(SEED)
    assert seeded == 20
    created = extract_claims(article, by=None)
    existing = [(claim.start, claim.end) for claim in Claim.objects.filter(article=article, status="accepted")]
    for claim in created:
        assert not any(start < claim.end and claim.start < end for start, end in existing)
    assert extract_claims(article, by=None) == []


def test_extraction_keeps_hand_made_claims_and_their_status(db):
    claim = ClaimFactory(status=Claim.Status.DISMISSED)
    extract_claims(claim.article, by=None)
    claim.refresh_from_db()
    assert claim.status == Claim.Status.DISMISSED
    assert Claim.objects.filter(article=claim.article, start=claim.start).count() == 1


def test_an_article_without_a_date_gives_undated_claims(db):
    article = ArticleFactory(published_at=None, body="The ministry said 2,000 soldiers were killed in May.")
    [claim] = extract_claims(article, by=None)
    assert claim.claimed_at is None
    assert claim.created_by is None


def test_extracting_an_article_in_another_language_says_so_and_stores_nothing(db):
    article = ArticleFactory(language="uk", body="The ministry said 2,000 soldiers were killed in May.")
    with pytest.raises(UnsupportedLanguage, match=r"supports English \(en\) only.*'uk'") as raised:
        extract_claims(article, by=None)
    assert raised.value.supported_languages == ["en"] == list(SUPPORTED_LANGUAGES)
    assert not Claim.objects.exists()


# --- ingest_article --------------------------------------------------------------------------------


@pytest.fixture
def article_file(tmp_path):
    path = tmp_path / "article.txt"
    source = Path(__file__).resolve().parents[2] / "claims" / "eval" / "alvera-wildfire.txt"
    path.write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    return path


def test_ingest_article_stores_the_article_and_its_candidate_claims(db, article_file):
    user = ReviewerFactory()
    out = StringIO()
    call_command(
        "ingest_article",
        str(article_file),
        "--title=Wildfire near Alvera",
        "--url=https://news.example.org/alvera",
        "--published-at=2024-07-01T08:00:00+00:00",
        f"--user={user.username}",
        stdout=out,
    )
    article = Article.objects.get(url="https://news.example.org/alvera")
    assert article.title == "Wildfire near Alvera"
    assert article.created_by == user
    claims = Claim.objects.filter(article=article)
    assert claims.count() == 15
    assert set(claims.values_list("status", flat=True)) == {"candidate"}
    assert "15 new candidate claim(s)" in out.getvalue()


def test_ingesting_the_same_file_twice_creates_nothing_new(db, article_file):
    call_command("ingest_article", str(article_file), "--title=A", stdout=StringIO())
    out = StringIO()
    call_command("ingest_article", str(article_file), "--title=B", stdout=out)
    assert Article.objects.count() == 1
    assert Article.objects.get().title == "A"
    assert "Already ingested" in out.getvalue()
    assert "0 new candidate claim(s)" in out.getvalue()


def test_ingest_article_in_another_language_stores_it_and_says_why_nothing_was_extracted(db, tmp_path):
    path = tmp_path / "artikel.txt"
    path.write_text("Das Ministerium teilte mit, dass 2.000 Soldaten getötet wurden.", encoding="utf-8")
    out = StringIO()
    call_command("ingest_article", str(path), "--title=Artikel", "--language=de", stdout=out)
    assert Article.objects.get().language == "de"
    assert Claim.objects.count() == 0
    assert "no claims were extracted: Claim extraction supports English (en) only" in out.getvalue()


def test_ingest_article_without_extraction(db, article_file):
    call_command("ingest_article", str(article_file), "--title=A", "--no-extract", stdout=StringIO())
    assert Article.objects.count() == 1
    assert Claim.objects.count() == 0


@pytest.mark.parametrize(
    ("content", "options", "message"),
    [
        (b"\xff\xfe\x00binary\x00junk", [], "not UTF-8"),
        (b"text with a \x00 NUL", [], "NUL"),
        (b"   \n", [], "empty"),
        (b"The ministry said 2,000 soldiers were killed.", ["--url=ftp://example.org/a"], "url"),
        (b"The ministry said 2,000 soldiers were killed.", ["--published-at=yesterday"], "published_at"),
        (b"The ministry said 2,000 soldiers were killed.", ["--user=nobody"], "No user"),
    ],
)
def test_ingest_article_refuses_bad_input_with_a_clear_message(db, tmp_path, content, options, message):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(CommandError, match=message):
        call_command("ingest_article", str(path), "--title=T", *options, stdout=StringIO())
    assert Article.objects.count() == 0


def test_ingest_article_refuses_a_missing_file(db, tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("ingest_article", str(tmp_path / "missing.txt"), "--title=T", stdout=StringIO())


# --- Admin -----------------------------------------------------------------------------------------


@pytest.fixture
def reviewer_admin(db, client):
    client.force_login(ReviewerFactory())
    return client


def test_admin_extract_action_proposes_candidate_claims(reviewer_admin, article):
    response = reviewer_admin.post(
        "/admin/claims/article/",
        {"action": "extract_candidate_claims", "_selected_action": [article.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert "12 candidate claim(s) extracted from 1 article(s)" in response.content.decode()
    assert Claim.objects.filter(article=article, status="candidate").count() == 12


def test_adding_an_article_in_the_admin_extracts_its_claims_unless_unticked(reviewer_admin):
    form = {
        "title": "Rates",
        "body": "The bank said prices rose 9.4% in August.",
        "language": "en",
        "url": "https://news.example.org/rates",
    }
    response = reviewer_admin.post("/admin/claims/article/add/", {**form, "extract_claims": "on"}, follow=True)
    assert response.status_code == 200
    article = Article.objects.get(title="Rates")
    assert Claim.objects.filter(article=article).count() == 1
    assert "1 candidate claim(s) extracted" in response.content.decode()
    other = {**form, "title": "Quiet", "body": "The bank said prices rose 9.9% in July.", "url": "https://n.example/q"}
    reviewer_admin.post("/admin/claims/article/add/", other, follow=True)
    assert Claim.objects.filter(article__title="Quiet").count() == 0


def test_the_admin_add_form_offers_extraction(reviewer_admin):
    assert "Extract candidate claims" in reviewer_admin.get("/admin/claims/article/add/").content.decode()


GERMAN = {
    "title": "Preise",
    "body": "Die Bank teilte mit, dass die Preise im August um 9,4 Prozent gestiegen sind.",
    "language": "de",
    "url": "https://news.example.org/preise",
}


def test_the_admin_extract_action_warns_of_an_article_in_another_language(reviewer_admin, article):
    german = ArticleFactory(**GERMAN)
    response = reviewer_admin.post(
        "/admin/claims/article/",
        {"action": "extract_candidate_claims", "_selected_action": [german.pk]},
        follow=True,
    )
    page = response.content.decode()
    assert "No claims extracted from “Preise”: Claim extraction supports English (en) only" in page
    assert "&#x27;de&#x27;" in page
    assert "candidate claim(s) extracted" not in page
    both = reviewer_admin.post(
        "/admin/claims/article/",
        {"action": "extract_candidate_claims", "_selected_action": [german.pk, article.pk]},
        follow=True,
    ).content.decode()
    assert "12 candidate claim(s) extracted from 1 article(s)" in both
    assert "supports English (en) only" in both


def test_adding_an_article_in_another_language_in_the_admin_warns_that_nothing_was_extracted(reviewer_admin):
    response = reviewer_admin.post("/admin/claims/article/add/", {**GERMAN, "extract_claims": "on"}, follow=True)
    page = response.content.decode()
    assert Article.objects.filter(title="Preise").exists()
    assert "“Preise” was saved without claims: Claim extraction supports English (en) only" in page
    assert "candidate claim(s) extracted" not in page


def test_the_admin_shows_the_reasons_for_a_claims_score(reviewer_admin):
    claim = ClaimFactory(check_worthiness=0.73, check_worthiness_reasons=["number", "named source"])
    page = reviewer_admin.get(f"/admin/claims/claim/{claim.pk}/change/").content.decode()
    assert 'aria-label="Why this score"' in page and "<li>number</li><li>named source</li>" in page
    assert 'name="check_worthiness_reasons"' not in page  # read-only
    assert "Setting it by hand to another value clears the reasons" in page
    listing = reviewer_admin.get("/admin/claims/claim/").content.decode()
    assert '<span title="number, named source">0.73</span>' in listing
