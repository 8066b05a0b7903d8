"""Background jobs: one interface for the application, two engines to run them.

Application code declares a job with ``@job("app.name")`` (in its app's ``jobs.py``) and starts one
with ``the_job.enqueue(by=user, **arguments)``; it never names an engine. Every job is first a
``Job`` row, written in the caller's transaction, and that row is the truth about it:

- ``FACTCHECK_JOBS=database`` (the default): workers (``manage.py run_jobs``) take due rows from the
  table. Nothing else to run; works on SQLite.
- ``FACTCHECK_JOBS=celery``: the row's id is relayed to a Celery broker (Redis or RabbitMQ, at
  ``FACTCHECK_JOBS_BROKER_URL``) after the transaction commits, and Celery workers run it. While the
  broker is down the rows wait, like events in an outbox; ``run_jobs`` relays them once it is back.

Execution is at least once: a worker *claims* a row (``queued`` → ``running``) with a lease; if it
dies, the lease runs out and another worker claims it again. Jobs must therefore be idempotent.
A job that raises is retried with exponential backoff (or its own ``retry_delays``) up to its
``max_attempts``; ``JobFailed`` fails it at once (retrying cannot help), ``RetryLater`` retries it without
logging a traceback (an expected failure, such as a webhook receiver that is down). The error of the last
attempt is kept on the row.
"""

import contextvars
import logging
import os
import socket
import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta
from importlib import import_module

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import DatabaseError, close_old_connections, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from factcheck.models import Job

logger = logging.getLogger(__name__)

DATABASE = "database"
CELERY = "celery"
ENGINES = (DATABASE, CELERY)

# The first retry after RETRY_BASE, then twice as long each time, never longer than RETRY_CAP.
RETRY_BASE = timedelta(seconds=10)
RETRY_CAP = timedelta(hours=1)
# A job relayed to the broker but still not started after this long is relayed again (a lost message).
RELAY_AGAIN_AFTER = timedelta(minutes=10)

# After the broker fails, enqueueing stops trying to relay for this long (a request would wait about a
# second for each connection refused); the relay loop of ``run_jobs`` keeps trying meanwhile.
BROKER_BACKOFF = timedelta(seconds=30)
_broker_down_until = 0.0

REGISTRY = {}

# The job a worker is running in this thread (``current_job``).
_current = contextvars.ContextVar("current_job", default=None)


class JobFailed(Exception):
    """An outcome that retrying cannot change: the job fails at once with this message (and ``result``)."""

    def __init__(self, message, *, result=None):
        super().__init__(message)
        self.result = result


class RetryLater(Exception):
    """An expected failure of this attempt: the job is retried on its schedule, the message kept, no traceback."""


@dataclass(frozen=True)
class JobType:
    """A registered job: its name, the function that does the work, and how it is retried."""

    name: str
    function: object = field(repr=False)
    max_attempts: int
    lease: timedelta
    retry_delays: tuple = ()

    def __call__(self, **arguments):
        return self.function(**arguments)

    def enqueue(self, *, by=None, **arguments):
        """Record a run of this job with JSON ``arguments``, started by ``by``; return the ``Job``."""
        return enqueue(self.name, by=by, **arguments)

    def enqueue_many(self, arguments, *, by=None):
        """Record one run of this job for each dict of ``arguments``, in one query; return the ``Job`` rows."""
        return enqueue_many(self.name, arguments, by=by)

    def retry_delay(self, attempts):
        """How long to wait before the next attempt after ``attempts`` failed ones."""
        if self.retry_delays:
            return self.retry_delays[min(max(attempts, 1), len(self.retry_delays)) - 1]
        return retry_delay(attempts)


