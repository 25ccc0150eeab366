"""Retention and deletion: what Voxpop forgets about a comment, and when (PRODUCT.md 3.4, G5, G6).

Three ways lead there, each keeping the Comment row and its audit trail (who decided what, when,
on which revision, under which house rule: G3):

- `retention_purge`, run by `voxpop purge` (hourly from cron or a systemd timer): a comment still
  pending VOXPOP_RETENTION_DAYS after it was submitted becomes `expired`, with a system audit row;
  a rejected comment VOXPOP_RETENTION_DAYS after its (last) rejection stays `rejected` and is only
  blanked. Approved comments are public and never purged.
- `comment_withdraw`: the author, through their receipt link (the signed token is the only
  authority), takes down their pending, approved or rejected comment: it becomes `withdrawn`.
- `commenter_erase`: an admin withdraws every comment of one commenter key in every desk and lifts
  the holds and bans on that key.

Blanking is the same for all three: every revision's text becomes "", the display name, commenter
key, submission key and fingerprint are cleared, scoring's readings of the text (assessments,
signal hits, near-duplicate bands) are deleted, and `purged_at` records when. What moderators wrote
(notes, the rules they cited) stays: it is the newsroom's record, not the reader's.

Each comment changes under a compare-and-set on its status (and current revision), so a second run,
a double click, or a moderator deciding at the same moment changes it once, never twice.
"""
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Subquery
from django.db.models.functions import Coalesce

from voxpop.accounts.models import User
from voxpop.comments.models import Comment, CommentRevision
from voxpop.scoring.models import Assessment, DuplicateBand, SignalHit
from voxpop.webhooks.services import webhook_comment_changed

from .models import CommenterRestriction, ModerationDecision
from .services import CARRIED_OVER_PREFIX, StaleDecision, restriction_lift, thread_changed_for_comment

log = logging.getLogger(__name__)

Status = Comment.Status
Action = ModerationDecision.Action

WITHDRAW_NOTE = "withdrawn by its author"
ERASE_NOTE = "erased: all comments of one commenter"
# What a reader or an admin can still take down; withdrawn and expired comments are already blank.
LIVE = [Status.PENDING, Status.APPROVED, Status.REJECTED]
BATCH = 200


def retention_days() -> int:
    """How long pending and rejected text is kept: VOXPOP_RETENTION_DAYS (default 90)."""
    return settings.VOXPOP_RETENTION_DAYS


@dataclass(frozen=True)
class PurgeSummary:
    cutoff: datetime
    expired: int   # pending since before the cutoff: now `expired`, blanked
    rejected: int  # rejected before the cutoff: blanked, still `rejected`


def retention_purge(*, now: datetime, days: int | None = None) -> PurgeSummary:
    """Blank what is past the retention period; safe to run again at any time (it then does nothing).

    Works in small batches, each its own transaction, so a long first run neither holds a lock for
    long nor loses its progress if interrupted.
    """
    days = days or retention_days()
    cutoff = now - timedelta(days=days)
    expired = _in_batches(
        _pending_before(cutoff),
        lambda comment_id: _take_down(comment_id=comment_id, from_statuses=[Status.PENDING], to_status=Status.EXPIRED,
                                      action=Action.EXPIRE, actor=None, now=now,
                                      note=f"not decided within {days} days: text deleted"))
    rejected = _in_batches(
        _rejected_before(cutoff),
        lambda comment_id: _purge_rejected(comment_id=comment_id, cutoff=cutoff, now=now))
    log.info("retention purge: cutoff=%s expired=%d rejected=%d", cutoff.isoformat(), expired, rejected)
    return PurgeSummary(cutoff=cutoff, expired=expired, rejected=rejected)


def retention_due(*, now: datetime, days: int | None = None) -> PurgeSummary:
    """What `retention_purge` would change now, counted without changing anything."""
    cutoff = now - timedelta(days=days or retention_days())
    return PurgeSummary(cutoff=cutoff, expired=_pending_before(cutoff).count(),
                        rejected=_rejected_before(cutoff).count())


def _pending_before(cutoff: datetime):
    return Comment.objects.filter(status=Status.PENDING, created_at__lte=cutoff, purged_at__isnull=True)


def _rejected_before(cutoff: datetime):
    """Unpurged rejected comments whose last rejection is at or before the cutoff."""
    last_rejection = (ModerationDecision.objects.filter(comment=OuterRef("pk"), to_status=Status.REJECTED)
                      .order_by("-decided_at", "-pk").values("decided_at")[:1])
    # A rejected comment always has its rejection row; created_at only covers imported history.
    return (Comment.objects.filter(status=Status.REJECTED, purged_at__isnull=True)
            .annotate(rejected_at=Coalesce(Subquery(last_rejection), F("created_at")))
            .filter(rejected_at__lte=cutoff))


def _in_batches(queryset, purge_one) -> int:
    """Apply `purge_one(id)` to each comment of `queryset` in id order; the number it changed."""
    done, after = 0, 0
    while True:
        ids = list(queryset.filter(pk__gt=after).order_by("pk").values_list("pk", flat=True)[:BATCH])
        if not ids:
            return done
        with transaction.atomic():
            done += sum(1 for comment_id in ids if purge_one(comment_id))
        after = ids[-1]


