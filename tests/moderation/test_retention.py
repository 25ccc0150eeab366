"""Retention and deletion as services: `voxpop purge`, an author's withdrawal, an admin's erasure."""
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied

from tests.conftest import make_moderator
from voxpop.accounts.models import User
from voxpop.cli import main
from voxpop.comments.models import Comment, CommentRevision
from voxpop.comments.selectors import comment_count_published
from voxpop.comments.services import comment_submit
from voxpop.common import clock
from voxpop.desks.selectors import house_rule_get
from voxpop.moderation.models import CommenterRestriction, ModerationDecision
from voxpop.moderation.retention import (ERASE_NOTE, WITHDRAW_NOTE, commenter_erase, comment_withdraw,
                                         retention_due, retention_purge)
from voxpop.moderation.services import (StaleDecision, comment_approve, comment_edit, comment_reject,
                                        comment_reopen, comment_undo, restriction_create)
from voxpop.scoring.models import Assessment, DuplicateBand, SignalHit

DAY = timedelta(days=1)
Status = Comment.Status


@pytest.fixture(autouse=True)
def ninety_days(settings):
    settings.VOXPOP_RETENTION_DAYS = 90


@pytest.fixture
def post(story, now):
    """A reader comment on `story` (or `on`) submitted `days_ago`, with a name and keys to forget."""
    def make(days_ago=0, *, key="reader-key", on=None, body="My neighbour, Kim, drives the night bus."):
        return comment_submit(story=on or story, body=body, display_name="Night owl", parent_id=None,
                              submission_key=f"form:{days_ago}:{body}", commenter_key=key,
                              now=now - days_ago * DAY).comment
    return make


@pytest.fixture
def rule(english_desk):
    return house_rule_get(desk=english_desk, language="en", number=2)


@pytest.fixture
def reject(moderator, rule, now):
    def decide(comment, days_ago=0):
        comment_reject(comment_id=comment.pk, revision_id=comment.current_revision_id, moderator=moderator,
                       rule=rule, note="names a neighbour", now=now - days_ago * DAY)
    return decide


@pytest.fixture
def approve(moderator, now):
    def decide(comment, days_ago=0):
        comment_approve(comment_id=comment.pk, revision_id=comment.current_revision_id, moderator=moderator,
                        now=now - days_ago * DAY)
    return decide


def fresh(comment) -> Comment:
    return Comment.objects.get(pk=comment.pk)


def is_blank(comment) -> bool:
    c = fresh(comment)
    bodies = set(CommentRevision.objects.filter(comment=c).values_list("body", flat=True))
    return (bodies == {""} and c.display_name == "" and c.commenter_key == "" and c.submission_key is None
            and c.fingerprint == "" and c.purged_at is not None)


def is_intact(comment) -> bool:
    c = fresh(comment)
    return (c.purged_at is None and c.commenter_key == "reader-key" and c.display_name == "Night owl"
            and "" not in set(CommentRevision.objects.filter(comment=c).values_list("body", flat=True)))


def score(comment, now):
    """What scoring would have written about the comment: its reading, signal hits and duplicate bands."""
    Assessment.objects.create(revision=comment.current_revision, language="en", scored_at=now,
                              signals=[{"name": "personal", "label": "a name", "spans": [[14, 17]]}])
    SignalHit.objects.create(comment=comment, name="personal")
    DuplicateBand.objects.create(band=42, comment=comment, created_at=now)


# Retention: which comments


def test_pending_past_the_period_expires_blank(post, now):
    """A comment pending for more than the retention period is expired, its text, name and keys deleted."""
    old = post(days_ago=91)

    summary = retention_purge(now=now)

    assert (summary.expired, summary.rejected) == (1, 0)
    assert fresh(old).status == Status.EXPIRED
    assert is_blank(old)
    assert fresh(old).purged_at == now


