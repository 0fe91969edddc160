"""Settings, read from environment variables with defaults that run the demo.

Every setting an operator may change is an environment variable; see the README.
"""

import os
import tempfile
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE as CSP_NONCE
from csp.constants import NONE as CSP_NONE
from csp.constants import SELF as CSP_SELF
from django.core.exceptions import ImproperlyConfigured

from ombuds.evidence.object_storage import file_storage, storage_kind

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("OMBUDS_DATA_DIR", Path.cwd() / "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)
(DATA_DIR / "static").mkdir(exist_ok=True)

_DEMO_SECRET_KEY = "insecure-demo-key-do-not-use-in-production-ombuds-0123456789"


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)
SECRET_KEY = os.environ.get("SECRET_KEY") or (_DEMO_SECRET_KEY if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
OMBUDS_BASE_URL = os.environ.get("OMBUDS_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "csp",
    "ninja",  # its Swagger UI files, served from our static files for the API docs
    "django_tasks",
    "django_tasks_db",
    "axes",
    "ombuds.policy",
    "ombuds.directory",
    "ombuds.accounts",
    "ombuds.intake",
    "ombuds.evidence",
    "ombuds.notify",
    "ombuds.cases",
    "ombuds.api",
    "ombuds.web",
    "ombuds.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "ombuds.web.headers.SecurityHeadersMiddleware",
    "ombuds.middleware.UnusablePathMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last: turns the log-in lockouts django-axes flags into 429 answers.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "ombuds.urls"
WSGI_APPLICATION = "ombuds.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "web" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "ombuds.web.context.site",
            ],
        },
    },
]

DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'ombuds.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;"
        ),
        "transaction_mode": "IMMEDIATE",
    }
    # A file, so that threads (live server, concurrent claims) share it with real locking; one
    # per process, so that test runs side by side do not collide.
    DATABASES["default"]["TEST"] = {
        "NAME": os.path.join(tempfile.gettempdir(), f"ombuds-test-{os.getpid()}.sqlite3")
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# django-axes first: it refuses locked-out log-ins before the password is checked.
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
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "en"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
MEDIA_ROOT = Path(os.environ.get("OMBUDS_FILE_STORAGE_DIR", DATA_DIR / "files")).resolve()
MEDIA_URL = "files/"
# Evidence files: `filesystem` (under OMBUDS_FILE_STORAGE_DIR) or `s3`, any S3-compatible store
# (OMBUDS_S3_*, see the README), private, served only through the access-checked download.
OMBUDS_FILE_STORAGE = storage_kind(os.environ)
STORAGES = {
    "default": file_storage(os.environ, MEDIA_ROOT),
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        ),
    },
}

# The demo (DEBUG without an SMTP server configured) prints its emails in the server's terminal.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG and not os.environ.get("EMAIL_HOST")
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "127.0.0.1")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "1025"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Ombuds <ombuds@localhost>")

TASK_BACKEND = os.environ.get("OMBUDS_TASK_BACKEND", "database")
_TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
    "dummy": "django_tasks.backends.dummy.DummyBackend",
    "rq": "django_tasks_rq.RQBackend",
}
if TASK_BACKEND not in _TASK_BACKENDS:
    raise ImproperlyConfigured(
        f"OMBUDS_TASK_BACKEND must be one of {', '.join(_TASK_BACKENDS)}, not {TASK_BACKEND!r}."
    )
# The worker's queues, in the order it takes tasks: emails, the periodic checks, webhooks.
TASK_QUEUES = ["emails", "default", "webhooks"]
TASKS = {"default": {"BACKEND": _TASK_BACKENDS[TASK_BACKEND], "QUEUES": TASK_QUEUES}}
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
if TASK_BACKEND == "rq":
    RQ_QUEUES = {name: {"URL": REDIS_URL} for name in TASK_QUEUES}
    INSTALLED_APPS.append("django_rq")

OMBUDS_POLICY_FILE = Path(
    os.environ.get("OMBUDS_POLICY_FILE", PACKAGE_DIR / "policy" / "default_policy.yaml")
)

