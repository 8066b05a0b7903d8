"""Faults: a worker killed mid-job, the broker down, and the distributed engine on real Redis and RabbitMQ.

The broker tests need Redis at 127.0.0.1:6379 and RabbitMQ at 127.0.0.1:5672 (guest/guest). They skip
when a server is unreachable, unless ``CI_REQUIRE_BROKERS=1`` (``.ci/run`` sets it): then they fail.
"""

import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from claims.models import Claim
from factcheck import jobs
from factcheck.models import Job
from tests.factories import ArticleFactory

ROOT = Path(__file__).resolve().parents[2]
EVAL_DIR = ROOT / "claims" / "eval"
BROKERS = {
    "redis": ("redis://127.0.0.1:6379/15", 6379),
    "rabbitmq": ("amqp://guest:guest@127.0.0.1:5672//", 5672),
}
UNREACHABLE = "redis://127.0.0.1:1/0"


def long_body(chars):
    text = (EVAL_DIR / "estravia-rates.txt").read_text(encoding="utf-8") + "\n\n"
    return (text * (chars // len(text) + 1))[:chars]


def reachable(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return False
    return True


def broker_url(name):
    url, port = BROKERS[name]
    if not reachable(port):
        if os.environ.get("CI_REQUIRE_BROKERS") == "1":
            pytest.fail(f"{name} is not running at 127.0.0.1:{port} (CI requires it)")
        pytest.skip(f"{name} is not running at 127.0.0.1:{port}")
    return url


@pytest.fixture
def celery_engine(settings):
    """The celery engine on a queue of this test's own, ``use(url)`` pointing it at a broker."""
    from factcheck import celery

    settings.FACTCHECK_JOBS = jobs.CELERY
    jobs._broker_down_until = 0.0

    def use(url):
        celery.configure(broker_url=url)
        celery.app.control.purge()  # nothing left over from an earlier run
        return url

    celery.configure(broker_url=UNREACHABLE)
    yield use
    celery.configure(broker_url=settings.FACTCHECK_JOBS_BROKER_URL or UNREACHABLE)
    jobs._broker_down_until = 0.0


@contextmanager
def celery_worker(url, **environment):
    """``manage.py run_jobs`` on the celery engine (a Celery worker and the relay) in a process of its own."""
    worker = worker_process(FACTCHECK_JOBS="celery", FACTCHECK_JOBS_BROKER_URL=url, **environment)
    try:
        yield worker
    finally:
        worker.terminate()
        try:
            worker.wait(30)
        except subprocess.TimeoutExpired:
            worker.kill()


def wait_until(predicate, timeout=90.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    states = list(Job.objects.values_list("name", "status", "attempts", "error"))
    raise AssertionError(f"still not true after {timeout} s; the jobs: {states}")


def spans(article):
    return list(Claim.objects.filter(article=article).values_list("start", "end"))


# --- A worker killed mid-job (the database queue) ----------------------------------------------------


def worker_process(*args, **environment):
    """``manage.py run_jobs`` in a process of its own, on this test's (PostgreSQL) database."""
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {**os.environ, "DATABASE_URL": url, "FACTCHECK_JOBS": "database", "DJANGO_DEBUG": "1", **environment}
    command = [sys.executable, "manage.py", "run_jobs", "--poll", "0.05", *args]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_job_leaves_it_to_another_which_completes_it_once(reviewer):
    article = ArticleFactory(body=long_body(400_000))  # a few seconds of extraction
    record = jobs.REGISTRY["claims.extract_article"].enqueue(article=article.pk, user=reviewer.pk, by=reviewer)

    first = worker_process()
    try:
        wait_until(lambda: Job.objects.get(pk=record.pk).status == Job.Status.RUNNING)
        first.send_signal(signal.SIGKILL)  # mid-extraction: nothing stored yet
        first.wait(10)
    finally:
        first.kill()
    record.refresh_from_db()
    assert record.status == Job.Status.RUNNING and record.attempts == 1  # lost: its worker is gone
    assert spans(article) == []

    second = worker_process("--burst")
    assert second.wait(30) == 0
    record.refresh_from_db()
    assert record.status == Job.Status.RUNNING  # not before its lease has run out

    Job.objects.filter(pk=record.pk).update(lease_expires_at=timezone.now() - timedelta(seconds=1))
    third = worker_process("--burst")
    assert third.wait(120) == 0
    record.refresh_from_db()
    assert record.status == Job.Status.SUCCEEDED, record.error
    assert record.attempts == 2
    stored = spans(article)
    assert len(stored) == record.result["created"] > 100
    assert len(set(stored)) == len(stored)  # no claim twice


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_worker_stopped_with_sigterm_finishes_its_job_first():
    article = ArticleFactory(body=long_body(200_000))
    record = jobs.REGISTRY["claims.extract_article"].enqueue(article=article.pk)
    worker = worker_process()
    try:
        wait_until(lambda: Job.objects.get(pk=record.pk).status == Job.Status.RUNNING)
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(60) == 0
    finally:
        worker.kill()
    record.refresh_from_db()
    assert record.status == Job.Status.SUCCEEDED


# --- The broker down ---------------------------------------------------------------------------------


def extract_twice(client, article):
    started = time.monotonic()
    responses = [client.post(f"/api/v1/articles/{article.pk}/extract/") for _ in range(2)]
    assert [response.status_code for response in responses] == [202, 202]
    assert time.monotonic() - started < 5  # one short try, then none while the broker is down
    return responses


@pytest.mark.django_db(transaction=True)
def test_with_the_broker_down_the_api_answers_and_the_jobs_wait_in_the_database(
    celery_engine, reviewer_client, settings
):
    settings.FACTCHECK_EXTRACTION_INLINE_CHARS = 1_000
    article = ArticleFactory(body=long_body(5_000))
    extract_twice(reviewer_client, article)
    assert jobs.relay() == 0  # still down
    assert list(Job.objects.values_list("status", "relayed_at")) == [("queued", None), ("queued", None)]


@pytest.mark.postgres
@pytest.mark.parametrize("broker", list(BROKERS))
@pytest.mark.django_db(transaction=True)
def test_jobs_queued_while_the_broker_was_down_run_once_it_is_back(broker, celery_engine, reviewer_client, settings):
    settings.FACTCHECK_EXTRACTION_INLINE_CHARS = 1_000
    article = ArticleFactory(body=long_body(5_000))
    extract_twice(reviewer_client, article)
    url = celery_engine(broker_url(broker))  # the broker is back; the worker's relay hands it the jobs
    with celery_worker(url):
        wait_until(lambda: not Job.objects.exclude(status=Job.Status.SUCCEEDED).exists())
    created = sorted(job.result["created"] for job in Job.objects.all())  # the two may run in either order
    assert created[0] == 0 and created[1] == len(spans(article)) == len(set(spans(article))) > 0  # idempotent


# --- The distributed engine on real brokers -----------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.parametrize("broker", list(BROKERS))
@pytest.mark.django_db(transaction=True)
def test_jobs_run_on_celery_over_a_real_broker(broker, celery_engine, reviewer_client, settings, tmp_path):
    from tests.factories import ClaimFactory

    url = celery_engine(broker_url(broker))
    settings.FACTCHECK_EXTRACTION_INLINE_CHARS = 1_000
    ClaimFactory(verified=True)
    article = ArticleFactory(body=long_body(5_000))
    with celery_worker(url, FACTCHECK_MEDIA_ROOT=str(tmp_path)):
        extract = reviewer_client.post(f"/api/v1/articles/{article.pk}/extract/")
        export = reviewer_client.post("/api/v1/exports/claims/file/?format=ndjson")
        assert extract.status_code == export.status_code == 202
        assert Job.objects.filter(relayed_at__isnull=False).count() == 2  # relayed as the request ended
        wait_until(lambda: not Job.objects.exclude(status=Job.Status.SUCCEEDED).exists())
    assert Claim.objects.filter(article=article).count() == Job.objects.get(pk=extract.json()["id"]).result["created"]
    settings.MEDIA_ROOT = tmp_path
    download = reviewer_client.get(reviewer_client.get(export["Location"]).json()["download_url"])
    assert download.status_code == 200 and len(b"".join(download.streaming_content).splitlines()) == 1


@pytest.mark.postgres
@pytest.mark.parametrize("broker", list(BROKERS))
@pytest.mark.django_db(transaction=True)
def test_on_celery_a_job_whose_worker_died_is_relayed_again_and_completed_once(broker, celery_engine, reviewer):
    url = celery_engine(broker_url(broker))
    article = ArticleFactory(body=long_body(5_000))
    record = jobs.REGISTRY["claims.extract_article"].enqueue(article=article.pk, user=reviewer.pk, by=reviewer)
    # The message was taken and the job claimed, then that worker died: whatever the broker does with
    # the message, the row says it is running with a lease that has run out.
    jobs.claim(worker="dead")
    Job.objects.filter(pk=record.pk).update(lease_expires_at=timezone.now() - timedelta(seconds=1))
    with celery_worker(url):
        wait_until(lambda: Job.objects.get(pk=record.pk).status == Job.Status.SUCCEEDED)
    record.refresh_from_db()
    assert record.attempts == 2
    assert len(set(spans(article))) == len(spans(article)) == record.result["created"] > 0


@pytest.mark.postgres
@pytest.mark.parametrize("broker", list(BROKERS))
@pytest.mark.django_db(transaction=True)
def test_on_celery_a_job_due_for_a_retry_is_relayed_again_and_one_that_cannot_succeed_fails(broker, celery_engine):
    url = celery_engine(broker_url(broker))
    article = ArticleFactory(body=long_body(5_000))
    retried = jobs.REGISTRY["claims.extract_article"].enqueue(article=article.pk)
    # Its first attempt failed (the database was away, say): queued again, due now, not yet relayed.
    Job.objects.filter(pk=retried.pk).update(attempts=1, error="OperationalError: gone", relayed_at=None)
    hopeless = jobs.REGISTRY["claims.extract_article"].enqueue(article=999_999)
    with celery_worker(url):
        wait_until(lambda: not Job.objects.filter(status__in=["queued", "running"]).exists())
    retried.refresh_from_db()
    hopeless.refresh_from_db()
    assert (retried.status, retried.attempts, retried.error) == ("succeeded", 2, "")
    assert (hopeless.status, hopeless.attempts) == ("failed", 1)
    assert hopeless.error == "Article 999999 no longer exists."
