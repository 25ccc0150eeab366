"""The signature a CMS puts on embed parameters so that an unknown story can be registered.

The signed message is the fields below, each on its own line, UTF-8, after a version line; the
signature is HMAC-SHA256 of it under the site's secret, in lower-case hex. No field may contain a
line break, so the message cannot be read two ways. Chosen over a signed query string because
PHP, JavaScript and Python join lines identically, while their URL encoders differ in small ways.

    voxpop-story-v1
    <site>
    <key>
    <title>
    <url>
    <language>
    <desk>
    <expires>      Unix time in seconds after which the signature is refused

docs/embedding.md shows the same computation in Python, PHP and JavaScript.
"""
import hashlib
import hmac

VERSION = "voxpop-story-v1"
SIGNED_FIELDS = ("site", "key", "title", "url", "language", "desk", "expires")


def registration_message(fields: dict[str, str]) -> bytes:
    """The exact bytes that are signed; `fields` holds every name of SIGNED_FIELDS."""
    values = [str(fields[name]) for name in SIGNED_FIELDS]
    if any("\n" in value or "\r" in value for value in values):
        raise ValueError("signed embed fields cannot contain line breaks")
    return "\n".join([VERSION, *values]).encode("utf-8")


def registration_sign(*, secret: str, fields: dict[str, str]) -> str:
    """What the CMS computes: hex HMAC-SHA256 of the message under the site's secret."""
    return hmac.new(secret.encode("utf-8"), registration_message(fields), hashlib.sha256).hexdigest()


def registration_signature_valid(*, secret: str, fields: dict[str, str], signature: str) -> bool:
    try:
        expected = registration_sign(secret=secret, fields=fields)
    except ValueError:
        return False
    return hmac.compare_digest(expected, signature.lower())
