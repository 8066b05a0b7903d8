"""Long work answers 202 with a job to poll: long extractions, large imports, exports to a file."""

import json

import pytest
from rest_framework.test import APIClient

from claims.models import Article, Claim, ExternalFactCheck
from factcheck import jobs
from factcheck.models import Job
from tests.api.test_articles_extract import BODY, PROPOSED, new_article
from tests.claims.test_claimreview_import import claim_review
from tests.factories import ArticleFactory, ClaimFactory, ReviewerFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def small_thresholds(settings, tmp_path):
    """Thresholds that the test bodies cross (the defaults are 20,000 characters and 100,000 bytes)."""
    settings.FACTCHECK_EXTRACTION_INLINE_CHARS = len(BODY) - 1
    settings.FACTCHECK_IMPORT_INLINE_BYTES = 2_000
    settings.MEDIA_ROOT = tmp_path


def run_jobs():
    return jobs.work(worker="test-worker", burst=True)


def poll(client, response):
    return client.get(response["Location"])


# --- Extraction -------------------------------------------------------------------------------------


def test_extracting_a_long_article_answers_202_with_a_job_that_extracts_it(reviewer_client, reviewer):
    article = ArticleFactory(body=BODY)
    response = reviewer_client.post(f"/api/v1/articles/{article.pk}/extract/")
    assert response.status_code == 202, response.content
    job = response.json()
    assert response["Location"] == job["url"] == f"http://testserver/api/v1/jobs/{job['id']}/"
    assert job["type"] == "claims.extract_article"
    assert job["status"] == "queued" and job["attempts"] == 0 and job["result"] is None
    assert job["next_attempt_at"] is not None and job["download_url"] is None
    assert Claim.objects.count() == 0

    assert poll(reviewer_client, response).json()["status"] == "queued"
    run_jobs()
    done = poll(reviewer_client, response).json()
    assert done["status"] == "succeeded", done
    assert done["result"] == {"article": article.pk, "created": PROPOSED, "claims": PROPOSED}
    assert done["started_at"] and done["finished_at"] and done["next_attempt_at"] is None
    claims = Claim.objects.filter(article=article)
    assert claims.count() == PROPOSED
    assert {claim.created_by for claim in claims} == {reviewer}


def test_a_short_article_is_still_extracted_inline(reviewer_client, settings):
    settings.FACTCHECK_EXTRACTION_INLINE_CHARS = len(BODY)
    article = ArticleFactory(body=BODY)
    response = reviewer_client.post(f"/api/v1/articles/{article.pk}/extract/")
    assert response.status_code == 200
    assert response.json()["created"] == PROPOSED
    assert not Job.objects.exists()


def test_extracting_twice_through_jobs_adds_no_claim_twice(reviewer_client):
    article = ArticleFactory(body=BODY)
    for _ in range(2):
        reviewer_client.post(f"/api/v1/articles/{article.pk}/extract/")
    run_jobs()
    assert [job.result["created"] for job in Job.objects.order_by("pk")] == [PROPOSED, 0]
    assert Claim.objects.filter(article=article).count() == PROPOSED


def test_a_long_article_in_another_language_is_refused_at_once_not_queued(reviewer_client):
    article = ArticleFactory(body=BODY, language="de")
    response = reviewer_client.post(f"/api/v1/articles/{article.pk}/extract/")
    assert response.status_code == 422
    assert response.json()["code"] == "unsupported_language"
    assert not Job.objects.exists()


def test_a_new_long_article_is_created_and_its_extraction_queued(reviewer_client):
    response = reviewer_client.post("/api/v1/articles/", new_article())
    assert response.status_code == 201, response.content
    extraction = response.json()["extraction"]
    job = Job.objects.get()
    assert extraction["status"] == "queued" and extraction["created"] == 0
    assert extraction["job"] == f"http://testserver/api/v1/jobs/{job.pk}/"
    assert Claim.objects.count() == 0
    run_jobs()
    assert reviewer_client.get(extraction["job"]).json()["status"] == "succeeded"
    assert Claim.objects.filter(article_id=response.json()["id"]).count() == PROPOSED


