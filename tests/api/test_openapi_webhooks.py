"""The OpenAPI document's `webhooks` section describes what Voxpop really sends: every event, its body
and its signature headers, checked against deliveries the webhook outbox builds."""
import json

import jsonschema_rs
import pytest

from tests.conftest import make_moderator
from voxpop.accounts.models import User
from voxpop.moderation.services import comment_approve, comment_edit, comment_reject, comment_undo
from voxpop.stories.services import story_upsert
from voxpop.webhooks.delivery import delivery_body, delivery_headers
from voxpop.webhooks.models import Delivery, Event
from voxpop.webhooks.services import endpoint_create


@pytest.fixture
def document(client, db):
    return client.get("/api/v1/openapi.json").json()


def _validator(document: dict, schema: dict):
    """A validator for `schema`, whose $refs point into the document's components."""
    return jsonschema_rs.Draft202012Validator({**schema, "components": document["components"]})


def test_every_webhook_event_is_documented(document):
    """The `webhooks` section has one operation per event Voxpop can send, and no other."""
    assert set(document["webhooks"]) == set(Event.values)


def test_deliveries_match_the_documented_bodies_and_headers(document, story, english_desk, moderator, submit, now):
    """The body and the Voxpop-* headers of a delivery of each event validate against the document."""
    endpoint_create(url="https://cms.example/hooks", events=list(Event.values), now=now)
    story_upsert(key="new-story", fields={"title": "New", "url": "https://news.example/new", "language": "en",
                                          "desk": english_desk}, now=now)
    rule = english_desk.rules.get(number=2)
    published, rejected = submit(story, body="Published text"), submit(story, body="Rejected text")
    comment_approve(comment_id=published.pk, revision_id=published.current_revision_id, moderator=moderator, now=now)
    comment_reject(comment_id=rejected.pk, revision_id=rejected.current_revision_id, moderator=moderator, rule=rule,
                   note="", now=now)
    editor = make_moderator("edna", [english_desk], role=User.Role.EDITOR)
    edited = submit(story, body="Call 010-1234-5678")
    comment_approve(comment_id=edited.pk, revision_id=edited.current_revision_id, moderator=editor, now=now)
    comment_edit(comment_id=edited.pk, revision_id=edited.current_revision_id, moderator=editor, body="Call [masked]",
                 rule=rule, note="", approve=False, now=now)
    undone = submit(story, body="to undo")
    comment_approve(comment_id=undone.pk, revision_id=undone.current_revision_id, moderator=moderator, now=now)
    comment_undo(moderator=moderator, now=now)

    sent = {}
    for delivery in Delivery.objects.select_related("endpoint").filter(superseded_at__isnull=True):
        body = delivery_body(delivery)
        sent[delivery.event] = (json.loads(body), delivery_headers(delivery, body, now=now))
    assert set(sent) == set(Event.values)
    for event, (body, headers) in sent.items():
        operation = document["webhooks"][event]["post"]
        schema = operation["requestBody"]["content"]["application/json"]["schema"]
        errors = [e.message for e in _validator(document, schema).iter_errors(body)]
        assert not errors, (event, errors)
        for parameter in operation["parameters"]:
            assert _validator(document, parameter["schema"]).is_valid(headers[parameter["name"]]), (event, parameter)


def test_a_pending_text_does_not_validate_as_a_rejection(document):
    """The rejection schema is strict enough to notice a payload carrying text it must not carry."""
    schema = document["webhooks"]["comment.rejected"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    body = {"id": "5d0c8a4e-6f1b-4b52-9a55-2f4f2f3b7c11", "event": "comment.rejected",
            "created_at": "2026-11-02T09:30:00Z",
            "data": {"id": 1, "story": "s", "decided_at": "2026-11-02T09:30:00Z", "rule": 1, "body": "secret"}}

    assert not _validator(document, schema).is_valid(body)
