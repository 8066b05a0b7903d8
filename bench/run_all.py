"""Every benchmark of issue 7 in one command (``make bench``; ``make bench-quick`` for 10k only).

1. ``bench.api_latency``: prepares the PostgreSQL databases ``factcheck_bench_<size>`` (generated
   once, reused while they hold the right number of claims) and measures API latency against gunicorn.
2. ``bench/export.py`` and ``bench/extraction.py``, when present: run as subprocesses with
   ``DATABASE_URL`` set to the largest bench database, ``BENCH_DATABASE_URLS`` listing every size's
   database (``10k=postgres://…,1m=postgres://…``) and ``BENCH_SIZES``; extra arguments come from
   ``BENCH_EXPORT_ARGS`` / ``BENCH_EXTRACTION_ARGS``.

    python -m bench.run_all --sizes 10k,1m
"""

import argparse
import os
import shlex
import subprocess
import sys
import time
from pathlib import Path

from bench.api_latency import database_url, parse_size, size_label

ROOT = Path(__file__).resolve().parent.parent
OTHER_BENCHMARKS = [("export", "BENCH_EXPORT_ARGS"), ("extraction", "BENCH_EXTRACTION_ARGS")]


def banner(text):
    print(f"\n{'=' * 100}\n{text}\n{'=' * 100}", flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10k,1m", help="Comma-separated sizes in claims (10k,1m).")
    parser.add_argument("--requests", type=int, default=200, help="At most this many timed requests per scenario.")
    parser.add_argument("--seconds", type=float, default=20, help="At most this long per scenario.")
    parser.add_argument("--skip-api", action="store_true", help="Only run the other benchmarks.")
    args = parser.parse_args(argv)

    sizes = [parse_size(size) for size in args.sizes.split(",")]
    started = time.monotonic()
    outcomes = []
    if not args.skip_api:
        banner(f"API latency at {', '.join(size_label(size) for size in sizes)} claims")
        command = [sys.executable, "-m", "bench.api_latency", "--sizes", args.sizes]
        command += ["--requests", str(args.requests), "--seconds", str(args.seconds)]
        outcomes.append(("api_latency", subprocess.run(command, cwd=ROOT).returncode))

    env = {
        **os.environ,
        "DATABASE_URL": database_url(max(sizes)),
        "BENCH_DATABASE_URLS": ",".join(f"{size_label(size)}={database_url(size)}" for size in sizes),
        "BENCH_SIZES": ",".join(size_label(size) for size in sizes),
        "PYTHONPATH": str(ROOT),
    }
    for name, args_variable in OTHER_BENCHMARKS:
        script = ROOT / "bench" / f"{name}.py"
        if not script.exists():
            print(f"\n(bench/{name}.py does not exist yet: skipped)", flush=True)
            continue
        banner(f"bench/{name}.py")
        command = [sys.executable, str(script), *shlex.split(os.environ.get(args_variable, ""))]
        outcomes.append((name, subprocess.run(command, cwd=ROOT, env=env).returncode))

    failed = [name for name, code in outcomes if code != 0]
    summary = ", ".join(f"{name} {'ok' if code == 0 else f'failed ({code})'}" for name, code in outcomes)
    print(f"\nBenchmarks finished in {time.monotonic() - started:.0f}s: {summary or 'nothing run'}.", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
