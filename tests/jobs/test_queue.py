"""The database queue (factcheck.jobs): claiming, retries with backoff, leases of workers that died."""

from datetime import timedelta

import pytest
from django.utils import timezone

from factcheck import jobs
from factcheck.models import Job
from tests.factories import ReviewerFactory

pytestmark = pytest.mark.django_db

CALLS = []


@jobs.job("tests.record", max_attempts=3)
def record_call(*, value):
    CALLS.append(value)
    return {"value": value}


@jobs.job("tests.flaky", max_attempts=3)
def flaky(*, failures):
    """Fails ``failures`` times (counted in CALLS), then succeeds."""
    CALLS.append("flaky")
    if CALLS.count("flaky") <= failures:
        raise RuntimeError(f"temporary failure {CALLS.count('flaky')}")
    return "done"


@jobs.job("tests.hopeless")
def hopeless():
    raise jobs.JobFailed("The article no longer exists.", result={"why": "gone"})


@pytest.fixture(autouse=True)
def no_calls():
    CALLS.clear()


def run_due(**kwargs):
    """What one database-queue worker does: every due job, then stop."""
    return jobs.work(worker="test-worker", burst=True, **kwargs)


def test_an_enqueued_job_is_a_queued_row_that_a_worker_runs_once():
    user = ReviewerFactory()
    record = record_call.enqueue(value=7, by=user)
    assert record.status == Job.Status.QUEUED and record.created_by == user and record.arguments == {"value": 7}
    assert CALLS == []
    assert run_due() == 1
    record.refresh_from_db()
    assert record.status == Job.Status.SUCCEEDED
    assert record.result == {"value": 7}
    assert record.attempts == 1 and record.error == ""
    assert record.started_at and record.finished_at and record.lease_expires_at is None
    assert run_due() == 0
    assert CALLS == [7]


def test_jobs_run_oldest_first():
    for value in range(3):
        record_call.enqueue(value=value)
    run_due()
    assert CALLS == [0, 1, 2]


def test_only_one_of_two_workers_claims_a_job():
    record = record_call.enqueue(value=1)
    first = jobs.claim(worker="a")
    assert first.pk == record.pk and first.status == Job.Status.RUNNING and first.worker == "a"
    assert jobs.claim(worker="b") is None


def test_a_failing_job_is_retried_after_a_growing_delay_with_its_error_recorded():
    record = flaky.enqueue(failures=2)
    run_due()
    record.refresh_from_db()
    assert record.status == Job.Status.QUEUED
    assert record.attempts == 1
    assert record.error == "RuntimeError: temporary failure 1"
    first_delay = record.run_after - timezone.now()
    assert timedelta(seconds=8) < first_delay <= jobs.RETRY_BASE
    assert run_due() == 0  # not due yet

    Job.objects.filter(pk=record.pk).update(run_after=timezone.now())
    run_due()
    record.refresh_from_db()
    assert record.status == Job.Status.QUEUED and record.attempts == 2
    assert record.error == "RuntimeError: temporary failure 2"
    assert record.run_after - timezone.now() > first_delay + timedelta(seconds=8)  # twice as long

    Job.objects.filter(pk=record.pk).update(run_after=timezone.now())
    run_due()
    record.refresh_from_db()
    assert record.status == Job.Status.SUCCEEDED and record.attempts == 3 and record.result == "done"
    assert record.error == ""


def test_the_backoff_doubles_and_is_capped():
    assert [jobs.retry_delay(n).total_seconds() for n in (1, 2, 3, 4)] == [10, 20, 40, 80]
    assert jobs.retry_delay(30) == jobs.RETRY_CAP == timedelta(hours=1)


def test_a_job_that_keeps_failing_fails_after_its_last_attempt():
    record = flaky.enqueue(failures=10)
    for _ in range(3):
        Job.objects.filter(pk=record.pk).update(run_after=timezone.now())
        run_due()
    record.refresh_from_db()
    assert record.status == Job.Status.FAILED
    assert record.attempts == 3 == record.max_attempts
    assert record.error == "RuntimeError: temporary failure 3"
    assert record.finished_at is not None
    Job.objects.filter(pk=record.pk).update(run_after=timezone.now())
    assert run_due() == 0


def test_job_failed_fails_at_once_with_its_message_and_result():
    record = hopeless.enqueue()
    run_due()
    record.refresh_from_db()
    assert record.status == Job.Status.FAILED and record.attempts == 1
    assert record.error == "The article no longer exists."
    assert record.result == {"why": "gone"}


def test_a_job_nobody_registered_fails_with_its_name():
    record = Job.objects.create(name="tests.unknown")
    run_due()
    record.refresh_from_db()
    assert record.status == Job.Status.FAILED
    assert record.error == "No job is registered as 'tests.unknown'."


# --- A worker that dies mid-job ----------------------------------------------------------------------


def test_a_job_whose_worker_died_is_claimed_again_once_its_lease_runs_out():
    record = record_call.enqueue(value=5)
    dead = jobs.claim(worker="dead")  # claimed, then its worker was killed: it never finishes
    assert run_due() == 0  # the lease still holds: nobody else runs it
    Job.objects.filter(pk=record.pk).update(lease_expires_at=timezone.now() - timedelta(seconds=1))
    assert run_due() == 1
    record.refresh_from_db()
    assert record.status == Job.Status.SUCCEEDED and record.attempts == 2 and record.worker == "test-worker"
    assert CALLS == [5]
    # The dead worker coming back to life cannot overwrite what the second one recorded.
    jobs.finish(dead, status=Job.Status.FAILED, error="late")
    record.refresh_from_db()
    assert record.status == Job.Status.SUCCEEDED and record.error == ""


def test_a_job_whose_worker_died_on_its_last_attempt_fails_and_says_so():
    record = record_call.enqueue(value=5)
    Job.objects.filter(pk=record.pk).update(
        status=Job.Status.RUNNING, attempts=3, lease_expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert run_due() == 0
    record.refresh_from_db()
    assert record.status == Job.Status.FAILED
    assert record.error == "The worker running it stopped before it finished (3 attempts)."
    assert CALLS == []


def test_a_worker_survives_the_database_going_away(monkeypatch):
    from django.db import OperationalError

    calls = []

    def unavailable(**kwargs):
        calls.append(1)
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(jobs, "run_one", unavailable)
    assert run_due() == 0
    assert calls == [1]


def test_enqueueing_inside_a_transaction_that_rolls_back_leaves_no_job():
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        record_call.enqueue(value=1)
        raise RuntimeError("the change failed")
    assert not Job.objects.exists()
