"""Reads for moderators: queues, one comment's record, a commenter's history, the audit log.

Every function takes the moderator and sees only their desks: a comment of another desk is
indistinguishable from one that does not exist (404, never 403, so ids cannot be probed).
"""
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet

from voxpop.accounts.models import User
from voxpop.comments.models import Comment, CommentRevision

from .models import CommenterRestriction, ModerationDecision


def comment_list_for_queue(*, moderator: User, after_id: int | None, limit: int, signal: str = "") -> list[Comment]:
    """Pending comments of the moderator's desks, oldest first, after the `after_id` cursor."""
    qs = _pending_for_api(moderator=moderator, signal=signal).order_by("pk")
    if after_id:
        qs = qs.filter(pk__gt=after_id)
    return list(qs[:limit])


def comment_list_for_queue_by_risk(*, moderator: User, after: tuple[float, datetime, int] | None, limit: int,
                                   signal: str = "") -> list[Comment]:
    """Pending comments of the moderator's desks, highest priority first (held ones on top), then oldest.

    `after` is the (priority, created_at, id) of the last comment of the previous page: a keyset
    cursor, so a page is not shifted by the decisions taken on the ones before it.
    """
    qs = _pending_for_api(moderator=moderator, signal=signal).order_by("-priority", "created_at", "pk")
    if after:
        priority, created_at, pk = after
        qs = qs.filter(Q(priority__lt=priority) | Q(priority=priority, created_at__gt=created_at)
                       | Q(priority=priority, created_at=created_at, pk__gt=pk))
    return list(qs[:limit])


def _pending_for_api(*, moderator: User, signal: str) -> QuerySet[Comment]:
    qs = (Comment.objects.filter(status=Comment.Status.PENDING, desk_id__in=moderator.desk_ids())
          .select_related("story", "desk", "current_revision__assessment"))
    return qs.filter(signal_hits__name=signal) if signal else qs


def comment_get_for_moderator(*, moderator: User, comment_id: int) -> Comment | None:
    """The comment if it belongs to one of the moderator's desks; None hides its existence (404)."""
    return (Comment.objects.select_related("story", "desk", "current_revision__rule", "current_revision__editor",
                                           "current_revision__assessment")
            .filter(pk=comment_id, desk_id__in=moderator.desk_ids()).first())


def comment_next_pending(*, moderator: User, comment: Comment) -> int | None:
    """The id of the pending comment after this one in the moderator's oldest-first queue."""
    return (Comment.objects.filter(status=Comment.Status.PENDING, desk_id__in=moderator.desk_ids())
            .filter(Q(created_at__gt=comment.created_at) | Q(created_at=comment.created_at, pk__gt=comment.pk))
            .order_by("created_at", "pk").values_list("pk", flat=True).first())


@dataclass(frozen=True)
class QueueFilter:
    status: str = Comment.Status.PENDING
    desk: int | None = None
    story: str = ""
    language: str = ""
    search: str = ""
    commenter: str = ""
    newest_first: bool = False
    by_risk: bool = False  # pending only: held comments, then the highest queue priority, first
    signal: str = ""       # only comments whose current assessment has this signal (SignalHit.name)


def comment_queryset_for_queue(*, moderator: User, filters: QueueFilter) -> QuerySet[Comment]:
    """One queue of the moderator's desks, filtered; pending oldest first unless asked otherwise."""
    desks = moderator.desk_ids()
    if filters.desk is not None:
        desks = desks & {filters.desk}
    qs = (Comment.objects.filter(desk_id__in=desks, status=filters.status)
          .select_related("story", "desk", "current_revision__rule", "current_revision__editor",
                          "current_revision__assessment"))
    if filters.signal:
        qs = qs.filter(signal_hits__name=filters.signal)  # one hit per (comment, name): no duplicates
    if filters.story:
        qs = qs.filter(story__key=filters.story)
    if filters.language:
        qs = qs.filter(language=filters.language)
    if filters.commenter:
        qs = qs.filter(commenter_key=filters.commenter)
    if filters.search:
        qs = qs.filter(Q(current_revision__body__icontains=filters.search)
                       | Q(display_name__icontains=filters.search))
    if filters.by_risk and filters.status == Comment.Status.PENDING:
        # Scoring's priority puts a held comment above any risk (scoring.services.HELD_PRIORITY).
        return qs.order_by("-priority", "created_at", "pk")
    newest = filters.newest_first or filters.status != Comment.Status.PENDING
    time = "published_at" if filters.status == Comment.Status.APPROVED else "created_at"
    return qs.order_by(f"-{time}", "-pk") if newest else qs.order_by(time, "pk")


