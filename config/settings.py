"""Relais settings, driven by environment variables (twelve-factor).

Every setting that differs between a laptop and production comes from the environment;
the defaults are the safe-for-development ones that `make run` relies on.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
# The test suite (pytest-env sets RELAIS_TESTING=1) runs with DEBUG off over plain http.
TESTING = env_bool("RELAIS_TESTING", False)
# Serving real people: what `manage.py check --deploy` and config/wsgi.py hold to account.
PRODUCTION = not DEBUG and not TESTING
SECRET_KEY = os.environ.get("SECRET_KEY", "")
# Management commands (migrate, makemigrations…) need no secret; serving does:
# config/wsgi.py and config/asgi.py refuse to start without one when DEBUG is off.
SECRET_KEY_IS_PLACEHOLDER = not SECRET_KEY
if SECRET_KEY_IS_PLACEHOLDER:
    SECRET_KEY = "insecure-development-key-never-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "rest_framework",
    # API tokens (hashed, expiring): the model is accounts.ApiToken (KNOX_TOKEN_MODEL).
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tasks_db",
    "guardian",
    "axes",
    "auditlog",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "core",
    "accounts",
    "history",
    "cases",
    "guides",
    "referrals",
    "reports",
    "supervision",
]
# The demo data set (`manage.py seed_demo`) is not shipped to production unless asked for:
# elsewhere the command does not exist ("Unknown command").
if DEBUG or TESTING or env_bool("RELAIS_DEMO", False):
    INSTALLED_APPS.append("demo")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): whether this session has given its second factor.
    "django_otp.middleware.OTPMiddleware",
    # Before LoginRequiredMiddleware: an expired session is signed out, then sent to login.
    "core.middleware.SessionLifetimeMiddleware",
    # Cache-Control for signed-in users (the API's token users included) and
    # Permissions-Policy on every response.
    "core.middleware.SecurityHeadersMiddleware",
    "accounts.middleware.CurrentOrganizationMiddleware",
    # Who changed what, through which channel (web, API, admin): README, "History of changes".
    "history.middleware.HistoryMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # After LoginRequiredMiddleware: a signed-in session gives its second factor (or
    # enrols, when its role requires one) before any other page (accounts/two_factor.py).
    "accounts.middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "core.middleware.DatabaseBusyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.memberships",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # One writer at a time: a request waits for the lock (up to SQLITE_BUSY_TIMEOUT seconds)
    # instead of failing with "database is locked". Immediate transactions take the write
    # lock at BEGIN; a deferred one that reads then writes fails at once, whatever the
    # timeout, because SQLite cannot wait there without risking a deadlock.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault(
        "timeout", float(os.environ.get("SQLITE_BUSY_TIMEOUT", "20"))
    )
    DATABASES["default"]["OPTIONS"].setdefault("transaction_mode", "IMMEDIATE")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# History of changes (django-auditlog): our entry model carries the young person and the
# channel; values kept as JSON types; no client address stored with each change.
AUDITLOG_LOGENTRY_MODEL = "history.HistoryEntry"
AUDITLOG_STORE_JSON_CHANGES = True
AUDITLOG_DISABLE_REMOTE_ADDR = True
# django-auditlog 3.4.1's migrations create its own log entry table even when the model is
# swapped for ours: an unused table whose foreign keys make `flush` (and so transactional
# tests) fail on PostgreSQL (jazzband/django-auditlog#804, fixed by #805, unreleased).
# Its only model is swapped out, so it needs no migration here.
MIGRATION_MODULES = {"auditlog": None}
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out (account, client) pair before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
# Platform staff are not members of any organisation: no anonymous user is needed.
ANONYMOUS_USER_NAME = None

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("username", "first_name", "last_name", "email")},
    },
    {"NAME": "accounts.password_validation.UserNameInPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "accounts.password_validation.FrenchCommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- sign-in protection (README, "Sign-in protection") -----------------------------------
# How many reverse proxies that append to X-Forwarded-For stand in front of Relais. 0 (the
# default): the client is REMOTE_ADDR and X-Forwarded-For is ignored, so a forged header
# changes nothing. core.http.client_ip reads it for the lockout, NUM_PROXIES for DRF.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
# django-axes: after LOGIN_FAILURE_LIMIT consecutive failures on one account from one
# client, that pair is locked for LOGIN_LOCKOUT_MINUTES after the last attempt.
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "10"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("LOGIN_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "core.http.client_ip"
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
# Successful logins are the security log's business, not a second unbounded table.
AXES_DISABLE_ACCESS_LOG = True
# Password reset requests: at most this many per client address and per email address
# in PASSWORD_RESET_LIMIT_PERIOD seconds; beyond, no email is sent (same answer).
PASSWORD_RESET_LIMIT_PER_IP = int(os.environ.get("PASSWORD_RESET_LIMIT_PER_IP", "5"))
PASSWORD_RESET_LIMIT_PER_EMAIL = int(os.environ.get("PASSWORD_RESET_LIMIT_PER_EMAIL", "3"))
PASSWORD_RESET_LIMIT_PERIOD = int(os.environ.get("PASSWORD_RESET_LIMIT_PERIOD", "3600"))
# Two-factor authentication (README, "Two-factor authentication"): the issuer shown in
# authenticator apps; secrets and recovery codes never shown in the Django admin.
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "Relais")
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/Paris")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))

# Documents about young people are personal data: they live outside any web-served
# directory and are only ever streamed by a permission-checked view.
PRIVATE_MEDIA_ROOT = Path(os.environ.get("PRIVATE_MEDIA_ROOT", BASE_DIR / "private_media"))
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": PRIVATE_MEDIA_ROOT, "base_url": None},
    },
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": PRIVATE_MEDIA_ROOT, "base_url": None},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
DOCUMENT_MAX_BYTES = int(os.environ.get("DOCUMENT_MAX_BYTES", str(5 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# Console email by default (development); set EMAIL_BACKEND to
# django.core.mail.backends.smtp.EmailBackend and the EMAIL_* variables in production.
# In production the console backend is refused (core/checks.py, config/wsgi.py): it would
# print young people's names into the logs.
CONSOLE_EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
_email_backend = os.environ.get("EMAIL_BACKEND", CONSOLE_EMAIL_BACKEND)
_email_options: dict = {}
if _email_backend.endswith("smtp.EmailBackend"):
    _email_options = {
        "host": os.environ.get("EMAIL_HOST", "localhost"),
        "port": int(os.environ.get("EMAIL_PORT", "25")),
        "username": os.environ.get("EMAIL_HOST_USER", ""),
        "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
        "use_tls": env_bool("EMAIL_USE_TLS", False),
    }
MAILERS = {"default": {"BACKEND": _email_backend, "OPTIONS": _email_options}}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Relais <no-reply@relais.invalid>")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# A session ends after SESSION_IDLE_MINUTES without a request and SESSION_MAX_HOURS after
# the sign-in, whatever the activity (core/middleware.py, SessionLifetimeMiddleware).
SESSION_IDLE_MINUTES = int(os.environ.get("SESSION_IDLE_MINUTES", "120"))
SESSION_MAX_HOURS = int(os.environ.get("SESSION_MAX_HOURS", "12"))
SESSION_COOKIE_AGE = SESSION_MAX_HOURS * 3600

# --- https (README, "Production settings") -----------------------------------------------
# On by default in production; the test suite and DEBUG serve plain http.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", PRODUCTION)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000" if PRODUCTION else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", PRODUCTION)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", PRODUCTION)
# Only behind a reverse proxy that terminates TLS and overwrites X-Forwarded-Proto:
# otherwise any client could claim https.
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Features no page of Relais uses, refused to the page and to anything it could embed
# (core/middleware.py, SecurityHeadersMiddleware).
PERMISSIONS_POLICY = dict.fromkeys(
    (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    ),
    "()",
)
X_FRAME_OPTIONS = "DENY"
# No inline script or style anywhere: the UI works with CSS files and plain forms.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

# --- API tokens (README, "REST API for partner systems") ------------------------------------
# django-rest-knox keeps only a SHA-512 digest of each token (the key is shown once) and
# refuses it after its expiry. The model is Relais' own (a label, the last use).
KNOX_TOKEN_MODEL = "accounts.ApiToken"
# knox's migrations would create its stock `knox_authtoken` table: unused once the model is
# swapped, yet its foreign key to the users would break `manage.py flush` (and the test
# runner's) on PostgreSQL. Without them, no table is made for the swapped model.
MIGRATION_MODULES["knox"] = None
API_TOKEN_TTL_DAYS = int(os.environ.get("API_TOKEN_TTL_DAYS", "30"))
if API_TOKEN_TTL_DAYS < 1:
    raise ImproperlyConfigured("API_TOKEN_TTL_DAYS must be 1 or more.")
# Live tokens one user may hold at once (each client system its own); beyond, a clear 409.
API_TOKEN_LIMIT_PER_USER = int(os.environ.get("API_TOKEN_LIMIT_PER_USER", "10"))
REST_KNOX = {
    "TOKEN_TTL": timedelta(days=API_TOKEN_TTL_DAYS),
    # Leaked keys are recognisable (secret scanners, logs): relais_ + 64 hex characters.
    "TOKEN_PREFIX": "relais_",
    "AUTH_HEADER_PREFIX": "Token",
    # An expiry is a promise to the owner: using a token does not extend it.
    "AUTO_REFRESH": False,
    "TOKEN_LIMIT_PER_USER": API_TOKEN_LIMIT_PER_USER,
}

REST_FRAMEWORK = {
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # Token first: an anonymous call then gets 401 with a WWW-Authenticate header.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "core.api.schema.RelaisAutoSchema",
    "EXCEPTION_HANDLER": "core.api.exceptions.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
        "rest_framework.throttling.ScopedRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("API_THROTTLE_ANON", "60/min"),
        "user": os.environ.get("API_THROTTLE_USER", "600/min"),
        "token": os.environ.get("API_THROTTLE_TOKEN", "10/min"),
    },
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # Throttling identifies the client as core.http.client_ip does (same setting).
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Relais API",
    "DESCRIPTION": (
        "API for partner systems: young people's files (within the caller's permissions), "
        "referrals and their transitions. Authenticate with `Authorization: Token <key>` "
        "(POST /api/v1/auth/token/: the key is shown once and expires at `expires_at`; a "
        "password change or deactivation revokes it). Out-of-reach objects answer 404."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # /api/schema/ and /api/docs/: open in DEBUG, signed-in users and tokens otherwise.
    "SERVE_PERMISSIONS": ["core.api.permissions.ApiDocsAccess"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "ENUM_NAME_OVERRIDES": {
        "YoungPersonStatusEnum": "cases.enums.YoungPersonStatus",
        "StepStatusEnum": "cases.enums.StepStatus",
        "ApplicationStatusEnum": "cases.enums.ApplicationStatus",
        "DocumentKindEnum": "cases.enums.DocumentKind",
        "ReferralStatusEnum": "referrals.enums.ReferralStatus",
        "ReferralReasonEnum": "referrals.enums.ReferralReason",
        "DeclineReasonEnum": "referrals.enums.DeclineReason",
        "OrganizationKindEnum": "accounts.enums.OrganizationKind",
    },
}

# Notifications go through Django's tasks framework. The default runs them at once, in
# the request; production sets TASKS_BACKEND=django_tasks_db.DatabaseBackend and runs
# `manage.py db_worker` (see README).
TASKS = {
    "default": {
        "BACKEND": os.environ.get(
            "TASKS_BACKEND", "django.tasks.backends.immediate.ImmediateBackend"
        )
    }
}

# Referrals: a reminder after REFERRAL_REMINDER_DAYS without an answer, expiry after
# REFERRAL_EXPIRY_DAYS (`manage.py expire_referrals`, run by a scheduler).
REFERRAL_REMINDER_DAYS = int(os.environ.get("REFERRAL_REMINDER_DAYS", "7"))
REFERRAL_EXPIRY_DAYS = int(os.environ.get("REFERRAL_EXPIRY_DAYS", "14"))
WEBHOOK_TIMEOUT_SECONDS = int(os.environ.get("WEBHOOK_TIMEOUT_SECONDS", "10"))
# Plain http only for development and tests: partner systems receive events over https.
WEBHOOK_ALLOW_HTTP = env_bool("WEBHOOK_ALLOW_HTTP", DEBUG)
# Webhook hosts must resolve to public internet addresses only (core/netguard.py). True
# lifts that check, for a receiver on 127.0.0.1 in development and tests: never in
# production, where it would let an organisation admin reach the internal network.
WEBHOOK_ALLOW_PRIVATE_ADDRESSES = env_bool("WEBHOOK_ALLOW_PRIVATE_ADDRESSES", False)

RELAIS_BASE_URL = os.environ.get("RELAIS_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

# Caseload defaults.
CASELOAD_PAGE_SIZE = 25
STALE_FOLLOW_UP_DAYS = int(os.environ.get("STALE_FOLLOW_UP_DAYS", "30"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {
        "relais.audit": {
            "handlers": ["console"],
            "level": os.environ.get("AUDIT_LOG_LEVEL", "INFO"),
        },
        "relais.security": {
            "handlers": ["console"],
            "level": os.environ.get("AUDIT_LOG_LEVEL", "INFO"),
        },
        # One line per task run is noise; failures still show.
        "django.tasks": {"handlers": ["console"], "level": "WARNING", "propagate": False},
    },
}
