"""The distributed engine: Celery, with its broker at ``FACTCHECK_JOBS_BROKER_URL`` (Redis or RabbitMQ).

Only a job's id travels through the broker; the job itself is the ``Job`` row (``factcheck.jobs``),
so a message lost or delivered twice loses or repeats nothing. ``manage.py run_jobs`` starts a worker
(and the relay of jobs the broker has not seen); ``celery -A factcheck.celery worker`` works too,
with ``run_jobs --relay-only`` beside it.
"""

import os

from celery import Celery
from django.conf import settings

from factcheck import jobs

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "factcheck.settings")

RUN_JOB = "factcheck.run_job"

app = Celery("factcheck")
app.conf.update(
    broker_url=settings.FACTCHECK_JOBS_BROKER_URL,
    # The results live on the Job row; Celery keeps none.
    task_ignore_result=True,
    # Acknowledged once run, so a message whose worker died is delivered again (the row says whether
    # it still needs running); one message at a time per worker process, so none waits behind a long job.
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    # A web request that enqueues must not hang on a broker that is down: one quick try, then the job
    # waits in the table for the relay.
    task_publish_retry=False,
    broker_connection_timeout=2,
    broker_connection_retry_on_startup=True,
    broker_transport_options={"socket_connect_timeout": 2, "socket_timeout": 5, "max_retries": 0},
    worker_hijack_root_logger=False,
    worker_redirect_stdouts=False,
)


def configure(*, broker_url, queue="celery"):
    """Point the app at another broker or queue (tests and benchmarks): the next message uses them."""
    app.conf.broker_url = broker_url
    app.conf.task_default_queue = queue
    app._pool = None
    app.amqp._producer_pool = None


@app.task(name=RUN_JOB)
def run_job(job_id):
    """Run the job ``job_id`` if it is still due (a duplicate or late message finds nothing to do)."""
    jobs.run_one(job_id=job_id)


def send(job_id):
    """Publish the message that runs job ``job_id``; raises when the broker is unreachable."""
    run_job.apply_async(args=[job_id], retry=False)
