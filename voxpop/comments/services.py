"""Writes of the reader path. Status changes after submission live in voxpop.moderation.services."""
import hashlib
from dataclasses import dataclass
from datetime import datetime

from django.core import signing
from django.db import IntegrityError, transaction

from voxpop.stories.models import Story

from .models import Comment, CommentRevision

RECEIPT_SALT = "voxpop.comments.receipt"


class StoryClosed(Exception):
    pass


class InvalidParent(Exception):
    """The reply target is not a published comment of this story."""


class IdempotencyKeyReused(Exception):
    """The same Idempotency-Key came with a different comment."""


@dataclass(frozen=True)
class Submission:
    comment: Comment
    created: bool


def comment_submit(*, story: Story, body: str, display_name: str, parent_id: int | None,
                   submission_key: str | None, commenter_key: str, now: datetime) -> Submission:
    """Store a reader's comment as pending and commit it before returning (G4).

    The same `submission_key` with the same content returns the first comment instead of a second.
    """
    if story.state_at(now) != Story.State.OPEN:
        raise StoryClosed(story.key)
    parent = _reply_target(story=story, parent_id=parent_id)
    fingerprint = _fingerprint(body, display_name, parent)
    if submission_key:
        earlier = _earlier_submission(story=story, submission_key=submission_key, fingerprint=fingerprint)
        if earlier:
            return Submission(earlier, created=False)
    try:
        with transaction.atomic():
            comment = Comment.objects.create(
                story=story, parent=parent, display_name=display_name, language=story.language,
                desk_id=story.desk_id, created_at=now, commenter_key=commenter_key,
                submission_key=submission_key or None, fingerprint=fingerprint,
            )
            comment.current_revision = CommentRevision.objects.create(
                comment=comment, number=1, body=body, created_at=now)
            comment.save(update_fields=["current_revision"])
    except IntegrityError:
        earlier = submission_key and _earlier_submission(
            story=story, submission_key=submission_key, fingerprint=fingerprint)
        if not earlier:
            raise
        return Submission(earlier, created=False)
    return Submission(comment, created=True)


def receipt_token(comment: Comment) -> str:
    """The private token of the author's receipt link: only the server can make one (G6)."""
    return signing.Signer(salt=RECEIPT_SALT).sign(str(comment.pk))


def _reply_target(*, story: Story, parent_id: int | None) -> Comment | None:
    """Replies nest one level: a reply to a reply attaches to the top-level comment."""
    if parent_id is None:
        return None
    parent = Comment.objects.filter(pk=parent_id, story=story, status=Comment.Status.APPROVED).first()
    if parent is None:
        raise InvalidParent(parent_id)
    return parent.parent if parent.parent_id else parent


def _earlier_submission(*, story: Story, submission_key: str, fingerprint: str) -> Comment | None:
    earlier = Comment.objects.filter(story=story, submission_key=submission_key).first()
    if earlier and earlier.fingerprint != fingerprint:
        raise IdempotencyKeyReused(submission_key)
    return earlier


def _fingerprint(body: str, display_name: str, parent: Comment | None) -> str:
    parts = "\x00".join([body, display_name, str(parent.pk if parent else "")])
    return hashlib.sha256(parts.encode("utf-8")).hexdigest()
