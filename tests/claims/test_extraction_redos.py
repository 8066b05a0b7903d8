"""No article text can hold a worker: extraction reads any input in linear time, within a time budget.

Each pathological text below used to take from seconds to hours (regex backtracking, or work repeated
at every position of a run); each now takes milliseconds. The 2-second bound only keeps CI from
being flaky on a loaded machine. These are tests of the rules (sentences, attribution, claimants), so
the timed runs score with a stand-in for the learned model: the model's cost is the same for every
sentence of a length (it reads at most 64 word pieces) and is measured in bench/extraction.py.
"""

import time
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from claims.extraction import (
    TRAILING_NOISE,
    ExtractionTimeout,
    analyse,
    extract_claims,
    find_candidates,
    sentence_spans,
)
from claims.models import Article, Claim
from tests.factories import ArticleFactory, ReviewerFactory

BOUND = 2.0
NBSP = "\u00a0"
EVAL_DIR = Path(__file__).resolve().parents[2] / "claims" / "eval"
BODY = (EVAL_DIR / "northern-line.txt").read_text(encoding="utf-8")


def has_run(repetitions, space=" "):
    """The red team's reproduction: a speaker, then "has" after runs of spaces, then no verb where expected."""
    return "Officials" + (space * 4 + "has") * repetitions + " qq said that 30 towns fell on Friday."


class ConstantModel:
    """The learned model's interface at no cost: every sentence 0.5, no cue words."""

    def explain(self, texts):
        return [(0.5, []) for _ in texts]


@pytest.fixture
def rules_only(monkeypatch):
    monkeypatch.setattr("claims.extraction.candidates.model", ConstantModel)


def timed(function, *args, **kwargs):
    start = time.perf_counter()
    result = function(*args, **kwargs)
    return time.perf_counter() - start, result


def sentences(unit, tail=" said that 3 died.", count=480):
    """``count`` sentences of just under MAX_SENTENCE_CHARS, each ``unit`` repeated and then ``tail``."""
    sentence = (unit * (990 // len(unit) + 1))[: 990 - len(tail)] + tail
    return ((sentence + "\n") * count)[:500_000]


# --- The reported payloads -------------------------------------------------------------------------


@pytest.mark.parametrize("space", [" ", NBSP], ids=["spaces", "no-break-spaces"])
@pytest.mark.parametrize("repetitions", [8, 9, 12, 20, 30])
def test_a_speaker_followed_by_runs_of_spaces_and_has_is_read_in_milliseconds(space, repetitions):
    seconds, candidates = timed(analyse, has_run(repetitions, space))
    assert seconds < BOUND
    # Past 8 repetitions the "speaker" is too long to be one, and the sentence is the article's own.
    assert len(candidates) <= 1
    assert all(candidate.quote.endswith("30 towns fell on Friday") for candidate in candidates)


@pytest.mark.parametrize(
    "text", ["." * 400_000, "!?" * 200_000, "…" * 400_000], ids=["dots", "bang-question", "ellipses"]
)
def test_a_run_of_400000_sentence_marks_is_read_in_milliseconds(text):
    seconds, spans = timed(sentence_spans, text)
    assert seconds < BOUND
    assert spans == [(0, len(text))]
    assert analyse(text) == []


def test_a_run_of_sentence_marks_still_ends_a_sentence_once():
    text = "Prices rose 5% in May!?!... Then 30 towns fell on Friday."
    assert [text[start:end] for start, end in sentence_spans(text)] == [
        "Prices rose 5% in May!?!...",
        "Then 30 towns fell on Friday.",
    ]


# --- What the audit found --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("Dr. " * 125_000, id="abbreviations"),
        pytest.param("The ministry said" + " " * 499_000 + "x.", id="spaces"),
        pytest.param("The ministry said" + "," * 499_000, id="commas"),
        pytest.param('"' * 500_000, id="quotes"),
        pytest.param(sentences("Has "), id="capitalised-has"),
        pytest.param(sentences(" has"), id="has-chain"),
        pytest.param(sentences(", has,"), id="has-chain-with-commas"),
        pytest.param(sentences("But, "), id="leading-noise"),
        pytest.param(sentences("according to "), id="according-to"),
        pytest.param(sentences("said, "), id="said-with-commas"),
        pytest.param(sentences(", said A"), id="inverted-said"),
        pytest.param(sentences("“A ”, said "), id="quotes-and-said"),
        pytest.param(sentences("photos supplied by the "), id="provenance"),
        pytest.param(sentences("Abc Def "), id="capitalised-words"),
        pytest.param(sentences("did not "), id="not-confirmed"),
        pytest.param("''" * 250_000, id="two-apostrophe-quotes"),
        pytest.param(sentences("''A.'' "), id="two-apostrophe-sentences"),
        pytest.param(sentences(", saying "), id="participles"),
        pytest.param(sentences(", telling a b c "), id="telling-whom"),
        pytest.param(sentences("Abc Def: "), id="headline-colons"),
        pytest.param(sentences("(D-Ore.) "), id="parentheses"),
        pytest.param(sentences(", 27, "), id="ages"),
        pytest.param(sentences("Mr. J. "), id="initials"),
        pytest.param(sentences("is saying "), id="progressive"),
        pytest.param(sentences("and said "), id="coordinated-verbs"),
        pytest.param(sentences(", who "), id="relative-asides"),
        pytest.param(sentences("“a” "), id="many-quotations"),
        pytest.param(sentences("first reported by Abc "), id="reported-by"),
    ],
)
def test_pathological_articles_of_500000_characters_are_read_in_well_under_two_seconds(text, rules_only):
    seconds, _ = timed(analyse, text)
    assert seconds < BOUND


