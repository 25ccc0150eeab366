"""Moderation decisions: the only code that changes a comment's status after submission.

Each decision targets the revision the moderator saw. The update is a compare-and-set on
(status, current_revision), so of two moderators deciding on one revision exactly one wins and the
other gets `StaleDecision` (G3); each winning decision writes one ModerationDecision row.
"""
import re
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Max, Q, QuerySet

from voxpop.accounts.models import User
from voxpop.comments.models import Comment, CommentRevision
from voxpop.common.thread_cache import thread_changed
from voxpop.desks.models import Desk, HouseRule
from voxpop.desks.selectors import house_rule_get
from voxpop.scoring.language import tag_normalized
from voxpop.webhooks.services import webhook_comment_changed

from .models import CommenterRestriction, ModerationDecision

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
    webhook_comment_changed(comment_id=comment_id, from_status=Status.PENDING, to_status=Status.APPROVED, now=now)


@transaction.atomic
def comment_reject(*, comment_id: int, revision_id: int, moderator: User | None, rule: HouseRule | None, note: str,
                   now: datetime) -> None:
    """Keep the comment private, citing the house rule it breaks (`moderator` None: a system decision)."""
    _compare_and_set(comment_id=comment_id, revision_id=revision_id, from_statuses=[Status.PENDING],
                     status=Status.REJECTED)
    ModerationDecision.objects.create(
        comment_id=comment_id, revision_id=revision_id, actor=moderator, action=ModerationDecision.Action.REJECT,
        from_status=Status.PENDING, to_status=Status.REJECTED, rule=rule, note=note, decided_at=now,
    )
    webhook_comment_changed(comment_id=comment_id, from_status=Status.PENDING, to_status=Status.REJECTED, rule=rule,
                            now=now)


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
    if not CommentRevision.objects.filter(pk=revision_id, comment_id=comment_id).exists():
        raise StaleDecision(comment_id=comment_id, revision_id=revision_id)
    # Numbered after every earlier revision, including those of undone edits, which stay in the history.
    number = CommentRevision.objects.filter(comment_id=comment_id).aggregate(last=Max("number"))["last"] + 1
    try:
        revision = CommentRevision.objects.create(
            comment_id=comment_id, number=number, body=body, created_at=now,
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
    webhook_comment_changed(comment_id=comment_id, from_status=comment.status, to_status=to_status, now=now)
    return revision


class NothingToUndo(Exception):
    """The moderator has no decision left that undo could revert."""


UNDOABLE = [ModerationDecision.Action.APPROVE, ModerationDecision.Action.REJECT, ModerationDecision.Action.EDIT]


@transaction.atomic
def comment_undo(*, moderator: User, now: datetime) -> ModerationDecision:
    """Revert the moderator's own last decision, if nobody has changed the comment since.

    The reverted decision stays in the audit log; an `undo` row records the reversal. Undoing an
    edit makes the revision it replaced current again (the edit's revision stays in the history).
    """
    last = (ModerationDecision.objects.filter(actor=moderator, action__in=UNDOABLE, undone_by__isnull=True)
            .select_related("revision").order_by("-decided_at", "-pk").first())
    if last is None:
        raise NothingToUndo()
    # Compare-and-set alone would miss another moderator's decisions that led back to the same state.
    if ModerationDecision.objects.filter(comment_id=last.comment_id, pk__gt=last.pk).exclude(actor=moderator).exists():
        raise StaleDecision(comment_id=last.comment_id, revision_id=last.revision_id)
    revision_id = last.revision_id
    if last.action == ModerationDecision.Action.EDIT:
        # The revision the edit replaced: every decision records the revision current after it.
        before = (ModerationDecision.objects.filter(comment_id=last.comment_id, pk__lt=last.pk).order_by("-pk")
                  .values_list("revision_id", flat=True).first())
        revision_id = before or CommentRevision.objects.get(comment_id=last.comment_id, number=1).pk
    changes = {"status": last.from_status, "current_revision_id": revision_id}
    if last.from_status != Status.APPROVED:
        changes["published_at"] = None
    _compare_and_set(comment_id=last.comment_id, revision_id=last.revision_id, from_statuses=[last.to_status],
                     **changes)
    webhook_comment_changed(comment_id=last.comment_id, from_status=last.to_status, to_status=last.from_status, now=now)
    return ModerationDecision.objects.create(
        comment_id=last.comment_id, revision_id=revision_id, actor=moderator, action=ModerationDecision.Action.UNDO,
        from_status=last.to_status, to_status=last.from_status, undoes=last, decided_at=now,
    )


@transaction.atomic
def comment_reopen(*, comment_id: int, revision_id: int, moderator: User, note: str, now: datetime) -> None:
    """Put a rejected comment back in the pending queue (for example one a ban rejected)."""
    _compare_and_set(comment_id=comment_id, revision_id=revision_id, from_statuses=[Status.REJECTED],
                     status=Status.PENDING)
    ModerationDecision.objects.create(
        comment_id=comment_id, revision_id=revision_id, actor=moderator, action=ModerationDecision.Action.REOPEN,
        from_status=Status.REJECTED, to_status=Status.PENDING, note=note, decided_at=now,
    )


@transaction.atomic
def comment_reroute(*, comment_id: int, desk: Desk, language: str, moderator: User, now: datetime,
                    revision_id: int | None = None) -> ModerationDecision | None:
    """Send a comment to another desk and/or correct its language; its status stays as it is.

    Any desk may be chosen: sending a comment to a desk the moderator does not belong to takes it
    out of their queue, which is the point. The update is a compare-and-set on what the moderator's
    request read, so of two concurrent re-routes one wins and the other gets `StaleDecision`.
    With `revision_id` (the revision the moderator saw), a comment at another revision is stale too.
    Returns the audit row, or None if the comment already was in that desk with that language.
    """
    tag = tag_normalized(language)
    if tag is None:
        raise ValueError(f"not a BCP 47 language tag: {language!r}")
    comment = Comment.objects.select_related("desk").get(pk=comment_id)
    if revision_id is not None and revision_id != comment.current_revision_id:
        raise StaleDecision(comment_id=comment_id, revision_id=revision_id)
    if comment.desk_id == desk.pk and comment.language == tag:
        return None
    updated = Comment.objects.filter(
        pk=comment_id, desk_id=comment.desk_id, language=comment.language, status=comment.status,
        current_revision_id=comment.current_revision_id,
    ).update(desk=desk, language=tag)
    if updated != 1:
        raise StaleDecision(comment_id=comment_id, revision_id=comment.current_revision_id)
    return ModerationDecision.objects.create(
        comment_id=comment_id, revision_id=comment.current_revision_id, actor=moderator,
        action=ModerationDecision.Action.ROUTE, from_status=comment.status, to_status=comment.status,
        note=f"desk {comment.desk.key} → {desk.key}, language {comment.language} → {tag}", decided_at=now,
    )


def comment_bulk_decide(*, seen: dict[int, int], action: str, moderator: User, rule_number: int | None,
                        now: datetime) -> tuple[list[int], list[int]]:
    """Approve or reject many comments, each on the revision the moderator saw ({id: revision_id}).

    A rejection cites house rule `rule_number` of each comment's desk. Each comment is its own
    decision with its own audit row; comments outside the moderator's desks, changed meanwhile, from
    a commenter on hold, or whose desk has no such rule are skipped. Returns (decided, skipped) ids.
    """
    comments = {c.pk: c for c in Comment.objects.filter(pk__in=seen, desk_id__in=moderator.desk_ids())
                .select_related("story", "desk")}
    held = restriction_pairs_active(comments=comments.values(), kind=CommenterRestriction.Kind.HOLD, now=now)
    decided, skipped = [], []
    for comment_id, revision_id in seen.items():
        comment = comments.get(comment_id)
        rule = rule_number and comment and house_rule_get(desk=comment.desk, language=comment.story.language,
                                                          number=rule_number)
        if comment is None or (action == "approve" and (comment.commenter_key, comment.desk_id) in held) \
                or (action == "reject" and not rule):
            skipped.append(comment_id)
            continue
        try:
            if action == "approve":
                comment_approve(comment_id=comment_id, revision_id=revision_id, moderator=moderator, now=now)
            else:
                comment_reject(comment_id=comment_id, revision_id=revision_id, moderator=moderator, rule=rule,
                               note="", now=now)
            decided.append(comment_id)
        except StaleDecision:
            skipped.append(comment_id)
    return decided, skipped


def restriction_pairs_active(*, comments, kind: str, now: datetime) -> set[tuple[str, int]]:
    """The (commenter key, desk) pairs among `comments` under an active restriction of `kind`."""
    keys = {c.commenter_key for c in comments if c.commenter_key}
    if not keys:
        return set()
    return set(CommenterRestriction.objects.filter(kind=kind, commenter_key__in=keys, revoked_at__isnull=True)
               .exclude(expires_at__lte=now).values_list("commenter_key", "desk_id"))


def restriction_create(*, commenter_key: str, desk: Desk, kind: str, reason: str, expires_at: datetime | None,
                       moderator: User, now: datetime) -> CommenterRestriction:
    """Hold or ban a pseudonymous commenter in one desk."""
    return CommenterRestriction.objects.create(commenter_key=commenter_key, desk=desk,
                                               kind=kind, reason=reason, expires_at=expires_at,
                                               created_by=moderator, created_at=now)


@transaction.atomic
def restriction_revoke(*, restriction_id: int, moderator: User, now: datetime) -> bool:
    """Lift a hold or ban of the moderator's desks, with the copies carried over from or to it.

    The rows stay as the record of who set and lifted them. False if it was already lifted.
    """
    named = CommenterRestriction.objects.filter(pk=restriction_id, revoked_at__isnull=True,
                                                desk_id__in=moderator.desk_ids())
    return restriction_lift(restrictions=named, actor=moderator, now=now) > 0


@transaction.atomic
def restriction_lift(*, restrictions: QuerySet[CommenterRestriction], actor: User, now: datetime) -> int:
    """Lift these restrictions and their whole carry-over family; returns how many rows were lifted.

    A restriction carried into a new key period is the same decision about the same source, so it
    ends with the one it was copied from, and lifting a copy lifts what it was copied from: else the
    next comment would carry the lifted ban back over from the previous period's key, or a ban lifted
    last week would go on rejecting under this week's key. Each lifted row records `actor` and `now`,
    like any lift. A family shares one desk and one expiry (copies keep both), so an expiry ends it
    all at once and a moderator of that desk may lift all of it.
    """
    roots = {original_id or pk for pk, original_id in restrictions.values_list("pk", "original_id")}
    if not roots:
        return 0
    _lock_families(roots=roots)  # see _restriction_copy
    return CommenterRestriction.objects.filter(Q(pk__in=roots) | Q(original_id__in=roots),
                                               revoked_at__isnull=True).update(revoked_at=now, revoked_by=actor)


CARRIED_OVER = "Carried over from restriction {pk} (new key period): "
CARRIED_OVER_PREFIX = re.compile(r"^Carried over from restriction \d+ \(new key period\): ")


def restriction_carry_over(*, commenter_key: str, previous_key: str, now: datetime) -> list[CommenterRestriction]:
    """Carry a source's holds and bans into a new key period (commenter keys change every period,
    voxpop.common.privacy), so a restriction set in one period still applies in the next.

    Each hold or ban still active on the source's previous-period key is copied onto its current key,
    keeping who set it, why and until when, and linked to the restriction a moderator set
    (`original`, the same one for a copy of a copy) so that lifting any of them lifts all
    (`restriction_lift`); unless the current key already has that kind in that desk, active or
    lifted, so a restriction a moderator lifted on the new key stays lifted.
    """
    if not commenter_key or not previous_key or commenter_key == previous_key:
        return []
    # Nearly every submission has nothing to carry: look before taking any lock.
    if not _restrictions_in_force(commenter_key=previous_key, now=now).exists():
        return []
    return _restriction_copy(commenter_key=commenter_key, previous_key=previous_key, now=now)


def _restrictions_in_force(*, commenter_key: str, now: datetime) -> QuerySet[CommenterRestriction]:
    return (CommenterRestriction.objects.filter(commenter_key=commenter_key, revoked_at__isnull=True)
            .exclude(expires_at__lte=now))


@transaction.atomic
def _restriction_copy(*, commenter_key: str, previous_key: str, now: datetime) -> list[CommenterRestriction]:
    # Lock the originals first, as restriction_lift does, then read what is in force: a lift running
    # now either ends first (and what it lifted is read as lifted) or waits for these copies and
    # lifts them too. Two comments of one source at once copy once: the second waits, then sees the
    # first's copies.
    in_force = _restrictions_in_force(commenter_key=previous_key, now=now)
    _lock_families(roots={original_id or pk for pk, original_id in in_force.values_list("pk", "original_id")})
    present = set(CommenterRestriction.objects.filter(commenter_key=commenter_key).values_list("desk_id", "kind"))
    copies = []
    for restriction in in_force.order_by("pk"):
        if (restriction.desk_id, restriction.kind) in present:
            continue
        present.add((restriction.desk_id, restriction.kind))
        reason = f"{CARRIED_OVER.format(pk=restriction.pk)}{CARRIED_OVER_PREFIX.sub('', restriction.reason)}"
        copies.append(CommenterRestriction(
            commenter_key=commenter_key, desk_id=restriction.desk_id, kind=restriction.kind, reason=reason[:1000],
            expires_at=restriction.expires_at, created_by_id=restriction.created_by_id, created_at=now,
            original_id=restriction.original_id or restriction.pk))
    return CommenterRestriction.objects.bulk_create(copies)


def _lock_families(*, roots: set[int]) -> None:
    """Lock the first restriction of each family until the transaction ends (on PostgreSQL; SQLite's
    IMMEDIATE transactions already run one at a time)."""
    # In one order everywhere, so two transactions locking overlapping families cannot deadlock.
    locked = CommenterRestriction.objects.select_for_update().filter(pk__in=roots).order_by("pk")
    list(locked.values_list("pk", flat=True))


def comment_screen(*, comment: Comment, now: datetime) -> None:
    """Apply a moderator's ban to a new comment: a logged system rejection, reversible by reopening.

    Runs after the comment is committed, so a failure here never loses it; it then simply waits
    in the queue like any other.
    """
    ban = (CommenterRestriction.objects.filter(commenter_key=comment.commenter_key, desk_id=comment.desk_id,
                                               kind=CommenterRestriction.Kind.BAN, revoked_at__isnull=True)
           .exclude(expires_at__lte=now).first()
           if comment.commenter_key else None)
    if ban is None:
        return
    try:
        comment_reject(comment_id=comment.pk, revision_id=comment.current_revision_id, moderator=None, rule=None,
                       note=f"Commenter banned (restriction {ban.pk})", now=now)
    except StaleDecision:
        pass  # a moderator already decided it


def _compare_and_set(*, comment_id: int, revision_id: int, from_statuses: list[str], **changes) -> None:
    # A purged comment (voxpop.moderation.retention) has no text left to decide on: reopening or
    # undoing the rejection of one would put a blank comment back in the queue.
    updated = Comment.objects.filter(
        pk=comment_id, status__in=from_statuses, current_revision_id=revision_id, purged_at__isnull=True,
    ).update(**changes)
    if updated != 1:
        raise StaleDecision(comment_id=comment_id, revision_id=revision_id)
    if Status.APPROVED in from_statuses or changes.get("status") == Status.APPROVED:
        thread_changed_for_comment(comment_id=comment_id)


def thread_changed_for_comment(*, comment_id: int) -> None:
    """The published thread of this comment's story changed: its cached pages are stale after commit."""
    thread_changed(story_key=Comment.objects.filter(pk=comment_id).values_list("story__key", flat=True).get())
