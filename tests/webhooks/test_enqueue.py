"""What the real decisions enqueue: one outbox row per subscribed endpoint, in the decision's own
transaction, carrying ids and published text only (G6)."""
import json
from datetime import timedelta

import pytest
from django.db import transaction

from tests.conftest import approve, reject
from voxpop.api.representations import comment_public_json
from voxpop.comments.models import Comment
from voxpop.desks.selectors import house_rule_get
from voxpop.moderation.retention import commenter_erase, comment_withdraw
from voxpop.moderation.services import (StaleDecision, comment_approve, comment_edit, comment_reopen,
                                        comment_undo)
from voxpop.stories.services import story_upsert
from voxpop.webhooks.models import Delivery, Endpoint, Event
from voxpop.webhooks.services import endpoint_set_active
from tests.conftest import make_moderator

MINUTE = timedelta(minutes=1)
ORIGINAL = "Call me on +82 10 1234 5678 about the night bus."
MASKED = "Call me on [phone number removed] about the night bus."


@pytest.fixture
def endpoint(endpoint_for, story):
    """An endpoint for every event, registered after the test story (whose story.created it misses)."""
    return endpoint_for("https://cms.example/hooks/voxpop")


@pytest.fixture
def rule(english_desk):
    return house_rule_get(desk=english_desk, language="en", number=2)


def edit(comment, moderator, rule, at, body=MASKED, approve=False):
    comment.refresh_from_db()
    return comment_edit(comment_id=comment.pk, revision_id=comment.current_revision_id, moderator=moderator,
                        body=body, rule=rule, note="phone number", approve=approve, now=at)


def queued(**filters) -> list[Delivery]:
    return list(Delivery.objects.filter(**filters).order_by("pk"))


def every_payload() -> str:
    return json.dumps([d.payload for d in Delivery.objects.all()], ensure_ascii=False)


def test_approval_enqueues_comment_published_with_the_published_text(endpoint, story, submit, moderator, now):
    """Approving enqueues comment.published with the comment as the API shows it, plus its story."""
    comment = submit(story, body="The night bus is my only way home.", display_name="민수")

    approve(comment, moderator, now)

    [delivery] = queued()
    comment.refresh_from_db()
    assert (delivery.endpoint, delivery.event, delivery.comment_id) == (endpoint, Event.COMMENT_PUBLISHED, comment.pk)
    assert delivery.payload == {"event": "comment.published", "created_at": "2026-11-02T09:30:00Z", "data": {
        "id": comment.pk, "story": "harbour-buses", "body": "The night bus is my only way home.",
        "display_name": "민수", "published_at": "2026-11-02T09:30:00Z", "parent": None, "edited": None}}
    assert delivery.payload["data"] == {**comment_public_json(comment), "story": story.key}
    assert delivery.next_attempt_at == now and delivery.attempts == 0


def test_one_delivery_per_subscribed_active_endpoint(endpoint_for, story, submit, moderator, now):
    """Each active endpoint that asked for the event gets its own row; the others get none."""
    wants = endpoint_for("https://a.example/hooks", events=["comment.published"])
    endpoint_for("https://b.example/hooks", events=["comment.rejected", "story.created"])
    disabled = endpoint_for("https://c.example/hooks")
    endpoint_set_active(endpoint_id=disabled.pk, active=False)

    approve(submit(story), moderator, now)

    assert [d.endpoint for d in queued()] == [wants]


def test_a_rolled_back_decision_enqueues_nothing(endpoint, pending_comment, moderator, now):
    """The row is written inside the decision's transaction: if that rolls back, no delivery is left."""
    with pytest.raises(RuntimeError), transaction.atomic():
        approve(pending_comment, moderator, now)
        assert queued(event=Event.COMMENT_PUBLISHED), "enqueued inside the decision's transaction"
        raise RuntimeError("the request failed after the decision")

    assert not Delivery.objects.exists()
    pending_comment.refresh_from_db()
    assert pending_comment.status == Comment.Status.PENDING


def test_a_stale_decision_enqueues_nothing(endpoint, pending_comment, moderator, other_moderator, rule, now):
    """A refused decision (another moderator's edit came first) sends nothing."""
    seen = pending_comment.current_revision_id
    edit(pending_comment, other_moderator, rule, now)

    with pytest.raises(StaleDecision):
        comment_approve(comment_id=pending_comment.pk, revision_id=seen, moderator=moderator, now=now + MINUTE)

    assert not Delivery.objects.exists()


def test_an_edit_of_a_pending_comment_sends_nothing(endpoint, pending_comment, moderator, rule, now):
    """A pending comment is not public, so neither is its edit."""
    edit(pending_comment, moderator, rule, now)

    assert not Delivery.objects.exists()


