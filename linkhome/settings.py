"""linkhome settings: one module, every deployment knob read from the environment.

Development defaults need nothing set (SQLite under ./data, Redis on localhost). Production sets
DEBUG=0, SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL; see README "Deploying".
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from botocore.config import Config as BotoConfig
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from kombu import Exchange, Queue

from linkhome.env import env_bool, env_int, env_list, env_networks, env_str
from linkhome.process import application_name
from snapshots import queues

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env_str("DATA_DIR", str(BASE_DIR / "data")))

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = env_str("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG=0")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production-0123456789abcdef"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
PORT = env_int("PORT", 8000, minimum=1)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Redoc's files for /api/docs/, served from here (no CDN)
    "taggit",
    "django_htmx",
    "csp",  # django-csp: its system checks catch a policy written in the old settings format
    "accounts",
    "snapshots",
]

MIDDLEWARE = [
    "linkhome.guards.DatabaseBusyMiddleware",  # outermost: it replaces any layer's 500 of a locked SQLite
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "linkhome.viewerzone.ViewerTimeZoneMiddleware",  # dates in the zone the browser reports
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "linkhome.guards.RequestSizeLimitMiddleware",  # before anything reads the body (CSRF reads POST)
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "linkhome.csp.HtmlCSPMiddleware",  # the site policy below, on HTML responses only
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "linkhome.urls"
WSGI_APPLICATION = "linkhome.wsgi.application"
AUTH_USER_MODEL = "accounts.User"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "linkhome.context_processors.nav",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'linkhome.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets web, worker and beat read while one writes; IMMEDIATE takes the write lock at
    # BEGIN so concurrent writers queue on busy_timeout instead of failing with "locked".
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": env_int("SQLITE_BUSY_TIMEOUT", 20, minimum=1),
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {})["application_name"] = application_name()
TEST_DATABASE_NAME = env_str("TEST_DATABASE_NAME", "")
if TEST_DATABASE_NAME:
    DATABASES["default"]["TEST"] = {"NAME": TEST_DATABASE_NAME}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Sessions, cache and throttling live in the database so a Redis outage logs nobody out.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "linkhome_cache",
    }
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "snapshots:link_list"
LOGOUT_REDIRECT_URL = "snapshots:link_list"  # the welcome page, with a word that it worked
# Failed logins within the window (accounts/throttling.py): per user name from one address, per
# user name from all addresses, and per address for all names (that one slows, never blocks).
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
LOGIN_NAME_FAILURE_LIMIT = env_int("LOGIN_NAME_FAILURE_LIMIT", 20, minimum=1)
LOGIN_ADDRESS_FAILURE_LIMIT = env_int("LOGIN_ADDRESS_FAILURE_LIMIT", 100, minimum=1)
LOGIN_FAILURE_WINDOW = env_int("LOGIN_FAILURE_WINDOW", 900, minimum=1)
PASSWORD_RESET_RATE_PER_HOUR = env_int("PASSWORD_RESET_RATE_PER_HOUR", 5, minimum=1)  # per address
PASSWORD_RESET_TARGET_RATE_PER_HOUR = env_int("PASSWORD_RESET_TARGET_RATE_PER_HOUR", 3, minimum=1)  # per email
# Reverse proxies whose X-Forwarded-For is believed, as CIDRs; none by default (accounts/addresses.py).
TRUSTED_PROXIES = env_networks("TRUSTED_PROXIES", "")

# --- Internationalisation ------------------------------------------------------------------
# Fallback when a client names no language (API tools); browsers choose by Accept-Language.
LANGUAGE_CODE = "en"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

# --- Static and media -----------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(DATA_DIR / "media")))
# Artifacts go to an S3-compatible bucket (AWS, MinIO, Aliyun OSS, Tencent COS) when a bucket is
# named, else to MEDIA_ROOT. The names are django-storages' own. Artifacts are stored under their
# content hash, so writing a name again writes the same bytes: overwriting is allowed.
AWS_STORAGE_BUCKET_NAME = env_str("AWS_STORAGE_BUCKET_NAME", "")
AWS_S3_ENDPOINT_URL = env_str("AWS_S3_ENDPOINT_URL", "") or None
AWS_ACCESS_KEY_ID = env_str("AWS_ACCESS_KEY_ID", "") or None
AWS_SECRET_ACCESS_KEY = env_str("AWS_SECRET_ACCESS_KEY", "") or None
AWS_S3_REGION_NAME = env_str("AWS_S3_REGION_NAME", "") or None
AWS_S3_ADDRESSING_STYLE = env_str("AWS_S3_ADDRESSING_STYLE", "") or None  # "path" for MinIO, "virtual" for OSS
DISK_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"allow_overwrite": True}}
BUCKET_STORAGE = {
    "BACKEND": "storages.backends.s3.S3Storage",
    "OPTIONS": {
        "bucket_name": AWS_STORAGE_BUCKET_NAME,
        "endpoint_url": AWS_S3_ENDPOINT_URL,
        "access_key": AWS_ACCESS_KEY_ID,
        "secret_key": AWS_SECRET_ACCESS_KEY,
        "region_name": AWS_S3_REGION_NAME,
        # Private objects: every read goes through our access checks (or a 60 s presigned URL).
        "default_acl": None,
        "querystring_auth": True,
        "querystring_expire": 60,
        "file_overwrite": True,
        # Checksums only where S3 requires them: stores that reject boto3's newer default
        # checksum headers (several S3-compatible services do) keep working. Short timeouts and
        # few retries: an unreachable bucket fails a capture in seconds, and it is tried later.
        "client_config": BotoConfig(
            s3={"addressing_style": AWS_S3_ADDRESSING_STYLE},
            signature_version="s3v4",
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
            connect_timeout=5,
            read_timeout=30,
            retries={"max_attempts": 2, "mode": "standard"},
        ),
    },
}
STORAGES = {
    "default": BUCKET_STORAGE if AWS_STORAGE_BUCKET_NAME else DISK_STORAGE,
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Request bodies: any body but a file upload is refused above DATA_UPLOAD_MAX_MEMORY_SIZE, an
# upload above IMPORT_MAX_BYTES (linkhome.guards). The largest form (a link with notes and
# description at their input limits, all in CJK and percent-encoded) is about 1 MB.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1_000  # the admin's tag rows of a link at LINK_TAGS_MAX fit
DATA_UPLOAD_MAX_NUMBER_FILES = 1  # a bookmark file is the only upload
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 100 * 1024 * 1024, minimum=1)
# A page saved in the reader's own browser (SingleFile, a saved .html/.mhtml file, the bookmarklet).
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 20 * 1024 * 1024, minimum=1)

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "linkhome <noreply@localhost>")

# --- Security -------------------------------------------------------------------------------
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
# Content-Security-Policy of our own pages (linkhome/csp.py adds where artifacts are served from).
# Every script and style is a file of this site: no inline script, handler or style attribute.
# Views that send their own policy keep it: archived artifacts (a sandbox), the API docs (Redoc).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'"],
        "frame-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'self'"],
        "form-action": ["'self'"],
    }
}
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# --- API ------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.HashedTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "snapshots.api.pagination.LinkPagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DATETIME_FORMAT": "%Y-%m-%dT%H:%M:%S.%fZ",
    "EXCEPTION_HANDLER": "snapshots.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "linkhome API",
    "DESCRIPTION": "Save links, capture snapshots, share tagged collections.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "REDOC_DIST": "SIDECAR",
}

# /metrics answers only requests that send `Authorization: Bearer <this>`; unset, it is absent.
METRICS_TOKEN = env_str("METRICS_TOKEN", "")

# --- Celery ---------------------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL", "redis://127.0.0.1:6379/0")
CAPTURE_HARD_TIME_LIMIT = env_int("CAPTURE_HARD_TIME_LIMIT", 90, minimum=5)
CAPTURE_SOFT_TIME_LIMIT = env_int("CAPTURE_SOFT_TIME_LIMIT", 75, minimum=3)
# One run of a bookmark import: at the soft limit it ends failed and keeps what it saved; the
# hard limit kills a run that did not stop by then.
IMPORT_SOFT_TIME_LIMIT = env_int("IMPORT_SOFT_TIME_LIMIT", 240, minimum=1)
IMPORT_HARD_TIME_LIMIT = env_int("IMPORT_HARD_TIME_LIMIT", 270, minimum=2)
if IMPORT_HARD_TIME_LIMIT <= IMPORT_SOFT_TIME_LIMIT:
    raise ImproperlyConfigured("IMPORT_HARD_TIME_LIMIT must be larger than IMPORT_SOFT_TIME_LIMIT")
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# One warm browser per pool process: this is the number of captures a worker runs at once.
CELERY_WORKER_CONCURRENCY = env_int("CAPTURE_CONCURRENCY", 2, minimum=1)
# Workers consume every queue named here; each task's queue comes from its name.
CELERY_TASK_QUEUES = [Queue(name, Exchange(name), routing_key=name) for name in queues.QUEUES]
CELERY_TASK_DEFAULT_QUEUE = queues.CAPTURE_QUEUE
CELERY_TASK_ROUTES = {name: {"queue": queue} for name, queue in queues.TASK_QUEUES.items()}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# The visibility timeout must outlast the hard limits, or Redis hands a running task to a
# second worker while the first is still on it.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int(
        "CELERY_VISIBILITY_TIMEOUT", max(CAPTURE_HARD_TIME_LIMIT * 2, IMPORT_HARD_TIME_LIMIT) + 60
    ),
    # Unacked messages of a dead worker come back once the visibility timeout has passed; scan
    # for them every few seconds rather than kombu's default of about every 100 s.
    "unacked_restore_interval": env_int("CELERY_RESTORE_INTERVAL", 10, minimum=1),
    "unacked_restore_throttle": 1,
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
}
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
CAPTURE_SWEEP_INTERVAL = env_int("CAPTURE_SWEEP_INTERVAL", 30, minimum=1)
CAPTURE_SWEEP_GRACE = env_int("CAPTURE_SWEEP_GRACE", 10, minimum=0)  # s a new row may await its publish
# s after publishing before a queued capture whose message the broker no longer holds (its data
# was lost) is published again, rather than after the whole visibility timeout.
CAPTURE_LOST_GRACE = env_int("CAPTURE_LOST_GRACE", 30, minimum=1)
CAPTURE_PACE_INTERVAL = env_int("CAPTURE_PACE_INTERVAL", 5, minimum=1)  # s between pacer runs
CELERY_BEAT_SCHEDULE = {
    "bulk-sweep": {"task": queues.BULK_SWEEP_TASK, "schedule": 60.0},
    "sweep-snapshots": {"task": queues.SWEEP_TASK, "schedule": float(CAPTURE_SWEEP_INTERVAL)},
    "release-waiting": {"task": queues.RELEASE_TASK, "schedule": float(CAPTURE_PACE_INTERVAL)},
}
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# --- Capture --------------------------------------------------------------------------------
CAPTURE_ALLOWED_ORIGINS = env_list("CAPTURE_ALLOWED_ORIGINS", "")
CAPTURE_DNS_SERVER = env_str("CAPTURE_DNS_SERVER", "")  # "host:port"; empty = system resolver
CAPTURE_DEADLINE = env_int("CAPTURE_DEADLINE", 45, minimum=2)
CAPTURE_PAGE_LOAD_BUDGET = env_int("CAPTURE_PAGE_LOAD_BUDGET", 20, minimum=1)
CAPTURE_PAGE_ANSWER_TIMEOUT = env_int("CAPTURE_PAGE_ANSWER_TIMEOUT", 5, minimum=1)  # s before a busy page is given up
CAPTURE_MAX_BYTES = env_int("CAPTURE_MAX_BYTES", 50 * 1024 * 1024, minimum=1024)
CAPTURE_MAX_SCREENSHOT_HEIGHT = env_int("CAPTURE_MAX_SCREENSHOT_HEIGHT", 15_000, minimum=100)
CAPTURE_MAX_PDF_PAGES = env_int("CAPTURE_MAX_PDF_PAGES", 50, minimum=1)
CAPTURE_MAX_ATTEMPTS = env_int("CAPTURE_MAX_ATTEMPTS", 3, minimum=1)
# Storage each user may fill with artifacts, in MB of their own captures' bytes (shared files
# counted in full); 0 = no limit. Staff can set a user's own quota in the admin.
STORAGE_QUOTA_MB = env_int("STORAGE_QUOTA_MB", 2048)
# Seconds before a capture whose artifacts could not be stored is tried again (doubling each attempt).
STORAGE_RETRY_DELAY = env_int("STORAGE_RETRY_DELAY", 30, minimum=1)
CAPTURE_RATE_PER_HOUR = env_int("CAPTURE_RATE_PER_HOUR", 200)
# Fair shares: captures one user may have in flight, and the pace of their imports and schedules.
CAPTURE_USER_CONCURRENCY = env_int("CAPTURE_USER_CONCURRENCY", 1, minimum=1)
CAPTURE_BULK_PER_MINUTE = env_int("CAPTURE_BULK_PER_MINUTE", 30, minimum=1)
# `GET /api/snapshots/<id>/?wait=N` holds the request until the capture ends, at most this long
# (and under gunicorn's 30 s timeout, which would kill the held process); each held request holds a
# web process or thread, so at most API_WAIT_SLOTS wait at once (a quarter of them by default) and
# API_WAITS_PER_USER per user; beyond that the answer comes at once.
API_WAIT_MAX_SECONDS = min(env_int("API_WAIT_MAX_SECONDS", 20, minimum=1), 25)
API_WAIT_SLOTS = env_int(
    "API_WAIT_SLOTS", env_int("WEB_WORKERS", 8, minimum=1) * env_int("WEB_THREADS", 1, minimum=1) // 4
)
API_WAITS_PER_USER = env_int("API_WAITS_PER_USER", 1)
LINK_RATE_PER_HOUR = env_int("LINK_RATE_PER_HOUR", 1_000, minimum=0)  # links a user saves by hand; 0 = no limit
# ... and a minute: a burst of saves by one user would otherwise take the web processes from everyone.
LINK_RATE_PER_MINUTE = env_int("LINK_RATE_PER_MINUTE", 60, minimum=0)
CAPTURE_BROWSER_RECYCLE_AFTER = env_int("CAPTURE_BROWSER_RECYCLE_AFTER", 100, minimum=1)
CAPTURE_BROWSER_MAX_RSS_MB = env_int("CAPTURE_BROWSER_MAX_RSS_MB", 1500, minimum=100)
CAPTURE_BROWSER_NICE = env_int("CAPTURE_BROWSER_NICE", 10)  # 0-19; 0 runs browsers at the workers' priority
# The service worker (imports) yields to everything else, capture browsers included.
SERVICE_WORKER_NICE = env_int("SERVICE_WORKER_NICE", 15, minimum=0)
CAPTURE_WORKER_NICE = env_int("CAPTURE_WORKER_NICE", 5, minimum=0)
CAPTURE_PROFILE_ROOT = Path(env_str("CAPTURE_PROFILE_ROOT", str(DATA_DIR / "chromium")))
CHROMIUM_BINARY = env_str("CHROMIUM_BINARY", "/usr/bin/chromium")
CHROMEDRIVER_BINARY = env_str("CHROMEDRIVER_BINARY", "/usr/bin/chromedriver")
SNAPSHOT_HOST = env_str("SNAPSHOT_HOST", "")
# Artifacts on SNAPSHOT_HOST are reached by signed URLs that expire after this many seconds.
SNAPSHOT_URL_MAX_AGE = env_int("SNAPSHOT_URL_MAX_AGE", 3600, minimum=60)
if SNAPSHOT_HOST and SNAPSHOT_HOST.split(":")[0] not in ALLOWED_HOSTS:
    ALLOWED_HOSTS.append(SNAPSHOT_HOST.split(":")[0])
REPORT_RATE_PER_HOUR = env_int("REPORT_RATE_PER_HOUR", 10, minimum=1)  # per visitor address
REPORT_TARGET_RATE_PER_HOUR = env_int("REPORT_TARGET_RATE_PER_HOUR", 30, minimum=1)  # per collection

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

TAGGIT_CASE_INSENSITIVE = True
