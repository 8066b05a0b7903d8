"""``POST /api/v1/check-worthiness/``: sentences or a text scored as extraction scores them, nothing stored."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from claims.extraction import PROPOSAL_THRESHOLD, find_candidates, sentence_spans
from claims.models import ARTICLE_BODY_MAX_CHARS
from tests.factories import UserFactory
from tests.snapshots import nothing_changed

pytestmark = pytest.mark.django_db

URL = "/api/v1/check-worthiness/"
FACT = "Ukrainian forces said they had entered the city of Kupiansk on Saturday."
SPECULATION = "Analysts think the army may reach Luhansk within weeks."
ARTICLE = (
    "  Kharkiv, 10 September.\n"
    "“We have liberated more than 30 towns,” President Zelensky said on Friday. He added that 2,000 "
    "soldiers had been captured.\n\n"
    "Consumer prices rose 9.4% in the year to August, according to the national statistics office. "
    "It is unclear whether the figures will hold.\r\n"
    "Міністерство оборони заявило про 2000 полонених.\n"
    "Yes."
)


def score(client, body):
    return client.post(URL, body, format="json")


def results(response):
    assert response.status_code == 200, response.content
    return response.json()["results"]


# --- Sentences -------------------------------------------------------------------------------------


def test_each_sentence_is_scored_whole_with_its_claimant_and_reasons(reviewer_client):
    response = score(reviewer_client, {"sentences": [FACT, SPECULATION]})
    body = response.json()
    assert body["threshold"] == PROPOSAL_THRESHOLD
    fact, speculation = results(response)
    assert fact == {
        "text": FACT,
        "start": 0,
        "end": len(FACT),
        "score": fact["score"],
        "check_worthy": True,
        "claimant": "Ukrainian forces",
        "reasons": fact["reasons"],
    }
    assert fact["score"] >= PROPOSAL_THRESHOLD and "named source" in fact["reasons"]
    assert speculation["score"] < PROPOSAL_THRESHOLD and not speculation["check_worthy"]
    assert "speculation" in speculation["reasons"]


def test_a_sentence_is_scored_as_extraction_scores_it_alone(reviewer_client):
    (candidate,) = find_candidates(FACT)
    (result,) = results(score(reviewer_client, {"sentences": [FACT]}))
    assert (result["score"], result["claimant"], result["reasons"]) == (
        candidate.check_worthiness,
        candidate.claimant,
        list(candidate.reasons),
    )


def test_a_pronoun_or_a_quote_carrying_on_has_no_claimant_without_an_article(reviewer_client):
    sentences = ["He said that 2,000 soldiers had been captured on Friday.", "“We will stay in Izium until 2025.”"]
    assert [result["claimant"] for result in results(score(reviewer_client, {"sentences": sentences}))] == ["", ""]


@pytest.mark.parametrize(
    ("sentence", "reason"),
    [
        ("Yes.", "too short to check"),
        ("Prices rose sharply.", "too short to check"),
        ("The ministry said " + "very " * 300 + "many people left.", "too long to check"),
        ("Міністерство оборони заявило про 2000 полонених у п'ятницю.", "not English prose"),
        ("| 2021 | 4.5 | 3.2 | 7.7 | 9.9 | 1.1 |", "not English prose"),
    ],
)
def test_a_sentence_extraction_would_skip_scores_0_with_the_reason(reviewer_client, sentence, reason):
    (result,) = results(score(reviewer_client, {"sentences": [sentence]}))
    assert result == {
        "text": sentence,
        "start": 0,
        "end": len(sentence),
        "score": 0.0,
        "check_worthy": False,
        "claimant": "",
        "reasons": [reason],
    }


def test_surrounding_whitespace_is_kept_in_the_result_and_ignored_by_the_score(reviewer_client):
    padded = f"  \t{FACT}\n"
    plain, spaced = results(score(reviewer_client, {"sentences": [FACT, padded]}))
    assert (spaced["text"], spaced["end"]) == (padded, len(padded))
    assert (spaced["score"], spaced["claimant"], spaced["reasons"]) == (
        plain["score"],
        plain["claimant"],
        plain["reasons"],
    )


def test_a_thousand_sentences_get_a_thousand_results_in_order(editor_client):
    sentences = [f"The ministry said {n} soldiers were killed on Friday." for n in range(1000)]
    scored = results(score(editor_client, {"sentences": sentences}))
    assert [result["text"] for result in scored] == sentences


# --- Text ------------------------------------------------------------------------------------------


def test_every_sentence_of_a_text_gets_one_result_at_its_exact_offsets(reviewer_client):
    scored = results(score(reviewer_client, {"text": ARTICLE}))
    for result in scored:
        assert ARTICLE[result["start"] : result["end"]] == result["text"]
        assert result["check_worthy"] == (result["score"] >= PROPOSAL_THRESHOLD)
    # One result per sentence, inside it (a sentence's claim may be the reported clause of it).
    spans = sentence_spans(ARTICLE.replace("\r", "\n"))
    assert len(scored) == len(spans)
    for (start, end), result in zip(spans, scored, strict=True):
        assert start <= result["start"] < result["end"] <= end
    texts = [result["text"] for result in scored]
    assert texts[0] == "Kharkiv, 10 September."  # after the leading spaces
    assert "We have liberated more than 30 towns" in texts  # inside the curly quotes
    assert texts[-2:] == ["Міністерство оборони заявило про 2000 полонених.", "Yes."]


def test_a_text_gets_the_claimants_and_scores_extraction_gives_its_sentences(reviewer_client):
    scored = results(score(reviewer_client, {"text": ARTICLE}))
    proposed = [(r["start"], r["end"], r["score"], r["claimant"]) for r in scored if r["check_worthy"]]
    extracted = [(c.start, c.end, c.check_worthiness, c.claimant) for c in find_candidates(ARTICLE)]
    assert proposed == extracted
    by_text = {result["text"]: result for result in scored}
    assert by_text["2,000 soldiers had been captured"]["claimant"] == "Zelensky"  # "He added that …"
    assert by_text["It is unclear whether the figures will hold"]["reasons"][-1] == "open question"
    assert by_text["Yes."]["reasons"] == ["too short to check"]
    assert by_text["Міністерство оборони заявило про 2000 полонених."]["reasons"] == ["not English prose"]


def test_offsets_count_characters_of_the_text_as_sent(reviewer_client):
    text = "🙂 Ціна — “9.4%”.\r\nThe office said prices rose 9.4% in August. “Prices fell 2% in 2023,” the bank said."
    scored = results(score(reviewer_client, {"text": text}))
    assert [text[r["start"] : r["end"]] for r in scored] == [r["text"] for r in scored]
    assert [r["text"] for r in scored][1:] == ["prices rose 9.4% in August", "Prices fell 2% in 2023"]


def test_a_regional_english_tag_is_english(reviewer_client):
    assert results(score(reviewer_client, {"text": FACT, "language": "en-GB"}))[0]["check_worthy"]


# --- Nothing stored, who may, limits -------------------------------------------------------------


def test_scoring_stores_nothing(reviewer_client):
    with nothing_changed():
        assert score(reviewer_client, {"text": ARTICLE}).status_code == 200
        assert score(reviewer_client, {"sentences": [FACT]}).status_code == 200


def test_only_reviewers_and_editors_may_score(reviewer_client, editor_client, client_for):
    body = {"sentences": [FACT]}
    anonymous = score(APIClient(), body)
    assert anonymous.status_code == 401 and "WWW-Authenticate" in anonymous
    assert score(client_for(UserFactory(is_staff=False)), body).status_code == 403
    assert score(reviewer_client, body).status_code == 200
    assert score(editor_client, body).status_code == 200


def test_only_post_is_allowed(reviewer_client):
    assert reviewer_client.get(URL).status_code == 405


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({}, "non_field_errors", "not neither"),
        ({"language": "en"}, "non_field_errors", "not neither"),
        ({"sentences": [FACT], "text": FACT}, "non_field_errors", "not both"),
        ({"sentences": []}, "sentences", "at least 1"),
        ({"sentences": [FACT] * 1001}, "sentences", "no more than 1000"),
        ({"sentences": [FACT, 7]}, "sentences", "Item 1: Expected a string."),
        ({"sentences": [FACT, None]}, "sentences", "may not be null"),
        ({"sentences": [FACT, ""]}, "sentences", "may not be blank"),
        ({"sentences": ["   \n"]}, "sentences", "may not be blank"),
        ({"sentences": FACT}, "sentences", "Expected a list"),
        ({"sentences": {"0": FACT}}, "sentences", "Expected a list"),
        ({"sentences": ["x" * (ARTICLE_BODY_MAX_CHARS + 1)]}, "sentences", "no more than 500000 characters"),
        ({"text": ""}, "text", "may not be blank"),
        ({"text": " \n\t"}, "text", "may not be blank"),
        ({"text": 42}, "text", "Expected a string."),
        ({"text": [FACT]}, "text", "Expected a string."),
        ({"text": None}, "text", "may not be null"),
        ({"text": "x" * (ARTICLE_BODY_MAX_CHARS + 1)}, "text", "no more than 500000 characters"),
        ({"text": FACT, "language": "english!"}, "language", "BCP 47"),
        ({"text": FACT, "language": 5}, "language", "Expected a string."),
        ({"text": "nul \x00 inside"}, "text", "Null characters are not allowed."),
    ],
)
def test_bad_input_is_a_400_naming_the_problem(reviewer_client, body, field, message):
    response = score(reviewer_client, body)
    assert response.status_code == 400, response.content
    assert message in str(response.json()[field])


@pytest.mark.parametrize("body", [[FACT], FACT, 3, True])
def test_a_body_that_is_not_an_object_is_a_400(reviewer_client, body):
    response = reviewer_client.post(URL, body, format="json")
    assert response.status_code == 400
    assert "Expected a dictionary" in str(response.json())


@pytest.mark.parametrize(("body", "message"), [("null", "No data provided"), ("", "either sentences or text")])
def test_an_empty_or_null_body_is_a_400(reviewer_client, body, message):
    response = reviewer_client.post(URL, body, content_type="application/json")
    assert response.status_code == 400
    assert message in str(response.json()["non_field_errors"])


def test_malformed_json_is_a_400_and_another_media_type_a_415(reviewer_client):
    assert reviewer_client.post(URL, "{", content_type="application/json").status_code == 400
    assert reviewer_client.post(URL, "text=x", content_type="text/plain").status_code == 415


def test_a_body_over_the_request_size_limit_is_a_413(reviewer_client):
    assert score(reviewer_client, {"text": "x" * (2 * 1024 * 1024)}).status_code == 413


@pytest.mark.parametrize("language", ["de", "uk", "fr-CA"])
def test_a_language_extraction_does_not_read_is_a_422_naming_the_ones_it_does(reviewer_client, language):
    response = score(reviewer_client, {"sentences": [FACT], "language": language})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "unsupported_language"
    assert body["supported_languages"] == ["en"]
    assert "supports English (en) only" in body["detail"] and repr(language) in body["detail"]


def test_a_text_over_the_time_budget_is_a_422(reviewer_client, settings):
    settings.FACTCHECK_EXTRACTION_TIME_LIMIT = 0
    response = score(reviewer_client, {"text": ARTICLE})
    assert response.status_code == 422
    assert response.json()["code"] == "extraction_timeout"


def test_scoring_is_throttled_as_other_requests_of_a_user_are(reviewer_client, monkeypatch):
    cache.clear()
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "user", "2/minute")
    statuses = [score(reviewer_client, {"sentences": [FACT]}).status_code for _ in range(3)]
    cache.clear()
    assert statuses == [200, 200, 429]
