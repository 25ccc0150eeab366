"""Signal: the commenter key is on hold or banned in the desk the comment is routed to.

A restriction is active until it expires or a moderator lifts it; another desk's restriction does
not apply (see `CommenterRestriction`). A ban also rejects the comment after scoring
(`comment_screen`); the signal says why when a moderator reopens it.
"""
from django.db.models import Q

from voxpop.moderation.models import CommenterRestriction

from .base import Context, Signal

LABELS = {CommenterRestriction.Kind.HOLD: "Commenter on hold", CommenterRestriction.Kind.BAN: "Commenter banned"}


def detect(context: Context) -> list[Signal]:
    key = context.comment.commenter_key
    if not key:
        return []
    kinds = set(CommenterRestriction.objects.filter(commenter_key=key, desk=context.desk, revoked_at__isnull=True)
                .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=context.now))
                .values_list("kind", flat=True))
    if not kinds:
        return []
    kind = CommenterRestriction.Kind.BAN if CommenterRestriction.Kind.BAN in kinds else CommenterRestriction.Kind.HOLD
    return [Signal(name="restricted", label=LABELS[kind], weight=0.5)]
