"""HTTP contract of moderation in the API: GET /api/v1/moderation/queue and POST .../decisions."""
import pytest

from tests.conftest import make_moderator
from voxpop.accounts.models import User
from voxpop.comments.models import Comment, CommentRevision
from voxpop.common import clock
from voxpop.moderation.models import ModerationDecision
from voxpop.moderation.services import comment_approve

QUEUE = "/api/v1/moderation/queue"


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch, now):
    monkeypatch.setattr(clock, "now", lambda: now)


def public_ids(client, story):
    return [c["id"] for c in client.get(f"/api/v1/stories/{story.key}/comments").json()["comments"]]


# Queue

def test_queue_lists_pending_comments_with_the_stable_fields(api, moderator, pending_comment):
    """Each queued comment has id, story, revision, body, language, desk, risk and signals."""
    response = api.get(QUEUE, moderator)

    assert response.status_code == 200
    [item] = response.json()["comments"]
    assert {k: item[k] for k in ("id", "story", "revision", "body", "language", "desk", "risk", "signals")} == {
        "id": pending_comment.pk, "story": "harbour-buses", "revision": pending_comment.current_revision_id,
        "body": "The night bus is my only way home.", "language": "en", "desk": "english", "risk": None,
        "signals": [],
    }


def test_queue_lists_only_pending_comments(api, moderator, story, submit, now):
    """Approved and rejected comments have left the pending queue."""
    pending = submit(story, body="Still pending")
    approved = submit(story, body="Already approved")
    comment_approve(comment_id=approved.pk, revision_id=approved.current_revision_id, moderator=moderator, now=now)

    assert [c["id"] for c in api.get(QUEUE, moderator).json()["comments"]] == [pending.pk]


def test_queue_lists_only_the_callers_desks(api, moderator, korean_moderator, pending_comment, korean_story,
                                            submit):
    """A moderator sees the pending comments of their own desks, not another desk's."""
    korean = submit(korean_story, body="도서관이 계속 열렸으면 좋겠어요.")

    assert [c["id"] for c in api.get(QUEUE, moderator).json()["comments"]] == [pending_comment.pk]
    assert [c["id"] for c in api.get(QUEUE, korean_moderator).json()["comments"]] == [korean.pk]


def test_admin_queue_spans_every_desk(api, pending_comment, korean_story, submit):
    """An admin's queue holds every desk's pending comments."""
    korean = submit(korean_story, body="도서관")
    admin = make_moderator("ada", [], role=User.Role.ADMIN)

    assert [c["id"] for c in api.get(QUEUE, admin).json()["comments"]] == [pending_comment.pk, korean.pk]


def test_queue_pages_with_the_next_link(api, moderator, story, submit):
    """`next` walks the queue oldest first, each comment once."""
    ids = [submit(story, body=f"c{i}").pk for i in range(5)]

    seen, url = [], f"{QUEUE}?limit=2"
    while url:
        page = api.get(url, moderator).json()
        seen += [c["id"] for c in page["comments"]]
        url = page["next"]

    assert seen == ids


def test_queue_without_token_is_401(client, pending_comment):
    """The queue is not public: no token, 401 with a Bearer challenge and nothing of the comment."""
    response = client.get(QUEUE)

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert "night bus" not in response.content.decode()


@pytest.mark.parametrize("header", ["Bearer vxp_forged", "Bearer ", "Basic ZXJpbjpwdw==", "vxp_no_scheme"])
def test_queue_with_invalid_token_is_401(client, pending_comment, header):
    """A forged, empty or non-Bearer credential is a 401."""
    response = client.get(QUEUE, headers={"Authorization": header})

    assert response.status_code == 401
    assert response.json()["error"]["code"] in ("unauthenticated", "invalid_token")


# Approve

def test_approve_publishes_the_comment(api, client, moderator, story, pending_comment, now):
    """Approving the current revision answers 200 with the comment and makes it public."""
    response = api.decide(pending_comment, moderator, action="approve", revision=pending_comment.current_revision_id)

    assert response.status_code == 200
    assert (response.json()["id"], response.json()["status"]) == (pending_comment.pk, "approved")
    assert public_ids(client, story) == [pending_comment.pk]
    decision = ModerationDecision.objects.get()
    assert (decision.actor, decision.action, decision.to_status, decision.decided_at) == (
        moderator, "approve", "approved", now)


def test_approve_keeps_the_moderators_note(api, moderator, pending_comment):
    """A note sent with an approval is kept in the audit row, not dropped."""
    api.decide(pending_comment, moderator, action="approve", revision=pending_comment.current_revision_id,
               note="Checked the quote against the story.")

    assert ModerationDecision.objects.get().note == "Checked the quote against the story."