def test_expiry_is_a_logged_system_decision(post, now):
    """Expiring is a status change, so it writes one audit row: the system, pending -> expired."""
    old = post(days_ago=91)

    retention_purge(now=now)

    row = ModerationDecision.objects.get(comment=old)
    assert (row.actor, row.action, row.from_status, row.to_status) == (None, "expire", "pending", "expired")
    assert row.revision_id == old.current_revision_id and row.decided_at == now


def test_pending_within_the_period_is_kept(post, now):
    """A comment pending for less than the retention period keeps everything."""
    young = post(days_ago=89)

    assert retention_purge(now=now).expired == 0
    assert fresh(young).status == Status.PENDING
    assert is_intact(young)


def test_rejected_is_purged_counting_from_the_rejection(post, reject, now):
    """A rejection older than the period is blanked; it stays rejected and no row is added."""
    comment = post(days_ago=200)
    reject(comment, days_ago=91)

    summary = retention_purge(now=now)

    assert (summary.expired, summary.rejected) == (0, 1)
    assert fresh(comment).status == Status.REJECTED
    assert is_blank(comment)
    assert ModerationDecision.objects.filter(comment=comment).count() == 1


def test_recent_rejection_of_an_old_comment_is_kept(post, reject, now):
    """Submitted long ago but rejected recently: the period runs from the rejection, so it is kept."""
    comment = post(days_ago=200)
    reject(comment, days_ago=10)

    assert retention_purge(now=now).rejected == 0
    assert is_intact(comment)


def test_period_runs_from_the_last_rejection(post, reject, moderator, now):
    """Rejected long ago, reopened and rejected again recently: kept until the period after the last one."""
    comment = post(days_ago=300)
    reject(comment, days_ago=200)
    comment_reopen(comment_id=comment.pk, revision_id=comment.current_revision_id, moderator=moderator, note="",
                   now=now - 5 * DAY)
    reject(comment, days_ago=5)

    assert retention_purge(now=now).rejected == 0
    assert is_intact(comment)


def test_approved_comments_are_never_purged(post, approve, now):
    """A published comment, however old, keeps its text, name and commenter key."""
    comment = post(days_ago=400)
    approve(comment, days_ago=399)

    summary = retention_purge(now=now)

    assert (summary.expired, summary.rejected) == (0, 0)
    assert fresh(comment).status == Status.APPROVED
    assert is_intact(comment)


def test_period_comes_from_the_setting(post, settings, now):
    """VOXPOP_RETENTION_DAYS sets the period: at 30 days, a 31-day-old pending comment expires."""
    settings.VOXPOP_RETENTION_DAYS = 30
    old, young = post(days_ago=31), post(days_ago=29)

    retention_purge(now=now)

    assert (fresh(old).status, fresh(young).status) == (Status.EXPIRED, Status.PENDING)


# Retention: what is kept and what goes


def test_every_revision_is_blanked_and_the_edit_record_kept(post, moderator, rule, now):
    """A moderator's edit is blanked too; who edited, under which rule and why stays."""
    comment = post(days_ago=100)
    comment_edit(comment_id=comment.pk, revision_id=comment.current_revision_id, moderator=moderator,
                 body="My neighbour, [name removed], drives the night bus.", rule=rule, note="masked a name",
                 approve=False, now=now - 99 * DAY)

    retention_purge(now=now)

    revisions = list(CommentRevision.objects.filter(comment=comment).order_by("number"))
    assert [(r.number, r.body) for r in revisions] == [(1, ""), (2, "")]
    assert (revisions[1].editor, revisions[1].rule, revisions[1].note) == (moderator, rule, "masked a name")


def test_rejection_audit_row_is_kept_whole(post, reject, moderator, rule, now):
    """G3: after the purge the rejection still says who, when, on which revision and under which rule."""
    comment = post(days_ago=200)
    reject(comment, days_ago=91)

    retention_purge(now=now)

    row = ModerationDecision.objects.get(comment=comment)
    assert (row.actor, row.action, row.rule, row.note) == (moderator, "reject", rule, "names a neighbour")
    assert (row.revision_id, row.decided_at) == (comment.current_revision_id, now - 91 * DAY)


