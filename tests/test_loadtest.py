"""CI-sized load test: scripts/loadtest.py for a few seconds on PostgreSQL, zero errors, every invariant holding."""

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent


def server_url(database):
    """A URL for ``database`` on the PostgreSQL server the test run uses."""
    config = settings.DATABASES["default"]
    credentials = quote(config["USER"] or "")
    if config.get("PASSWORD"):
        credentials += ":" + quote(config["PASSWORD"])
    host = config["HOST"] or "127.0.0.1"
    return f"postgres://{credentials}@{host}:{config['PORT'] or 5432}/{database}"


@pytest.mark.postgres
def test_concurrent_readers_reviewers_and_editors_cause_no_errors_and_lose_no_update(tmp_path):
    figures_file = tmp_path / "load.json"
    command = [
        sys.executable,
        "scripts/loadtest.py",
        "--duration", "6",
        "--readers", "3",
        "--reviewers", "2",
        "--editors", "2",
        "--port", "19002",
        "--database-url", server_url(f"factcheck_load_ci_{os.getpid()}"),
        "--json", str(figures_file),
    ]  # fmt: skip
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    report = result.stdout + result.stderr
    assert figures_file.exists(), report
    figures = json.loads(figures_file.read_text())
    assert figures["errors"] == 0, report
    assert figures["invariant_violations"] == [], report
    assert result.returncode == 0, report
    assert figures["requests"] > 50, report
    assert figures["successful_writes"].get("created", 0) > 0, report
    assert figures["successful_writes"].get("edited", 0) > 0, report
