"""Sign-in throttling, kept in the database so it holds without Redis and across every app process.

Each sign-in attempt is written down for its user name and for its source *before* the password is
checked, then ranked among the failures of the last WINDOW: past LIMITS it is refused without looking
at the password or the code, so even the right ones do not get in, and a burst of parallel guesses
cannot all pass a count taken before any of them was written. A successful sign-in deletes the
user name's failures and its own source row.

Every user name is counted the same way, whether an account has it or not, so a refusal says
nothing about which accounts exist. The keys are keyed hashes (G5): neither the typed user name nor
the source address is stored, and the source key is derived from the commenter key rather than
equal to it, so sign-in rows cannot be matched to a reader's comments.
"""
import hashlib
import hmac
import math
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings

from voxpop.accounts.models import SignInFailure

Kind = SignInFailure.KeyKind

WINDOW = timedelta(minutes=15)
# Five tries per user name are plenty for a moderator fumbling their code; twenty per source let a
# newsroom's moderators share one office address without locking each other out.
LIMITS = {Kind.USERNAME: 5, Kind.SOURCE: 20}


class SignInThrottled(Exception):
    """Too many failed sign-ins for this user name or from this source within the window."""

    def __init__(self, *, retry_after: int):
        super().__init__(f"sign-in throttled for {retry_after} s")
        self.retry_after = retry_after


@dataclass(frozen=True)
class SignInAttempt:
    username_key: str | None
    row_ids: tuple[int, ...]


def _hash(purpose: str, value: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"sign-in-{purpose}:{value}".encode("utf-8", "surrogatepass"),
                    hashlib.sha256).hexdigest()


def username_key(username: str) -> str:
    """One key for every spelling that could name the same account (Unicode form and case)."""
    return _hash("username", unicodedata.normalize("NFKC", username).casefold())


def sign_in_attempt_start(*, username: str, source: str, now: datetime) -> SignInAttempt:
    """Count this attempt against `username` and `source` (a commenter key); refuse it past the limits.

    Raises SignInThrottled, with the seconds until an attempt would be let through again.
    """
    SignInFailure.objects.filter(at__lte=now - WINDOW).delete()
    keys = {Kind.SOURCE: _hash("source", source)}
    if username.strip():
        keys[Kind.USERNAME] = username_key(username)
    rows = [SignInFailure.objects.create(key_kind=kind, key=key, at=now) for kind, key in keys.items()]
    mine = [row.pk for row in rows]
    retry_after = 0
    for row in rows:
        recent = SignInFailure.objects.filter(key_kind=row.key_kind, key=row.key, at__gt=now - WINDOW)
        if recent.filter(pk__lte=row.pk).count() > LIMITS[row.key_kind]:
            earlier = list(recent.exclude(pk__in=mine).order_by("at").values_list("at", flat=True))
            frees_at = earlier[len(earlier) - LIMITS[row.key_kind]] + WINDOW
            retry_after = max(retry_after, math.ceil((frees_at - now).total_seconds()), 1)
    if retry_after:
        SignInFailure.objects.filter(pk__in=mine).delete()  # a refused attempt is no new failure
        raise SignInThrottled(retry_after=retry_after)
    return SignInAttempt(username_key=keys.get(Kind.USERNAME), row_ids=tuple(mine))


def sign_in_attempt_succeed(*, attempt: SignInAttempt) -> None:
    """The attempt signed in: clear its user name's failures and its own source row."""
    SignInFailure.objects.filter(pk__in=attempt.row_ids).delete()
    if attempt.username_key:
        SignInFailure.objects.filter(key_kind=Kind.USERNAME, key=attempt.username_key).delete()
