"""OLE settings: one module, configured from the environment.

Development defaults are safe (DEBUG off unless asked for, SQLite under ./data); production sets
SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL, REDIS_URL and the email variables.
"""

import os
from email.utils import parseaddr
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG")

_DEV_SECRET = "dev-only-insecure-key-never-use-in-production"  # noqa: S105
# Local development only: `check --deploy` fails while it is set (ole.E004).
OLE_ALLOW_DEV_SECRET = env_bool("OLE_ALLOW_DEV_SECRET")
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG and not OLE_ALLOW_DEV_SECRET:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it in the environment (production), or set DEBUG=1 or "
            "OLE_ALLOW_DEV_SECRET=1 for local development."
        )
    SECRET_KEY = _DEV_SECRET

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# Shared pages carry no CSRF token; a comment or like sent without one is offered again to confirm.
CSRF_FAILURE_VIEW = "series.views.community.csrf_failure"

INSTALLED_APPS = [
    "ole.apps.OleAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "taggit",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "ole",
    "series",
    "stories",
]

MIDDLEWARE = [
    "ole.requestid.RequestIdMiddleware",
    "ole.headers.PermissionsPolicyMiddleware",
    "ole.ratelimit.UntrustedProxyWarningMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "ole.uploads.UploadLimitMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "ole.loginguard.LoginThrottleMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "ole.dbdown.DatabaseUnavailableMiddleware",
    # Last: it looks only at what the URLconf answered 404 (and at the home page's /?p=, before the page cache).
    "series.addresses.AddressesMiddleware",
]

ROOT_URLCONF = os.environ.get("OLE_ROOT_URLCONF", "ole.urls")
WSGI_APPLICATION = "ole.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "series.context_processors.site",
            ],
        },
    },
]

# Databases: SQLite under ./data by default; DATABASE_URL=postgres://... in production.
DATA_DIR = Path(os.environ.get("DATA_DIR", BASE_DIR / "data"))
DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{DATA_DIR / 'ole.sqlite3'}")
# Health checks: a connection kept from an earlier request is tested before use, so a database that
# restarted in between costs one reconnection rather than a failed request.
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL, conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")), conn_health_checks=True
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    # Kept open between requests: opening a SQLite file and setting it up costs more than most queries.
    DATABASES["default"]["CONN_MAX_AGE"] = None
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers run beside a writer; IMMEDIATE takes the write lock at BEGIN, so two
        # read-then-write transactions queue on the busy timeout instead of failing with "locked".
        # secure_delete: deleted rows (a withdrawn story's text) are overwritten in the file, not only unlinked.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA secure_delete=ON;",
        "timeout": float(os.environ.get("SQLITE_BUSY_TIMEOUT", "20")),
        "transaction_mode": "IMMEDIATE",
    }
DATABASE_ROUTERS: list[str] = []
# An optional read replica: plain reads go there, writes, locking reads and transactions to the primary.
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(
        DATABASE_REPLICA_URL, conn_max_age=DATABASES["default"]["CONN_MAX_AGE"]
    )
    # Tests have one database: the "replica" is the test database itself.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS.append("ole.dbrouters.PrimaryReplicaRouter")
# The erasure ledger (docs/deploying.md, "Backups"): which records were withdrawn or erased, and when, in a database
# no backup holds and no restore overwrites. A SQLite file beside the main one by default; with several app
# servers, a PostgreSQL database of its own (not the main one) that they all reach.
OLE_LEDGER_DATABASE_URL = os.environ.get("OLE_LEDGER_DATABASE_URL", "")
if OLE_LEDGER_DATABASE_URL:
    DATABASES["ledger"] = dj_database_url.parse(OLE_LEDGER_DATABASE_URL, conn_max_age=60)
else:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES["ledger"] = {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": DATA_DIR / "ledger.sqlite3",
        "CONN_MAX_AGE": None,
        "OPTIONS": {"init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;", "timeout": 20},
    }