def test_a_new_long_article_not_to_be_extracted_queues_nothing(reviewer_client):
    response = reviewer_client.post("/api/v1/articles/?extract=false", new_article())
    assert response.status_code == 201
    assert response.json()["extraction"]["status"] == "not_requested"
    assert not Job.objects.exists()


def test_a_job_extracting_an_article_deleted_meanwhile_fails_and_says_why(reviewer_client):
    article = ArticleFactory(body=BODY)
    response = reviewer_client.post(f"/api/v1/articles/{article.pk}/extract/")
    Article.objects.filter(pk=article.pk).delete()
    run_jobs()
    job = poll(reviewer_client, response).json()
    assert job["status"] == "failed" and job["attempts"] == 1
    assert job["error"] == f"Article {article.pk} no longer exists."


# --- Who sees a job ----------------------------------------------------------------------------------


def test_a_job_is_visible_to_whoever_started_it_and_to_superusers_only(reviewer_client):
    article = ArticleFactory(body=BODY)
    url = reviewer_client.post(f"/api/v1/articles/{article.pk}/extract/")["Location"]
    other = APIClient()
    other.force_authenticate(ReviewerFactory())
    assert other.get(url).status_code == 404
    assert APIClient().get(url).status_code == 401
    admin = APIClient()
    admin.force_authenticate(UserFactory(is_superuser=True))
    assert admin.get(url).status_code == 200
    assert reviewer_client.get("/api/v1/jobs/999999/").status_code == 404


def test_a_job_reads_in_a_fixed_number_of_queries(reviewer_client, django_assert_max_num_queries):
    article = ArticleFactory(body=BODY)
    url = reviewer_client.post(f"/api/v1/articles/{article.pk}/extract/")["Location"]
    run_jobs()
    with django_assert_max_num_queries(1):
        assert reviewer_client.get(url).status_code == 200


def test_jobs_cannot_be_written(reviewer_client):
    article = ArticleFactory(body=BODY)
    url = reviewer_client.post(f"/api/v1/articles/{article.pk}/extract/")["Location"]
    assert reviewer_client.delete(url).status_code == 405
    assert reviewer_client.patch(url, {"status": "succeeded"}, format="json").status_code == 405


# --- Imports -----------------------------------------------------------------------------------------

IMPORT = "/api/v1/imports/claimreview/"


def post_import(client, body, query=""):
    return client.generic("POST", IMPORT + query, json.dumps(body), content_type="application/json")


def test_a_large_import_answers_202_and_its_job_stores_the_feed(editor_client, editor):
    feed = [claim_review(n) for n in range(1, 11)]
    response = post_import(editor_client, feed)
    assert response.status_code == 202, response.content
    assert not ExternalFactCheck.objects.exists()
    run_jobs()
    job = poll(editor_client, response).json()
    assert job["status"] == "succeeded", job
    assert (job["result"]["stored"], job["result"]["created"]) == (True, 10)
    assert ExternalFactCheck.objects.filter(imported_by=editor).count() == 10


def test_the_same_large_import_run_twice_stores_each_fact_check_once(editor_client):
    feed = [claim_review(n) for n in range(1, 11)]
    post_import(editor_client, feed)
    post_import(editor_client, feed)
    run_jobs()
    assert [job.result["created"] for job in Job.objects.order_by("pk")] == [10, 0]
    assert ExternalFactCheck.objects.count() == 10


def test_a_large_import_with_an_invalid_item_fails_with_the_report(editor_client):
    feed = [claim_review(n) for n in range(1, 11)] + [{"@type": "ClaimReview", "url": "https://x.example/" + "p" * 500}]
    response = post_import(editor_client, feed)
    run_jobs()
    job = poll(editor_client, response).json()
    assert job["status"] == "failed" and job["attempts"] == 1
    assert job["error"].startswith("Nothing was stored")
    assert job["result"]["stored"] is False and job["result"]["invalid"] == 1
    assert not ExternalFactCheck.objects.exists()