COUNT_CAP = 1000
# The workspace's queues. Withdrawn and expired comments have no text left to moderate; each stays
# reachable on its own page, with its audit log.
QUEUE_STATUSES = (Comment.Status.PENDING, Comment.Status.APPROVED, Comment.Status.REJECTED)


def queue_counts(*, moderator: User, desk: int | None = None) -> dict[str, int | None]:
    """How many comments each queue of the moderator's desks holds.

    Pending is counted exactly; approved and rejected only grow, so they are counted up to
    COUNT_CAP and given as None beyond it ("1,000+"), which keeps the count on an index range.
    """
    desks = moderator.desk_ids() if desk is None else moderator.desk_ids() & {desk}
    counts = {}
    for status in QUEUE_STATUSES:
        qs = Comment.objects.filter(desk_id__in=desks, status=status)
        if status == Comment.Status.PENDING:
            counts[status] = qs.count()
        else:
            capped = qs.order_by()[:COUNT_CAP + 1].count()
            counts[status] = capped if capped <= COUNT_CAP else None
    return counts


def comment_history_for_commenter(*, moderator: User, comment: Comment, limit: int = 20) -> list[Comment]:
    """Earlier comments with the same pseudonymous key, in the moderator's desks, newest first."""
    if not comment.commenter_key:
        return []
    return list(Comment.objects.filter(commenter_key=comment.commenter_key, desk_id__in=moderator.desk_ids())
                .exclude(pk=comment.pk).select_related("story", "current_revision")
                .order_by("-created_at", "-pk")[:limit])


def comment_count_for_commenter_everywhere(*, commenter_key: str) -> int:
    """How many comments carry this key in every desk: what an admin's erasure would take down."""
    return Comment.objects.filter(commenter_key=commenter_key).count() if commenter_key else 0


def revision_list(*, comment: Comment) -> list[CommentRevision]:
    return list(comment.revisions.select_related("editor", "rule").order_by("number"))


def decision_list_for_comment(*, comment: Comment) -> list[ModerationDecision]:
    return list(comment.decisions.select_related("actor", "rule", "revision").order_by("decided_at", "pk"))


def decision_list(*, moderator: User, actor: User | None = None, limit: int = 200) -> list[ModerationDecision]:
    """The audit log of the moderator's desks, newest first, optionally one moderator's decisions."""
    qs = (ModerationDecision.objects.filter(comment__desk_id__in=moderator.desk_ids())
          .select_related("actor", "rule", "revision", "comment__story").order_by("-decided_at", "-pk"))
    if actor is not None:
        qs = qs.filter(actor=actor)
    return list(qs[:limit])


def decision_last_undoable(*, moderator: User) -> ModerationDecision | None:
    return (ModerationDecision.objects.filter(
        actor=moderator, action__in=["approve", "reject", "edit"], undone_by__isnull=True)
        .select_related("comment").order_by("-decided_at", "-pk").first())


def restriction_list_for_comment(*, comment: Comment) -> list[CommenterRestriction]:
    """Holds and bans, past and present, on this comment's commenter in its desk."""
    return list(CommenterRestriction.objects.filter(commenter_key=comment.commenter_key, desk_id=comment.desk_id)
                .select_related("created_by", "revoked_by"))


def restriction_list_active(*, moderator: User, now: datetime) -> list[CommenterRestriction]:
    return list(CommenterRestriction.objects.filter(revoked_at__isnull=True, desk_id__in=moderator.desk_ids())
                .exclude(expires_at__lte=now).select_related("created_by", "desk"))
