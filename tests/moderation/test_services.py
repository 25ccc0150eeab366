"""Moderation decisions: compare-and-set on the revision, one audit row per winning decision (G3)."""
import threading
from datetime import timedelta

import pytest
from django.db import connection

from voxpop.comments.models import Comment, CommentRevision
from voxpop.desks.selectors import house_rule_get
from voxpop.moderation.models import ModerationDecision
from voxpop.moderation.services import StaleDecision, comment_approve, comment_edit, comment_reject


@pytest.fixture
def rule(english_desk):
    return house_rule_get(desk=english_desk, language="en", number=2)


def test_approve_publishes_and_records_who(pending_comment, moderator, now):
    """Approving publishes the seen revision and writes one audit row naming the moderator."""
    comment_approve(comment_id=pending_comment.pk, revision_id=pending_comment.current_revision_id,
                    moderator=moderator, now=now)

    pending_comment.refresh_from_db()
    assert pending_comment.status == Comment.Status.APPROVED
    assert pending_comment.published_at == now
    decision = ModerationDecision.objects.get()
    assert (decision.actor, decision.action, decision.from_status, decision.to_status) == (
        moderator, "approve", "pending", "approved")
    assert decision.revision_id == pending_comment.current_revision_id


def test_second_decision_on_same_revision_is_stale(pending_comment, moderator, other_moderator, rule, now):
    """Once approved, a reject of the revision the other moderator saw is refused, not applied."""
    seen = pending_comment.current_revision_id
    comment_approve(comment_id=pending_comment.pk, revision_id=seen, moderator=moderator, now=now)

    with pytest.raises(StaleDecision):
        comment_reject(comment_id=pending_comment.pk, revision_id=seen, moderator=other_moderator, rule=rule,
                       note="", now=now)

    pending_comment.refresh_from_db()
    assert pending_comment.status == Comment.Status.APPROVED
    assert ModerationDecision.objects.count() == 1


def test_stale_revision_is_not_approved(pending_comment, moderator, other_moderator, rule, now):
    """An edit after the moderator opened the comment voids their decision."""
    seen = pending_comment.current_revision_id
    comment_edit(comment_id=pending_comment.pk, revision_id=seen, moderator=other_moderator, body="masked",
                 rule=rule, note="", approve=False, now=now)

    with pytest.raises(StaleDecision):
        comment_approve(comment_id=pending_comment.pk, revision_id=seen, moderator=moderator, now=now)

    pending_comment.refresh_from_db()
    assert pending_comment.status == Comment.Status.PENDING
    assert not ModerationDecision.objects.filter(to_status="approved").exists()


def test_edit_keeps_original_and_records_rule(pending_comment, moderator, rule, now):
    """An edit adds revision 2 by the moderator under a rule; revision 1 stays as the reader wrote it."""
    original = pending_comment.current_revision
    revision = comment_edit(comment_id=pending_comment.pk, revision_id=original.pk, moderator=moderator,
                            body="The night bus is my only way [removed].", rule=rule, note="masked",
                            approve=True, now=now + timedelta(minutes=1))

    pending_comment.refresh_from_db()
    assert pending_comment.current_revision == revision
    assert pending_comment.status == Comment.Status.APPROVED
    assert (revision.number, revision.editor, revision.rule) == (2, moderator, rule)
    assert CommentRevision.objects.get(pk=original.pk).body == "The night bus is my only way home."
    decision = ModerationDecision.objects.get()
    assert (decision.action, decision.revision, decision.rule, decision.to_status) == (
        "edit", revision, rule, "approved")


def test_edit_of_published_comment_keeps_it_published(pending_comment, moderator, rule, now):
    """Editing an approved comment changes its text but neither unpublishes nor re-dates it."""
    comment_approve(comment_id=pending_comment.pk, revision_id=pending_comment.current_revision_id,
                    moderator=moderator, now=now)
    comment_edit(comment_id=pending_comment.pk, revision_id=pending_comment.current_revision_id,
                 moderator=moderator, body="edited", rule=rule, note="", approve=False,
                 now=now + timedelta(hours=1))

    pending_comment.refresh_from_db()
    assert pending_comment.status == Comment.Status.APPROVED
    assert pending_comment.published_at == now
    assert pending_comment.current_revision.body == "edited"


def test_rejected_comment_cannot_be_edited_back(pending_comment, moderator, rule, now):
    """A rejected comment is out of the queue: an edit of it is stale, not a way to republish."""
    seen = pending_comment.current_revision_id
    comment_reject(comment_id=pending_comment.pk, revision_id=seen, moderator=moderator, rule=rule, note="",
                   now=now)

    with pytest.raises(StaleDecision):
        comment_edit(comment_id=pending_comment.pk, revision_id=seen, moderator=moderator, body="x", rule=rule,
                     note="", approve=True, now=now)
    assert Comment.objects.get().status == Comment.Status.REJECTED


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("second", ["approve", "reject", "edit"])
def test_simultaneous_decisions_one_wins(story, submit, moderator, other_moderator, rule, now, second):
    """Two moderators deciding on one revision at the same moment: exactly one decision lands."""
    comment = submit(story)
    seen = comment.current_revision_id
    barrier = threading.Barrier(2)
    outcomes = []

    def decide(action, who):
        barrier.wait()
        try:
            if action == "approve":
                comment_approve(comment_id=comment.pk, revision_id=seen, moderator=who, now=now)
            elif action == "reject":
                comment_reject(comment_id=comment.pk, revision_id=seen, moderator=who, rule=rule, note="", now=now)
            else:
                comment_edit(comment_id=comment.pk, revision_id=seen, moderator=who, body="masked", rule=rule,
                             note="", approve=True, now=now)
            outcomes.append("won")
        except StaleDecision:
            outcomes.append("stale")
        finally:
            connection.close()

    threads = [threading.Thread(target=decide, args=("approve", moderator)),
               threading.Thread(target=decide, args=(second, other_moderator))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    assert sorted(outcomes) == ["stale", "won"]
    assert ModerationDecision.objects.filter(comment=comment).count() == 1


def test_edit_and_approve_after_another_approval_is_stale(pending_comment, moderator, other_moderator, rule, now):
    """Edit-and-approve of a comment that was approved meanwhile is refused: the editor must look again."""
    seen = pending_comment.current_revision_id
    comment_approve(comment_id=pending_comment.pk, revision_id=seen, moderator=moderator, now=now)

    with pytest.raises(StaleDecision):
        comment_edit(comment_id=pending_comment.pk, revision_id=seen, moderator=other_moderator, body="masked",
                     rule=rule, note="", approve=True, now=now)
    assert CommentRevision.objects.filter(comment=pending_comment).count() == 1
