"""Undo: a moderator reverts their own last decision, unless someone changed the comment since (G3)."""
from datetime import timedelta

import pytest

from tests.conftest import approve, reject
from voxpop.comments.models import Comment, CommentRevision
from voxpop.desks.selectors import house_rule_get
from voxpop.moderation.models import ModerationDecision
from voxpop.moderation.services import (NothingToUndo, StaleDecision, comment_edit, comment_reopen, comment_undo)

MINUTE = timedelta(minutes=1)


@pytest.fixture
def rule(english_desk):
    return house_rule_get(desk=english_desk, language="en", number=2)


def edit(comment, who, rule, at, body="The night bus is my only way [removed].", approve=False):
    comment.refresh_from_db()
    return comment_edit(comment_id=comment.pk, revision_id=comment.current_revision_id, moderator=who, body=body,
                        rule=rule, note="", approve=approve, now=at)


def test_undo_of_approve_returns_to_pending_unpublished(pending_comment, moderator, now):
    """Undoing an approval takes the comment back to pending and clears its publication time."""
    approve(pending_comment, moderator, now)

    comment_undo(moderator=moderator, now=now + MINUTE)

    pending_comment.refresh_from_db()
    assert (pending_comment.status, pending_comment.published_at) == (Comment.Status.PENDING, None)


def test_undo_row_references_the_undone_decision(pending_comment, moderator, now):
    """The undo is its own audit row, pointing at the decision it reverted, which stays in the log."""
    approve(pending_comment, moderator, now)
    approval = ModerationDecision.objects.get()

    undo = comment_undo(moderator=moderator, now=now + MINUTE)

    assert undo.undoes == approval
    assert (undo.actor, undo.action, undo.from_status, undo.to_status, undo.decided_at) == (
        moderator, "undo", "approved", "pending", now + MINUTE)
    assert undo.revision_id == pending_comment.current_revision_id
    assert ModerationDecision.objects.get(pk=approval.pk).undone_by == undo
    assert ModerationDecision.objects.count() == 2


def test_undo_of_reject_returns_to_pending(pending_comment, moderator, rule, now):
    """Undoing a rejection puts the comment back in the pending queue."""
    reject(pending_comment, moderator, rule, now)

    undo = comment_undo(moderator=moderator, now=now + MINUTE)

    pending_comment.refresh_from_db()
    assert pending_comment.status == Comment.Status.PENDING
    assert (undo.undoes.action, undo.from_status, undo.to_status) == ("reject", "rejected", "pending")


def test_undo_of_edit_restores_the_previous_revision(pending_comment, moderator, rule, now):
    """Undoing an edit makes the reader's revision current again; the edit's revision stays in history."""
    original = pending_comment.current_revision
    edited = edit(pending_comment, moderator, rule, now)

    undo = comment_undo(moderator=moderator, now=now + MINUTE)

    pending_comment.refresh_from_db()
    assert pending_comment.current_revision == original
    assert pending_comment.status == Comment.Status.PENDING
    assert CommentRevision.objects.get(pk=edited.pk).body == "The night bus is my only way [removed]."
    assert undo.revision == original


def test_undo_of_edit_and_approve_unpublishes_the_original(pending_comment, moderator, rule, now):
    """Undoing edit-and-approve returns to the pending original, unpublished."""
    original = pending_comment.current_revision
    edit(pending_comment, moderator, rule, now, approve=True)

    comment_undo(moderator=moderator, now=now + MINUTE)

    pending_comment.refresh_from_db()
    assert (pending_comment.status, pending_comment.published_at, pending_comment.current_revision) == (
        Comment.Status.PENDING, None, original)


def test_undo_of_edit_to_a_published_comment_keeps_it_published(pending_comment, moderator, rule, now):
    """Undoing a correction of a published comment restores its text and keeps its publication time."""
    approve(pending_comment, moderator, now)
    original = pending_comment.current_revision
    edit(pending_comment, moderator, rule, now + MINUTE)

    comment_undo(moderator=moderator, now=now + 2 * MINUTE)

    pending_comment.refresh_from_db()
    assert (pending_comment.status, pending_comment.published_at, pending_comment.current_revision) == (
        Comment.Status.APPROVED, now, original)