def job(name, *, max_attempts=5, lease=timedelta(minutes=10), retry_delays=()):
    """Register the decorated function as the job ``name``.

    It is called with the keyword ``arguments`` given to ``enqueue`` (JSON values) and returns a JSON
    value, kept as the job's ``result``. ``lease``: how long a run may take before the job is thought
    lost and another worker runs it again; make it comfortably longer than the longest run.
    ``retry_delays``: the job's own schedule (the wait after the first failure, the second, …), which
    also sets ``max_attempts`` to one more than its length; by default retries back off exponentially.
    """
    if retry_delays:
        max_attempts = len(retry_delays) + 1

    def register(function):
        job_type = JobType(
            name=name, function=function, max_attempts=max_attempts, lease=lease, retry_delays=tuple(retry_delays)
        )
        REGISTRY[name] = job_type
        return job_type

    return register


def engine():
    return settings.FACTCHECK_JOBS


def enqueue(name, *, by=None, **arguments):
    """Record a run of the registered job ``name``; relay it to the broker once the transaction commits."""
    job_type = REGISTRY[name]
    created_by = by if getattr(by, "is_authenticated", False) else None
    record = Job.objects.create(
        name=name, arguments=arguments, max_attempts=job_type.max_attempts, created_by=created_by
    )
    if engine() == CELERY:
        transaction.on_commit(lambda: relay([record.pk]))
    return record


def enqueue_many(name, arguments, *, by=None):
    """Record a run of the job ``name`` for each dict of ``arguments`` (one query); relay them after the commit."""
    job_type = REGISTRY[name]
    created_by = by if getattr(by, "is_authenticated", False) else None
    now = timezone.now()
    records = Job.objects.bulk_create(
        [
            Job(name=name, arguments=each, max_attempts=job_type.max_attempts, created_by=created_by, run_after=now)
            for each in arguments
        ],
        batch_size=500,
    )
    if records and engine() == CELERY:
        transaction.on_commit(lambda: relay([record.pk for record in records]))
    return records


def run_again(jobs):
    """Queue ``jobs`` (a queryset) to run now: failed ones with their attempts counted afresh, queued ones
    waiting for a retry without waiting. Running and succeeded jobs are left alone. Returns how many."""
    now = timezone.now()
    waiting = jobs.filter(status=Job.Status.QUEUED).update(run_after=now, relayed_at=None)
    failed = list(jobs.filter(status=Job.Status.FAILED).values_list("pk", flat=True))
    Job.objects.filter(pk__in=failed, status=Job.Status.FAILED).update(
        status=Job.Status.QUEUED, attempts=0, run_after=now, finished_at=None, relayed_at=None
    )
    if engine() == CELERY:
        transaction.on_commit(lambda: relay())
    return waiting + len(failed)


def current_job():
    """The ``Job`` this thread is running (its ``attempts`` counts this one), or None outside a job."""
    return _current.get()


def retry_delay(attempts):
    """How long to wait before the next attempt after ``attempts`` failed ones."""
    return min(RETRY_BASE * 2 ** (max(attempts, 1) - 1), RETRY_CAP)


def worker_name():
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


# --- Claiming and running ---------------------------------------------------------------------------


def due_jobs(now):
    """Jobs a worker may take: queued and due, or running with their lease run out (their worker died)."""
    return Job.objects.filter(
        Q(status=Job.Status.QUEUED, run_after__lte=now) | Q(status=Job.Status.RUNNING, lease_expires_at__lt=now)
    )


