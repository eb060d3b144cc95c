"""Django settings for KetaCare, read from the environment (docs/configuration.md).

SQLite is the zero-configuration default so that ``ketacare demo`` works on a fresh machine;
``DATABASE_URL=postgres://...`` switches to PostgreSQL for production. In production mode
(``KETACARE_DEBUG`` unset or false, ``KETACARE_DEMO`` unset) a missing ``KETACARE_SECRET_KEY`` stops
the server; the demo generates a throwaway key.
"""

from __future__ import annotations

import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from ketacare.web.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(env_str("KETACARE_DATA_DIR", str(Path.cwd() / "var")) or "var")

DEBUG = env_bool("KETACARE_DEBUG", False)
DEMO = env_bool("KETACARE_DEMO", False)

_secret = env_str("KETACARE_SECRET_KEY")
if not _secret:
    if not (DEBUG or DEMO):
        raise ImproperlyConfigured(
            "KETACARE_SECRET_KEY is not set. Set it to a long random string in production; "
            "`ketacare demo` and KETACARE_DEBUG=1 generate a throwaway key."
        )
    _secret = "demo-" + secrets.token_urlsafe(48)
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
    "django_htmx",
    "ketacare.web.core_app",
    "ketacare.web.accounts",
    "ketacare.web.audit",
    "ketacare.web.patients",
    "ketacare.web.courses",
    "ketacare.web.measures",
    "ketacare.web.treatments",
    "ketacare.web.evidence",
]

AUTH_USER_MODEL = "accounts.User"

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "ketacare.web.core_app.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "ketacare.web.core_app.middleware.ConflictMiddleware",
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
                "ketacare.web.core_app.context.ketacare",
            ],
        },
    },
]

_database_url = env_str("DATABASE_URL")
if _database_url:
    DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "ketacare.sqlite3",
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
STATICFILES_DIRS = [BASE_DIR / "static"]  # site.css and the vendored htmx.min.js
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LOGIN_URL = "/accounts/login/"
LOGOUT_REDIRECT_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("KETACARE_SECURE_COOKIES", not (DEBUG or DEMO))
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"

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
        "OPTIONS": {"min_length": 12},
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
PASSWORD_RESET_TIMEOUT = 60 * 60  # a reset link works for one hour