# Filing attempts allowed per user and per client IP, like "30/hour" (empty: no limit).
OMBUDS_FILING_RATE_PER_USER = os.environ.get("OMBUDS_FILING_RATE_PER_USER", "30/hour")
OMBUDS_FILING_RATE_PER_IP = os.environ.get("OMBUDS_FILING_RATE_PER_IP", "120/hour")
OMBUDS_TRUST_X_FORWARDED_FOR = env_bool("OMBUDS_TRUST_X_FORWARDED_FOR", False)
# Evidence uploads per user and per IP; the marketplace's service token is counted per token.
OMBUDS_UPLOAD_RATE_PER_USER = os.environ.get("OMBUDS_UPLOAD_RATE_PER_USER", "60/hour")
OMBUDS_UPLOAD_RATE_PER_IP = os.environ.get("OMBUDS_UPLOAD_RATE_PER_IP", "200/hour")
OMBUDS_UPLOAD_RATE_PER_SERVICE_TOKEN = os.environ.get(
    "OMBUDS_UPLOAD_RATE_PER_SERVICE_TOKEN", "2000/hour"
)
# Sign-ups per IP; password-reset emails per address asked for and per IP.
OMBUDS_SIGNUP_RATE_PER_IP = os.environ.get("OMBUDS_SIGNUP_RATE_PER_IP", "10/hour")
OMBUDS_PASSWORD_RESET_RATE_PER_EMAIL = os.environ.get(
    "OMBUDS_PASSWORD_RESET_RATE_PER_EMAIL", "3/hour"
)
OMBUDS_PASSWORD_RESET_RATE_PER_IP = os.environ.get("OMBUDS_PASSWORD_RESET_RATE_PER_IP", "10/hour")
# Log-in throttling (django-axes): after this many failures for one user name from one
# address, that pair is locked out until this many minutes have passed since the last one.
OMBUDS_LOGIN_FAILURE_LIMIT = int(os.environ.get("OMBUDS_LOGIN_FAILURE_LIMIT", "10"))
OMBUDS_LOGIN_COOLOFF_MINUTES = int(os.environ.get("OMBUDS_LOGIN_COOLOFF_MINUTES", "15"))
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = OMBUDS_LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(minutes=OMBUDS_LOGIN_COOLOFF_MINUTES)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "ombuds.accounts.ratelimit.request_ip"
AXES_LOCKOUT_CALLABLE = "ombuds.accounts.lockout.lockout_response"
AXES_RESET_ON_SUCCESS = True
# Attempts while locked out do not push the end of the lockout further: the time the page
# gives is the time it ends.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# Only failures are kept (for the lockout), not a log of every successful log-in.
AXES_DISABLE_ACCESS_LOG = True
# A worker that dies leaves its claimed emails; after this many seconds another worker takes them.
OMBUDS_OUTBOX_LEASE_SECONDS = int(os.environ.get("OMBUDS_OUTBOX_LEASE_SECONDS", "120"))
# A worker's batch of emails, or of webhooks, begins no new message after this many seconds:
# a slow webhook receiver holds up emails (and a slow SMTP server webhooks) for one post at most.
OMBUDS_WORKER_BATCH_SECONDS = float(os.environ.get("OMBUDS_WORKER_BATCH_SECONDS", "2"))
# Agents are told this many hours before a case is due.
OMBUDS_DEADLINE_WARNING_HOURS = int(os.environ.get("OMBUDS_DEADLINE_WARNING_HOURS", "6"))
# Webhooks go only to public addresses unless this is on (tests and private networks).
OMBUDS_WEBHOOKS_ALLOW_PRIVATE = env_bool("OMBUDS_WEBHOOKS_ALLOW_PRIVATE", DEBUG)
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"timestamped": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "timestamped"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.server": {"level": "INFO"}},
}

# Production hardening: on whenever DEBUG is off, each one can be turned off on its own.
# Trust X-Forwarded-Proto only when a proxy in front sets it (and drops what clients send).
OMBUDS_TRUST_X_FORWARDED_PROTO = env_bool("OMBUDS_TRUST_X_FORWARDED_PROTO", False)
if OMBUDS_TRUST_X_FORWARDED_PROTO:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Every page: our own files only, no inline style or script (scripts and stylesheets of our
# templates carry the page's nonce); evidence downloads send their own stricter policy.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [CSP_SELF],
        "script-src": [CSP_SELF, CSP_NONCE],
        "style-src": [CSP_SELF, CSP_NONCE],
        "img-src": [CSP_SELF],
        "frame-src": [CSP_SELF],
        "object-src": [CSP_NONE],
        "base-uri": [CSP_SELF],
        "form-action": [CSP_SELF],
        "frame-ancestors": [CSP_NONE],
    }
}
SESSION_COOKIE_HTTPONLY = True
SILENCED_SYSTEM_CHECKS = env_list("SILENCED_SYSTEM_CHECKS", "")
