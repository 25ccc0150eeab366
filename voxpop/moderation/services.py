"""Moderation decisions: the only code that changes a comment's status after submission.

Each decision targets the revision the moderator saw. The update is a compare-and-set on
(status, current_revision), so of two moderators deciding on one revision exactly one wins and the
other gets `StaleDecision` (G3); each winning decision writes one ModerationDecision row.
"""
from datetime import datetime

from django.db import IntegrityError, transaction

from voxpop.accounts.models import User
from voxpop.comments.models import Comment, CommentRevision
from voxpop.desks.models import HouseRule

from .models import ModerationDecision

Status = Comment.Status


class StaleDecision(Exception):
    """The comment changed (new revision or another decision) since the moderator saw it."""

    def __init__(self, *, comment_id: int, revision_id: int):
        super().__init__(f"comment {comment_id} is no longer at revision {revision_id} awaiting this decision")
        self.comment_id, self.revision_id = comment_id, revision_id


@transaction.atomic
def comment_approve(*, comment_id: int, revision_id: int, moderator: User, now: datetime, note: str = "") -> None:
    """Publish the revision the moderator saw; refuse if the comment changed since."""
    _compare_and_set(comment_id=comment_id, revision_id=revision_id, from_statuses=[Status.PENDING],
                     status=Status.APPROVED, published_at=now)
    ModerationDecision.objects.create(
        comment_id=comment_id, revision_id=revision_id, actor=moderator, action=ModerationDecision.Action.APPROVE,
        from_status=Status.PENDING, to_status=Status.APPROVED, note=note, decided_at=now,
    )


@transaction.atomic
def comment_reject(*, comment_id: int, revision_id: int, moderator: User, rule: HouseRule, note: str,
                   now: datetime) -> None:
    """Keep the comment private for good, citing the house rule it breaks."""
    _compare_and_set(comment_id=comment_id, revision_id=revision_id, from_statuses=[Status.PENDING],
                     status=Status.REJECTED)
    ModerationDecision.objects.create(
        comment_id=comment_id, revision_id=revision_id, actor=moderator, action=ModerationDecision.Action.REJECT,
        from_status=Status.PENDING, to_status=Status.REJECTED, rule=rule, note=note, decided_at=now,
    )


@transaction.atomic
def comment_edit(*, comment_id: int, revision_id: int, moderator: User, body: str, rule: HouseRule, note: str,
                 approve: bool, now: datetime) -> CommentRevision:
    """Add a moderator's revision under a house rule, keeping every earlier one; optionally approve.

    A pending comment stays pending unless `approve`; a published one stays published with the edit.
    Edit-and-approve of a comment another moderator decided meanwhile is stale, like any decision.
    """
    # Edit-and-approve is a decision on a pending comment; a plain edit may also correct a published one.
    editable = [Status.PENDING] if approve else [Status.PENDING, Status.APPROVED]
    comment = Comment.objects.filter(pk=comment_id).only("status").first()
    if comment is None or comment.status not in editable:
        raise StaleDecision(comment_id=comment_id, revision_id=revision_id)
    seen = CommentRevision.objects.filter(pk=revision_id, comment_id=comment_id).first()
    if seen is None:
        raise StaleDecision(comment_id=comment_id, revision_id=revision_id)
    try:
        revision = CommentRevision.objects.create(
            comment_id=comment_id, number=seen.number + 1, body=body, created_at=now,
            editor=moderator, rule=rule, note=note,
        )
    except IntegrityError:  # another edit of the same revision won the race
        raise StaleDecision(comment_id=comment_id, revision_id=revision_id) from None
    to_status = Status.APPROVED if approve else comment.status
    changes = {"current_revision": revision, "status": to_status}
    if to_status == Status.APPROVED and comment.status == Status.PENDING:
        changes["published_at"] = now
    _compare_and_set(comment_id=comment_id, revision_id=revision_id, from_statuses=[comment.status], **changes)
    ModerationDecision.objects.create(
        comment_id=comment_id, revision=revision, actor=moderator, action=ModerationDecision.Action.EDIT,
        from_status=comment.status, to_status=to_status, rule=rule, note=note, decided_at=now,
    )
    return revision


def _compare_and_set(*, comment_id: int, revision_id: int, from_statuses: list[str], **changes) -> None:
    updated = Comment.objects.filter(
        pk=comment_id, status__in=from_statuses, current_revision_id=revision_id,
    ).update(**changes)
    if updated != 1:
        raise StaleDecision(comment_id=comment_id, revision_id=revision_id)
