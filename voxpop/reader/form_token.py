"""The comment form's token: a signed time stamp that dates the page the form came from.

The token is the same for every reader served within the same second, so a thread page that
carries it stays public and cacheable (no per-reader value ever sits in cached HTML). It answers
two questions about a post: was the form sent too soon after the page was served (a script), or
long after (a tab left open for days)? A resent form is recognised by `form_submission_key`, from
the token and what was typed, or from a random key a script adds to the form.
"""
import hashlib
import hmac
import time
from dataclasses import dataclass

from django.conf import settings
from django.core import signing

from voxpop.comments.limits import IDEMPOTENCY_KEY_MAX_CHARS

FORM_SALT = "voxpop.comments.form"
FORM_MAX_AGE = 2 * 24 * 3600  # a form older than this was probably left open in a tab for days

# Served pages ask for a token many times a second; one signature per second is enough.
_memo: tuple[int, str] = (-1, "")


def form_min_seconds() -> int:
    """VOXPOP_FORM_MIN_SECONDS: a form sent sooner than this after it was served is a bot's (default 3)."""
    return getattr(settings, "VOXPOP_FORM_MIN_SECONDS", 3)


@dataclass(frozen=True)
class FormToken:
    value: str
    issued_at: float  # Unix time (whole seconds) the page with the form was served


def new_form_token() -> str:
    """The token for a form served now: `dumps()` signs the current second into it."""
    global _memo
    second = int(time.time())
    if _memo[0] != second:
        _memo = (second, signing.dumps("form", salt=FORM_SALT))
    return _memo[1]


def form_token_read(token: str) -> FormToken | None:
    """The issue time of a token this server signed within FORM_MAX_AGE; None otherwise."""
    try:
        signing.loads(token, salt=FORM_SALT, max_age=FORM_MAX_AGE)
        # dumps() gives "payload:timestamp:signature", the timestamp in base 62; loads() checked all three.
        issued_at = signing.b62_decode(token.rsplit(":", 2)[1])
    except (signing.BadSignature, ValueError, IndexError):
        return None
    return FormToken(value=token, issued_at=issued_at)


def idempotency_key_valid(value: str) -> bool:
    return 0 < len(value) <= IDEMPOTENCY_KEY_MAX_CHARS and value.isascii() and value.isprintable()


def form_submission_key(*, token: FormToken, idempotency_key: str, commenter_key: str, body: str,
                        display_name: str, parent_id: int | None) -> str:
    """What makes a resent form one comment (G4).

    A script puts a random key in the form once per page load: that key is the submission. Without
    one, the same token from the same source with the same text, name and parent is the same form
    sent again (a double click, a reload after a lost answer); readers behind one address who typed
    different text make different comments.
    """
    if idempotency_key:
        return f"form:{idempotency_key}"
    message = "\x1f".join([token.value, commenter_key, body, display_name, str(parent_id or "")])
    digest = hmac.new(settings.SECRET_KEY.encode(), message.encode(), hashlib.sha256).hexdigest()
    return f"form:{digest[:48]}"
