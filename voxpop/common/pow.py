"""Proof-of-work: an optional cost a reader's browser pays so that its comment gets the ordinary
per-source budget (PRODUCT.md 3.4).

A submission that carries a valid proof is counted against today's per-source budget; one without
(JavaScript off, a script that skips it, a wrong, stale or reused proof) against a stricter one as
well (voxpop.common.ratelimit). A missing or wrong proof is never an error for the reader: it only
means the stricter budget.

The thread page is public and cached, so nothing per reader may be put into it. The puzzle is built
from what the page already holds, the form's token (a signed stamp of the second the page was sent,
voxpop.reader.form_token) and the text being sent: find a `nonce` such that

    SHA-256(token + "\\n" + hex(SHA-256(body as UTF-8)) + "\\n" + nonce)

starts with at least VOXPOP_POW_BITS zero bits. `body` is the text as sent with its line breaks as
"\\n" (a browser sends a form's as "\\r\\n"), and `nonce` 1 to 64 ASCII letters, digits, "-" or "_".
Bound to the text, a solution is worthless for any other comment; the rate limiter also claims each
solution once, so one solution admits one comment. Each extra bit doubles the expected work: the
browser expects 2**bits hashes. The browser's half is voxpop/comments/static/voxpop/proof-of-work.js;
API clients send the same proof in a `Proof-Of-Work: <token> <nonce>` header (voxpop/api/proof_views.py).
"""
import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings

if TYPE_CHECKING:
    from voxpop.reader.form_token import FormToken

# Measured with this script in Chromium (docs/security.md): about 300,000 hashes a second on one
# laptop-class core, 55,000 with the CPU slowed 4x (Lighthouse's mid-range phone), 38,000 slowed 6x.
# 2**15 expected hashes: about 0.1 s on a laptop, 0.6 s on a mid-range phone, 0.9 s on a slow one.
DEFAULT_BITS = 15
# A proof is good as long as the form it was made for (voxpop.reader.form_token.FORM_MAX_AGE).
PROOF_MAX_AGE = 2 * 24 * 3600
CLOCK_SKEW = 60  # seconds a token may seem to come from the future (hosts' clocks differ a little)
NONCE_MAX_CHARS = 64
HEADER = "Proof-Of-Work"


def proof_bits() -> int:
    """VOXPOP_POW_BITS: the leading zero bits a proof needs (default 15); 0 turns proof-of-work off."""
    return getattr(settings, "VOXPOP_POW_BITS", DEFAULT_BITS)


def proof_enabled() -> bool:
    return proof_bits() > 0


@dataclass(frozen=True)
class Proof:
    """A verified solution: `key` names it (for the once-only claim), `valid_for` is how many more
    seconds it would be accepted."""

    key: str
    valid_for: int


def proof_verify(*, token: "FormToken | None", body: str, nonce: str, now: float) -> Proof | None:
    """The proof that `nonce` solves the puzzle of `token` and `body`, or None.

    `token` is a form token as voxpop.reader.form_token.form_token_read returns it (signature
    checked); `now` is Unix time, the token's own clock.
    """
    if token is None or not _nonce_valid(nonce):
        return None
    age = now - token.issued_at
    if age > PROOF_MAX_AGE or age < -CLOCK_SKEW:
        return None
    digest = proof_digest(token=token.value, body=body, nonce=nonce)
    if digest is None or not _leading_zero_bits_at_least(digest, proof_bits()):
        return None
    return Proof(key=digest.hex()[-32:], valid_for=int(PROOF_MAX_AGE - age) + 1)  # the tail: the head is zeros


def proof_digest(*, token: str, body: str, nonce: str) -> bytes | None:
    """SHA-256 of the puzzle's text for this nonce; None for a body that cannot be UTF-8 (a lone surrogate)."""
    try:
        text = body.replace("\r\n", "\n").replace("\r", "\n").encode("utf-8")
    except UnicodeEncodeError:
        return None
    challenge = f"{token}\n{hashlib.sha256(text).hexdigest()}\n{nonce}"
    return hashlib.sha256(challenge.encode("utf-8")).digest()


def proof_header_read(value: str) -> tuple[str, str]:
    """`Proof-Of-Work: <token> <nonce>` as (token, nonce); empty strings when it is not that shape."""
    parts = value.split()
    return (parts[0], parts[1]) if len(parts) == 2 else ("", "")


def _nonce_valid(nonce: str) -> bool:
    return 0 < len(nonce) <= NONCE_MAX_CHARS and nonce.isascii() and nonce.replace("-", "").replace("_", "").isalnum()


def _leading_zero_bits_at_least(digest: bytes, bits: int) -> bool:
    return int.from_bytes(digest, "big") >> (len(digest) * 8 - bits) == 0 if bits <= len(digest) * 8 else False
