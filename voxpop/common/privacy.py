"""Turning a request's source into a keyed hash (G5): the address itself is never stored or logged."""
import hashlib
import hmac
import ipaddress

from django.conf import settings
from django.http import HttpRequest


def source_network(request: HttpRequest) -> str:
    """The peer address, with IPv6 grouped by /64 since one home or phone holds a whole /64."""
    raw = request.META.get("REMOTE_ADDR", "")
    try:
        addr = ipaddress.ip_address(raw)
    except ValueError:
        return "unknown"
    if addr.version == 6:
        if addr.ipv4_mapped:
            return str(addr.ipv4_mapped)
        return str(ipaddress.ip_network(f"{addr}/64", strict=False))
    return str(addr)


def commenter_key(request: HttpRequest) -> str:
    """A pseudonymous key for the source: same reader, same key; no way back to the address."""
    digest = hmac.new(settings.SECRET_KEY.encode(), b"commenter:" + source_network(request).encode(),
                      hashlib.sha256)
    return digest.hexdigest()[:32]