def test_scoring_readings_of_the_text_are_deleted(post, approve, now):
    """Assessments, signal hits and duplicate bands of purged comments go; a published comment keeps its own."""
    old, published = post(days_ago=91, body="old"), post(days_ago=91, body="published")
    approve(published, days_ago=90)
    score(old, now)
    score(published, now)

    retention_purge(now=now)

    assert set(Assessment.objects.values_list("revision__comment", flat=True)) == {published.pk}
    assert set(SignalHit.objects.values_list("comment", flat=True)) == {published.pk}
    assert set(DuplicateBand.objects.values_list("comment", flat=True)) == {published.pk}


def test_purge_is_idempotent(post, reject, now):
    """Running the purge again, an hour later, changes nothing and writes no row."""
    pending, rejected = post(days_ago=91), post(days_ago=100)
    reject(rejected, days_ago=95)
    first = retention_purge(now=now)
    rows = ModerationDecision.objects.count()
    purged_at = {c.pk: c.purged_at for c in Comment.objects.all()}

    again = retention_purge(now=now + timedelta(hours=1))

    assert (first.expired, first.rejected) == (1, 1)
    assert (again.expired, again.rejected) == (0, 0)
    assert ModerationDecision.objects.count() == rows
    assert {c.pk: c.purged_at for c in Comment.objects.all()} == purged_at
    assert {fresh(pending).status, fresh(rejected).status} == {Status.EXPIRED, Status.REJECTED}


def test_dry_run_counts_without_changing(post, reject, now):
    """retention_due counts what is due and changes nothing."""
    pending, rejected = post(days_ago=91), post(days_ago=100)
    reject(rejected, days_ago=95)

    due = retention_due(now=now)

    assert (due.expired, due.rejected) == (1, 1)
    assert is_intact(pending) and is_intact(rejected)


def test_purge_works_through_more_than_one_batch(post, now, monkeypatch):
    """A backlog larger than a batch is purged whole in one run."""
    monkeypatch.setattr("voxpop.moderation.retention.BATCH", 2)
    comments = [post(days_ago=91, body=f"comment {i}") for i in range(5)]

    assert retention_purge(now=now).expired == 5
    assert all(is_blank(c) for c in comments)


# A purged comment stays out of moderation


def test_purged_rejection_cannot_be_reopened(post, reject, moderator, now):
    """A purged rejected comment has no text left: reopening it is refused, so no blank one reaches the queue."""
    comment = post(days_ago=200)
    reject(comment, days_ago=91)
    retention_purge(now=now)

    with pytest.raises(StaleDecision):
        comment_reopen(comment_id=comment.pk, revision_id=comment.current_revision_id, moderator=moderator,
                       note="", now=now)
    assert fresh(comment).status == Status.REJECTED


def test_purged_rejection_cannot_be_undone(post, reject, moderator, now):
    """Undoing the moderator's last decision, a rejection since purged, is refused."""
    comment = post(days_ago=200)
    reject(comment, days_ago=91)
    retention_purge(now=now)

    with pytest.raises(StaleDecision):
        comment_undo(moderator=moderator, now=now)
    assert fresh(comment).status == Status.REJECTED


def test_expired_comment_cannot_be_approved(post, moderator, now):
    """A moderator who opened the comment before it expired gets a conflict, not a blank publication."""
    comment = post(days_ago=91)
    retention_purge(now=now)

    with pytest.raises(StaleDecision):
        comment_approve(comment_id=comment.pk, revision_id=comment.current_revision_id, moderator=moderator, now=now)


# `voxpop purge`


@pytest.fixture
def pinned_clock(monkeypatch, now):
    monkeypatch.setattr(clock, "now", lambda: now)


