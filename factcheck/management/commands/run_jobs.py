"""Run background jobs: the `worker:` line of the Procfile, whichever engine FACTCHECK_JOBS chooses."""

import signal
import threading
from importlib import import_module

from django.core.management.base import BaseCommand

from factcheck import jobs


class Command(BaseCommand):
    help = (
        "Run background jobs. FACTCHECK_JOBS=database (default): take due jobs from the database queue, one "
        "at a time (run several workers for more). FACTCHECK_JOBS=celery: a Celery worker on "
        "FACTCHECK_JOBS_BROKER_URL, with the relay that hands the broker the jobs it has not seen."
    )

    def add_arguments(self, parser):
        parser.add_argument("--poll", type=float, default=1.0, help="Seconds between looks when idle (default 1).")
        parser.add_argument("--burst", action="store_true", help="Stop once no job is due (database queue).")
        parser.add_argument("--concurrency", type=int, default=2, help="Celery worker threads (default 2).")
        parser.add_argument(
            "--relay-only",
            action="store_true",
            help="Celery: only relay jobs (beside `celery -A factcheck.celery worker`).",
        )

    def handle(self, *args, **options):
        stop = threading.Event()
        if jobs.engine() == jobs.DATABASE:
            # Finish the job at hand on SIGTERM/SIGINT (what honcho and docker send), then stop.
            for signum in (signal.SIGTERM, signal.SIGINT):
                signal.signal(signum, lambda *_: stop.set())
            worker = jobs.worker_name()
            self.stdout.write(f"Job worker {worker}: the database queue (FACTCHECK_JOBS=database).")
            done = jobs.work(worker=worker, poll=options["poll"], stop=stop, burst=options["burst"])
            self.stdout.write(f"Job worker {worker} stopped: {done} job(s) run.")
            return
        relay = threading.Thread(target=jobs.relay_forever, kwargs={"poll": options["poll"], "stop": stop}, daemon=True)
        relay.start()
        if options["relay_only"]:
            self.stdout.write("Relaying jobs to the broker (FACTCHECK_JOBS=celery).")
            for signum in (signal.SIGTERM, signal.SIGINT):
                signal.signal(signum, lambda *_: stop.set())
            while relay.is_alive():
                relay.join(0.5)
            return
        celery = import_module("factcheck.celery")
        self.stdout.write("Celery worker and relay (FACTCHECK_JOBS=celery).")
        try:
            # Threads: jobs share the process's Django setup; run more worker processes to use more cores.
            celery.app.worker_main(
                ["worker", "--pool=threads", f"--concurrency={options['concurrency']}", "--loglevel=INFO"]
            )
        finally:
            stop.set()