def test_comment_can_be_edited_again_after_an_edit_was_undone(pending_comment, moderator, rule, now):
    """After an undone edit the comment is not stuck: a new edit lands as a further revision."""
    edit(pending_comment, moderator, rule, now, body="first try")
    comment_undo(moderator=moderator, now=now + MINUTE)

    second = edit(pending_comment, moderator, rule, now + 2 * MINUTE, body="second try")

    pending_comment.refresh_from_db()
    assert pending_comment.current_revision == second
    assert list(pending_comment.revisions.order_by("number").values_list("body", flat=True)) == [
        "The night bus is my only way home.", "first try", "second try"]


def test_undo_of_a_later_edit_restores_the_revision_it_replaced(pending_comment, moderator, rule, now):
    """Undo of an edit made after an undone edit goes back to the text that edit replaced, not the undone one."""
    original = pending_comment.current_revision
    edit(pending_comment, moderator, rule, now, body="first try")
    comment_undo(moderator=moderator, now=now + MINUTE)
    edit(pending_comment, moderator, rule, now + 2 * MINUTE, body="second try")

    comment_undo(moderator=moderator, now=now + 3 * MINUTE)

    pending_comment.refresh_from_db()
    assert pending_comment.current_revision == original


def test_undo_refused_when_another_moderator_edited_since(pending_comment, moderator, other_moderator, rule, now):
    """If someone else edited the comment after my approval, my undo is refused and changes nothing."""
    approve(pending_comment, moderator, now)
    edit(pending_comment, other_moderator, rule, now + MINUTE)

    with pytest.raises(StaleDecision):
        comment_undo(moderator=moderator, now=now + 2 * MINUTE)

    pending_comment.refresh_from_db()
    assert (pending_comment.status, pending_comment.current_revision.number) == (Comment.Status.APPROVED, 2)
    assert not ModerationDecision.objects.filter(action="undo").exists()


def test_undo_refused_when_another_moderator_decided_the_same_way_since(pending_comment, moderator,
                                                                        other_moderator, rule, now):
    """My reject, then another's reopen and reject: the comment is back in the same state, but not by me."""
    reject(pending_comment, moderator, rule, now)
    pending_comment.refresh_from_db()
    comment_reopen(comment_id=pending_comment.pk, revision_id=pending_comment.current_revision_id,
                   moderator=other_moderator, note="", now=now + MINUTE)
    reject(pending_comment, other_moderator, rule, now + 2 * MINUTE)

    with pytest.raises(StaleDecision):
        comment_undo(moderator=moderator, now=now + 3 * MINUTE)

    pending_comment.refresh_from_db()
    assert pending_comment.status == Comment.Status.REJECTED
    assert not ModerationDecision.objects.filter(action="undo").exists()


def test_undo_only_touches_my_own_last_decision(story, submit, moderator, other_moderator, now):
    """Another moderator's later decision is not what my undo reverts."""
    mine, theirs = submit(story, body="mine"), submit(story, body="theirs")
    approve(mine, moderator, now)
    approve(theirs, other_moderator, now + MINUTE)

    undo = comment_undo(moderator=moderator, now=now + 2 * MINUTE)

    assert undo.comment_id == mine.pk
    assert Comment.objects.get(pk=mine.pk).status == Comment.Status.PENDING
    assert Comment.objects.get(pk=theirs.pk).status == Comment.Status.APPROVED


def test_second_undo_reverts_the_decision_before(story, submit, moderator, rule, now):
    """Undo twice: the last decision first, then the one before it."""
    first, second = submit(story, body="first"), submit(story, body="second")
    reject(first, moderator, rule, now)
    approve(second, moderator, now + MINUTE)

    undone = [comment_undo(moderator=moderator, now=now + (2 + i) * MINUTE).undoes.comment_id for i in range(2)]

    assert undone == [second.pk, first.pk]
    assert set(Comment.objects.values_list("status", flat=True)) == {Comment.Status.PENDING}


def test_nothing_to_undo_without_decisions(moderator, now):
    """A moderator who decided nothing has nothing to undo."""
    with pytest.raises(NothingToUndo):
        comment_undo(moderator=moderator, now=now)


def test_nothing_to_undo_once_all_are_undone(pending_comment, moderator, now):
    """An undo is not itself undone: after undoing the only decision there is nothing left."""
    approve(pending_comment, moderator, now)
    comment_undo(moderator=moderator, now=now + MINUTE)

    with pytest.raises(NothingToUndo):
        comment_undo(moderator=moderator, now=now + 2 * MINUTE)
    assert Comment.objects.get().status == Comment.Status.PENDING