def test_purge_command_prints_the_counts(post, reject, pinned_clock, capsys):
    """`voxpop purge` purges and prints how many comments it expired and purged."""
    post(days_ago=91), post(days_ago=92)
    rejected = post(days_ago=100)
    reject(rejected, days_ago=95)

    assert main(["purge"]) == 0

    out = capsys.readouterr().out
    assert "Retention 90 days" in out
    assert "2 pending comment(s) expired, 1 rejected comment(s) purged" in out
    assert fresh(rejected).purged_at is not None


def test_purge_command_twice_prints_zero(post, pinned_clock, capsys):
    """A second run finds nothing due: safe from cron every hour."""
    post(days_ago=91)
    main(["purge"])
    capsys.readouterr()

    assert main(["purge"]) == 0
    assert "0 pending comment(s) expired, 0 rejected comment(s) purged" in capsys.readouterr().out


def test_purge_command_dry_run_and_days(post, pinned_clock, capsys):
    """--days overrides the setting for one run; --dry-run only counts."""
    comment = post(days_ago=31)

    assert main(["purge", "--days", "30", "--dry-run"]) == 0

    out = capsys.readouterr().out
    assert "Retention 30 days" in out and "due: 1 pending comment(s) expired" in out
    assert fresh(comment).status == Status.PENDING


def test_purge_command_has_help(capsys):
    """`voxpop purge --help` explains the command."""
    with pytest.raises(SystemExit) as exit_:
        main(["purge", "--help"])
    assert exit_.value.code == 0
    assert "VOXPOP_RETENTION_DAYS" in capsys.readouterr().out


# Withdrawal by the author


def test_withdraw_of_a_pending_comment(post, now):
    """The author's withdrawal takes a pending comment out of the queue, blank, with a system audit row."""
    comment = post()

    assert comment_withdraw(comment_id=comment.pk, now=now) is True

    assert fresh(comment).status == Status.WITHDRAWN
    assert is_blank(comment)
    row = ModerationDecision.objects.get(comment=comment)
    assert (row.actor, row.action, row.from_status, row.to_status, row.note) == (
        None, "withdraw", "pending", "withdrawn", WITHDRAW_NOTE)


def test_withdraw_of_a_published_comment_unpublishes_it(post, approve, story, now):
    """A published comment, once withdrawn, is no longer among the story's published comments."""
    comment = post()
    approve(comment)

    comment_withdraw(comment_id=comment.pk, now=now)

    assert comment_count_published(story=story) == 0
    assert ModerationDecision.objects.filter(comment=comment).last().from_status == "approved"


def test_withdraw_of_a_rejected_comment_deletes_its_text_early(post, reject, now):
    """The author need not wait for the retention period: a rejected comment can be withdrawn too."""
    comment = post()
    reject(comment)

    assert comment_withdraw(comment_id=comment.pk, now=now) is True
    assert fresh(comment).status == Status.WITHDRAWN and is_blank(comment)


def test_purged_rejection_has_nothing_left_to_withdraw(post, reject, now):
    """A rejection already purged by retention stays as it is: no withdrawal, no new row."""
    comment = post(days_ago=200)
    reject(comment, days_ago=91)
    retention_purge(now=now)

    assert comment_withdraw(comment_id=comment.pk, now=now) is False
    assert fresh(comment).status == Status.REJECTED
    assert ModerationDecision.objects.filter(comment=comment).count() == 1


def test_second_withdraw_changes_nothing(post, now):
    """Withdrawing twice is harmless: False the second time, and one audit row."""
    comment = post()
    comment_withdraw(comment_id=comment.pk, now=now)

    assert comment_withdraw(comment_id=comment.pk, now=now + DAY) is False
    assert ModerationDecision.objects.filter(comment=comment).count() == 1
    assert fresh(comment).purged_at == now


def test_decision_after_withdrawal_is_stale(post, moderator, now):
    """A moderator approving what the author just withdrew gets a conflict (G3), never a publication."""
    comment = post()
    comment_withdraw(comment_id=comment.pk, now=now)

    with pytest.raises(StaleDecision):
        comment_approve(comment_id=comment.pk, revision_id=comment.current_revision_id, moderator=moderator, now=now)