def test_a_small_import_is_still_stored_inline(editor_client):
    response = post_import(editor_client, [claim_review(1)])
    assert response.status_code == 201
    assert not Job.objects.exists()


def test_only_editors_start_an_import_job(reviewer_client):
    response = post_import(reviewer_client, [claim_review(n) for n in range(1, 11)])
    assert response.status_code == 403
    assert not Job.objects.exists()


# --- Exports to a file ---------------------------------------------------------------------------------

EXPORT_FILE = "/api/v1/exports/claims/file/"


def test_an_export_to_a_file_is_a_job_whose_file_downloads_when_done(reviewer_client):
    ClaimFactory.create_batch(2, verified=True)
    ClaimFactory()  # not verified: not exported
    response = reviewer_client.post(EXPORT_FILE + "?format=csv")
    assert response.status_code == 202, response.content
    assert poll(reviewer_client, response).json()["download_url"] is None
    assert reviewer_client.get(response["Location"] + "download/").status_code == 404
    run_jobs()
    job = poll(reviewer_client, response).json()
    assert job["status"] == "succeeded", job
    assert job["result"]["claims"] == 2 and job["result"]["format"] == "csv"
    assert job["download_url"] == response["Location"] + "download/"
    download = reviewer_client.get(job["download_url"])
    assert download.status_code == 200
    assert download["Content-Type"] == "text/csv; charset=utf-8"
    assert download["Content-Disposition"] == 'attachment; filename="verified-claims.csv"'
    content = b"".join(download.streaming_content).decode("utf-8-sig")
    streamed = reviewer_client.get("/api/v1/exports/claims?format=csv")
    assert content == b"".join(streamed.streaming_content).decode("utf-8-sig")
    assert len(content.strip().splitlines()) == 3
    assert job["result"]["bytes"] == len(content.encode("utf-8-sig"))


def test_an_export_file_takes_the_filters_of_the_streamed_export(reviewer_client):
    kept = ClaimFactory(verified=True)
    ClaimFactory(verified=True)
    response = reviewer_client.post(EXPORT_FILE + f"?format=ndjson&article={kept.article_id}")
    run_jobs()
    job = poll(reviewer_client, response).json()
    assert job["result"]["claims"] == 1
    lines = b"".join(reviewer_client.get(job["download_url"]).streaming_content).decode().splitlines()
    assert [json.loads(line)["id"] for line in lines] == [kept.pk]


def test_a_retried_export_rewrites_the_same_file(reviewer_client, tmp_path):
    ClaimFactory(verified=True)
    reviewer_client.post(EXPORT_FILE + "?format=ndjson")
    record = Job.objects.get()
    jobs.execute(jobs.claim(worker="first"))  # a first run that finished but was not recorded in time
    Job.objects.filter(pk=record.pk).update(status=Job.Status.QUEUED)
    run_jobs()
    assert len(list((tmp_path / "exports").rglob("*"))) == 2  # its directory and one file


@pytest.mark.parametrize(
    "query, field",
    [("?format=xml", "format"), ("?verdict=nonsense", "verdict"), ("?updated_since=yesterday", "updated_since")],
)
def test_an_export_file_with_bad_parameters_is_a_400_and_queues_nothing(reviewer_client, query, field):
    response = reviewer_client.post(EXPORT_FILE + query)
    assert response.status_code == 400
    assert field in response.json()
    assert not Job.objects.exists()


def test_anonymous_clients_cannot_start_an_export_file():
    assert APIClient().post(EXPORT_FILE).status_code == 401
    assert not Job.objects.exists()


def test_only_whoever_started_an_export_downloads_it(reviewer_client):
    ClaimFactory(verified=True)
    response = reviewer_client.post(EXPORT_FILE)
    run_jobs()
    other = APIClient()
    other.force_authenticate(ReviewerFactory())
    assert other.get(response["Location"] + "download/").status_code == 404