DATABASE_ROUTERS.insert(0, "ole.dbrouters.LedgerRouter")
for _database in DATABASES.values():
    if _database["ENGINE"] != "django.db.backends.sqlite3":
        # A persistent connection is checked before each request reuses it, so a restarted server costs no error.
        _database["CONN_HEALTH_CHECKS"] = env_bool("CONN_HEALTH_CHECKS", True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: one that every process sees. Redis when REDIS_URL is set (shared by every app server); otherwise a table
# in the database, shared by the site, the worker, management commands and every gunicorn worker. With SQLite
# that table has a file of its own (ole.dbrouters.CacheRouter), so storing a page never waits behind a story being
# saved. The cache holds pages and other copies, never counters (ole/ratelimit.py keeps those in the database,
# where nothing evicts them).
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "ole"),
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "ole_cache",
            # Sized for the archive: every page and list page, with room for searches.
            "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("OLE_CACHE_MAX_ENTRIES", "50000"))},
        }
    }
    if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        DATABASES["cache"] = {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "cache.sqlite3",
            "CONN_MAX_AGE": None,
            "OPTIONS": {
                # Deleted pages are overwritten in the file, and the write-ahead log is cut back once checkpointed:
                # withdrawn text leaves no trace. IMMEDIATE, as for the main file: a store waits its turn.
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA secure_delete=ON; "
                    "PRAGMA journal_size_limit=0;"
                ),
                "timeout": 5,
                "transaction_mode": "IMMEDIATE",
            },
        }
        DATABASE_ROUTERS.insert(0, "ole.dbrouters.CacheRouter")

# Sessions: with Redis, read from the shared cache and written through to the database, so every app server
# sees them and an evicted or flushed cache signs nobody out; without it, in the database alone.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db" if REDIS_URL else "django.contrib.sessions.backends.db"

# Anonymous public pages are kept whole in the cache above (ole/pagecache.py) for at most OLE_PAGE_CACHE_SECONDS;
# any change to what they show moves the site version. OLE_PUBLIC_MAX_AGE is how long a proxy or a
# CDN may keep such a page (a new comment or publication shows there within that time).
OLE_PAGE_CACHE = env_bool("OLE_PAGE_CACHE", True)
OLE_PAGE_CACHE_SECONDS = int(os.environ.get("OLE_PAGE_CACHE_SECONDS", "600"))
OLE_PUBLIC_MAX_AGE = int(os.environ.get("OLE_PUBLIC_MAX_AGE", "60"))

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-za"
TIME_ZONE = os.environ.get("TIME_ZONE", "Africa/Johannesburg")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
MEDIA_URL = os.environ.get("MEDIA_URL", "/media/")
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# Files nobody may fetch by address (the photo of a story not yet published): never under MEDIA_ROOT.
OLE_PRIVATE_MEDIA_ROOT = Path(os.environ.get("OLE_PRIVATE_MEDIA_ROOT", BASE_DIR / "private_media"))
_PUBLIC_MEDIA = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
_PRIVATE_MEDIA = {"BACKEND": "ole.storage.PrivateFileSystemStorage"}

# Object storage (S3 or compatible) for media when AWS_STORAGE_BUCKET_NAME is set. Credentials come from
# AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (or the instance's role), read by django-storages and boto3.
AWS_STORAGE_BUCKET_NAME = os.environ.get("AWS_STORAGE_BUCKET_NAME", "")
if AWS_STORAGE_BUCKET_NAME:
    _S3 = {
        "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
        "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
        # Generated names never repeat, but an upload must never replace another file all the same.
        "file_overwrite": False,
        "default_acl": None,
        "signature_version": "s3v4",
    }
    _PUBLIC_MEDIA = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            **_S3,
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "location": os.environ.get("AWS_LOCATION", ""),
            "custom_domain": os.environ.get("AWS_S3_CUSTOM_DOMAIN") or None,
            # Public media: plain, cacheable addresses with no expiring signature.
            "querystring_auth": False,
            "object_parameters": {"CacheControl": "public, max-age=31536000, immutable"},
        },
    }
    # Private media: a bucket with no public access (or a prefix the bucket policy keeps private), never a
    # custom domain; any address it makes is signed and short-lived, though the app streams these files itself.
    _PRIVATE_MEDIA = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            **_S3,
            "bucket_name": os.environ.get("OLE_PRIVATE_BUCKET_NAME") or AWS_STORAGE_BUCKET_NAME,
            "location": os.environ.get("OLE_PRIVATE_LOCATION", "private"),
            "querystring_auth": True,
            "querystring_expire": 300,
        },
    }
    if "MEDIA_URL" not in os.environ:
        # Where the storage's addresses point (the CSP's img-src allows that origin).
        _domain, _endpoint = _PUBLIC_MEDIA["OPTIONS"]["custom_domain"], _S3["endpoint_url"]
        if _domain:
            MEDIA_URL = f"https://{_domain}/"
        elif _endpoint:
            MEDIA_URL = f"{_endpoint.rstrip('/')}/{AWS_STORAGE_BUCKET_NAME}/"
        else:
            MEDIA_URL = f"https://{AWS_STORAGE_BUCKET_NAME}.s3.amazonaws.com/"
