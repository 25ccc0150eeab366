"""HTTP contract of the story registry: GET /api/v1/stories and PUT /api/v1/stories/{key}."""
from datetime import timedelta

import pytest

from tests.conftest import make_moderator
from voxpop.accounts.models import User
from voxpop.common import clock
from voxpop.stories.models import Story

STORY = {"title": "Ferry fares rise", "url": "https://news.example/ferry-fares", "language": "en", "desk": "english"}


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch, now):
    monkeypatch.setattr(clock, "now", lambda: now)


@pytest.fixture
def put(client, token_for):
    """PUT a story as `user` (no Authorization header when user is None)."""
    def send(key, data, user=None, content_type="application/json"):
        headers = {"Authorization": f"Bearer {token_for(user)}"} if user else {}
        return client.put(f"/api/v1/stories/{key}", data, content_type=content_type, headers=headers)
    return send


def test_story_list_has_the_stable_shape(client, story):
    """The list is {"stories": [...], "next"} and each story has key, title, url, language, desk and state."""
    response = client.get("/api/v1/stories")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    data = response.json()
    assert data["next"] is None
    assert [{k: s[k] for k in ("key", "title", "url", "language", "desk", "state")} for s in data["stories"]] == [
        {"key": "harbour-buses", "title": "Night buses stay", "url": "https://news.example/harbour-buses",
         "language": "en", "desk": "english", "state": "open"},
    ]


def test_story_list_pages_with_the_next_link(client, story, korean_story):
    """`limit` cuts the list and `next` leads to the rest, each story once."""
    first = client.get("/api/v1/stories?limit=1").json()
    second = client.get(first["next"]).json()

    assert [s["key"] for s in first["stories"] + second["stories"]] == ["island-library", "harbour-buses"]
    assert second["next"] is None


@pytest.mark.parametrize("limit", ["0", "201", "-1", "1.5", "ten", "%C2%B2", "%D9%A3"])
def test_story_list_refuses_a_bad_limit(client, story, limit):
    """A limit that is not a plain whole number from 1 to 200 is a 422 naming `limit`, never a 500."""
    response = client.get(f"/api/v1/stories?limit={limit}")

    assert response.status_code == 422
    assert response.json()["error"]["field"] == "limit"


def test_put_creates_a_story(put, editor, now):
    """An editor of the story's desk creates it with PUT: 201 and the story as JSON."""
    response = put("ferry-fares", STORY, user=editor)

    assert response.status_code == 201
    data = response.json()
    assert {k: data[k] for k in STORY} == STORY
    assert (data["key"], data["state"], data["sensitive"]) == ("ferry-fares", "open", False)
    story = Story.objects.get(key="ferry-fares")
    assert (story.title, story.desk.key, story.created_at) == ("Ferry fares rise", "english", now)


def test_put_again_updates_the_story(put, editor):
    """A second PUT of the same key is a 200 update of the given fields; the others keep their values."""
    put("ferry-fares", STORY, user=editor)

    response = put("ferry-fares", {"title": "Ferry fares rise again"}, user=editor)

    assert response.status_code == 200
    assert response.json()["title"] == "Ferry fares rise again"
    story = Story.objects.get(key="ferry-fares")
    assert (story.title, story.url) == ("Ferry fares rise again", STORY["url"])
    assert Story.objects.count() == 1


def test_put_with_null_clears_a_field(put, editor, now):
    """`null` in a partial update clears that field (here reopening a story with a closing time)."""
    put("ferry-fares", {**STORY, "closes_at": (now - timedelta(days=1)).isoformat()}, user=editor)

    response = put("ferry-fares", {"closes_at": None}, user=editor)

    assert (response.status_code, response.json()["state"], response.json()["closes_at"]) == (200, "open", None)
    assert Story.objects.get(key="ferry-fares").closes_at is None


def test_admin_puts_a_story_on_any_desk(put, korean_desk):
    """An admin needs no desk assignment to register a story."""
    admin = make_moderator("ada", [], role=User.Role.ADMIN)

    response = put("island-ferry", {**STORY, "language": "ko", "desk": "korean"}, user=admin)

    assert response.status_code == 201
    assert Story.objects.get(key="island-ferry").desk == korean_desk


def test_plain_moderator_cannot_put_a_story(put, moderator):
    """Moderators decide on comments but do not register stories: 403, nothing stored."""
    response = put("ferry-fares", STORY, user=moderator)

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    assert not Story.objects.exists()


def test_editor_of_another_desk_cannot_create_a_story_there(put, korean_editor, english_desk):
    """A Korean-desk editor may not put a story on the English desk."""
    response = put("ferry-fares", STORY, user=korean_editor)

    assert response.status_code == 403
    assert response.json()["error"]["field"] == "desk"
    assert not Story.objects.exists()


def test_editor_of_another_desk_cannot_take_over_a_story(put, korean_editor, story):
    """Moving an English-desk story to the editor's own desk is refused too."""
    response = put(story.key, {"desk": "korean", "title": "Taken"}, user=korean_editor)

    assert response.status_code == 403
    story.refresh_from_db()
    assert (story.desk.key, story.title) == ("english", "Night buses stay")


def test_put_without_token_is_401_with_challenge(put, english_desk):
    """No Authorization header: 401, a WWW-Authenticate Bearer challenge and the error shape."""
    response = put("ferry-fares", STORY)

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    error = response.json()["error"]
    assert (error["code"], error["field"]) == ("unauthenticated", None)
    assert "Authorization: Bearer" in error["message"]
    assert not Story.objects.exists()