def claim(*, worker, job_id=None):
    """Take the next due job (or job ``job_id`` if it is due) for ``worker``; None when there is none.

    A compare-and-set on the status and attempt count: of several workers reading the same row, exactly
    one moves it to ``running``. A lost job whose attempts are used up fails instead of running again.
    """
    now = timezone.now()
    candidates = due_jobs(now)
    if job_id is not None:
        candidates = candidates.filter(pk=job_id)
    fields = ("pk", "name", "status", "attempts", "max_attempts")
    for pk, name, status, attempts, max_attempts in candidates.order_by("run_after", "pk").values_list(*fields)[:20]:
        same = Job.objects.filter(pk=pk, status=status, attempts=attempts)
        if attempts >= max_attempts:  # its last attempt's worker died
            same.update(
                status=Job.Status.FAILED,
                finished_at=now,
                lease_expires_at=None,
                error=f"The worker running it stopped before it finished ({attempts} attempts).",
            )
            continue
        job_type = REGISTRY.get(name)
        lease = job_type.lease if job_type else timedelta(minutes=1)
        claimed = same.update(
            status=Job.Status.RUNNING,
            attempts=F("attempts") + 1,
            lease_expires_at=now + lease,
            worker=worker[:200],
            started_at=now,
        )
        if claimed:
            return Job.objects.get(pk=pk)
    return None


def execute(record):
    """Run a claimed job and record how it ended: succeeded, queued again after a delay, or failed."""
    job_type = REGISTRY.get(record.name)
    token = _current.set(record)
    try:
        if job_type is None:
            raise JobFailed(f"No job is registered as {record.name!r}.")
        result = job_type.function(**record.arguments)
    except JobFailed as exc:
        finish(record, status=Job.Status.FAILED, error=str(exc), result=exc.result)
    except Exception as exc:
        if isinstance(exc, RetryLater):
            logger.info(
                "Job %s #%s: attempt %s of %s failed: %s",
                record.name,
                record.pk,
                record.attempts,
                record.max_attempts,
                exc,
            )
            error = str(exc)[:2000]
        else:
            logger.exception(
                "Job %s #%s failed (attempt %s of %s)", record.name, record.pk, record.attempts, record.max_attempts
            )
            error = f"{type(exc).__name__}: {exc}"[:2000]
        if record.attempts >= record.max_attempts:
            finish(record, status=Job.Status.FAILED, error=error)
        else:
            retry_at = timezone.now() + job_type.retry_delay(record.attempts)
            finish(record, status=Job.Status.QUEUED, error=error, run_after=retry_at)
    else:
        finish(record, status=Job.Status.SUCCEEDED, result=result, error="")
    finally:
        _current.reset(token)
    record.refresh_from_db()
    return record


def finish(record, *, status, error="", result=None, run_after=None):
    """Record the end of an attempt, unless the job was taken over meanwhile (its lease ran out)."""
    now = timezone.now()
    changes = {"status": status, "error": error, "lease_expires_at": None}
    if status == Job.Status.QUEUED:
        changes.update(run_after=run_after, relayed_at=None)
    else:
        changes.update(finished_at=now, result=result)
    n = record.attempts
    updated = Job.objects.filter(pk=record.pk, status=Job.Status.RUNNING, attempts=n).update(**changes)
    if not updated:
        logger.warning("Job %s #%s: attempt %s ended after another worker took it over", record.name, record.pk, n)
    if updated and engine() == CELERY and status == Job.Status.QUEUED and run_after <= now:
        relay([record.pk])


def run_one(*, worker=None, job_id=None):
    """Claim and run one due job (``job_id``, or the next); return it, or None when nothing was due."""
    record = claim(worker=worker or worker_name(), job_id=job_id)
    return execute(record) if record is not None else None


def release_stale_connections():
    """Between jobs, as between requests: drop connections past ``CONN_MAX_AGE`` or broken. Not inside a
    transaction (a test's, or a caller's), which closing the connection would roll back."""
    if not connection.in_atomic_block:
        close_old_connections()


def work(*, worker=None, poll=1.0, stop=None, max_jobs=None, burst=False):
    """The database engine's worker loop: run due jobs one after another until ``stop`` is set.

    ``burst``: return once nothing is due. A database that is down is waited for, not a crash.
    """
    worker = worker or worker_name()
    stop = stop or threading.Event()
    done = 0
    while not stop.is_set() and (max_jobs is None or done < max_jobs):
        release_stale_connections()
        try:
            record = run_one(worker=worker)
        except DatabaseError:
            logger.exception("Job worker %s: the database is unavailable; retrying", worker)
            record = None
        if record is not None:
            done += 1
            continue
        if burst:
            break
        stop.wait(poll)
    return done