def test_undo_of_an_approval_the_author_withdrew_is_refused(post, approve, moderator, now):
    """The moderator cannot undo their approval back to pending once the author has withdrawn the comment."""
    comment = post()
    approve(comment)
    comment_withdraw(comment_id=comment.pk, now=now)

    with pytest.raises(StaleDecision):
        comment_undo(moderator=moderator, now=now)
    assert fresh(comment).status == Status.WITHDRAWN


def test_withdrawal_is_not_a_purge_candidate_again(post, now):
    """A withdrawn comment is not counted again by the retention purge."""
    comment = post(days_ago=91)
    comment_withdraw(comment_id=comment.pk, now=now)

    assert (retention_purge(now=now).expired, fresh(comment).status) == (0, Status.WITHDRAWN)


# Erasure of one commenter


@pytest.fixture
def admin(db):
    return make_moderator("ada", [], role=User.Role.ADMIN)


def test_erase_withdraws_every_comment_of_the_key_in_every_desk(post, approve, reject, korean_story, admin, now):
    """Pending, published and rejected comments of the key, in both desks, are withdrawn with rows naming the admin."""
    comments = [post(body="pending"), post(body="approved"), post(body="rejected"),
                post(body="한국어 댓글", on=korean_story)]
    approve(comments[1])
    reject(comments[2])
    other = post(body="someone else", key="other-key")

    erasure = commenter_erase(commenter_key="reader-key", admin=admin, now=now)

    assert erasure.comments == 4
    assert all(fresh(c).status == Status.WITHDRAWN and is_blank(c) for c in comments)
    rows = ModerationDecision.objects.filter(action="erase")
    assert {(r.comment_id, r.actor_id, r.note) for r in rows} == {(c.pk, admin.pk, ERASE_NOTE) for c in comments}
    assert fresh(other).status == Status.PENDING and fresh(other).commenter_key == "other-key"


def test_erase_lifts_holds_and_bans_on_the_key(post, moderator, korean_moderator, admin, now):
    """Every active restriction on the key, in any desk, is lifted by the admin and loses the key."""
    post()
    for who, kind in ((moderator, "ban"), (korean_moderator, "hold")):
        restriction_create(commenter_key="reader-key", desk=who.desks.get(), kind=kind, reason="flood",
                           expires_at=None, moderator=who, now=now - DAY)
    kept = restriction_create(commenter_key="other-key", desk=moderator.desks.get(), kind="ban", reason="spam",
                              expires_at=None, moderator=moderator, now=now - DAY)

    erasure = commenter_erase(commenter_key="reader-key", admin=admin, now=now)

    assert erasure.restrictions_lifted == 2
    lifted = CommenterRestriction.objects.exclude(pk=kept.pk)
    assert {(r.revoked_by_id, r.revoked_at, r.commenter_key) for r in lifted} == {(admin.pk, now, "")}
    assert CommenterRestriction.objects.get(pk=kept.pk).revoked_at is None


def test_erase_of_an_empty_key_erases_nothing(story, admin, now):
    """Comments without a key (imports, tests) are never swept up by an erasure of ""."""
    comment = comment_submit(story=story, body="no key", display_name="", parent_id=None, submission_key=None,
                             commenter_key="", now=now).comment

    assert commenter_erase(commenter_key="", admin=admin, now=now).comments == 0
    assert fresh(comment).status == Status.PENDING


@pytest.mark.parametrize("role", [User.Role.MODERATOR, User.Role.EDITOR])
def test_only_an_admin_can_erase(post, english_desk, role, now):
    """The service itself refuses anyone but an admin."""
    comment = post()
    user = make_moderator("mo", [english_desk], role=role)

    with pytest.raises(PermissionDenied):
        commenter_erase(commenter_key="reader-key", admin=user, now=now)
    assert is_intact(comment)
