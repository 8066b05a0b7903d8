"""Settings for benchmark servers: the real settings, plus the bare ``.values()`` view of bench/urls.py.

Used only by bench/api_latency.py (``gunicorn --env DJANGO_SETTINGS_MODULE=bench.settings``).
"""

from factcheck.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
