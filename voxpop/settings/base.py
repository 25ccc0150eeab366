"""Voxpop settings, read once from the environment.

VOXPOP_DATA_DIR   where the SQLite database and local state live (default ./var)
DATABASE_URL      e.g. postgres://user@127.0.0.1:5432/voxpop; SQLite in the data dir when unset
REDIS_URL         e.g. redis://127.0.0.1:6379/0; a per-process memory cache when unset
VOXPOP_SECRET_KEY required outside the demo (the demo keeps a generated one in the data dir)
VOXPOP_ALLOWED_HOSTS  comma-separated host names (default: localhost names only)
VOXPOP_THREAD_TRUST_SECONDS  how long a worker serves a cached thread before asking the shared cache
                  whether another app host changed it (default 1; 0: every read asks); changes on
                  the same host are seen at once
VOXPOP_PUBLIC_URL where readers reach Voxpop, e.g. https://comments.example.org: the thread fragment's
                  links and form point there (default: the origin each request was sent to)
VOXPOP_SESSION_IDLE_MINUTES  a moderator idle this long signs in again (default 120; 0: never)
VOXPOP_RETENTION_DAYS days before `voxpop purge` blanks pending and rejected comments (default 90)
VOXPOP_WEBHOOKS_ALLOW_PRIVATE  1: webhook endpoints may be on loopback or private networks (default 0)
VOXPOP_TRUSTED_PROXIES  comma-separated networks of reverse proxies whose X-Forwarded-For is believed
                  (default: none; REMOTE_ADDR is the reader)
VOXPOP_SOURCE_KEY secret of the source hashes (default: derived from VOXPOP_SECRET_KEY); replace it to
                  make earlier periods' commenter keys underivable
VOXPOP_SOURCE_KEY_DAYS  days each source-hash key is used before the next one (default 7)
VOXPOP_RATE_LIMIT_SOURCE, VOXPOP_RATE_LIMIT_STORY, VOXPOP_RATE_LIMIT_GLOBAL  submission budgets,
                  comma-separated "N/unit" (unit: second, minute, hour, day); defaults
                  10/minute,60/hour; 120/minute; 600/minute (voxpop.common.ratelimit)
VOXPOP_RATE_LIMIT_SOURCE_UNPROVEN  the stricter per-source budget of submissions without a
                  proof-of-work (default 3/minute,20/hour)
VOXPOP_POW_BITS   zero bits a submission's proof-of-work needs (default 15, at most 24; 0: proof-of-work off)
VOXPOP_FORM_MIN_SECONDS  a reader form sent sooner than this after the page was served is refused
                  as "too fast" (default 3)
VOXPOP_METRICS_ALLOW  comma-separated networks that may read /metrics without an admin's token
                  (default 127.0.0.1/32, ::1/128; "none": no network, tokens only)
"""
import ipaddress
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

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
            "ENGINE": "voxpop.sqlite",  # Django's SQLite backend with prompt turns for writers
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
        # A hung Redis must not hold a request for long: give up after a second.
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url,
                "KEY_PREFIX": "voxpop", "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1}}
    return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "voxpop"}


def _rate_limit_cache() -> dict:
    """The rate limiter's counters: the same Redis, but giving up after 250 ms so a hung Redis never
    holds a submission (voxpop.common.ratelimit then counts in the process); per process without it."""
    url = os.environ.get("REDIS_URL", "").strip()
    if url:
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url,
                "KEY_PREFIX": "voxpop-rl", "OPTIONS": {"socket_timeout": 0.25, "socket_connect_timeout": 0.25}}
    # Room for the counters of every source in a flood: the default 300 entries would cull live counts.
    return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "voxpop-ratelimit",
            "OPTIONS": {"MAX_ENTRIES": 200_000}}


def _thread_cache() -> dict:
    """Rendered threads (voxpop.common.thread_cache), shared by every worker: Redis when configured,
    else files in the data directory, which every worker of one host sees. A hung Redis is given up
    after 250 ms: the thread is then rendered from the database instead."""
    url = os.environ.get("REDIS_URL", "").strip()
    if url:
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url,
                "KEY_PREFIX": "voxpop", "OPTIONS": {"socket_timeout": 0.25, "socket_connect_timeout": 0.25}}
    return {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(DATA_DIR / "cache" / "threads"), "OPTIONS": {"MAX_ENTRIES": 20_000}}


def _networks(name: str) -> tuple[str, ...]:
    """Comma-separated addresses or CIDR networks, e.g. `10.0.0.0/8, 2001:db8::/32, 127.0.0.1`."""
    networks = []
    for value in (v.strip() for v in os.environ.get(name, "").split(",")):
        if not value:
            continue
        try:
            networks.append(str(ipaddress.ip_network(value, strict=False)))
        except ValueError:
            raise ImproperlyConfigured(f"{name} takes comma-separated addresses or networks such as "
                                       f"10.0.0.0/8 or 2001:db8::/32 (got {value!r}).") from None
    return tuple(networks)


RATE_UNITS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}


def _rate_budgets(name: str, default: str) -> tuple[tuple[int, int], ...]:
    """`10/minute,60/hour` -> ((10, 60), (60, 3600)): each a count allowed per fixed window."""
    raw = os.environ.get(name, "").strip() or default
    budgets = []
    for part in (p.strip() for p in raw.split(",")):
        count, _, unit = part.partition("/")
        if not count.strip().isdecimal() or int(count) < 1 or unit.strip() not in RATE_UNITS:
            raise ImproperlyConfigured(f"{name} takes comma-separated budgets such as 10/minute,60/hour "
                                       f"(a whole number from 1, then second, minute, hour or day; got {raw!r}).")
        budgets.append((int(count), RATE_UNITS[unit.strip()]))
    return tuple(budgets)


