"""Polis settings. Everything a deployment changes comes from the environment.

The defaults run a whole Polis on one machine with nothing installed: SQLite in var/, the
database task backend, e-mail and SMS written to the console and the outbox, the sandbox
payment gateway. docs/deployment.md lists the variables that swap each part for production.
"""

import os
import secrets
from pathlib import Path
from typing import Any

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("POLIS_VAR_DIR", PROJECT_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _secret_key() -> str:
    if key := os.environ.get("SECRET_KEY"):
        return key
    # A machine without SECRET_KEY keeps one in var/ so that sessions survive restarts.
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG")
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "polis",
    "polis.accounts",
    "polis.network",
    "polis.coverage",
    "polis.care",
    "polis.notify",
    "polis.jobs",
    "polis.payments",
    "polis.billing",
    "polis.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "polis.middleware.LocalTimeMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "polis.urls"
WSGI_APPLICATION = "polis.wsgi.application"

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
                "polis.context_processors.polis",
            ],
            "builtins": ["polis.templatetags.polis"],
        },
    }
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'polis.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    # The web server and the worker share the file: wait for a lock rather than fail at once.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["polis.accounts.backends.PhoneOrEmailBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

# "Remember me" keeps the session this long; without it the session ends with the browser.
SESSION_COOKIE_AGE = 60 * 60 * 24 * 30
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", "Русский")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"
# Shown to people in their own zone; Moscow unless the person's city says otherwise.
POLIS_DEFAULT_TIMEZONE = "Europe/Moscow"
FORMAT_MODULE_PATH = ["polis.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", PROJECT_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))

# Background work goes through the Django tasks API. The database backend needs nothing
# else; TASKS_BACKEND=rq (with REDIS_URL) moves the queue to Redis via django-tasks-rq
# (installed with `uv sync --extra redis`).
_tasks_backend = os.environ.get("TASKS_BACKEND", "database")
TASKS: dict[str, dict[str, Any]]
if _tasks_backend == "immediate":
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
elif _tasks_backend == "rq":
    INSTALLED_APPS.append("django_tasks_rq")
    RQ_QUEUES = {"default": {"URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")}}
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# Caches are optional: rate limits and lockouts live in the database so that the embedded
# default holds them without Redis.
if redis_url := os.environ.get("REDIS_URL"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url}}

# E-mail: console (and the outbox table) by default; EMAIL_URL=smtp://user:pass@host:587
# switches to SMTP.
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Polis <noreply@polis.local>")
if email_url := os.environ.get("EMAIL_URL"):
    from urllib.parse import unquote, urlparse

    _e = urlparse(email_url)
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _e.hostname or "localhost"
    EMAIL_PORT = _e.port or 587
    EMAIL_HOST_USER = unquote(_e.username or "")
    EMAIL_HOST_PASSWORD = unquote(_e.password or "")
    EMAIL_USE_TLS = _e.scheme in {"smtp+tls", "submission"} or EMAIL_PORT == 587
    EMAIL_USE_SSL = _e.scheme == "smtps"
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# SMS: "console" writes to the log and the outbox; "smsru" sends through SMS.ru's HTTP API.
SMS_BACKEND = os.environ.get("SMS_BACKEND", "console")
SMS_API_KEY = os.environ.get("SMS_API_KEY", "")
SMS_SENDER = os.environ.get("SMS_SENDER", "")

POLIS_INSURER_NAME = os.environ.get("POLIS_INSURER_NAME", "Страховая компания «Полис»")
POLIS_SITE_URL = os.environ.get("POLIS_SITE_URL", "http://127.0.0.1:8000")
# Map tiles are loaded by the browser; the list and the markers work without them.
POLIS_MAP_TILES_URL = os.environ.get("POLIS_MAP_TILES_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
POLIS_MAP_ATTRIBUTION = os.environ.get(
    "POLIS_MAP_ATTRIBUTION", '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>'
)

# Brute-force limits (one place; tests read them from here).
# Payments: the built-in sandbox by default (its own hosted page: success, decline, pending);
# PAYMENTS_GATEWAY=yookassa with YOOKASSA_SHOP_ID and YOOKASSA_SECRET_KEY in production.
PAYMENTS_GATEWAY = os.environ.get("PAYMENTS_GATEWAY", "sandbox")
YOOKASSA_SHOP_ID = os.environ.get("YOOKASSA_SHOP_ID", "")
YOOKASSA_SECRET_KEY = os.environ.get("YOOKASSA_SECRET_KEY", "")
# YooKassa signs nothing: notifications are accepted only from its published networks, and the
# payment is re-read from the API before anything is done.
YOOKASSA_NOTIFICATION_NETWORKS = os.environ.get(
    "YOOKASSA_NOTIFICATION_NETWORKS",
    "185.71.76.0/27,185.71.77.0/27,77.75.153.0/25,77.75.156.11/32,77.75.156.35/32,77.75.154.128/25,2a02:5180::/32",
).split(",")
# Seconds to wait for YooKassa's API (its SDK waits 30 minutes by default: a web worker would hang).
YOOKASSA_TIMEOUT = int(os.environ.get("YOOKASSA_TIMEOUT", "15"))
# Proxies whose X-Forwarded-For is believed when checking a notification's sender (comma-separated
# addresses); empty: the TCP peer is the sender.
PAYMENTS_TRUSTED_PROXIES = [p.strip() for p in os.environ.get("PAYMENTS_TRUSTED_PROXIES", "").split(",") if p.strip()]
# The most one automatic co-pay charge may take from a bound card (stated in the agreement).
POLIS_AUTOPAY_CAP_KOPECKS = int(os.environ.get("POLIS_AUTOPAY_CAP_KOPECKS", "1500000"))
# VAT code for receipts (54-FZ); 1 = without VAT (insurance services are exempt).
PAYMENTS_RECEIPT_VAT_CODE = int(os.environ.get("PAYMENTS_RECEIPT_VAT_CODE", "1"))

# The medical desk. Answer-time targets (minutes from a request to the desk's decision) per
# urgency; letters with a sum limit above the threshold need a second doctor; clinics and the desk
# are warned this many days before a letter ends.
DESK_ANSWER_TARGET_MINUTES = {
    "urgent": int(os.environ.get("DESK_ANSWER_TARGET_URGENT_MINUTES", "30")),
    "routine": int(os.environ.get("DESK_ANSWER_TARGET_ROUTINE_MINUTES", "120")),
}
DESK_LETTER_APPROVAL_KOPECKS = int(os.environ.get("DESK_LETTER_APPROVAL_KOPECKS", "5000000"))
DESK_LETTER_WARN_DAYS = int(os.environ.get("DESK_LETTER_WARN_DAYS", "3"))

POLIS_LOGIN_MAX_FAILURES = 5
POLIS_LOGIN_WINDOW_SECONDS = 15 * 60
POLIS_LOGIN_LOCKOUT_SECONDS = 15 * 60
POLIS_CODE_TTL_SECONDS = 10 * 60
POLIS_CODE_MAX_ATTEMPTS = 5
POLIS_CODE_RESEND_SECONDS = 60
POLIS_CODES_PER_HOUR = 5
POLIS_API_TOKEN_DAYS = 90

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

if not DEBUG and env_bool("SECURE_COOKIES"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
