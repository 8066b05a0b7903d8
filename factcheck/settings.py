"""Django settings for Factcheck, read from the environment (12-factor).

Development needs nothing: SQLite in the project folder, debug on when the run command asks for it.
Production (``DJANGO_DEBUG`` off) refuses to start without a real ``DJANGO_SECRET_KEY``.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF, UNSAFE_HASHES
from django.core.exceptions import ImproperlyConfigured

from factcheck.checks import GENERATE_A_KEY, is_published_secret_key
from factcheck.encryption import parse_keys

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name, default):
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def env_float(name, default):
    value = os.environ.get(name, "").strip()
    return float(value) if value else default


DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off (use `make run` for local development)."
        )
    SECRET_KEY = "dev-only-insecure-key-for-local-debug-runs-never-use-in-production-0123456789"
elif not DEBUG and (len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5 or SECRET_KEY.startswith("django-insecure-")):
    raise ImproperlyConfigured(f"DJANGO_SECRET_KEY is too weak: use at least 50 random characters ({GENERATE_A_KEY}).")
elif not DEBUG and is_published_secret_key(SECRET_KEY):
    # An example key from this repository (docker-compose.yml used to default to one) is no secret.
    raise ImproperlyConfigured(
        f"DJANGO_SECRET_KEY is an example key published in this repository or a placeholder: {GENERATE_A_KEY}"
    )

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
if not DEBUG and not ALLOWED_HOSTS:
    ALLOWED_HOSTS = ["localhost", "127.0.0.1"]
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "axes",
    "factcheck.apps.FactcheckConfig",
    "claims",
    "reviews",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before WhiteNoise, so that static files carry the headers too.
    "factcheck.security.ContentSecurityPolicyMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "factcheck.middleware.RequestSizeLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "factcheck.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # The API docs' pages (factcheck/urls.py), adapted to the Content-Security-Policy.
        "DIRS": [BASE_DIR / "factcheck" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "factcheck.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DJANGO_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several writers (runserver threads, tests) must wait for the lock, not fail.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
else:
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage" if DEBUG else "factcheck.storage.StaticFilesStorage"
        )
    },
}
# Serve static files straight from the apps when collectstatic has not run (tests, local runs).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Requests larger than this get 413 before any parsing (see factcheck.middleware).
FACTCHECK_MAX_REQUEST_BYTES = env_int("FACTCHECK_MAX_REQUEST_BYTES", 2 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = FACTCHECK_MAX_REQUEST_BYTES
# Claim extraction gives up after this many seconds (a 500,000-character article takes about one),
# well inside gunicorn's 30-second worker timeout.
FACTCHECK_EXTRACTION_TIME_LIMIT = env_int("FACTCHECK_EXTRACTION_TIME_LIMIT", 10)
# Public labelled data (PolNeAR, CheckThat!) that `manage.py evaluate_extraction` measures on when present.
FACTCHECK_DATASETS_DIR = Path(os.environ.get("FACTCHECK_DATASETS_DIR") or BASE_DIR.parent / "shared" / "datasets")

# --- Client address behind proxies (throttling and login lock-out) ---------------------------
FACTCHECK_NUM_PROXIES = env_int("FACTCHECK_NUM_PROXIES", 0)
if FACTCHECK_NUM_PROXIES < 0:
    raise ImproperlyConfigured("FACTCHECK_NUM_PROXIES must be 0 (no proxy) or the number of trusted proxies.")

# --- Django REST framework -------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "factcheck.tokens.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["factcheck.permissions.ReadOnlyOrNewsroom"],
    "DEFAULT_PARSER_CLASSES": ["factcheck.parsers.JSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"]
    + (["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []),
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "factcheck.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "factcheck.pagination.CursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "factcheck.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "factcheck.exceptions.exception_handler",
    # Keyed on factcheck.throttling.client_ip (REMOTE_ADDR unless NUM_PROXIES trusted proxies say otherwise).
    "DEFAULT_THROTTLE_CLASSES": [
        "factcheck.throttling.AnonRateThrottle",
        "factcheck.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("FACTCHECK_THROTTLE_ANON", "1000/minute"),
        "user": os.environ.get("FACTCHECK_THROTTLE_USER", "5000/minute"),
        "login": os.environ.get("FACTCHECK_THROTTLE_LOGIN", "10/minute"),
        # Each export holds a worker for its whole stream: far fewer than other reads.
        "export_anon": os.environ.get("FACTCHECK_THROTTLE_EXPORT_ANON", "30/hour"),
        "export_user": os.environ.get("FACTCHECK_THROTTLE_EXPORT_USER", "300/hour"),
    },
    # How many proxies in front of the app append to X-Forwarded-For. 0: the header is ignored and
    # REMOTE_ADDR is the client (a client could otherwise pick a new address for every request).
    "NUM_PROXIES": FACTCHECK_NUM_PROXIES,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "DATETIME_FORMAT": "iso-8601",
    "COERCE_DECIMAL_TO_STRING": False,
}

REST_KNOX = {
    "TOKEN_TTL": timedelta(hours=env_int("FACTCHECK_TOKEN_TTL_HOURS", 24 * 30)),
    "AUTH_HEADER_PREFIX": "Token",
    "AUTO_REFRESH": False,
    "USER_SERIALIZER": None,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Factcheck API",
    "DESCRIPTION": (
        "Claims from news articles, reviews with verdicts and evidence, and exports of verified "
        "claims. Authenticate with `Authorization: Token <key>` (or `Bearer <key>`) from "
        "`POST /api/v1/auth/token/`, or not at all for the public reads. An `Authorization` header "
        "that does not authenticate is a 401, never the anonymous view."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Two fields named "status": a claim's, and what became of extracting a new article's claims.
    "ENUM_NAME_OVERRIDES": {
        "StatusEnum": "claims.models.ClaimStatus",
        "ExtractionStatusEnum": ["extracted", "queued", "not_requested", "unsupported_language"],
        # Fields named "type": a claimant's (the name it had alone), an event's and an event's object's.
        "TypeEnum": "claims.models.ClaimantType",
        "EventTypeEnum": "reviews.models.EventType",
        "EventObjectTypeEnum": "reviews.models.Event.ObjectType",
    },
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "factcheck.openapi.add_error_responses",
        "factcheck.openapi.add_response_headers",
        "factcheck.openapi.typed_schemas",
        "reviews.api.export_views.add_export_schemas",
    ],
}

# --- Login protection (django-axes) ----------------------------------------------------------
AXES_FAILURE_LIMIT = env_int("FACTCHECK_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("FACTCHECK_LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = env_bool("FACTCHECK_AXES_ENABLED", True)
AXES_VERBOSE = False
AXES_LOCKOUT_CALLABLE = "factcheck.authentication.lockout_response"
# The same client address as the throttles (NUM_PROXIES), not axes's own reading of the headers.
AXES_CLIENT_IP_CALLABLE = "factcheck.throttling.client_ip"

# --- Cache (throttle counters, export slots, the admin's filter choices) ---------------------
# One cache for every worker and process: with per-process memory each gunicorn worker would keep
# its own counters. The database by default (`manage.py createcachetable` creates the table, wherever
# `migrate` runs); Redis at scale; `locmem://` (per process) for the test suite only. A throttled
# request reads and writes it once: the claim list's p50 at 10k went 13.2 -> 16.0 ms on the database
# cache, 13.8 ms on Redis (bench-quick, PostgreSQL on the same host).
FACTCHECK_CACHE_URL = os.environ.get("FACTCHECK_CACHE_URL", "").strip()
if not FACTCHECK_CACHE_URL:
    # A row per client and scope; beyond MAX_ENTRIES the expired ones, then a third, are dropped.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "factcheck_cache",
            "OPTIONS": {"MAX_ENTRIES": 10000},
        }
    }
elif FACTCHECK_CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": FACTCHECK_CACHE_URL}}
elif FACTCHECK_CACHE_URL == "locmem://":
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    raise ImproperlyConfigured("FACTCHECK_CACHE_URL must be empty (the database), redis://… or locmem://.")

# Exports running at once, across all workers (slots in the cache); more get 503 with Retry-After.
# Keep it below the number of gunicorn workers so that exports never take them all.
FACTCHECK_MAX_CONCURRENT_EXPORTS = env_int("FACTCHECK_MAX_CONCURRENT_EXPORTS", 1)
if FACTCHECK_MAX_CONCURRENT_EXPORTS < 1:
    raise ImproperlyConfigured("FACTCHECK_MAX_CONCURRENT_EXPORTS must be at least 1.")

# --- Background jobs (factcheck/jobs.py; README "Background jobs") ---------------------------
# `database` (default): a queue in the database, run by `manage.py run_jobs`; nothing else to start.
# `celery`: Celery workers on the broker at FACTCHECK_JOBS_BROKER_URL (redis://… or amqp://…). Either
# way every job is first a row in the database, so a broker that is down delays jobs, never loses them.
FACTCHECK_JOBS = os.environ.get("FACTCHECK_JOBS", "").strip().lower() or "database"
FACTCHECK_JOBS_BROKER_URL = os.environ.get("FACTCHECK_JOBS_BROKER_URL", "").strip()
if FACTCHECK_JOBS not in ("database", "celery"):
    raise ImproperlyConfigured("FACTCHECK_JOBS must be database or celery.")
if FACTCHECK_JOBS == "celery" and not FACTCHECK_JOBS_BROKER_URL.startswith(("redis://", "rediss://", "amqp://")):
    raise ImproperlyConfigured("FACTCHECK_JOBS=celery needs FACTCHECK_JOBS_BROKER_URL=redis://… or amqp://….")
# Longer articles are extracted by a job (202 and a job to poll); shorter ones inline, as before.
# Extraction takes about 12 ms per 1,000 characters here (bench/README.md): 20,000 is a quarter second.
FACTCHECK_EXTRACTION_INLINE_CHARS = env_int("FACTCHECK_EXTRACTION_INLINE_CHARS", 20_000)
# ClaimReview imports with a larger body are stored by a job (202); smaller ones inline, as before.
FACTCHECK_IMPORT_INLINE_BYTES = env_int("FACTCHECK_IMPORT_INLINE_BYTES", 100_000)
# A webhook subscription is disabled once its delivery attempts have all failed for this many hours, and at
# least this many of them (reviews.webhooks).
FACTCHECK_WEBHOOK_DISABLE_AFTER_HOURS = env_int("FACTCHECK_WEBHOOK_DISABLE_AFTER_HOURS", 72)
FACTCHECK_WEBHOOK_DISABLE_AFTER_FAILURES = env_int("FACTCHECK_WEBHOOK_DISABLE_AFTER_FAILURES", 15)
# What `manage.py prune` keeps, in days (0: everything): finished jobs (and the export files they wrote),
# finished webhook deliveries, and events (the feed and the admin's record; kept by default).
FACTCHECK_KEEP_JOBS_DAYS = env_int("FACTCHECK_KEEP_JOBS_DAYS", 30)
FACTCHECK_KEEP_DELIVERIES_DAYS = env_int("FACTCHECK_KEEP_DELIVERIES_DAYS", 30)
FACTCHECK_KEEP_EVENTS_DAYS = env_int("FACTCHECK_KEEP_EVENTS_DAYS", 0)
for _name in ("FACTCHECK_KEEP_JOBS_DAYS", "FACTCHECK_KEEP_DELIVERIES_DAYS", "FACTCHECK_KEEP_EVENTS_DAYS"):
    if globals()[_name] < 0:
        raise ImproperlyConfigured(f"{_name} must be a number of days, or 0 to keep everything.")
# Files written by jobs (exports), served to whoever started the job through /api/v1/jobs/{id}/download/.
# Every web and worker process must see the same directory (docker-compose shares a volume).
MEDIA_ROOT = Path(os.environ.get("FACTCHECK_MEDIA_ROOT") or BASE_DIR / "media")

# --- Webhooks: outbound requests (factcheck/outbound.py) and secrets at rest (factcheck/encryption.py)
# Receivers on loopback, private and link-local addresses, and plain http://, are refused unless this is
# on: for local receivers, tests and benchmarks only, never where subscribers are not all trusted.
FACTCHECK_WEBHOOK_ALLOW_PRIVATE = env_bool("FACTCHECK_WEBHOOK_ALLOW_PRIVATE", False)
# Seconds to connect and, all told, for the whole request: a receiver that trickles its answer holds a
# worker no longer. Only this many bytes of an answer are read.
FACTCHECK_WEBHOOK_TIMEOUT = env_float("FACTCHECK_WEBHOOK_TIMEOUT", 10.0)
if not 0 < FACTCHECK_WEBHOOK_TIMEOUT < float("inf"):
    raise ImproperlyConfigured("FACTCHECK_WEBHOOK_TIMEOUT must be a number of seconds above 0.")
FACTCHECK_WEBHOOK_MAX_RESPONSE_BYTES = env_int("FACTCHECK_WEBHOOK_MAX_RESPONSE_BYTES", 65536)
if FACTCHECK_WEBHOOK_MAX_RESPONSE_BYTES < 0:
    raise ImproperlyConfigured("FACTCHECK_WEBHOOK_MAX_RESPONSE_BYTES must be 0 or more.")
# Fernet keys, comma-separated, newest first (`manage.py encryption_key` prints one). Unset: one key
# derived from SECRET_KEY; pin it (`manage.py encryption_key --derived`) before changing DJANGO_SECRET_KEY.
FACTCHECK_ENCRYPTION_KEYS = parse_keys(os.environ.get("FACTCHECK_ENCRYPTION_KEYS", ""))

# --- Security behind a TLS-terminating proxy -------------------------------------------------
if env_bool("DJANGO_SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
# Preload-eligible by default in production (`check --deploy` asks for it); 0 opts out before submitting.
SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
X_FRAME_OPTIONS = "DENY"

# --- Content-Security-Policy and Permissions-Policy ------------------------------------------
# HTML pages (admin, public review pages, API docs, the browsable API) run only scripts served by
# this site; what must be inline carries the request's nonce (``request.csp_nonce``). Views that need
# more say so where they are routed (factcheck/urls.py: Redoc). Non-HTML responses get
# ``default-src 'none'`` (factcheck.security).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        # No style="" attributes, except the one django-simple-history's history page has, by hash.
        "style-src-attr": [UNSAFE_HASHES, "'sha256-XMXSevYjgSjXgRafBFDvtjwX+yyWLrxfso9DcNZ9UXM='"],  # border-top: 0
        # data: for the icons Swagger UI's stylesheet embeds.
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}
# Deny every powerful feature to this site and anything it could embed.
PERMISSIONS_POLICY = {
    feature: []
    for feature in [
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "hid",
        "interest-cohort",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    ]
}

# --- Publishing (exports, ClaimReview) -------------------------------------------------------
FACTCHECK_PUBLIC_BASE_URL = os.environ.get("FACTCHECK_PUBLIC_BASE_URL", "http://127.0.0.1:8000")
FACTCHECK_ORGANIZATION_NAME = os.environ.get("FACTCHECK_ORGANIZATION_NAME", "Factcheck")
FACTCHECK_ORGANIZATION_URL = os.environ.get("FACTCHECK_ORGANIZATION_URL", FACTCHECK_PUBLIC_BASE_URL)
# Where a review's public page lives ({base}, {claim_id}, {review_id}); this service serves the default.
FACTCHECK_REVIEW_URL_TEMPLATE = os.environ.get("FACTCHECK_REVIEW_URL_TEMPLATE", "{base}/reviews/{review_id}/")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}, "axes": {"level": "WARNING"}},
}

# History is read-only in the admin: reverting would bypass the review workflow.
SIMPLE_HISTORY_REVERT_DISABLED = True