def test_second_approve_of_the_same_revision_is_409(api, moderator, other_moderator, pending_comment):
    """Of two moderators approving one revision, one wins; the other gets 409 and no second audit row."""
    revision = pending_comment.current_revision_id
    api.decide(pending_comment, moderator, action="approve", revision=revision)

    response = api.decide(pending_comment, other_moderator, action="approve", revision=revision)

    assert response.status_code == 409
    error = response.json()["error"]
    assert (error["code"], error["field"]) == ("stale_revision", "revision")
    assert ModerationDecision.objects.count() == 1
    assert ModerationDecision.objects.get().actor == moderator


def test_decision_on_a_revision_of_another_comment_is_409(api, moderator, story, submit):
    """`revision` must be the current revision of this very comment."""
    one, two = submit(story, body="one"), submit(story, body="two")

    response = api.decide(one, moderator, action="approve", revision=two.current_revision_id)

    assert response.status_code == 409
    assert Comment.objects.filter(status="pending").count() == 2


@pytest.mark.parametrize("data, field", [
    ({"action": "approve"}, "revision"),
    ({"action": "approve", "revision": "1"}, "revision"),
    ({"action": "publish", "revision": 1}, "action"),
    ({"revision": 1}, "action"),
    ({"action": "approve", "revision": 2**63}, "revision"),
    ({"action": "reject", "revision": 1, "reason": -2**70}, "reason"),
])
def test_decision_with_missing_or_invalid_fields_is_422(api, moderator, pending_comment, data, field):
    """A decision without a valid action or revision is refused, naming the field, and changes nothing."""
    response = api.decide(pending_comment, moderator, **data)

    assert response.status_code == 422
    assert response.json()["error"]["field"] == field
    assert not ModerationDecision.objects.exists()


# Reject

def test_reject_without_reason_is_422(api, moderator, pending_comment):
    """A rejection must cite a house rule: without `reason` it is refused and the comment stays pending."""
    response = api.decide(pending_comment, moderator, action="reject", revision=pending_comment.current_revision_id)

    assert response.status_code == 422
    assert response.json()["error"]["field"] == "reason"
    pending_comment.refresh_from_db()
    assert pending_comment.status == "pending"
    assert not ModerationDecision.objects.exists()


def test_reject_with_unknown_rule_number_is_422(api, moderator, pending_comment):
    """`reason` must be the number of one of the desk's house rules."""
    response = api.decide(pending_comment, moderator, action="reject", revision=pending_comment.current_revision_id,
                          reason=9)

    assert response.status_code == 422
    assert response.json()["error"]["field"] == "reason"
    assert not ModerationDecision.objects.exists()


def test_reject_with_reason_keeps_the_comment_private(api, client, moderator, story, pending_comment):
    """A rejection records the rule and the comment never becomes public."""
    response = api.decide(pending_comment, moderator, action="reject", revision=pending_comment.current_revision_id,
                          reason=1, note="insults")

    assert response.status_code == 200
    assert response.json()["status"] == "rejected"
    decision = ModerationDecision.objects.get()
    assert (decision.action, decision.rule.number, decision.note) == ("reject", 1, "insults")
    assert public_ids(client, story) == []


# Edit

def test_edit_without_body_is_422(api, moderator, pending_comment):
    """An edit must carry the new text."""
    response = api.decide(pending_comment, moderator, action="edit", revision=pending_comment.current_revision_id,
                          reason=2)

    assert response.status_code == 422
    assert response.json()["error"]["field"] == "body"
    assert CommentRevision.objects.count() == 1


def test_edit_without_reason_is_422(api, moderator, pending_comment):
    """An edit must cite the house rule it applies."""
    response = api.decide(pending_comment, moderator, action="edit", revision=pending_comment.current_revision_id,
                          body="masked")

    assert response.status_code == 422
    assert response.json()["error"]["field"] == "reason"
    assert CommentRevision.objects.count() == 1


def test_edit_with_unstorable_body_is_422(api, moderator, pending_comment):
    """The moderator's text obeys the reader's rules: a NUL is refused, not stored."""
    response = api.decide(pending_comment, moderator, action="edit", revision=pending_comment.current_revision_id,
                          body="masked\x00", reason=2)

    assert response.status_code == 422
    assert response.json()["error"]["field"] == "body"
    assert CommentRevision.objects.count() == 1


def test_edit_keeps_the_original_revision(api, moderator, pending_comment, now):
    """G3: an edit adds a revision by the moderator; the reader's original stays as revision 1."""
    original = pending_comment.current_revision_id

    response = api.decide(pending_comment, moderator, action="edit", revision=original,
                          body="The night bus is [removed].", reason=2)

    assert response.status_code == 200
    data = response.json()
    assert (data["status"], data["body"], data["revision_number"]) == ("pending", "The night bus is [removed].", 2)
    assert data["edited"] == {"by": "moderator", "rule": {"number": 2, "text": "No personal data."}}
    revisions = list(CommentRevision.objects.filter(comment=pending_comment).order_by("number"))
    assert [(r.pk == original, r.body, r.editor) for r in revisions] == [
        (True, "The night bus is my only way home.", None),
        (False, "The night bus is [removed].", moderator),
    ]
    assert ModerationDecision.objects.get().action == "edit"


