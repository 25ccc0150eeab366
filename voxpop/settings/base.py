"""Voxpop settings, read once from the environment.

VOXPOP_DATA_DIR   where the SQLite database and local state live (default ./var)
DATABASE_URL      e.g. postgres://user@127.0.0.1:5432/voxpop; SQLite in the data dir when unset
REDIS_URL         e.g. redis://127.0.0.1:6379/0; a per-process memory cache when unset
VOXPOP_SECRET_KEY required outside the demo (the demo keeps a generated one in the data dir)
VOXPOP_ALLOWED_HOSTS  comma-separated host names (default: localhost names only)
VOXPOP_SESSION_IDLE_MINUTES  a moderator idle this long signs in again (default 120; 0: never)
VOXPOP_RETENTION_DAYS days before `voxpop purge` blanks pending and rejected comments (default 90)
"""
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("VOXPOP_DATA_DIR", "var")).resolve()
SECRET_FILE = DATA_DIR / "secret_key"


def _secret_key() -> str:
    """The environment's key, else the one `voxpop demo` generated for this data dir."""
    key = os.environ.get("VOXPOP_SECRET_KEY", "").strip()
    if key:
        return key
    if SECRET_FILE.exists():
        return SECRET_FILE.read_text().strip()
    raise ImproperlyConfigured(
        "VOXPOP_SECRET_KEY is not set. Set it to a long random string "
        "(for example: python3 -c 'import secrets; print(secrets.token_urlsafe(50))'), "
        "or run `voxpop demo`, which generates one for its own data directory."
    )


def _database() -> dict:
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "voxpop.sqlite3"),
            "OPTIONS": {
                # WAL lets readers run beside the writer; IMMEDIATE takes the write lock at BEGIN
                # so concurrent submissions queue on busy_timeout instead of failing on upgrade.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    db = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    return db


def _days(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdecimal() or int(raw) < 1:
        raise ImproperlyConfigured(f"{name} must be a whole number of days, at least 1 (got {raw!r}).")
    return int(raw)


def _whole_number(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdecimal():
        raise ImproperlyConfigured(f"{name} must be a whole number (got {raw!r}).")
    return int(raw)


def _cache() -> dict:
    url = os.environ.get("REDIS_URL", "").strip()
    if url:
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url,
                "KEY_PREFIX": "voxpop"}
    return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "voxpop"}


SECRET_KEY = _secret_key()
DEBUG = os.environ.get("VOXPOP_DEBUG", "") == "1"
ALLOWED_HOSTS = [h.strip() for h in os.environ.get(
    "VOXPOP_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",") if h.strip()]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "voxpop.common",
    "voxpop.desks",
    "voxpop.accounts",
    "voxpop.stories",
    "voxpop.comments",
    "voxpop.reader",
    "voxpop.moderation",
    "voxpop.scoring",
    "voxpop.api",
    "voxpop.workspace",
    "voxpop.site",
]

MIDDLEWARE = [
    "voxpop.common.middleware.SecurityHeadersMiddleware",  # first: its headers go on every response
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "voxpop.common.middleware.SessionLifetimeMiddleware",  # before OTP: a signed-out user is never verified
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "voxpop.urls"
WSGI_APPLICATION = "voxpop.wsgi.application"
TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates",
    "DIRS": [],
    "APP_DIRS": True,
    "OPTIONS": {"context_processors": [
        "django.template.context_processors.request",
        "django.template.context_processors.csrf",
        "django.contrib.messages.context_processors.messages",
    ]},
}]

DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
CACHES = {"default": _cache()}
AUTH_USER_MODEL = "accounts.User"

USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", "English"),
    ("ko", "한국어"),
    ("zh-hans", "简体中文"),
    ("zh-hant", "繁體中文"),
]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]

STATIC_URL = "/static/"
STATIC_ROOT = os.environ.get("VOXPOP_STATIC_ROOT") or None  # collectstatic target in production
WHITENOISE_USE_FINDERS = True

# Request size limits: the comment body limit is far below these; they stop floods of bytes.
DATA_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000  # a bulk decision posts one field per selected comment
FILE_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024

# Moderator sessions: a working day, then sign in again (with the second factor); also after
# VOXPOP_SESSION_IDLE_MINUTES without a request (0: no idle limit). SessionLifetimeMiddleware
# counts both from the sign-in, since Django renews the expiry each time the session changes.
SESSION_COOKIE_AGE = 10 * 3600
VOXPOP_SESSION_IDLE_SECONDS = 60 * _whole_number("VOXPOP_SESSION_IDLE_MINUTES", 120)
SESSION_COOKIE_NAME = "voxpop_session"
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
LOGIN_URL = "/moderation/sign-in/"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    # django.request logs the request line only at WARNING; never bodies or addresses.
    "root": {"handlers": ["console"], "level": "INFO"},
}

# Origins allowed to show the reader thread in an iframe (space-separated CSP source list).
VOXPOP_FRAME_ANCESTORS = os.environ.get("VOXPOP_FRAME_ANCESTORS", "'self'")

# Pending comments older than this (since submission) and rejected ones (since the rejection) lose
# their text, name and keys at the next `voxpop purge` (voxpop.moderation.retention).
VOXPOP_RETENTION_DAYS = _days("VOXPOP_RETENTION_DAYS", 90)
