"""The moderation queue's scoring fields and parameters in the API: order=risk, signal=NAME, re-score on edit."""
from datetime import timedelta

import pytest

from voxpop.comments.models import Comment
from voxpop.common import clock
from voxpop.scoring import services as scoring_services
from voxpop.scoring.models import Assessment, SignalHit
from voxpop.scoring.services import HELD_PRIORITY
from voxpop.scoring.signals import Signal
from voxpop.stories.models import Story

QUEUE = "/api/v1/moderation/queue"
PHONE = "0301 555 1234"


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch, now):
    monkeypatch.setattr(clock, "now", lambda: now)


@pytest.fixture
def get(client, token_for, moderator):
    def call(url):
        return client.get(url, headers={"Authorization": f"Bearer {token_for(moderator)}"})
    return call


def assess(comment, *, risk=None, signals=(), held=False):
    Assessment.objects.create(revision=comment.current_revision, language="en", risk=risk, signals=list(signals),
                              held=held, scored_at=comment.created_at)
    Comment.objects.filter(pk=comment.pk).update(priority=(risk or 0.0) + (HELD_PRIORITY if held else 0.0))
    SignalHit.objects.bulk_create([SignalHit(comment=comment, name=s["name"]) for s in signals])
    return comment


def phone(body):
    start = body.index(PHONE)
    return {"name": "phone", "label": "Phone number", "spans": [[start, start + len(PHONE)]]}


@pytest.fixture
def queue(story, submit, now):
    """Five pending comments: unscored (oldest), low, high, held and low again (newest)."""
    body = f"held: {PHONE}"
    return {
        "unscored": submit(story, body="unscored", at=now - timedelta(hours=5)),
        "low_old": assess(submit(story, body="low old", at=now - timedelta(hours=4)), risk=0.1),
        "high": assess(submit(story, body="high", at=now - timedelta(hours=3)), risk=0.9),
        "held": assess(submit(story, body=body, at=now - timedelta(hours=2)), risk=0.2, signals=[phone(body)],
                       held=True),
        "low_new": assess(submit(story, body="low new", at=now - timedelta(hours=1)), risk=0.1),
    }


def test_queue_items_say_whether_scored_and_held(get, queue):
    """Each item carries risk, signals with code-point spans, scored and held."""
    items = {c["id"]: c for c in get(QUEUE).json()["comments"]}

    unscored, held = items[queue["unscored"].pk], items[queue["held"].pk]
    assert (unscored["scored"], unscored["held"], unscored["risk"], unscored["signals"]) == (False, False, None, [])
    assert (held["scored"], held["held"], held["risk"]) == (True, True, 0.2)
    assert held["signals"] == [{"name": "phone", "label": "Phone number", "spans": [[6, 6 + len(PHONE)]]}]


def test_risk_order_puts_held_then_highest_first(get, queue):
    """order=risk lists held comments first, then by risk, then oldest first."""
    listed = [c["id"] for c in get(f"{QUEUE}?order=risk").json()["comments"]]

    assert listed == [queue[k].pk for k in ("held", "high", "low_old", "low_new", "unscored")]


def test_risk_order_pages_with_its_cursor(get, queue):
    """The next link of order=risk continues the same order, page after page, with no repeat or gap."""
    seen, url = [], f"{QUEUE}?order=risk&limit=2"
    while url:
        body = get(url).json()
        seen += [c["id"] for c in body["comments"]]
        url = body["next"]
        assert url is None or "order=risk" in url

    assert seen == [queue[k].pk for k in ("held", "high", "low_old", "low_new", "unscored")]


def test_default_order_still_pages_oldest_first(get, queue):
    """Without order the queue is oldest first and its cursor works as before."""
    first = get(f"{QUEUE}?limit=3").json()
    second = get(first["next"]).json()

    assert [c["id"] for c in first["comments"] + second["comments"]] == [
        queue[k].pk for k in ("unscored", "low_old", "high", "held", "low_new")]
    assert second["next"] is None


def test_a_cursor_of_one_order_is_refused_by_the_other(get, queue):
    """A default-order cursor sent with order=risk is a 422 on `cursor`, not a wrong page."""
    cursor = get(f"{QUEUE}?limit=1").json()["next"].split("cursor=")[1]

    response = get(f"{QUEUE}?order=risk&cursor={cursor}")

    assert response.status_code == 422
    assert response.json()["error"]["field"] == "cursor"


def test_signal_parameter_filters(get, queue):
    """signal=NAME keeps the comments whose current revision has that signal; an unknown name, none."""
    assert [c["id"] for c in get(f"{QUEUE}?signal=phone").json()["comments"]] == [queue["held"].pk]
    assert [c["id"] for c in get(f"{QUEUE}?signal=phone&order=risk").json()["comments"]] == [queue["held"].pk]
    assert get(f"{QUEUE}?signal=nothing-like-it").json()["comments"] == []


@pytest.mark.parametrize("query, field", [("order=loudest", "order"), ("signal=" + "x" * 41, "signal")])
def test_bad_order_or_signal_is_422(get, db, query, field):
    """An unknown order or an over-long signal name is refused, naming the parameter."""
    response = get(f"{QUEUE}?{query}")

    assert response.status_code == 422
    assert response.json()["error"] == {"code": "invalid", "message": response.json()["error"]["message"],
                                        "field": field}


def test_edit_through_the_api_is_scored_again(client, token_for, moderator, story, submit, monkeypatch, now):
    """An API edit that masks the number on a sensitive story answers the comment no longer held."""
    monkeypatch.setattr(scoring_services, "DETECTORS", [
        lambda context: [Signal(name="phone", label="Phone number", personal=True,
                                spans=((context.body.index(PHONE), context.body.index(PHONE) + len(PHONE)),))]
        if PHONE in context.body else []])
    Story.objects.filter(pk=story.pk).update(sensitive=True)
    comment = submit(Story.objects.get(pk=story.pk), body=f"Call {PHONE}")
    scoring_services.comment_score(comment=comment, now=now)

    response = client.post(f"/api/v1/moderation/comments/{comment.pk}/decisions",
                           {"action": "edit", "revision": comment.current_revision_id, "reason": 2,
                            "body": "Call [removed]"},
                           content_type="application/json", headers={"Authorization": f"Bearer {token_for(moderator)}"})

    assert response.status_code == 200
    body = response.json()
    assert (body["revision_number"], body["scored"], body["held"], body["signals"]) == (2, True, False, [])


def test_openapi_documents_the_queue_parameters_and_scoring_fields(client, db):
    """The document lists order and signal on the queue, and scored and held on its items."""
    document = client.get("/api/v1/openapi.json").json()
    operation = document["paths"]["/api/v1/moderation/queue"]["get"]
    names = {p.get("name") for p in operation["parameters"]}
    schema = document["components"]["schemas"]["ModerationComment"]

    assert {"order", "signal"} <= names
    assert {"risk", "signals", "scored", "held", "language"} <= set(schema["required"])