def test_edit_and_approve_publishes_the_edited_text(api, client, moderator, story, pending_comment):
    """`approve: true` publishes the edited revision in the same step."""
    response = api.decide(pending_comment, moderator, action="edit", revision=pending_comment.current_revision_id,
                          body="The night bus is [removed].", reason=2, approve=True)

    assert response.json()["status"] == "approved"
    [public] = client.get(f"/api/v1/stories/{story.key}/comments").json()["comments"]
    assert public["body"] == "The night bus is [removed]."
    assert public["edited"]["rule"]["number"] == 2


def test_edit_with_non_boolean_approve_is_422(api, moderator, pending_comment):
    """`approve` must be a JSON boolean, not a string that merely looks true."""
    response = api.decide(pending_comment, moderator, action="edit", revision=pending_comment.current_revision_id,
                          body="masked", reason=2, approve="false")

    assert response.status_code == 422
    assert response.json()["error"]["field"] == "approve"
    assert CommentRevision.objects.count() == 1


@pytest.mark.parametrize("action, extra", [
    ("approve", {}), ("reject", {"reason": 1}), ("edit", {"body": "other mask", "reason": 2}),
])
def test_decision_on_a_revision_superseded_by_an_edit_is_409(api, moderator, other_moderator, pending_comment,
                                                             action, extra):
    """G3: a decision about a revision the moderator did not see is refused as a conflict."""
    seen = pending_comment.current_revision_id
    api.decide(pending_comment, other_moderator, action="edit", revision=seen, body="masked", reason=2)

    response = api.decide(pending_comment, moderator, action=action, revision=seen, **extra)

    assert response.status_code == 409
    pending_comment.refresh_from_db()
    assert (pending_comment.status, pending_comment.current_revision.body) == ("pending", "masked")
    assert ModerationDecision.objects.count() == 1


def test_edit_of_a_published_comment_keeps_it_published(api, client, moderator, story, pending_comment, now):
    """Editing an approved comment changes its public text without unpublishing it."""
    api.decide(pending_comment, moderator, action="approve", revision=pending_comment.current_revision_id)

    response = api.decide(pending_comment, moderator, action="edit", revision=pending_comment.current_revision_id,
                          body="The night bus is [removed].", reason=2)

    assert response.json()["status"] == "approved"
    assert [c["body"] for c in client.get(f"/api/v1/stories/{story.key}/comments").json()["comments"]] == [
        "The night bus is [removed]."]


# Desks

def test_other_desk_moderator_gets_404_on_decisions(api, korean_moderator, pending_comment):
    """A Korean-desk moderator cannot decide on an English-desk comment, nor learn that it exists."""
    response = api.decide(pending_comment, korean_moderator, action="approve",
                          revision=pending_comment.current_revision_id)

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    pending_comment.refresh_from_db()
    assert pending_comment.status == "pending"
    assert not ModerationDecision.objects.exists()


def test_other_desk_moderator_does_not_see_the_comment_in_the_queue(api, korean_moderator, pending_comment):
    """The English comment is absent from the Korean moderator's queue."""
    response = api.get(QUEUE, korean_moderator)

    assert response.status_code == 200
    assert response.json()["comments"] == []


def test_unknown_comment_is_404(api, moderator, db):
    """A decision on a comment id that does not exist is a JSON 404."""
    response = api.decide(Comment(pk=999999), moderator, action="approve", revision=1)

    assert response.status_code == 404


def test_decision_without_token_is_401(client, pending_comment):
    """Decisions need a token; without one nothing changes."""
    response = client.post(f"/api/v1/moderation/comments/{pending_comment.pk}/decisions",
                           {"action": "approve", "revision": pending_comment.current_revision_id},
                           content_type="application/json")

    assert response.status_code == 401
    pending_comment.refresh_from_db()
    assert pending_comment.status == "pending"


def test_decision_with_invalid_token_is_401(client, pending_comment):
    """A forged token is refused and nothing changes."""
    response = client.post(f"/api/v1/moderation/comments/{pending_comment.pk}/decisions",
                           {"action": "approve", "revision": pending_comment.current_revision_id},
                           content_type="application/json", headers={"Authorization": "Bearer vxp_forged"})

    assert response.status_code == 401
    assert not ModerationDecision.objects.exists()


def test_decisions_endpoint_accepts_only_post(api, moderator, pending_comment):
    """GET on the decisions endpoint is 405 with Allow: POST."""
    response = api.get(f"/api/v1/moderation/comments/{pending_comment.pk}/decisions", moderator)

    assert response.status_code == 405
    assert response["Allow"] == "POST"