def test_put_with_unknown_token_is_401(client, english_desk):
    """A token that was never issued is refused with invalid_token."""
    response = client.put("/api/v1/stories/ferry-fares", STORY, content_type="application/json",
                          headers={"Authorization": "Bearer vxp_not-a-real-token"})

    assert response.status_code == 401
    assert 'error="invalid_token"' in response["WWW-Authenticate"]
    assert response.json()["error"]["code"] == "invalid_token"


@pytest.mark.parametrize("field, value", [
    ("url", "not a url"),
    ("language", "english!"),
    ("desk", "no-such-desk"),
    ("title", ""),
    ("title", "x" * 501),
    ("title", "Ferry\x00fares"),
    ("closes_at", "next tuesday"),
    ("state", "archived"),
    ("title", ["Ferry fares"]),
    ("desk", {"key": "english"}),
    ("title", 5),
    ("sensitive", "no"),
    ("key", "another-story"),
])
def test_put_with_an_invalid_field_is_422_naming_it(put, editor, field, value):
    """Each invalid field is a 422 whose `field` names it; nothing is stored."""
    response = put("ferry-fares", {**STORY, field: value}, user=editor)

    assert response.status_code == 422
    assert response.json()["error"]["field"] == field
    assert response.json()["error"]["message"]
    assert not Story.objects.exists()


def test_put_with_a_broken_character_is_422_not_500(put, editor):
    """A lone surrogate in a story field cannot be stored, so it is refused as bad input."""
    raw = '{"title": "Ferry \\ud800 fares", "url": "https://news.example/f", "language": "en", "desk": "english"}'

    response = put("ferry-fares", raw, user=editor)

    assert response.status_code == 422
    assert response.json()["error"]["field"] == "title"
    assert not Story.objects.exists()


def test_put_with_an_unknown_field_is_422(put, editor):
    """A misspelt field is refused rather than silently ignored."""
    response = put("ferry-fares", {**STORY, "colour": "blue"}, user=editor)

    assert response.status_code == 422
    assert response.json()["error"] == {"code": "unknown_field", "message": "Unknown field 'colour'.",
                                        "field": "colour"}
    assert not Story.objects.exists()


def test_put_needs_a_json_body(put, editor):
    """A form-encoded PUT is 415: the API speaks JSON only."""
    response = put("ferry-fares", "title=x", user=editor, content_type="application/x-www-form-urlencoded")

    assert response.status_code == 415


def test_story_with_closes_at_in_the_past_shows_closed(put, client, editor, now):
    """A closing time already passed makes the story's state `closed` in the API."""
    closes_at = (now - timedelta(days=1)).isoformat()

    response = put("ferry-fares", {**STORY, "closes_at": closes_at}, user=editor)

    assert response.json()["state"] == "closed"
    assert response.json()["closes_at"] == "2026-11-01T09:30:00Z"
    assert client.get("/api/v1/stories").json()["stories"][0]["state"] == "closed"


def test_story_with_closes_at_ahead_is_open(put, editor, now):
    """A closing time still to come leaves the story open."""
    response = put("ferry-fares", {**STORY, "closes_at": (now + timedelta(days=1)).isoformat()}, user=editor)

    assert response.json()["state"] == "open"


def test_get_one_story(client, story):
    """GET /api/v1/stories/{key} returns the story; an unknown key is a JSON 404."""
    assert client.get("/api/v1/stories/harbour-buses").json()["title"] == "Night buses stay"
    missing = client.get("/api/v1/stories/no-such-story")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"


def test_unsupported_method_is_405_with_allow(client, story):
    """DELETE is not part of the API: 405 with an Allow header, in the error shape."""
    response = client.delete("/api/v1/stories/harbour-buses")

    assert response.status_code == 405
    assert response["Allow"] == "GET, PUT"
    assert response.json()["error"]["code"] == "method_not_allowed"


def test_unknown_api_path_is_a_json_404(client, db):
    """A path under /api/ that matches no route still answers in the API's error shape."""
    response = client.get("/api/v1/no-such-thing")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] == "not_found"


def test_server_error_in_the_api_is_a_json_500(client, story, monkeypatch):
    """An unexpected failure under /api/ is a JSON 500 that reveals nothing of the cause."""
    def broken(**kwargs):
        raise RuntimeError("secret detail")
    monkeypatch.setattr("voxpop.comments.selectors.comment_list_published_after", broken)
    client.raise_request_exception = False

    response = client.get("/api/v1/stories/harbour-buses/comments")

    assert response.status_code == 500
    assert response.json()["error"]["code"] == "server_error"
    assert "secret" not in response.content.decode()


def test_unknown_reader_path_keeps_the_html_404(client, db):
    """Outside /api/ a missing page stays an HTML 404."""
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert not response["Content-Type"].startswith("application/json")


def test_story_before_its_publication_time_is_hidden_from_readers(client, put, editor, token_for, now):
    """An embargoed story is neither listed nor readable without a token; the newsroom still sees it."""
    put("budget-leak", {**STORY, "published_at": (now + timedelta(hours=6)).isoformat()}, user=editor)
    staff = {"Authorization": f"Bearer {token_for(editor)}"}

    assert client.get("/api/v1/stories").json()["stories"] == []
    assert client.get("/api/v1/stories/budget-leak").status_code == 404
    assert client.get("/api/v1/stories/budget-leak/comments").status_code == 404
    assert [s["key"] for s in client.get("/api/v1/stories", headers=staff).json()["stories"]] == ["budget-leak"]
    assert client.get("/api/v1/stories/budget-leak", headers=staff).status_code == 200