def _source_key() -> str:
    key = os.environ.get("VOXPOP_SOURCE_KEY", "").strip()
    if key and len(key) < 32:
        raise ImproperlyConfigured("VOXPOP_SOURCE_KEY must be at least 32 random characters, or unset "
                                   "(then the source hashes are keyed from VOXPOP_SECRET_KEY).")
    return key


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
    "voxpop.webhooks",
    "voxpop.transfer",
    "voxpop.embed",
    "voxpop.workspace",
    "voxpop.site",
]

MIDDLEWARE = [
    "voxpop.common.middleware.SecurityHeadersMiddleware",  # first: its headers go on every response
    "voxpop.common.middleware.RefuseNulMiddleware",
    "voxpop.embed.cors.EmbedMiddleware",  # inside SecurityHeaders: it extends frame-ancestors first
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
    # Last, so it sees a view's exception first: a database outage answers 503 with the text kept.
    "voxpop.comments.unavailable.StorageUnavailableMiddleware",
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
CACHES = {"default": _cache(), "ratelimit": _rate_limit_cache(), "threads": _thread_cache()}
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
    "filters": {"receipt_tokens": {"()": "voxpop.common.access_log.ReceiptTokenInMessagesFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["receipt_tokens"]}},
    # django.request logs the request line only at WARNING; never bodies or addresses.
    "root": {"handlers": ["console"], "level": "INFO"},
}

# Origins allowed to show the reader thread in an iframe (space-separated CSP source list).
VOXPOP_FRAME_ANCESTORS = os.environ.get("VOXPOP_FRAME_ANCESTORS", "'self'")

# Pending comments older than this (since submission) and rejected ones (since the rejection) lose
# their text, name and keys at the next `voxpop purge` (voxpop.moderation.retention).
VOXPOP_RETENTION_DAYS = _days("VOXPOP_RETENTION_DAYS", 90)

# Webhook endpoints on this machine or a private network are refused (SSRF) unless this is 1: for a
# receiver on the same host or LAN, and for the tests' local receiver (voxpop.webhooks).
VOXPOP_WEBHOOKS_ALLOW_PRIVATE = os.environ.get("VOXPOP_WEBHOOKS_ALLOW_PRIVATE", "") == "1"

# Reader sources (voxpop.common.privacy): which proxies' X-Forwarded-For to believe, and the keys of
# the source hashes, which change every VOXPOP_SOURCE_KEY_DAYS days.
VOXPOP_TRUSTED_PROXIES = _networks("VOXPOP_TRUSTED_PROXIES")
# Who may scrape /metrics without an admin's API token (voxpop.site.metrics).
VOXPOP_METRICS_ALLOW = (() if os.environ.get("VOXPOP_METRICS_ALLOW", "").strip().lower() == "none"
                        else _networks("VOXPOP_METRICS_ALLOW") or ("127.0.0.1/32", "::1/128"))
VOXPOP_SOURCE_KEY = _source_key()
VOXPOP_SOURCE_KEY_DAYS = _days("VOXPOP_SOURCE_KEY_DAYS", 7)

# Submission budgets per source, per story and for the site (voxpop.common.ratelimit).
VOXPOP_RATE_LIMITS = {
    "source": _rate_budgets("VOXPOP_RATE_LIMIT_SOURCE", "10/minute,60/hour"),
    "source_unproven": _rate_budgets("VOXPOP_RATE_LIMIT_SOURCE_UNPROVEN", "3/minute,20/hour"),
    "story": _rate_budgets("VOXPOP_RATE_LIMIT_STORY", "120/minute"),
    "global": _rate_budgets("VOXPOP_RATE_LIMIT_GLOBAL", "600/minute"),
}

# A reader form posted sooner than this after the page was served is refused as "too fast": people
# take longer than that to write anything, bots that post the form at once do not.
VOXPOP_FORM_MIN_SECONDS = _whole_number("VOXPOP_FORM_MIN_SECONDS", 3)

# Proof-of-work (voxpop.common.pow): each bit doubles a browser's work; 15 is about 0.6 s on a
# mid-range phone. Submissions without a proof get the source_unproven budget above.
VOXPOP_POW_BITS = _whole_number("VOXPOP_POW_BITS", 15)
if VOXPOP_POW_BITS > 24:  # about two minutes on a phone: past this no reader with JavaScript could post
    raise ImproperlyConfigured(f"VOXPOP_POW_BITS must be 0 to 24 (got {VOXPOP_POW_BITS}).")
# 1: score and screen each new comment before answering the reader (tests); else right after, in
# each process's intake thread (voxpop.scoring.intake).
VOXPOP_INTAKE_INLINE = os.environ.get("VOXPOP_INTAKE_INLINE", "") == "1"
# How long a worker trusts the thread generations it read from the shared cache while this host's
# change board shows no change: a publication made on another app host reaches its readers up to
# this much later; one made on this host, at once (voxpop.reader.fastpath, voxpop.common.change_board).
VOXPOP_THREAD_TRUST_SECONDS = float(os.environ.get("VOXPOP_THREAD_TRUST_SECONDS", "1"))
# Links in the thread fragment a CMS includes in its own pages point here (no trailing slash).
VOXPOP_PUBLIC_URL = os.environ.get("VOXPOP_PUBLIC_URL", "").strip().rstrip("/")