def test_approval_after_an_edit_sends_the_edited_text_only(endpoint, story, submit, moderator, rule, now):
    """The reader's original, never published, is in no payload; the published (masked) text is."""
    comment = submit(story, body=ORIGINAL)
    edit(comment, moderator, rule, now)

    approve(comment, moderator, now + MINUTE)

    [delivery] = queued()
    assert delivery.payload["data"]["body"] == MASKED
    assert delivery.payload["data"]["edited"] == {"by": "moderator", "rule": {"number": 2, "text": rule.text}}
    assert "+82 10 1234 5678" not in every_payload()


def test_edit_and_approve_is_a_publication_with_the_edited_text(endpoint, story, submit, moderator, rule, now):
    """Edit-and-approve publishes: comment.published with the moderator's text."""
    comment = submit(story, body=ORIGINAL)

    edit(comment, moderator, rule, now, approve=True)

    [delivery] = queued()
    assert delivery.event == Event.COMMENT_PUBLISHED
    assert delivery.payload["data"]["body"] == MASKED
    assert "+82" not in every_payload()


def test_rejection_sends_ids_time_and_rule_number_without_text(endpoint, story, submit, moderator, rule, now):
    """comment.rejected says which comment, when and under which rule: never its text or name."""
    comment = submit(story, body="rejected-text-7f3a", display_name="rejected-name-1c2d")

    reject(comment, moderator, rule, now)

    [delivery] = queued()
    assert delivery.payload == {"event": "comment.rejected", "created_at": "2026-11-02T09:30:00Z", "data": {
        "id": comment.pk, "story": "harbour-buses", "decided_at": "2026-11-02T09:30:00Z", "rule": 2}}
    assert "rejected-text" not in every_payload() and "rejected-name" not in every_payload()


def test_an_edit_of_a_published_comment_sends_comment_edited(endpoint, story, submit, moderator, rule, now):
    """A moderator's change to a published comment sends its new published text."""
    comment = submit(story, body=ORIGINAL)
    approve(comment, moderator, now)

    edit(comment, moderator, rule, now + MINUTE)

    edited = queued(event=Event.COMMENT_EDITED)
    assert [d.payload["data"]["body"] for d in edited] == [MASKED]
    assert edited[0].payload["data"]["edited"]["rule"]["number"] == 2


def test_a_later_event_supersedes_the_undelivered_earlier_one(endpoint, story, submit, moderator, rule, now):
    """A redaction of a published comment voids the unsent comment.published carrying the unredacted text."""
    comment = submit(story, body=ORIGINAL)
    approve(comment, moderator, now)

    edit(comment, moderator, rule, now + MINUTE)

    published, edited = queued()
    assert published.superseded_at == now + MINUTE and published.next_attempt_at is None
    assert published.payload == {}
    assert edited.next_attempt_at == now + MINUTE
    assert "+82" not in every_payload()


def test_undoing_an_approval_sends_unpublished_and_voids_the_publication(endpoint, pending_comment, moderator, now):
    """Undo makes the comment pending again: its text must not go out after all, and receivers drop it."""
    approve(pending_comment, moderator, now)

    comment_undo(moderator=moderator, now=now + MINUTE)

    published, unpublished = queued()
    assert published.superseded_at is not None and published.payload == {}
    assert unpublished.event == Event.COMMENT_UNPUBLISHED
    assert unpublished.payload["data"] == {"id": pending_comment.pk, "story": "harbour-buses",
                                           "unpublished_at": "2026-11-02T09:31:00Z"}
    assert pending_comment.current_revision.body not in every_payload()


def test_superseding_reaches_endpoints_that_do_not_take_the_new_event(endpoint_for, story, pending_comment,
                                                                      moderator, now):
    """An endpoint that only takes comment.published still never gets the text of an undone approval."""
    only_published = endpoint_for("https://cms.example/published-only", events=["comment.published"])
    approve(pending_comment, moderator, now)

    comment_undo(moderator=moderator, now=now + MINUTE)

    [delivery] = queued()
    assert delivery.endpoint == only_published and delivery.superseded_at is not None
    assert delivery.next_attempt_at is None and delivery.payload == {}


def test_undoing_an_edit_of_a_published_comment_sends_the_restored_text(endpoint, story, submit, moderator, rule,
                                                                        now):
    """The text published again after an undone edit goes out as comment.edited."""
    comment = submit(story, body="The first published text.")
    approve(comment, moderator, now)
    edit(comment, moderator, rule, now + MINUTE, body="An edit made by mistake.")

    comment_undo(moderator=moderator, now=now + 2 * MINUTE)

    last = queued()[-1]
    assert (last.event, last.payload["data"]["body"]) == (Event.COMMENT_EDITED, "The first published text.")
    assert last.payload["data"]["edited"] is None


