"""Production settings: the base settings behind HTTPS, refusing to start half-configured.

`voxpop serve` uses this module. Besides base.py's variables it reads:

VOXPOP_SECRET_KEY            required here: at least 50 characters, not a demo or test key
VOXPOP_ALLOWED_HOSTS         required here: the public host names, comma-separated
VOXPOP_HSTS_SECONDS          Strict-Transport-Security max-age (default one year; 0 sends none)
VOXPOP_HSTS_PRELOAD          1 adds `preload` (default 0: a decision for the owner of the whole domain)
VOXPOP_SSL_REDIRECT          1 (default) redirects http to https; 0 when the TLS proxy already does
VOXPOP_TRUSTED_PROXY_HEADER  the header a TLS-terminating proxy sets on https requests, e.g.
                             `X-Forwarded-Proto` (meaning `X-Forwarded-Proto: https`); unset: trust none
VOXPOP_CSRF_TRUSTED_ORIGINS  extra https origins allowed to post workspace forms, comma-separated
"""
import os
import re
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

# Keys published in this repository: anyone could forge receipt links and form tokens with them.
PUBLIC_SECRET_KEYS = frozenset({
    "test-only-secret-key-not-for-production-use-0123456789",  # voxpop/settings/test.py
})
SECRET_KEY_MIN_CHARS = 50
HEADER_NAME = re.compile(r"^[A-Za-z0-9-]+$")


def _production_secret_key() -> str:
    """The environment's key, checked here: base.py would fall back to the demo's key file."""
    key = os.environ.get("VOXPOP_SECRET_KEY", "").strip()
    hint = "Generate one with: python3 -c 'import secrets; print(secrets.token_urlsafe(50))'"
    if not key:
        raise ImproperlyConfigured(f"VOXPOP_SECRET_KEY is required in production. {hint}")
    if len(key) < SECRET_KEY_MIN_CHARS or len(set(key)) < 5:
        raise ImproperlyConfigured(
            f"VOXPOP_SECRET_KEY is too short or too simple: use at least {SECRET_KEY_MIN_CHARS} random "
            f"characters. {hint}")
    demo_file = Path(os.environ.get("VOXPOP_DATA_DIR", "var")).resolve() / "secret_key"
    demo_key = demo_file.read_text().strip() if demo_file.is_file() else None
    if key in PUBLIC_SECRET_KEYS or key == demo_key or key.startswith("django-insecure-"):
        raise ImproperlyConfigured(f"VOXPOP_SECRET_KEY is a demo or test key, not a secret. {hint}")
    return key


def _production_allowed_hosts() -> list[str]:
    hosts = [h.strip() for h in os.environ.get("VOXPOP_ALLOWED_HOSTS", "").split(",") if h.strip()]
    if not hosts:
        raise ImproperlyConfigured(
            "VOXPOP_ALLOWED_HOSTS is required in production: the host names readers and moderators use, "
            "comma-separated (e.g. comments.news.example).")
    if "*" in hosts:
        # Receipt links are built from the Host header; any host would let a forged one point elsewhere.
        raise ImproperlyConfigured("VOXPOP_ALLOWED_HOSTS must name the hosts; '*' is not accepted in production.")
    return hosts


def _flag(name: str, default: bool) -> bool:
    raw = os.environ.get(name, "").strip().lower()
    if not raw:
        return default
    if raw not in ("0", "1", "true", "false", "yes", "no", "on", "off"):
        raise ImproperlyConfigured(f"{name} must be 1 or 0 (got {raw!r}).")
    return raw in ("1", "true", "yes", "on")


def _seconds(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdecimal():
        raise ImproperlyConfigured(f"{name} must be a whole number of seconds (got {raw!r}).")
    return int(raw)


def _proxy_ssl_header() -> tuple[str, str] | None:
    """`X-Forwarded-Proto` or `X-Forwarded-Proto: https` -> ("HTTP_X_FORWARDED_PROTO", "https")."""
    raw = os.environ.get("VOXPOP_TRUSTED_PROXY_HEADER", "").strip()
    if not raw:
        return None
    name, _, value = (part.strip() for part in raw.partition(":"))
    if not HEADER_NAME.match(name):
        raise ImproperlyConfigured(f"VOXPOP_TRUSTED_PROXY_HEADER must be a header name such as X-Forwarded-Proto "
                                   f"(got {raw!r}).")
    return "HTTP_" + name.upper().replace("-", "_"), value or "https"


def _csrf_trusted_origins() -> list[str]:
    origins = [o.strip() for o in os.environ.get("VOXPOP_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]
    for origin in origins:
        if not origin.startswith("https://"):
            raise ImproperlyConfigured(f"VOXPOP_CSRF_TRUSTED_ORIGINS takes https origins such as "
                                       f"https://comments.news.example (got {origin!r}).")
    return origins


# Checked before base.py is read, so a missing secret is reported as a production error.
_SECRET_KEY = _production_secret_key()
_ALLOWED_HOSTS = _production_allowed_hosts()

from .base import *  # noqa: E402,F401,F403

SECRET_KEY = _SECRET_KEY
ALLOWED_HOSTS = _ALLOWED_HOSTS
DEBUG = False

SECURE_HSTS_SECONDS = _seconds("VOXPOP_HSTS_SECONDS", 365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = _flag("VOXPOP_HSTS_PRELOAD", False)
SECURE_SSL_REDIRECT = _flag("VOXPOP_SSL_REDIRECT", True)
# Health probes and Prometheus often call the app directly over http; these answers carry no reader
# or moderator data (/metrics: counts only, and only for VOXPOP_METRICS_ALLOW or an admin's token).
SECURE_REDIRECT_EXEMPT = [r"^(healthz|readyz|metrics)$"]
SECURE_PROXY_SSL_HEADER = _proxy_ssl_header()
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
CSRF_TRUSTED_ORIGINS = _csrf_trusted_origins()

# Each silenced check is an explicit choice the operator made above, not a gap:
# W008: VOXPOP_SSL_REDIRECT=0 says the TLS-terminating proxy redirects http itself.
# W021: HSTS preload binds every host of the registrable domain for months, which is the
#       domain owner's decision (VOXPOP_HSTS_PRELOAD=1), not the comment service's.
SILENCED_SYSTEM_CHECKS = [
    *([] if SECURE_SSL_REDIRECT else ["security.W008"]),
    *([] if SECURE_HSTS_PRELOAD or not SECURE_HSTS_SECONDS else ["security.W021"]),
]
