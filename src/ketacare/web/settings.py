"""Django settings for KetaCare, read from the environment (docs/configuration.md).

SQLite is the zero-configuration default so that ``ketacare demo`` works on a fresh machine;
``DATABASE_URL=postgres://...`` switches to PostgreSQL for production. In production mode
(``KETACARE_DEBUG`` unset or false, ``KETACARE_DEMO`` unset) a missing ``KETACARE_SECRET_KEY`` stops
the server, and so does one shorter than 50 characters; the demo generates a throwaway key.

Production mode is also the secure mode by default (``KETACARE_SECURE``): HTTPS only behind a TLS
proxy, HSTS, secure cookies. Every page carries a strict Content-Security-Policy (no inline
script or style). Requests are logged as JSON lines on stderr without query strings
(``ketacare.web.logs``). docs/deployment.md says what each setting protects against.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from ketacare.web.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(env_str("KETACARE_DATA_DIR", str(Path.cwd() / "var")) or "var")

DEBUG = env_bool("KETACARE_DEBUG", False)
DEMO = env_bool("KETACARE_DEMO", False)
PRODUCTION = not (DEBUG or DEMO)

# Django's own deploy check (security.W009) asks for at least 50 characters; a shorter key in
# production stops the server here, and the system check ketacare.E003 says the same.
SECRET_KEY_MIN_LENGTH = 50

_secret = env_str("KETACARE_SECRET_KEY")
if not _secret:
    if not (DEBUG or DEMO):
        raise ImproperlyConfigured(
            "KETACARE_SECRET_KEY is not set. Set it to a long random string in production; "
            "`ketacare demo` and KETACARE_DEBUG=1 generate a throwaway key."
        )
    _secret = "demo-" + secrets.token_urlsafe(48)
elif PRODUCTION and len(_secret) < SECRET_KEY_MIN_LENGTH:
    raise ImproperlyConfigured(
        f"KETACARE_SECRET_KEY is {len(_secret)} characters long; production needs at least "
        f"{SECRET_KEY_MIN_LENGTH}. Generate one with: "
        "python -c 'import secrets; print(secrets.token_urlsafe(64))'"
    )
SECRET_KEY = _secret

ALLOWED_HOSTS = env_list("KETACARE_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("KETACARE_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "csp",
    "django_htmx",
    "ketacare.web.lib",
    "ketacare.web.notify",
    "ketacare.web.accounts",
    "ketacare.web.audit",
    "ketacare.web.patients",
    "ketacare.web.courses",
    "ketacare.web.measures",
    "ketacare.web.treatments",
    "ketacare.web.checkins",
    "ketacare.web.evidence",
    "ketacare.web.clinic",  # the top: it composes the apps above (docs/decisions/0003)
]

AUTH_USER_MODEL = "accounts.User"

MIDDLEWARE = [
    # first: it times and logs every request, including those answered by the ones below
    "ketacare.web.lib.middleware.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "ketacare.web.lib.inputguard.NulByteMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "ketacare.web.accounts.timezones.ClinicTimezoneMiddleware",
    "ketacare.web.lib.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "ketacare.web.lib.middleware.ConflictMiddleware",
]

ROOT_URLCONF = "ketacare.web.urls"
WSGI_APPLICATION = "ketacare.web.wsgi.application"

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
                "ketacare.web.accounts.context.ketacare",
            ],
        },
    },
]

_database_url = env_str("DATABASE_URL")
if _database_url:
    DATABASES = {
        "default": dj_database_url.parse(
            _database_url,
            # seconds a worker keeps its connection open (0: a new one per request)
            conn_max_age=env_int("KETACARE_DB_CONN_MAX_AGE", 60, minimum=0, maximum=3600),
            # test a kept connection before a request uses it (one that the server closed
            # would otherwise fail that request)
            conn_health_checks=env_bool("KETACARE_DB_CONN_HEALTH_CHECKS", True),
        )
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "ketacare.sqlite3",  # type: ignore[typeddict-item]  # Django takes a path-like NAME; the stubs say str
        }
    }
DATABASES["default"]["ATOMIC_REQUESTS"] = False

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env_str("KETACARE_TIME_ZONE", "UTC") or "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]  # site.css, site.js and the vendored htmx.min.js
# WhiteNoise serves /static/ from the app itself. In production the files are collected into
# STATIC_ROOT with hashed names (cached for a year) by `ketacare serve` at start; the demo and
# debug mode serve them from the source folders without collecting.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = not PRODUCTION  # re-read the source folders: no collecting needed
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LOGIN_URL = "/accounts/login/"
LOGOUT_REDIRECT_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"

# --- transport and headers (docs/deployment.md, "Security settings") ---------------------------
# KETACARE_SECURE: the site is served over HTTPS (by a TLS proxy in front of `ketacare serve`).
SECURE = env_bool("KETACARE_SECURE", PRODUCTION)
SECURE_SSL_REDIRECT = SECURE
# /health/ answers over plain HTTP too, for a probe on the machine itself
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
SECURE_HSTS_SECONDS = env_int(
    "KETACARE_HSTS_SECONDS", 31_536_000 if SECURE else 0, minimum=0, maximum=63_072_000
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("KETACARE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("KETACARE_HSTS_PRELOAD", False)
# The TLS proxy says which requests came over HTTPS in X-Forwarded-Proto; trust it only when a
# proxy that sets (and overwrites) that header is the only way in.
if env_bool("KETACARE_TLS_PROXY", SECURE):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("KETACARE_SECURE_COOKIES", SECURE)
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"  # URLs carry record ids: never sent to another site
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# No inline script, style or event handler anywhere; scripts and styles from /static/ only.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}
# HSTS preload binds the whole domain and every subdomain for months: the domain owner's choice
# (KETACARE_HSTS_PRELOAD=1), so Django's reminder of it is silenced.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]

# --- input bounds that are settings -------------------------------------------------------------
# A request body (form or JSON) above this many bytes answers 400 before any view reads it. The
# largest page form is a few kilobytes; the API's largest body (a scale's items) far less.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int(
    "KETACARE_MAX_REQUEST_BYTES", 262_144, minimum=16_384, maximum=10_485_760
)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 400  # the longest form (CADSS, 23 items) has well under 100
DATA_UPLOAD_MAX_NUMBER_FILES = 0  # KetaCare takes no file uploads
FILE_UPLOAD_MAX_MEMORY_SIZE = DATA_UPLOAD_MAX_MEMORY_SIZE

# --- logging: JSON lines on stderr, no patient data ----------------------------------------------
LOG_LEVEL = env_str("KETACARE_LOG_LEVEL", "INFO") or "INFO"
if LOG_LEVEL.upper() not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
    raise ImproperlyConfigured(
        f"KETACARE_LOG_LEVEL={LOG_LEVEL!r}; allowed: DEBUG, INFO, WARNING, ERROR, CRITICAL"
    )
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "ketacare.web.logs.JsonFormatter"}},
    "handlers": {"stderr": {"class": "ketacare.web.logs.StderrHandler", "formatter": "json"}},
    "root": {"handlers": ["stderr"], "level": LOG_LEVEL.upper()},
    "loggers": {
        # "Internal Server Error: <path>" with the traceback; 4xx as warnings
        "django.request": {"level": "WARNING", "propagate": True},
        # runserver's own access line holds the query string (patient search text): the
        # request log of RequestLogMiddleware replaces it
        "django.server": {"level": "ERROR", "propagate": True},
        "django.db.backends": {"level": "WARNING", "propagate": True},
    },
}

# A reminder setting of the clinic, not a clinical rule: an active course with no measure for this
# many days is listed as "measure due" on the dashboard.
KETACARE_MEASURE_INTERVAL_DAYS = env_int("KETACARE_MEASURE_INTERVAL_DAYS", 7, minimum=1, maximum=90)

# --- accounts security ---
# Sign-in throttling and lockout (django-axes), two-factor sign-in (django-otp), password rules,
# session timeouts and API token lifetimes. Each variable is in docs/configuration.md; the
# sign-in rules are described in docs/deployment.md ("Accounts and sign-in").
import datetime as _dt  # noqa: E402

INSTALLED_APPS += [
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
]
# axes first: it refuses a locked-out account before the password is even checked
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "django_otp.middleware.OTPMiddleware",
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("django_otp.middleware.OTPMiddleware") + 1,
    "ketacare.web.accounts.middleware.AccountSecurityMiddleware",
)
MIDDLEWARE.append("axes.middleware.AxesMiddleware")  # last, as axes asks

AXES_FAILURE_LIMIT = env_int("KETACARE_LOGIN_FAILURE_LIMIT", 10, minimum=1, maximum=100)
AXES_COOLOFF_TIME = _dt.timedelta(
    minutes=env_int("KETACARE_LOCKOUT_MINUTES", 15, minimum=1, maximum=24 * 60)
)
# One counter per account and address pair: a guesser at one address is stopped after the limit,
# and a colleague mistyping at the same clinic address does not lock everyone else out.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True  # "in a row": a right password clears the count
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_LOCKOUT_CALLABLE = "ketacare.web.accounts.views.lockout"
AXES_HTTP_RESPONSE_CODE = 429

# replaces the list above: at least 12 characters
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},  # type: ignore[dict-item]  # validator OPTIONS is a dict; the stubs say str
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

KETACARE_SESSION_IDLE_MINUTES = env_int(
    "KETACARE_SESSION_IDLE_MINUTES", 30, minimum=1, maximum=24 * 60
)
KETACARE_SESSION_MAX_HOURS = env_int("KETACARE_SESSION_MAX_HOURS", 12, minimum=1, maximum=24 * 7)
SESSION_COOKIE_AGE = KETACARE_SESSION_MAX_HOURS * 3600  # the cookie dies with the session

KETACARE_TOKEN_DAYS = env_int("KETACARE_TOKEN_DAYS", 90, minimum=1, maximum=365)
KETACARE_TOKEN_MAX_DAYS = 365

OTP_TOTP_ISSUER = env_str("KETACARE_OTP_ISSUER", "KetaCare") or "KetaCare"
OTP_ADMIN_HIDE_SENSITIVE_DATA = True  # the Django admin never shows a TOTP key or its QR code

# Password reset mail: printed to the console in the demo and in debug mode.
EMAIL_BACKEND = env_str(
    "KETACARE_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if (DEBUG or DEMO)
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("KETACARE_EMAIL_HOST", "localhost") or "localhost"
EMAIL_PORT = env_int("KETACARE_EMAIL_PORT", 587, minimum=1, maximum=65535)
EMAIL_HOST_USER = env_str("KETACARE_EMAIL_USER", "") or ""
EMAIL_HOST_PASSWORD = env_str("KETACARE_EMAIL_PASSWORD", "") or ""
EMAIL_USE_TLS = env_bool("KETACARE_EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = env_str("KETACARE_EMAIL_FROM", "ketacare@localhost") or "ketacare@localhost"
# Check-in links in messages to patients start with this address (no trailing slash)
KETACARE_BASE_URL = (env_str("KETACARE_BASE_URL", "http://127.0.0.1:8000") or "").rstrip("/")
PASSWORD_RESET_TIMEOUT = 60 * 60  # a reset link works for one hour

# --- messages to patients: SMS and email (docs/deployment.md, "Messages to patients") ----------
KETACARE_NOTIFY_EMAIL_FROM = (
    env_str("KETACARE_NOTIFY_EMAIL_FROM", DEFAULT_FROM_EMAIL) or DEFAULT_FROM_EMAIL
)
KETACARE_SMS_BACKEND = env_str(
    "KETACARE_SMS_BACKEND",
    "ketacare.web.notify.sms.ConsoleSmsBackend"
    if (DEBUG or DEMO)
    else "ketacare.web.notify.sms.DisabledSmsBackend",
)
KETACARE_SMS_URL = env_str("KETACARE_SMS_URL", "") or ""
KETACARE_SMS_TOKEN = env_str("KETACARE_SMS_TOKEN", "") or ""
KETACARE_SMS_FROM = env_str("KETACARE_SMS_FROM", "") or ""
KETACARE_SMS_TIMEOUT_SECONDS = env_int("KETACARE_SMS_TIMEOUT_SECONDS", 10, minimum=1, maximum=60)

# --- background tasks: Celery with Redis as the broker (docs/deployment.md, section 10) ---------
# `ketacare worker` runs the tasks, `ketacare beat` sends the periodic ones; `ketacare demo` runs
# the same tasks in-process with no broker (ketacare.web.clinic.scheduler).
CELERY_BROKER_URL = env_str("KETACARE_BROKER_URL", "redis://127.0.0.1:6379/0")
CELERY_RESULT_BACKEND = CELERY_BROKER_URL  # a task's return value (a count) for an hour
CELERY_RESULT_EXPIRES = 3600
# run each task in the caller, no broker: the demo's default (its periodic tasks run in-process)
CELERY_TASK_ALWAYS_EAGER = env_bool("KETACARE_TASKS_EAGER", DEMO)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# acknowledged when done, not when received: a worker that dies mid-task leaves it on the queue
# for another; one task at a time per worker process so none waits behind a slow one
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 240  # seconds: SoftTimeLimitExceeded inside the task
CELERY_TASK_TIME_LIMIT = 300  # seconds: the worker process is killed and replaced
# Redis hands an unacknowledged task to another worker after this many seconds: longer than any
# task may run
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "UTC"
CELERY_ENABLE_UTC = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False  # keep the JSON log lines on stderr
CELERY_WORKER_REDIRECT_STDOUTS = False  # (the JSON handler writes to the real stderr)
CELERY_WORKER_SEND_TASK_EVENTS = False
CELERY_BEAT_SCHEDULE_FILENAME = str(DATA_DIR / "celerybeat-schedule")

# The periodic tasks, as data: name -> the task and its period in seconds. `ketacare beat` sends
# each one every period (a run not started within its period expires, so a stopped worker does
# not find a pile of them); `ketacare demo` runs them all in-process instead.
KETACARE_PERIODIC_TASKS: dict[str, dict[str, Any]] = {
    "send-due-checkins": {"task": "ketacare.checkins.send_due", "every_seconds": 5 * 60},
    "send-checkin-reminders": {
        "task": "ketacare.checkins.send_reminders",
        "every_seconds": 15 * 60,
    },
    "escalate-unacknowledged-alerts": {
        "task": "ketacare.checkins.escalate_alerts",
        "every_seconds": 5 * 60,
    },
}
CELERY_BEAT_SCHEDULE = {
    name: {
        "task": entry["task"],
        "schedule": float(entry["every_seconds"]),
        "options": {"expires": float(entry["every_seconds"])},
    }
    for name, entry in KETACARE_PERIODIC_TASKS.items()
}
