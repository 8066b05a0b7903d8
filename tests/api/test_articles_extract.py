"""Creating articles over the API extracts their candidate claims; ``articles/{id}/extract/`` runs it again."""

import random
from pathlib import Path

import pytest

from claims.extraction import find_candidates
from claims.models import Article, Claim
from tests.factories import ArticleFactory, ClaimFactory, UserFactory

pytestmark = pytest.mark.django_db

EVAL_DIR = Path(__file__).resolve().parents[2] / "claims" / "eval"
BODY = (EVAL_DIR / "northern-line.txt").read_text(encoding="utf-8")
# What the extractor proposes in BODY (12 claims are labelled there; claims/eval/northern-line.json):
# these tests are about storing and answering with them, whatever the model's exact count.
PROPOSED = len(find_candidates(BODY))


def new_article(**fields):
    return {"title": "Northern Line delayed", "url": "https://news.example.org/northern-line", "body": BODY, **fields}


def test_creating_an_article_extracts_its_candidate_claims(reviewer_client, reviewer):
    response = reviewer_client.post("/api/v1/articles/", new_article(published_at="2024-09-12T09:00:00Z"))
    assert response.status_code == 201
    article = Article.objects.get(pk=response.json()["id"])
    claims = Claim.objects.filter(article=article)
    assert claims.count() == PROPOSED
    for claim in claims:
        assert claim.status == Claim.Status.CANDIDATE
        assert claim.created_by == reviewer
        assert str(claim.claimed_at) == "2024-09-12"
        assert article.body[claim.start : claim.end] == claim.quote
        assert claim.history.get().history_user == reviewer
    assert "Daniel Reyes" in set(claims.values_list("claimant", flat=True))


@pytest.mark.parametrize(
    ("query", "fields"),
    [("?extract=false", {}), ("?extract=0", {}), ("", {"extract": False}), ("", {"extract": "false"})],
)
def test_a_client_can_create_an_article_without_extraction(reviewer_client, query, fields):
    response = reviewer_client.post(f"/api/v1/articles/{query}", new_article(**fields))
    assert response.status_code == 201
    assert Claim.objects.count() == 0


def test_an_unreadable_extract_flag_is_refused(reviewer_client):
    response = reviewer_client.post("/api/v1/articles/?extract=maybe", new_article())
    assert response.status_code == 400
    assert "extract" in response.json()
    assert Article.objects.count() == 0


def test_posting_a_stored_body_again_returns_it_and_extracts_nothing_more(reviewer_client):
    first = reviewer_client.post("/api/v1/articles/", new_article())
    count = Claim.objects.count()
    again = reviewer_client.post("/api/v1/articles/", new_article(url="https://news.example.org/copy"))
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert Claim.objects.count() == count


def test_extract_proposes_candidates_and_running_it_again_adds_nothing(reviewer_client):
    article = ArticleFactory(body=BODY)
    url = f"/api/v1/articles/{article.pk}/extract/"
    first = reviewer_client.post(url)
    assert first.status_code == 200
    assert first.json()["created"] == PROPOSED
    assert len(first.json()["claims"]) == PROPOSED
    assert {claim["status"] for claim in first.json()["claims"]} == {"candidate"}
    second = reviewer_client.post(url)
    assert second.status_code == 200
    assert second.json()["created"] == 0
    assert [c["id"] for c in second.json()["claims"]] == [c["id"] for c in first.json()["claims"]]
    assert Claim.objects.filter(article=article).count() == PROPOSED


def test_extract_leaves_existing_claims_alone_and_lists_them_too(editor_client):
    claim = ClaimFactory(status=Claim.Status.ACCEPTED)
    response = editor_client.post(f"/api/v1/articles/{claim.article_id}/extract/")
    assert response.status_code == 200
    listed = {c["id"]: c for c in response.json()["claims"]}
    assert listed[claim.pk]["status"] == "accepted"
    starts = [c["start"] for c in response.json()["claims"]]
    assert starts == sorted(starts)


def test_extract_answers_in_a_fixed_number_of_queries(reviewer_client, django_assert_max_num_queries):
    article = ArticleFactory(body=BODY)
    reviewer_client.post(f"/api/v1/articles/{article.pk}/extract/")
    with django_assert_max_num_queries(12):
        response = reviewer_client.post(f"/api/v1/articles/{article.pk}/extract/")
    assert len(response.json()["claims"]) == PROPOSED
    bigger = ArticleFactory(body=BODY * 3 + "\n\nThe end.")
    with django_assert_max_num_queries(16):
        response = reviewer_client.post(f"/api/v1/articles/{bigger.pk}/extract/")
    assert response.json()["created"] == 3 * PROPOSED


