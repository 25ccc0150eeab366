"""Writes of sites: what `voxpop site` does. Each is one transaction with keyword-only arguments."""
import secrets
from datetime import datetime
from urllib.parse import urlsplit

from django.db import transaction

from voxpop.common.thread_cache import threads_changed_everywhere
from voxpop.desks.models import Desk

from .models import Site

DEFAULT_PORTS = {"http": 80, "https": 443}


class SiteRefused(Exception):
    """The site's settings cannot be used; `reason` says what to change."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def origin_normalize(value: str) -> str:
    """`https://News.Example:443/` -> `https://news.example`: the form browsers send in `Origin`.

    Refuses anything that is not exactly an origin (a path, a query, a user name, a wildcard),
    since the same value becomes a CORS answer and a CSP frame-ancestors source.
    """
    raw = value.strip()
    try:
        parts = urlsplit(raw)
        port = parts.port
        host = (parts.hostname or "").encode("idna").decode("ascii")
    except (ValueError, UnicodeError):
        raise SiteRefused(f"{raw!r} is not an origin such as https://news.example.") from None
    if parts.scheme not in DEFAULT_PORTS or not host or "*" in raw:
        raise SiteRefused(f"{raw!r} is not an origin such as https://news.example (http or https, a host name).")
    if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username or parts.password:
        raise SiteRefused(f"{raw!r} has more than an origin: give only scheme, host and port, "
                          "e.g. https://news.example.")
    if ":" in host:
        host = f"[{host}]"
    shown_port = "" if port in (None, DEFAULT_PORTS[parts.scheme]) else f":{port}"
    return f"{parts.scheme}://{host}{shown_port}"


def _desks(keys: list[str]) -> list[Desk]:
    desks = list(Desk.objects.filter(key__in=keys))
    missing = sorted(set(keys) - {d.key for d in desks})
    if missing:
        raise SiteRefused(f"No desk has the key {missing[0]!r}.")
    return desks


@transaction.atomic
def site_create(*, name: str, origins: list[str], desk_keys: list[str], now: datetime) -> Site:
    """A new site with a fresh signing secret; `desk_keys` are the desks its CMS may open stories on."""
    if Site.objects.filter(name=name).exists():
        raise SiteRefused(f"A site named {name!r} exists already.")
    site = Site.objects.create(name=name, origins=sorted({origin_normalize(o) for o in origins}),
                               secret=secrets.token_urlsafe(32), created_at=now, updated_at=now)
    site.desks.set(_desks(desk_keys))
    threads_changed_everywhere()  # cached thread pages carry the frame-ancestors of every site
    return site


@transaction.atomic
def site_update(*, site: Site, origins: list[str] | None = None, desk_keys: list[str] | None = None,
                now: datetime) -> Site:
    """Replace the site's origins and/or desks (None: keep them)."""
    if origins is not None:
        site.origins = sorted({origin_normalize(o) for o in origins})
    if desk_keys is not None:
        site.desks.set(_desks(desk_keys))
    site.updated_at = now
    site.save(update_fields=["origins", "updated_at"])
    threads_changed_everywhere()
    return site


@transaction.atomic
def site_secret_rotate(*, site: Site, now: datetime) -> str:
    """A new signing secret; embeds signed with the old one stop registering stories at once."""
    site.secret = secrets.token_urlsafe(32)
    site.updated_at = now
    site.save(update_fields=["secret", "updated_at"])
    return site.secret


@transaction.atomic
def site_delete(*, site: Site) -> None:
    """Forget the site: its origins lose CORS and framing; stories it registered stay."""
    site.delete()
    threads_changed_everywhere()
