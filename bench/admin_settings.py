"""Settings for bench/admin_pages.py: the real settings (DEBUG off), writing nothing to the bench database.

Sessions live in signed cookies (no session rows) and the cache in the process (the admin's cached filter
choices are not written to the database cache table); the benchmark builds the session cookie itself, so
logging in writes no ``last_login`` and no login record either. The generated demo users are not staff:
``bench.admin_pages.StaffInMemory`` lets them into the admin without changing their rows.
"""

from bench.settings import *  # noqa: F403

SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

MIDDLEWARE = [
    *MIDDLEWARE,  # noqa: F405
    "bench.admin_pages.StaffInMemory",
]
# One connection for the whole run, as a production worker keeps one (bench/api_latency.py does the same).
DATABASES["default"]["CONN_MAX_AGE"] = None  # noqa: F405
