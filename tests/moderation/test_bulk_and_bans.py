"""Bulk decisions, one audited decision per comment, and holds and bans by pseudonymous commenter key."""
from datetime import timedelta

import pytest

from tests.conftest import make_moderator
from voxpop.accounts.models import User
from voxpop.comments.models import Comment
from voxpop.comments.services import comment_submit
from voxpop.desks.selectors import house_rule_get
from voxpop.moderation.models import CommenterRestriction, ModerationDecision
from voxpop.moderation.services import (comment_approve, comment_bulk_decide, comment_edit, comment_reopen,
                                        comment_screen, restriction_create, restriction_revoke)

HOUR = timedelta(hours=1)


@pytest.fixture
def post(story, now):
    """A new reader comment on `story` (or `on`) from commenter `key`."""
    def make(body="A reader's comment.", *, key="reader-key", on=None, at=None):
        return comment_submit(story=on or story, body=body, display_name="", parent_id=None, submission_key=None,
                              commenter_key=key, now=at or now).comment
    return make


def seen(*comments) -> dict[int, int]:
    return {c.pk: c.current_revision_id for c in comments}


def status(comment) -> str:
    return Comment.objects.get(pk=comment.pk).status


def ban(key, moderator, now, **kwargs):
    return restriction_create(desk=moderator.desks.get(), commenter_key=key, kind=CommenterRestriction.Kind.BAN, reason="flooding",
                              moderator=moderator, now=now, **{"expires_at": None, **kwargs})


# Bulk


def test_bulk_approve_writes_one_audit_row_per_comment(post, moderator, now):
    """Approving N comments at once publishes each and writes N approve rows naming the moderator."""
    comments = [post(f"comment {i}") for i in range(5)]

    decided, skipped = comment_bulk_decide(seen=seen(*comments), action="approve", moderator=moderator,
                                           rule_number=None, now=now)

    assert (sorted(decided), skipped) == (sorted(c.pk for c in comments), [])
    assert set(Comment.objects.values_list("status", "published_at")) == {(Comment.Status.APPROVED, now)}
    rows = ModerationDecision.objects.filter(action="approve", actor=moderator)
    assert sorted(rows.values_list("comment_id", flat=True)) == sorted(c.pk for c in comments)
    assert {r.revision_id for r in rows} == {c.current_revision_id for c in comments}


def test_bulk_reject_without_rule_number_decides_nothing(post, moderator, now):
    """A bulk rejection with no rule number skips every comment: a rejection always cites a rule."""
    comments = [post(), post()]

    decided, skipped = comment_bulk_decide(seen=seen(*comments), action="reject", moderator=moderator,
                                           rule_number=None, now=now)

    assert (decided, sorted(skipped)) == ([], sorted(c.pk for c in comments))
    assert not ModerationDecision.objects.exists()


def test_bulk_reject_cites_each_comments_desk_rule(post, english_desk, korean_desk, korean_story, now):
    """Rule 2 means the English desk's rule 2 for an English comment and the Korean desk's for a Korean one."""
    admin = make_moderator("ada", [], role=User.Role.ADMIN)
    english, korean = post(), post("개인 전화번호 010-0000-0000", on=korean_story)

    decided, _ = comment_bulk_decide(seen=seen(english, korean), action="reject", moderator=admin, rule_number=2,
                                     now=now)

    assert sorted(decided) == sorted([english.pk, korean.pk])
    rules = {d.comment_id: d.rule for d in ModerationDecision.objects.all()}
    assert rules == {english.pk: house_rule_get(desk=english_desk, language="en", number=2),
                     korean.pk: house_rule_get(desk=korean_desk, language="ko", number=2)}


def test_bulk_reject_skips_desks_without_that_rule(post, korean_story, now):
    """Rule 3 exists on the English desk only: the Korean comment is skipped, not rejected without a rule."""
    admin = make_moderator("ada", [], role=User.Role.ADMIN)
    english, korean = post(), post("섬", on=korean_story)

    decided, skipped = comment_bulk_decide(seen=seen(english, korean), action="reject", moderator=admin,
                                           rule_number=3, now=now)

    assert (decided, skipped) == ([english.pk], [korean.pk])
    assert status(korean) == Comment.Status.PENDING


