"""The webhook signature: `Voxpop-Signature: t=<unix time>,v1=<hex HMAC-SHA256>`.

The HMAC is keyed with the endpoint's secret and covers "<t>.<raw body>", so a receiver can check
both that Voxpop sent the body unchanged and when (to refuse replays of old deliveries). The
README's "Webhooks" section shows a receiver's check; `signature_verify` is the same check.
"""
import hashlib
import hmac
import time

TOLERANCE_SECONDS = 300


def signature(*, secret: str, timestamp: int, body: bytes) -> str:
    return hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode("ascii") + body, hashlib.sha256).hexdigest()


def signature_header(*, secret: str, timestamp: int, body: bytes) -> str:
    return f"t={timestamp},v1={signature(secret=secret, timestamp=timestamp, body=body)}"


def signature_verify(*, secret: str, header: str, body: bytes, now: float | None = None,
                     tolerance: int = TOLERANCE_SECONDS) -> bool:
    """Whether `header` signs `body` with `secret` at a time within `tolerance` seconds of `now`."""
    fields = [item.partition("=") for item in header.split(",")]
    stamps = [value for key, _, value in fields if key.strip() == "t"]
    given = [value.strip() for key, _, value in fields if key.strip() == "v1"]
    if len(stamps) != 1 or not stamps[0].strip().isdecimal() or not given:
        return False
    timestamp = int(stamps[0])
    if abs((time.time() if now is None else now) - timestamp) > tolerance:
        return False
    expected = signature(secret=secret, timestamp=timestamp, body=body)
    return any(hmac.compare_digest(expected, value) for value in given)