def test_undoing_or_reopening_a_rejection_sends_nothing(endpoint, story, submit, moderator, rule, now):
    """Rejected back to pending is not public: nothing beyond the rejection itself."""
    first, second = submit(story, body="one"), submit(story, body="two")
    reject(first, moderator, rule, now)
    comment_undo(moderator=moderator, now=now + MINUTE)
    reject(second, moderator, rule, now + 2 * MINUTE)

    second.refresh_from_db()
    comment_reopen(comment_id=second.pk, revision_id=second.current_revision_id, moderator=moderator, note="",
                   now=now + 3 * MINUTE)

    assert [d.event for d in queued()] == [Event.COMMENT_REJECTED, Event.COMMENT_REJECTED]


def test_withdrawal_of_a_published_comment_sends_unpublished(endpoint, pending_comment, moderator, now):
    """The author takes their published comment down: receivers are told, and its text leaves the outbox."""
    approve(pending_comment, moderator, now)

    assert comment_withdraw(comment_id=pending_comment.pk, now=now + MINUTE)

    assert [d.event for d in queued(superseded_at__isnull=True)] == [Event.COMMENT_UNPUBLISHED]
    assert "night bus" not in every_payload()


def test_withdrawal_of_a_pending_comment_sends_nothing(endpoint, pending_comment, now):
    """A comment nobody saw in public needs no unpublishing."""
    assert comment_withdraw(comment_id=pending_comment.pk, now=now)

    assert not Delivery.objects.exists()


def test_erasure_unpublishes_the_commenters_published_comments(endpoint, story, submit, moderator, now):
    """An admin's erasure of a commenter sends comment.unpublished for each of their published comments."""
    published, waiting = submit(story, body="published"), submit(story, body="waiting")
    approve(published, moderator, now)
    admin = make_moderator("ada", [], role="admin")

    commenter_erase(commenter_key="reader-key", admin=admin, now=now + MINUTE)

    assert [(d.event, d.comment_id) for d in queued(superseded_at__isnull=True)] == [
        (Event.COMMENT_UNPUBLISHED, published.pk)]
    assert waiting.pk not in [d.comment_id for d in queued()]


def test_story_created_once_when_registered(endpoint, english_desk, now):
    """A new story sends story.created with its public record; an update of it sends nothing."""
    fields = {"title": "Ferry fares", "url": "https://news.example/ferry", "language": "en", "desk": english_desk,
              "published_at": now}
    story_upsert(key="ferry-fares", fields=fields, now=now)
    story_upsert(key="ferry-fares", fields={**fields, "title": "Ferry fares rise"}, now=now + MINUTE)

    [delivery] = queued()
    assert delivery.event == Event.STORY_CREATED and delivery.comment_id is None
    assert delivery.payload["data"] == {
        "key": "ferry-fares", "title": "Ferry fares", "url": "https://news.example/ferry", "language": "en",
        "desk": "english", "published_at": "2026-11-02T09:30:00Z"}


def test_a_story_rolled_back_enqueues_nothing(endpoint, english_desk, now):
    """story.created commits with the story, or not at all."""
    with pytest.raises(RuntimeError), transaction.atomic():
        story_upsert(key="ferry-fares", fields={"title": "Ferry", "url": "https://news.example/ferry",
                                                "language": "en", "desk": english_desk}, now=now)
        raise RuntimeError

    assert not Delivery.objects.exists()


def test_decisions_through_the_api_enqueue_too(endpoint, pending_comment, moderator, token_for, client):
    """The API's decision endpoint goes through the same service, so it enqueues the same event."""
    response = client.post(f"/api/v1/moderation/comments/{pending_comment.pk}/decisions",
                           {"action": "approve", "revision": pending_comment.current_revision_id},
                           content_type="application/json",
                           headers={"Authorization": f"Bearer {token_for(moderator)}"})

    assert response.status_code == 200
    assert [d.event for d in queued()] == [Event.COMMENT_PUBLISHED]


def test_pending_text_is_in_no_payload_whatever_happens(endpoint, story, submit, moderator, rule, now):
    """Across publication, edits, rejection and undo, no payload holds text that is not public now."""
    secret = "pending-only-9d41"
    published = submit(story, body=f"{secret} original")
    edit(published, moderator, rule, now, body="the published version")
    approve(published, moderator, now + MINUTE)
    rejected = submit(story, body=f"{secret} rejected", display_name=f"{secret} name")
    reject(rejected, moderator, rule, now + 2 * MINUTE)
    undone = submit(story, body=f"{secret} undone later")
    approve(undone, moderator, now + 3 * MINUTE)
    comment_undo(moderator=moderator, now=now + 4 * MINUTE)
    submit(story, body=f"{secret} never decided")

    assert Delivery.objects.count() >= 4
    assert secret not in every_payload()
    assert Endpoint.objects.count() == 1