def test_bulk_skips_and_reports_stale_comments(post, moderator, other_moderator, english_desk, now):
    """A comment edited by someone else after selection is skipped; the rest are decided."""
    fresh, edited = post(), post("call 555-0100")
    selection = seen(fresh, edited)
    comment_edit(comment_id=edited.pk, revision_id=edited.current_revision_id, moderator=other_moderator,
                 body="call [removed]", note="",
                 rule=house_rule_get(desk=english_desk, language="en", number=2), approve=False, now=now)

    decided, skipped = comment_bulk_decide(seen=selection, action="approve", moderator=moderator, rule_number=None,
                                           now=now + HOUR)

    assert (decided, skipped) == ([fresh.pk], [edited.pk])
    assert status(edited) == Comment.Status.PENDING
    assert not ModerationDecision.objects.filter(comment=edited, action="approve").exists()


def test_bulk_approve_skips_held_commenters(post, moderator, now):
    """Comments from a commenter on hold are left for a one-by-one look, not bulk-approved."""
    restriction_create(desk=moderator.desks.get(), commenter_key="held-key", kind="hold", reason="watch", expires_at=None, moderator=moderator,
                       now=now - HOUR)
    free, held = post(key="free-key"), post(key="held-key")

    decided, skipped = comment_bulk_decide(seen=seen(free, held), action="approve", moderator=moderator,
                                           rule_number=None, now=now)

    assert (decided, skipped) == ([free.pk], [held.pk])
    assert status(held) == Comment.Status.PENDING


def test_bulk_reject_includes_held_commenters(post, moderator, now):
    """A hold stops bulk approval only: a flood from a held commenter can still be bulk-rejected."""
    restriction_create(desk=moderator.desks.get(), commenter_key="held-key", kind="hold", reason="watch", expires_at=None, moderator=moderator,
                       now=now - HOUR)
    held = post(key="held-key")

    decided, _ = comment_bulk_decide(seen=seen(held), action="reject", moderator=moderator, rule_number=1, now=now)

    assert decided == [held.pk]


def test_bulk_skips_comments_of_other_desks(post, korean_moderator, now):
    """Ids outside the moderator's desks are skipped, whatever revision is given."""
    english = post()

    decided, skipped = comment_bulk_decide(seen=seen(english), action="approve", moderator=korean_moderator,
                                           rule_number=None, now=now)

    assert (decided, skipped) == ([], [english.pk])
    assert not ModerationDecision.objects.exists()


def test_bulk_skips_unknown_ids(post, moderator, now):
    """An id that does not exist is reported as skipped, not an error."""
    comment = post()

    decided, skipped = comment_bulk_decide(seen={**seen(comment), 987654: 1}, action="approve", moderator=moderator,
                                           rule_number=None, now=now)

    assert (decided, skipped) == ([comment.pk], [987654])


# Bans and holds


def test_ban_rejects_new_comments_as_a_system_decision(post, moderator, now):
    """A new comment from a banned key is rejected by the system, with the ban named in the note."""
    restriction = ban("reader-key", moderator, now - HOUR)
    comment = post()

    comment_screen(comment=comment, now=now)

    assert status(comment) == Comment.Status.REJECTED
    decision = ModerationDecision.objects.get()
    assert (decision.actor, decision.action, decision.rule, decision.revision_id) == (
        None, "reject", None, comment.current_revision_id)
    assert f"restriction {restriction.pk}" in decision.note
    assert "banned" in decision.note.lower()


def test_ban_does_not_touch_other_commenters(post, moderator, now):
    """Another key's comment stays pending, with no decision."""
    ban("reader-key", moderator, now - HOUR)
    comment = post(key="someone-else")

    comment_screen(comment=comment, now=now)

    assert status(comment) == Comment.Status.PENDING
    assert not ModerationDecision.objects.exists()


def test_ban_does_not_touch_comments_without_a_key(post, moderator, now):
    """A comment with no commenter key (an import, say) is never matched to a ban."""
    ban("", moderator, now - HOUR)
    comment = post(key="")

    comment_screen(comment=comment, now=now)

    assert status(comment) == Comment.Status.PENDING