def test_trailing_noise_is_still_stripped_from_a_speaker():
    assert only_claimant("Officials has said that 30 towns fell on Friday.") == "Officials"
    assert only_claimant("The ministry, however, has also said on Friday that 30 towns fell.") == "ministry"
    assert only_claimant("Officials" + "    has" * 8 + " said that 30 towns fell on Friday.") == "Officials"
    assert TRAILING_NOISE.search("Officials ,, has").start() == 11


def only_claimant(text):
    (candidate,) = analyse(text)
    return candidate.claimant


# --- The time budget -------------------------------------------------------------------------------


def test_analysis_past_its_time_limit_raises_extraction_timeout():
    with pytest.raises(ExtractionTimeout, match="too long or too complex"):
        find_candidates(BODY, time_limit=0)
    assert find_candidates(BODY, time_limit=60)


def test_extraction_past_the_budget_stores_nothing(db, settings):
    settings.FACTCHECK_EXTRACTION_TIME_LIMIT = 0
    article = ArticleFactory(body=BODY)
    with pytest.raises(ExtractionTimeout):
        extract_claims(article)
    assert Claim.objects.count() == 0


def test_the_default_budget_leaves_room_for_the_largest_article(settings):
    text = sentences(", said A")
    seconds, _ = timed(analyse, text)
    assert seconds * 4 < settings.FACTCHECK_EXTRACTION_TIME_LIMIT < 30


# --- Over the API ----------------------------------------------------------------------------------


def new_article(body, **fields):
    return {"title": "Pathological", "url": "https://news.example.org/redos", "body": body, **fields}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "claims"),
    [
        (has_run(8), 1),
        (has_run(30), 1),
        (has_run(8, NBSP), 1),
        (has_run(30, NBSP), 0),
        ("." * 400_000, 0),
        ("!?" * 200_000, 0),
    ],
    ids=["has-8", "has-30", "has-8-nbsp", "has-30-nbsp", "dots", "bang-question"],
)
def test_posting_a_pathological_article_answers_201_quickly(reviewer_client, body, claims):
    seconds, response = timed(reviewer_client.post, "/api/v1/articles/", new_article(body), format="json")
    assert response.status_code == 201
    assert seconds < 10
    assert Claim.objects.filter(article_id=response.json()["id"]).count() == claims


@pytest.mark.django_db
def test_an_article_over_the_budget_is_saved_and_answers_422_without_claims(reviewer_client, settings):
    settings.FACTCHECK_EXTRACTION_TIME_LIMIT = 0
    response = reviewer_client.post("/api/v1/articles/", new_article(BODY), format="json")
    assert response.status_code == 422
    body = response.json()
    assert "too long or too complex" in body["detail"]
    assert f"Article {body['id']} was saved" in body["detail"]
    article = Article.objects.get(pk=body["id"])
    assert article.body == BODY
    assert Claim.objects.count() == 0
    again = reviewer_client.post("/api/v1/articles/", new_article(BODY), format="json")
    assert again.status_code == 200
    assert again.json()["id"] == article.pk


@pytest.mark.django_db
def test_extract_over_the_budget_answers_422_and_stores_nothing(reviewer_client, settings):
    article = ArticleFactory(body=BODY)
    settings.FACTCHECK_EXTRACTION_TIME_LIMIT = 0
    response = reviewer_client.post(f"/api/v1/articles/{article.pk}/extract/")
    assert response.status_code == 422
    assert response.json()["id"] == article.pk
    assert "No claims were extracted" in response.json()["detail"]
    assert Claim.objects.count() == 0


# --- Admin and command line ------------------------------------------------------------------------


@pytest.fixture
def reviewer_admin(db, client):
    client.force_login(ReviewerFactory())
    return client


def test_adding_an_article_over_the_budget_in_the_admin_saves_it_with_a_warning(reviewer_admin, settings):
    settings.FACTCHECK_EXTRACTION_TIME_LIMIT = 0
    form = {"title": "Slow", "body": BODY, "language": "en", "url": "https://n.example/slow", "extract_claims": "on"}
    response = reviewer_admin.post("/admin/claims/article/add/", form, follow=True)
    assert response.status_code == 200
    assert "was saved without claims" in response.content.decode()
    assert Article.objects.filter(title="Slow").exists()
    assert Claim.objects.count() == 0


def test_the_admin_action_reports_an_article_over_the_budget(reviewer_admin, settings):
    article = ArticleFactory(body=BODY)
    settings.FACTCHECK_EXTRACTION_TIME_LIMIT = 0
    response = reviewer_admin.post(
        "/admin/claims/article/", {"action": "extract_candidate_claims", "_selected_action": [article.pk]}, follow=True
    )
    assert response.status_code == 200
    assert "No claims extracted from" in response.content.decode()
    assert Claim.objects.count() == 0


def test_ingest_article_over_the_budget_keeps_the_article_and_says_so(db, tmp_path, settings):
    path = tmp_path / "article.txt"
    path.write_text(BODY, encoding="utf-8")
    settings.FACTCHECK_EXTRACTION_TIME_LIMIT = 0
    with pytest.raises(CommandError, match="is stored, but no claims were extracted"):
        call_command("ingest_article", str(path), "--title=Slow", stdout=StringIO())
    assert Article.objects.count() == 1
    assert Claim.objects.count() == 0