def test_anonymous_clients_cannot_create_articles_or_extract(anon):
    article = ArticleFactory(body=BODY)
    assert anon.post("/api/v1/articles/", new_article(url="https://n.example/x")).status_code in (401, 403)
    assert anon.post(f"/api/v1/articles/{article.pk}/extract/").status_code in (401, 403)
    assert Claim.objects.count() == 0


def test_extracting_an_unknown_article_is_404(reviewer_client):
    assert reviewer_client.post("/api/v1/articles/999999/extract/").status_code == 404


# --- Bad input -------------------------------------------------------------------------------------


@pytest.mark.parametrize("body", ["", "   \n\t "])
def test_an_empty_body_is_refused_with_400(reviewer_client, body):
    response = reviewer_client.post("/api/v1/articles/", new_article(body=body))
    assert response.status_code == 400
    assert "body" in response.json()


def test_a_body_with_nul_characters_is_refused_with_400(reviewer_client):
    response = reviewer_client.post("/api/v1/articles/", new_article(body="The ministry said\x00 2,000 died."))
    assert response.status_code == 400
    assert Article.objects.count() == 0


def test_a_10_mb_request_is_refused_with_413(reviewer_client):
    response = reviewer_client.post("/api/v1/articles/", new_article(body="The ministry said 2,000 died. " * 350_000))
    assert response.status_code == 413
    assert Article.objects.count() == 0


def test_a_body_over_500000_characters_is_refused_with_400(reviewer_client):
    response = reviewer_client.post("/api/v1/articles/", new_article(body="x" * 500_001))
    assert response.status_code == 400
    assert "body" in response.json()


def test_binary_junk_is_stored_with_no_candidates(reviewer_client):
    junk = "".join(chr(random.Random(i).randrange(1, 0x2FFF)) for i in range(20_000))
    response = reviewer_client.post("/api/v1/articles/", new_article(body=junk))
    assert response.status_code == 201
    extract = reviewer_client.post(f"/api/v1/articles/{response.json()['id']}/extract/")
    assert extract.status_code == 200
    assert extract.json()["created"] == 0


def test_text_in_another_script_is_stored_with_no_candidates(reviewer_client):
    body = "Министерство обороны заявило, что за три дня были убиты более 2000 военных. " * 20
    response = reviewer_client.post("/api/v1/articles/", new_article(body=body, language="ru"))
    assert response.status_code == 201
    assert Claim.objects.count() == 0
    response = reviewer_client.post(
        "/api/v1/articles/", new_article(body=body + " Ещё.", language="en", url="https://n.example/ru")
    )
    assert response.status_code == 201
    assert Claim.objects.count() == 0


def test_a_500000_character_article_is_created_and_extracted_by_a_job(reviewer_client):
    from factcheck import jobs

    body = ((EVAL_DIR / "estravia-rates.txt").read_text(encoding="utf-8") + "\n\n") * 300
    body = body[:500_000]
    response = reviewer_client.post("/api/v1/articles/", new_article(body=body))
    assert response.status_code == 201
    assert response.json()["extraction"]["status"] == "queued"
    jobs.work(burst=True)
    assert Claim.objects.filter(article_id=response.json()["id"]).count() > 2000


# --- Languages and the extraction outcome -------------------------------------------------------------

GERMAN = "Das Ministerium teilte mit, dass im August 2.000 Soldaten getötet wurden."


def test_a_new_article_says_how_many_claims_were_extracted(reviewer_client):
    response = reviewer_client.post("/api/v1/articles/", new_article())
    assert response.status_code == 201
    assert response.json()["extraction"] == {
        "status": "extracted",
        "created": PROPOSED,
        "detail": f"{PROPOSED} candidate claim(s) extracted.",
    }


def test_a_new_article_says_extraction_was_not_asked_for(reviewer_client):
    response = reviewer_client.post("/api/v1/articles/?extract=false", new_article())
    assert response.status_code == 201
    assert response.json()["extraction"]["status"] == "not_requested"
    assert response.json()["extraction"]["created"] == 0


