"""A request's source, turned into keyed hashes on arrival (G5): the address is never stored or logged.

Every use of the source address goes through this module:

- `client_address`: the reader's address. `REMOTE_ADDR`, unless the peer is one of the reverse
  proxies named in VOXPOP_TRUSTED_PROXIES; then the right-most `X-Forwarded-For` entry that is not
  itself a trusted proxy. Entries left of that one were written by the client and prove nothing.
- `source_network`: that address with IPv6 grouped by /64 (one home or phone holds a whole /64).
- `source_keys` / `commenter_key`: HMACs of the network under a key that changes every
  VOXPOP_SOURCE_KEY_DAYS days ("period"). Each purpose has its own hash: the commenter key
  (moderators' pseudonym for a source, holds and bans) and the rate-limit key are unrelated values.

A period key is HMAC(source secret, "voxpop-source:" + period number), the source secret being
VOXPOP_SOURCE_KEY, or VOXPOP_SECRET_KEY when that is unset. Keys of different periods cannot be
linked without the secret; whoever holds the secret can recompute every period's key, so only
replacing the secret makes old keys underivable (docs/security.md, "Limits").
"""
import functools
import hashlib
import hmac
import ipaddress
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.http import HttpRequest

from voxpop.common import clock

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

UNKNOWN = "unknown"  # no usable address: every such request shares this one source


@dataclass(frozen=True)
class SourceKeys:
    """The keyed hashes of one request's source; deliberately without the address itself."""

    commenter: str            # this period's commenter key, stored on the comment
    previous_commenter: str   # the same source's key in the previous period, for carrying restrictions over
    rate: str                 # the rate limiter's key, unrelated to the commenter key


# Settings, read when used (tests override them).

def trusted_proxies() -> tuple[Network, ...]:
    """VOXPOP_TRUSTED_PROXIES: networks whose X-Forwarded-For is believed. Default: none."""
    return _networks(tuple(getattr(settings, "VOXPOP_TRUSTED_PROXIES", ())))


@functools.lru_cache(maxsize=16)
def _networks(values: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(value, strict=False) for value in values)


def source_key_days() -> int:
    return getattr(settings, "VOXPOP_SOURCE_KEY_DAYS", 7)


def _source_secret() -> bytes:
    return (getattr(settings, "VOXPOP_SOURCE_KEY", "") or settings.SECRET_KEY).encode()


# The address.

def client_address(request: HttpRequest) -> Address | None:
    """The reader's address, following X-Forwarded-For only through trusted proxies; None if unusable."""
    peer = _address(request.META.get("REMOTE_ADDR", ""))
    proxies = trusted_proxies()
    if peer is None or not _is_trusted(peer, proxies):
        return peer
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if not forwarded.strip():
        return peer  # the proxy's own request (a health check), or a proxy that sets no header
    hops = [hop.strip() for hop in forwarded.split(",")]
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            # A trusted proxy wrote something that is not an address ("unknown", an obfuscated
            # name): the chain cannot be followed further, and what lies left of it is the client's.
            return None
        if not _is_trusted(address, proxies):
            return address
    return _address(hops[0])  # only trusted proxies on the way: the request came from one of them


def _address(text: str) -> Address | None:
    """An address from REMOTE_ADDR or an X-Forwarded-For entry, which may carry a port."""
    text = text.strip()
    if text.startswith("["):  # [2001:db8::1]:443
        text = text[1:].partition("]")[0]
    elif text.count(":") == 1:  # 192.0.2.1:443
        text = text.partition(":")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if address.version == 6 and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def _is_trusted(address: Address, proxies: tuple[Network, ...]) -> bool:
    return any(address.version == network.version and address in network for network in proxies)


def source_network(request: HttpRequest) -> str:
    """The source as hashed: an IPv4 address, an IPv6 /64, or "unknown". Never store or log it."""
    address = client_address(request)
    if address is None:
        return UNKNOWN
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


# The keyed hashes.

def period_of(now: datetime) -> int:
    """The number of the key period `now` falls in: VOXPOP_SOURCE_KEY_DAYS-day periods since 1970 (UTC)."""
    return int(now.timestamp()) // (source_key_days() * 86400)


def _period_key(period: int) -> bytes:
    return _derive(_source_secret(), period)


@functools.lru_cache(maxsize=8)
def _derive(secret: bytes, period: int) -> bytes:
    return hmac.new(secret, f"voxpop-source:{period}".encode(), hashlib.sha256).digest()


def _hash(purpose: str, network: str, period: int) -> str:
    return hmac.new(_period_key(period), f"{purpose}:{network}".encode(), hashlib.sha256).hexdigest()[:32]


def source_keys(request: HttpRequest, *, now: datetime) -> SourceKeys:
    """Every keyed hash a submission needs, computed once from the request's source."""
    network, period = source_network(request), period_of(now)
    return SourceKeys(commenter=_hash("commenter", network, period),
                      previous_commenter=_hash("commenter", network, period - 1),
                      rate=_hash("rate-limit", network, period))


def commenter_key(request: HttpRequest, *, now: datetime | None = None) -> str:
    """A pseudonymous key for the source in this period: same source, same key; no way back to the address."""
    return _hash("commenter", source_network(request), period_of(now or clock.now()))