def _purge_rejected(*, comment_id: int, cutoff: datetime, now: datetime) -> bool:
    # Guarded like a decision: a comment reopened, rejected again or purged since the batch was read is left alone.
    rejected_since = ModerationDecision.objects.filter(comment=OuterRef("pk"), to_status=Status.REJECTED,
                                                       decided_at__gt=cutoff)
    if not Comment.objects.filter(~Exists(rejected_since), pk=comment_id, status=Status.REJECTED,
                                  purged_at__isnull=True).update(purged_at=now):
        return False
    _blank([comment_id], now=now)
    return True


def comment_can_be_withdrawn(comment: Comment) -> bool:
    """Whether the author has anything left to withdraw (a purged rejection has no text left)."""
    return comment.status in LIVE and comment.purged_at is None


@transaction.atomic
def comment_withdraw(*, comment_id: int, now: datetime) -> bool:
    """The author takes their own comment down: unpublished if it was published, its text deleted.

    True if it was withdrawn now; False if there was nothing left to withdraw (already withdrawn,
    expired, purged after its rejection, or unknown), which makes a repeated request harmless.
    """
    return _take_down(comment_id=comment_id, from_statuses=LIVE, to_status=Status.WITHDRAWN, action=Action.WITHDRAW,
                      actor=None, note=WITHDRAW_NOTE, now=now)


@dataclass(frozen=True)
class Erasure:
    comments: int
    restrictions_lifted: int


@transaction.atomic
def commenter_erase(*, commenter_key: str, admin: User, now: datetime) -> Erasure:
    """Withdraw every comment of one pseudonymous commenter in every desk and lift holds and bans on the key.

    Each comment gets its own audit row naming the admin. The restriction rows stay as the record of
    who set and lifted them, but lose the key, so nothing links a later comment to this history.
    """
    if admin.role != User.Role.ADMIN:
        raise PermissionDenied("Only an admin can erase a commenter.")
    if not commenter_key:  # "" is every comment that never had a key: never erase those by accident
        return Erasure(comments=0, restrictions_lifted=0)
    comment_ids = list(Comment.objects.filter(commenter_key=commenter_key).order_by("pk").values_list("pk", flat=True))
    erased = sum(1 for comment_id in comment_ids
                 if _take_down(comment_id=comment_id, from_statuses=LIVE, to_status=Status.WITHDRAWN,
                               action=Action.ERASE, actor=admin, note=ERASE_NOTE, now=now))
    restrictions = CommenterRestriction.objects.filter(commenter_key=commenter_key)
    # Whole carry-over families: an original left on last period's key would be copied back onto
    # this one with the source's next comment.
    lifted = restriction_lift(restrictions=restrictions.filter(revoked_at__isnull=True).exclude(expires_at__lte=now),
                              actor=admin, now=now)
    # Nothing on the rows may lead back to the key: neither the key nor the restriction it was carried from.
    for restriction in restrictions:
        restriction.commenter_key, restriction.original_id = "", None
        restriction.reason = CARRIED_OVER_PREFIX.sub("", restriction.reason)
        restriction.save(update_fields=["commenter_key", "original", "reason"])
    log.info("commenter erased by user %s: comments=%d restrictions_lifted=%d", admin.pk, erased, lifted)
    return Erasure(comments=erased, restrictions_lifted=lifted)


def _take_down(*, comment_id: int, from_statuses: list[str], to_status: str, action: str, actor: User | None,
               note: str, now: datetime) -> bool:
    """Move one comment to `to_status`, write its audit row and blank it; False if it is in no `from_statuses`
    or already blank (a purged rejection has nothing left to take down).

    Runs inside the caller's transaction. The status is read, then set only if the comment is still in
    that status and at that revision; if a moderator got there first, the comment is read again.
    """
    for _ in range(3):
        current = (Comment.objects.filter(pk=comment_id, purged_at__isnull=True)
                   .values("status", "current_revision_id").first())
        if current is None or current["status"] not in from_statuses:
            return False
        if Comment.objects.filter(pk=comment_id, status=current["status"], purged_at__isnull=True,
                                  current_revision_id=current["current_revision_id"]).update(status=to_status):
            ModerationDecision.objects.create(
                comment_id=comment_id, revision_id=current["current_revision_id"], actor=actor, action=action,
                from_status=current["status"], to_status=to_status, note=note, decided_at=now,
            )
            webhook_comment_changed(comment_id=comment_id, from_status=current["status"], to_status=to_status, now=now)
            if current["status"] == Comment.Status.APPROVED:
                thread_changed_for_comment(comment_id=comment_id)
            _blank([comment_id], now=now)
            return True
    raise StaleDecision(comment_id=comment_id, revision_id=current["current_revision_id"])


def _blank(comment_ids: list[int], *, now: datetime) -> None:
    """Forget what the reader wrote and where it came from; the row, its revisions' numbers and the audit stay."""
    Comment.objects.filter(pk__in=comment_ids).update(
        display_name="", commenter_key="", submission_key=None, fingerprint="", priority=0.0,
        purged_at=now,
    )
    CommentRevision.objects.filter(comment_id__in=comment_ids).update(body="")
    Assessment.objects.filter(revision__comment_id__in=comment_ids).delete()
    SignalHit.objects.filter(comment_id__in=comment_ids).delete()
    DuplicateBand.objects.filter(comment_id__in=comment_ids).delete()