# --- Relaying to the distributed engine ---------------------------------------------------------------


def relay(job_ids=None, *, limit=500):
    """Hand the broker the jobs it should run now: ``job_ids``, or every one due and not relayed yet.

    A job the broker may have lost (relayed long ago and still queued, or running past its lease) is
    relayed again; a duplicate message is harmless, since only one claim succeeds. Returns how many
    were relayed; none while the broker is down (they stay in the table and are relayed later).
    """
    # Imported by name, only with the celery engine: the default needs no Celery at all, and
    # factcheck.celery imports this module (its task runs jobs).
    celery = import_module("factcheck.celery")
    global _broker_down_until
    if job_ids is not None and time.monotonic() < _broker_down_until:
        return 0  # the broker failed a moment ago: no request waits on it again, the relay loop retries
    now = timezone.now()
    pending = due_jobs(now).filter(
        Q(relayed_at__isnull=True)
        | Q(relayed_at__lt=now - RELAY_AGAIN_AFTER)
        | Q(status=Job.Status.RUNNING, relayed_at__lt=F("lease_expires_at"))
    )
    if job_ids is not None:
        pending = pending.filter(pk__in=job_ids)
    relayed = 0
    for pk in pending.order_by("run_after", "pk").values_list("pk", flat=True)[:limit]:
        try:
            celery.send(pk)
        except Exception as exc:  # kombu's connection errors vary by transport; the job waits in the table
            logger.warning("Job #%s waits for the broker, which is unavailable (%s)", pk, type(exc).__name__)
            _broker_down_until = time.monotonic() + BROKER_BACKOFF.total_seconds()
            break
        _broker_down_until = 0.0
        Job.objects.filter(pk=pk).update(relayed_at=timezone.now())
        relayed += 1
    return relayed


def relay_forever(*, poll=1.0, stop=None):
    """Relay due jobs every ``poll`` seconds until ``stop`` is set (``run_jobs`` beside Celery's worker)."""
    stop = stop or threading.Event()
    while not stop.is_set():
        release_stale_connections()
        try:
            relay()
        except DatabaseError:
            logger.exception("Job relay: the database is unavailable; retrying")
        stop.wait(poll)


def prune(*, finished_before, batch_size=5000):
    """Delete the jobs that finished before ``finished_before``, and the files they wrote (exports).

    In batches, so that a large table is never locked long. Returns ``(jobs, files)`` deleted.
    """
    jobs = files = 0
    finished = Job.objects.filter(
        status__in=[Job.Status.SUCCEEDED, Job.Status.FAILED], finished_at__lt=finished_before
    ).order_by("pk")
    while batch := list(finished.values_list("pk", "result")[:batch_size]):
        for _, result in batch:
            name = result.get("file") if isinstance(result, dict) else None
            if isinstance(name, str) and name and default_storage.exists(name):
                default_storage.delete(name)
                files += 1
        jobs += Job.objects.filter(pk__in=[pk for pk, _ in batch]).delete()[0]
    return jobs, files


def result_file(record):
    """The file a succeeded job wrote (``result["file"]`` in the default storage), open; None if there is none."""
    name = (record.result or {}).get("file") if record.status == Job.Status.SUCCEEDED else None
    if not isinstance(name, str) or not name or not default_storage.exists(name):
        return None
    return default_storage.open(name, "rb")


def wait_for(record, *, timeout=30.0, poll=0.05):
    """The job once it has finished (tests, benchmarks): polls the row until ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        record.refresh_from_db()
        if record.finished:
            return record
        time.sleep(poll)
    raise TimeoutError(f"Job #{record.pk} has not finished after {timeout} seconds ({record.status}).")
