"""GET /api/v1/counts: published comment counts of a whole article list in one request."""
from datetime import timedelta

from tests.conftest import approve
from voxpop.common import clock
from voxpop.embed.limits import COUNTS_MAX_KEYS
from voxpop.stories.services import story_upsert


def test_counts_published_comments_of_many_stories(client, story, korean_story, submit, moderator, korean_moderator,
                                                   now):
    """Each story's approved comments and replies count; pending ones do not."""
    first = submit(story, body="First.")
    approve(first, moderator, now)
    approve(submit(story, body="A reply.", parent_id=first.pk), moderator, now)
    submit(story, body="Still waiting for a moderator.")
    approve(submit(korean_story, body="좋은 기사입니다."), korean_moderator, now)

    response = client.get("/api/v1/counts", {"story": [story.key, korean_story.key]})

    assert response.status_code == 200
    assert response.json() == {"counts": {story.key: 2, korean_story.key: 1}}


def test_unknown_and_embargoed_keys_are_null(client, story, english_desk):
    """A key no reader can see (never registered, or published later) answers null, not 0."""
    story_upsert(key="embargoed", fields={"title": "Later", "url": "https://news.example/later", "language": "en",
                                          "desk": english_desk, "published_at": clock.now() + timedelta(days=30)},
                 now=story.created_at)

    response = client.get("/api/v1/counts", {"story": [story.key, "no-such-story", "embargoed"]})

    assert response.json() == {"counts": {story.key: 0, "no-such-story": None, "embargoed": None}}


def test_counts_are_publicly_cacheable(client, story):
    """A CDN may keep the answer for a minute."""
    response = client.get("/api/v1/counts", {"story": story.key})

    assert set(response["Cache-Control"].split(", ")) == {"public", "max-age=60"}


def test_more_keys_than_the_cap_are_refused_with_the_limit(client, db):
    """Past the cap the answer is 422 naming the limit, before any query."""
    keys = [f"story-{n}" for n in range(COUNTS_MAX_KEYS + 1)]

    response = client.get("/api/v1/counts", {"story": keys})

    assert response.status_code == 422
    error = response.json()["error"]
    assert (error["code"], error["field"]) == ("too_many_stories", "story")
    assert f"at most {COUNTS_MAX_KEYS}" in error["message"]


def test_the_cap_itself_is_answered(client, db):
    """Exactly the cap's number of keys is fine."""
    keys = [f"story-{n}" for n in range(COUNTS_MAX_KEYS)]

    response = client.get("/api/v1/counts", {"story": keys})

    assert response.status_code == 200 and len(response.json()["counts"]) == COUNTS_MAX_KEYS


def test_no_story_is_a_422(client, db):
    """Asking for nothing says what to ask."""
    response = client.get("/api/v1/counts")

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "required"


def test_an_overlong_key_is_a_422(client, db):
    """A key longer than any story key is refused with the limit, not looked up."""
    response = client.get("/api/v1/counts", {"story": "k" * 201})

    assert response.status_code == 422
    assert "1 to 200" in response.json()["error"]["message"]