STORAGES = {
    "default": _PUBLIC_MEDIA,
    "private": _PRIVATE_MEDIA,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or env_bool("OLE_PLAIN_STATIC")
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG or env_bool("OLE_PLAIN_STATIC")
# Uploads larger than this are streamed to disk rather than held in memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# A file past the image limit stops being kept as it arrives (ole/uploads.py); a whole request past this
# many bytes is answered 413 unread.
FILE_UPLOAD_HANDLERS = [
    "ole.uploads.LimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
OLE_MAX_REQUEST_BYTES = int(os.environ.get("OLE_MAX_REQUEST_BYTES", str(64 * 1024 * 1024)))

# Email
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "OLE <editors@localhost>")
SERVER_EMAIL = os.environ.get("SERVER_EMAIL", DEFAULT_FROM_EMAIL)


def addresses(name: str, items: list[str]) -> list[tuple[str, str]]:
    """A list such as ["Ann Admin <ann@example.org>", "bob@example.org"] as (name, address) pairs; `name` is the
    setting's, for the error."""
    pairs = []
    for item in items:
        real_name, address = parseaddr(item)
        if "@" not in address:
            raise ImproperlyConfigured(f"{name}: {item!r} is not an address such as 'Ann <ann@example.org>'.")
        pairs.append((real_name or address, address))
    return pairs


# Who receives a report of each unhandled error (ole/errors.py: filtered of personal data, sent by the worker).
ADMINS = addresses("ADMINS", env_list("ADMINS"))
EMAIL_SUBJECT_PREFIX = os.environ.get("EMAIL_SUBJECT_PREFIX", "[OLE] ")

# Security: HTTPS is assumed in production, behind a proxy that sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
# On by default so `check --deploy` is clean; set SECURE_HSTS_PRELOAD=0 before the domain is ready for it.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
# Health checks answer over plain HTTP too: a service manager or a load balancer asks the app server directly.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp): scripts only from our own files, never inline; no plugins; no framing.
# Inline style attributes are allowed (the admin uses them); they cannot run code.
_MEDIA_ORIGIN = "/".join(MEDIA_URL.split("/", 3)[:3]) if MEDIA_URL.startswith("http") else ""
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", *([_MEDIA_ORIGIN] if _MEDIA_ORIGIN else [])],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
    }
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

TAGGIT_CASE_INSENSITIVE = True

