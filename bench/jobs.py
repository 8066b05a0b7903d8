"""Background jobs: jobs per second through one worker, and the time enqueueing adds to a request.

    python -m bench.jobs [--trivial 500] [--extractions 20] [--postgres postgres://root@127.0.0.1:5432]

For each engine (the database queue on SQLite and on PostgreSQL; Celery on Redis and on RabbitMQ
with PostgreSQL for the rows) in a process of its own, on a scratch database it creates and drops:
enqueue N trivial jobs (the p50/p95 of ``enqueue``: what a request that starts a job pays), then
time one worker running them all; the same for extraction jobs on 5,000-character articles.
Figures in bench/README.md.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRATCH_DB = "factcheck_bench_jobs"
BROKERS = {"celery-redis": "redis://127.0.0.1:6379/14", "celery-rabbitmq": "amqp://guest:guest@127.0.0.1:5672//"}


def setup_django():
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "factcheck.settings")
    django.setup()
    from factcheck import jobs

    @jobs.job("bench.noop")
    def noop(*, n):
        return n


def measure(trivial, extractions):
    """In a configured process: enqueue, then drain with one worker; the figures as a dict."""
    setup_django()
    from django.core.management import call_command

    from claims.models import Article, Claim
    from factcheck import jobs
    from factcheck.models import Job

    call_command("migrate", verbosity=0)
    Job.objects.all().delete()
    celery = jobs.engine() == jobs.CELERY
    if celery:
        from factcheck import celery as engine

        engine.app.control.purge()
    body = (ROOT / "claims" / "eval" / "estravia-rates.txt").read_text(encoding="utf-8")
    body = (body * (5_000 // len(body) + 1))[:5_000]

    def run(kind, count, arguments):
        latencies = []
        for i in range(count):
            started = time.perf_counter()
            jobs.enqueue(kind, **arguments(i))
            latencies.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        if celery:
            worker = subprocess.Popen(
                [sys.executable, "-m", "bench.jobs", "--celery-worker"],
                cwd=ROOT,
                env=os.environ,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            started = time.perf_counter()  # includes the worker's start-up, about a second
            while Job.objects.filter(status__in=["queued", "running"]).exists():
                time.sleep(0.02)
            elapsed = time.perf_counter() - started
            worker.terminate()
            worker.wait(30)
        else:
            jobs.work(burst=True)
            elapsed = time.perf_counter() - started
        assert not Job.objects.exclude(status="succeeded").exists()
        Job.objects.all().delete()
        return {
            "jobs_per_second": round(count / elapsed, 1),
            "enqueue_p50_ms": round(statistics.median(latencies), 2),
            "enqueue_p95_ms": round(statistics.quantiles(latencies, n=20)[-1], 2),
        }

    figures = {"trivial": run("bench.noop", trivial, lambda i: {"n": i})}
    articles = [Article.objects.create(title=f"Bench {i}", body=f"Report {i}. " + body) for i in range(extractions)]
    figures["extraction"] = run("claims.extract_article", extractions, lambda i: {"article": articles[i].pk})
    Claim.objects.filter(article__in=articles).delete()
    Article.objects.filter(pk__in=[a.pk for a in articles]).delete()
    return figures


def celery_worker():
    """A Celery worker that knows the bench's trivial job too (one thread: one worker)."""
    setup_django()
    from factcheck import celery

    celery.app.worker_main(["worker", "--pool=solo", "--loglevel=WARNING", "--without-gossip", "--without-mingle"])


def configurations(postgres):
    sqlite = Path(tempfile.mkdtemp()) / "jobs.sqlite3"
    pg = f"{postgres.rstrip('/')}/{SCRATCH_DB}"
    yield "database-sqlite", {"DATABASE_URL": f"sqlite:///{sqlite}", "FACTCHECK_JOBS": "database"}
    yield "database-postgresql", {"DATABASE_URL": pg, "FACTCHECK_JOBS": "database"}
    for name, url in BROKERS.items():
        yield name, {"DATABASE_URL": pg, "FACTCHECK_JOBS": "celery", "FACTCHECK_JOBS_BROKER_URL": url}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trivial", type=int, default=500)
    parser.add_argument("--extractions", type=int, default=20)
    parser.add_argument("--postgres", default=os.environ.get("BENCH_POSTGRES_URL", "postgres://root@127.0.0.1:5432"))
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--celery-worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.celery_worker:
        return celery_worker()
    if args.measure:
        print(json.dumps(measure(args.trivial, args.extractions)))
        return None

    host = args.postgres.rsplit("/", 1)[0] if args.postgres.count("/") > 2 else args.postgres
    subprocess.run(["dropdb", "--if-exists", "-h", "127.0.0.1", "-U", "root", SCRATCH_DB], check=False)
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "root", SCRATCH_DB], check=True)
    try:
        for name, environment in configurations(host):
            env = {**os.environ, "DJANGO_DEBUG": "1", "DJANGO_LOG_LEVEL": "ERROR", **environment}
            command = [sys.executable, "-m", "bench.jobs", "--measure", "--trivial", str(args.trivial)]
            command += ["--extractions", str(args.extractions)]
            done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
            if done.returncode != 0:
                print(f"{name}: failed\n{done.stderr[-2000:]}")
                continue
            figures = json.loads(done.stdout.strip().splitlines()[-1])
            for kind, row in figures.items():
                print(
                    f"{name:22} {kind:10} {row['jobs_per_second']:8.1f} jobs/s   "
                    f"enqueue p50 {row['enqueue_p50_ms']:.2f} ms  p95 {row['enqueue_p95_ms']:.2f} ms"
                )
    finally:
        subprocess.run(["dropdb", "--if-exists", "-h", "127.0.0.1", "-U", "root", SCRATCH_DB], check=False)
    return None


if __name__ == "__main__":
    main()