def test_expired_ban_no_longer_applies(post, moderator, now):
    """Past its expiry a ban rejects nothing."""
    ban("reader-key", moderator, now - 48 * HOUR, expires_at=now - HOUR)
    comment = post()

    comment_screen(comment=comment, now=now)

    assert status(comment) == Comment.Status.PENDING


def test_ban_applies_until_its_expiry(post, moderator, now):
    """Before its expiry a time-limited ban is in force."""
    ban("reader-key", moderator, now - HOUR, expires_at=now + HOUR)
    comment = post()

    comment_screen(comment=comment, now=now)

    assert status(comment) == Comment.Status.REJECTED


def test_lifted_ban_no_longer_applies(post, moderator, now):
    """Once lifted a ban rejects nothing."""
    restriction = ban("reader-key", moderator, now - HOUR)
    restriction_revoke(restriction_id=restriction.pk, moderator=moderator, now=now - HOUR / 2)
    comment = post()

    comment_screen(comment=comment, now=now)

    assert status(comment) == Comment.Status.PENDING


def test_hold_does_not_reject(post, moderator, now):
    """A hold keeps new comments pending for a careful look; it never rejects them."""
    restriction_create(desk=moderator.desks.get(), commenter_key="reader-key", kind="hold", reason="watch", expires_at=None, moderator=moderator,
                       now=now - HOUR)
    comment = post()

    comment_screen(comment=comment, now=now)

    assert status(comment) == Comment.Status.PENDING
    assert not ModerationDecision.objects.exists()


def test_screen_leaves_a_comment_already_decided(post, moderator, now):
    """If a moderator approved the comment before the ban check ran, the check does not overturn it."""
    ban("reader-key", moderator, now - HOUR)
    comment = post()
    comment_approve(comment_id=comment.pk, revision_id=comment.current_revision_id, moderator=moderator, now=now)

    comment_screen(comment=comment, now=now)

    assert status(comment) == Comment.Status.APPROVED
    assert ModerationDecision.objects.count() == 1


def test_reopen_brings_a_banned_comment_back(post, moderator, now):
    """A moderator can reopen a comment the ban rejected: it returns to pending, audited."""
    ban("reader-key", moderator, now - HOUR)
    comment = post()
    comment_screen(comment=comment, now=now)

    comment_reopen(comment_id=comment.pk, revision_id=comment.current_revision_id, moderator=moderator,
                   note="ban was too broad", now=now + HOUR)

    assert status(comment) == Comment.Status.PENDING
    reopen = ModerationDecision.objects.get(action="reopen")
    assert (reopen.actor, reopen.from_status, reopen.to_status) == (moderator, "rejected", "pending")


def test_restriction_records_who_and_when(moderator, now):
    """Setting a hold or ban records the moderator, the time, the reason and the expiry."""
    restriction = ban("reader-key", moderator, now, expires_at=now + 24 * HOUR)

    stored = CommenterRestriction.objects.get(pk=restriction.pk)
    assert (stored.created_by, stored.created_at, stored.reason, stored.expires_at) == (
        moderator, now, "flooding", now + 24 * HOUR)
    assert stored.is_active(now) and not stored.is_active(now + 24 * HOUR)


def test_lifting_records_who_and_when_and_keeps_the_row(moderator, other_moderator, now):
    """Lifting marks the restriction revoked by whom and when; the record of who set it stays."""
    restriction = ban("reader-key", moderator, now)

    assert restriction_revoke(restriction_id=restriction.pk, moderator=other_moderator, now=now + HOUR)

    stored = CommenterRestriction.objects.get(pk=restriction.pk)
    assert (stored.created_by, stored.revoked_by, stored.revoked_at) == (moderator, other_moderator, now + HOUR)
    assert not stored.is_active(now + HOUR)


def test_lifting_twice_keeps_the_first_record(moderator, other_moderator, now):
    """A second lift does nothing and reports so; the first lifter stays on record."""
    restriction = ban("reader-key", moderator, now)
    restriction_revoke(restriction_id=restriction.pk, moderator=moderator, now=now + HOUR)

    assert not restriction_revoke(restriction_id=restriction.pk, moderator=other_moderator, now=now + 2 * HOUR)
    assert CommenterRestriction.objects.get(pk=restriction.pk).revoked_by == moderator