OLE_POSTS_PER_PAGE = int(os.environ.get("OLE_POSTS_PER_PAGE", "10"))
OLE_SITE_NAME = os.environ.get("OLE_SITE_NAME", "Our Lived Experience")
# The public address used in emails (links to the private status page and to published stories).
OLE_SITE_URL = os.environ.get("OLE_SITE_URL", "http://127.0.0.1:8000")
# At most this many stories from one address in an hour; the rest are asked to try later.
OLE_STORY_SUBMISSIONS_PER_HOUR = int(os.environ.get("OLE_STORY_SUBMISSIONS_PER_HOUR", "5"))
OLE_LOST_LINK_REQUESTS_PER_HOUR = int(os.environ.get("OLE_LOST_LINK_REQUESTS_PER_HOUR", "5"))
# Days after which a declined or withdrawn story's email address is removed (manage.py apply_retention).
OLE_RETENTION_DAYS = int(os.environ.get("OLE_RETENTION_DAYS", "90"))
# Backups (manage.py backup DIR): the newest OLE_BACKUP_KEEP are kept, none older than OLE_RETENTION_DAYS; with
# OLE_BACKUP_KEY (made by `manage.py backup --generate-key`) they are encrypted.
OLE_BACKUP_KEEP = int(os.environ.get("OLE_BACKUP_KEEP", "14"))
OLE_BACKUP_KEY = os.environ.get("OLE_BACKUP_KEY", "")
# How many reverse proxies (each adding to X-Forwarded-For) stand in front of the app servers; 0 without one.
OLE_TRUSTED_PROXIES = int(os.environ.get("OLE_TRUSTED_PROXIES", "0"))
# Networks that mention checks may fetch from besides the public internet (tests use 127.0.0.1/32).
OLE_SAFEFETCH_ALLOWED_NETWORKS = env_list("OLE_SAFEFETCH_ALLOWED_NETWORKS")
OLE_MENTIONS_PER_SOURCE_PER_HOUR = int(os.environ.get("OLE_MENTIONS_PER_SOURCE_PER_HOUR", "10"))
# Admin sign-in: a username is locked for 15 minutes after this many failures (a connection after more).
OLE_LOGIN_FAILURES_PER_USER = int(os.environ.get("OLE_LOGIN_FAILURES_PER_USER", "5"))
OLE_LOGIN_FAILURES_PER_CLIENT = int(os.environ.get("OLE_LOGIN_FAILURES_PER_CLIENT", "20"))
# Staff sign in with a password and a one-time code (ole/twofactor.py). Off only for the local demo (`make run`):
# `check --deploy` fails while it is off (ole.E005).
OLE_STAFF_2FA = env_bool("OLE_STAFF_2FA", True)
OTP_TOTP_ISSUER = OLE_SITE_NAME
# The link `manage.py create_editor` prints to set a password works once, for a day.
PASSWORD_RESET_TIMEOUT = 24 * 60 * 60
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
OLE_COMMENTS_PER_HOUR = int(os.environ.get("OLE_COMMENTS_PER_HOUR", "10"))
OLE_LIKES_PER_HOUR = int(os.environ.get("OLE_LIKES_PER_HOUR", "120"))
OLE_REPORTS_PER_HOUR = int(os.environ.get("OLE_REPORTS_PER_HOUR", "10"))
OLE_CONTACT_MESSAGES_PER_HOUR = int(os.environ.get("OLE_CONTACT_MESSAGES_PER_HOUR", "5"))
# Following by email: how many post emails leave a minute, and whether they carry the whole text (a post made
# from a reader's story always sends only its excerpt: the writer may withdraw it, and an email stays).
OLE_FOLLOW_EMAILS_PER_MINUTE = int(os.environ.get("OLE_FOLLOW_EMAILS_PER_MINUTE", "60"))
OLE_FOLLOW_FULL_TEXT = env_bool("OLE_FOLLOW_FULL_TEXT", False)
OLE_FOLLOW_REQUESTS_PER_HOUR = int(os.environ.get("OLE_FOLLOW_REQUESTS_PER_HOUR", "10"))
# /readyz fails while an email has waited to go out longer than this (the worker is stuck or the mail server
# refuses it: a failing email is retried after 1, 2, 4, 8 ... minutes).
OLE_OUTBOX_MAX_WAIT_MINUTES = int(os.environ.get("OLE_OUTBOX_MAX_WAIT_MINUTES", "15"))

# Logs go to standard error (journald keeps them under systemd). LOG_FORMAT=json writes one JSON object per line
# (time, level, logger, message, request id); both formats redact private links and email addresses.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")
if LOG_FORMAT not in {"text", "json"}:
    raise ImproperlyConfigured(f"LOG_FORMAT must be text or json, not {LOG_FORMAT!r}.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "ole.logging.AddRequestId"},
        "redact_private_links": {"()": "ole.logging.RedactPrivateLinks"},
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
    },
    "formatters": {"text": {"format": "%(message)s"}, "json": {"()": "ole.logging.JsonFormatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id", "redact_private_links"],
            "formatter": LOG_FORMAT,
        },
        # Unhandled errors: a filtered report queued in the outbox for ADMINS (ole/errors.py).
        "mail_admins": {
            "level": "ERROR",
            "class": "ole.errors.QueuedAdminEmailHandler",
            "filters": ["require_debug_false", "request_id", "redact_private_links"],
        },
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's request and runserver loggers write paths; they go through the same redacting handler.
        "django.request": {"handlers": ["console", "mail_admins"], "level": "WARNING", "propagate": False},
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

# Development and the demo serve uploaded media from Django; production uses the proxy or object storage.
OLE_SERVE_MEDIA = env_bool("OLE_SERVE_MEDIA", DEBUG)