def test_an_article_in_another_language_is_created_and_says_extraction_did_not_run(reviewer_client):
    response = reviewer_client.post("/api/v1/articles/", new_article(body=GERMAN, language="de"))
    assert response.status_code == 201
    body = response.json()
    assert body["language"] == "de"
    assert body["extraction"]["status"] == "unsupported_language"
    assert body["extraction"]["created"] == 0
    assert "supports English (en) only" in body["extraction"]["detail"] and "'de'" in body["extraction"]["detail"]
    assert Article.objects.filter(pk=body["id"]).exists()
    assert Claim.objects.count() == 0
    # The article as read back has no extraction member: it is the answer to creating it.
    assert "extraction" not in reviewer_client.get(f"/api/v1/articles/{body['id']}/").json()


@pytest.mark.parametrize("language", ["en", "en-GB", "EN-us"])
def test_english_in_any_region_is_extracted(reviewer_client, language):
    response = reviewer_client.post("/api/v1/articles/", new_article(language=language))
    assert response.json()["extraction"]["status"] == "extracted"


def test_extracting_an_article_in_another_language_is_a_422_naming_the_languages_extraction_reads(reviewer_client):
    article = ArticleFactory(body=GERMAN, language="de")
    response = reviewer_client.post(f"/api/v1/articles/{article.pk}/extract/")
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "unsupported_language"
    assert body["supported_languages"] == ["en"]
    assert "supports English (en) only" in body["detail"]
    assert Claim.objects.count() == 0


def test_the_openapi_document_describes_the_extraction_outcome_and_the_language_refusal(reviewer_client):
    document = reviewer_client.get("/api/v1/schema/?format=json").json()
    schemas = document["components"]["schemas"]
    assert "extraction" in schemas["CreatedArticle"]["required"]
    assert schemas["ExtractionStatusEnum"]["enum"] == ["extracted", "queued", "not_requested", "unsupported_language"]
    extract = document["paths"]["/api/v1/articles/{id}/extract/"]["post"]["responses"]["422"]
    assert extract["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ExtractionRefused"}
    branches = [branch["$ref"] for branch in schemas["ExtractionRefused"]["oneOf"]]
    assert branches == ["#/components/schemas/ExtractionTimeout", "#/components/schemas/UnsupportedLanguage"]


# --- Reasons ---------------------------------------------------------------------------------------


def test_extracted_claims_keep_the_reasons_for_their_score_and_the_newsroom_sees_them(reviewer_client):
    article = ArticleFactory(body=BODY)
    claims = reviewer_client.post(f"/api/v1/articles/{article.pk}/extract/").json()["claims"]
    for shown in claims:
        stored = Claim.objects.get(pk=shown["id"])
        assert stored.check_worthiness_reasons and shown["check_worthiness_reasons"] == stored.check_worthiness_reasons
    first = claims[0]
    detail = reviewer_client.get(f"/api/v1/claims/{first['id']}/").json()
    assert detail["check_worthiness_reasons"] == first["check_worthiness_reasons"]
    listed = reviewer_client.get("/api/v1/claims/", {"article": article.pk}).json()["results"]
    assert all(claim["check_worthiness_reasons"] for claim in listed)


def test_readers_are_not_shown_the_reasons(anon, client_for):
    claim = ClaimFactory(verified=True, check_worthiness_reasons=["number", "named source"])
    outsider = client_for(UserFactory(is_staff=False))
    for client in (anon, outsider):
        assert "check_worthiness_reasons" not in client.get(f"/api/v1/claims/{claim.pk}/").json()
        assert all("check_worthiness_reasons" not in c for c in client.get("/api/v1/claims/").json()["results"])


def test_the_reasons_are_read_only(reviewer_client):
    claim = ClaimFactory(check_worthiness_reasons=["number"])
    response = reviewer_client.patch(
        f"/api/v1/claims/{claim.pk}/", {"check_worthiness_reasons": ["made up"], "version": claim.version}
    )
    assert response.status_code == 200
    assert response.json()["check_worthiness_reasons"] == ["number"]


def test_setting_the_score_by_hand_clears_the_reasons_and_resending_it_keeps_them(reviewer_client):
    claim = ClaimFactory(check_worthiness=0.73, check_worthiness_reasons=["number", "named source"])
    same = reviewer_client.patch(f"/api/v1/claims/{claim.pk}/", {"check_worthiness": 0.73, "version": claim.version})
    assert same.json()["check_worthiness_reasons"] == ["number", "named source"]
    changed = reviewer_client.patch(
        f"/api/v1/claims/{claim.pk}/", {"check_worthiness": 0.9, "version": same.json()["version"]}
    )
    assert changed.status_code == 200
    assert changed.json()["check_worthiness_reasons"] == []
    assert Claim.objects.get(pk=claim.pk).check_worthiness_reasons == []
