"""HTTP contract of reader comments in the API: POST and GET /api/v1/stories/{key}/comments, receipts."""
from datetime import timedelta

import pytest
from django.db import connection, connections

from voxpop.comments.models import Comment, CommentRevision
from voxpop.comments.services import receipt_token
from voxpop.common import clock
from voxpop.desks.models import HouseRule
from voxpop.moderation.services import comment_approve, comment_edit, comment_reject
from voxpop.stories.services import story_upsert

URL = "/api/v1/stories/harbour-buses/comments"


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch, now):
    monkeypatch.setattr(clock, "now", lambda: now)


@pytest.fixture
def post(client):
    """POST to a story's comments: a dict is sent as JSON, a str or bytes as the raw body."""
    def send(data, url=URL, content_type="application/json", key=None):
        return client.post(url, data, content_type=content_type, headers={"Idempotency-Key": key} if key else {})
    return send


def approve(comment, moderator, at):
    comment_approve(comment_id=comment.pk, revision_id=comment.current_revision_id, moderator=moderator, now=at)
    comment.refresh_from_db()
    return comment


def rule(desk, number):
    return HouseRule.objects.current().get(desk=desk, number=number)


def assert_refused(response, status, field, code=None):
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert error["field"] == field
    assert error["message"]
    if code:
        assert error["code"] == code
    assert not Comment.objects.exists()


# POST: accepted submissions

def test_post_is_accepted_as_pending(post, story):
    """A valid comment is 202 {"id", "status": "pending", "receipt_url"} and stored pending."""
    response = post({"body": "The night bus is my only way home.", "display_name": "Min"})

    assert response.status_code == 202
    data = response.json()
    comment = Comment.objects.get()
    assert data == {"id": comment.pk, "status": "pending",
                    "receipt_url": f"http://testserver/receipts/{receipt_token(comment)}/"}
    assert (comment.status, comment.display_name, comment.current_revision.body) == (
        "pending", "Min", "The night bus is my only way home.")


@pytest.mark.django_db(transaction=True)
def test_accepted_comment_is_committed_before_the_answer(post, story):
    """G4: when the 202 leaves, the comment is committed, not waiting in an open transaction."""
    response = post({"body": "Committed before the answer."})

    assert response.status_code == 202
    assert connection.get_autocommit() and not connection.in_atomic_block
    other = connections.create_connection("default")  # a second session sees only committed rows
    try:
        with other.cursor() as cursor:
            cursor.execute(f"SELECT status FROM {Comment._meta.db_table} WHERE id = %s", [response.json()["id"]])
            assert cursor.fetchone() == ("pending",)
    finally:
        other.close()


def test_body_is_stored_after_nfc_and_trimming(post, story):
    """G2: the stored text is the typed text in NFC, trimmed, with CRLF line breaks as LF."""
    post({"body": "  Cafe\u0301 at night\r\nsecond line \n"})

    assert CommentRevision.objects.get().body == "Caf\u00e9 at night\nsecond line"


def test_body_at_the_limit_is_accepted(post, story, settings):
    """A body of exactly VOXPOP_COMMENT_MAX_CHARS characters is accepted."""
    settings.VOXPOP_COMMENT_MAX_CHARS = 20

    assert post({"body": "버" * 20}).status_code == 202


def test_same_idempotency_key_twice_makes_one_comment(post, story):
    """G4: a retried POST with the same Idempotency-Key returns the first comment instead of a second."""
    first = post({"body": "Sent on a flaky link."}, key="retry-1")
    second = post({"body": "Sent on a flaky link."}, key="retry-1")

    assert (first.status_code, second.status_code) == (202, 202)
    assert first.json() == second.json()
    assert Comment.objects.count() == 1


def test_same_idempotency_key_with_another_body_is_422(post, story):
    """Reusing an Idempotency-Key for different text is refused, and the first comment is untouched."""
    post({"body": "First text."}, key="retry-1")

    response = post({"body": "Other text."}, key="retry-1")

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "idempotency_key_reused"
    assert list(CommentRevision.objects.values_list("body", flat=True)) == ["First text."]


def test_without_idempotency_key_each_post_is_a_comment(post, story):
    """Two POSTs without a key are two comments, even with the same text."""
    post({"body": "Same words."})
    post({"body": "Same words."})

    assert Comment.objects.count() == 2


def test_idempotency_key_is_per_story(post, story, korean_story):
    """The same key on two stories makes two comments."""
    post({"body": "Same words."}, key="k1")
    post({"body": "Same words."}, url="/api/v1/stories/island-library/comments", key="k1")

    assert Comment.objects.count() == 2


def test_overlong_idempotency_key_is_422(post, story):
    """An Idempotency-Key over 100 characters is refused, naming the header."""
    assert_refused(post({"body": "x"}, key="k" * 101), 422, "Idempotency-Key")


# POST: refusals

def test_post_to_unknown_story_is_404(post, story):
    """A story the CMS never registered is a JSON 404."""
    response = post({"body": "Hello"}, url="/api/v1/stories/no-such-story/comments")

    assert_refused(response, 404, None, "not_found")


def test_post_to_closed_story_is_409(post, story, now):
    """A closed story refuses comments with 409 story_closed."""
    story_upsert(key=story.key, fields={"state": "closed"}, now=now)

    assert_refused(post({"body": "Too late?"}), 409, None, "story_closed")


def test_post_after_closes_at_is_409(post, story, now):
    """A story whose closing time has passed counts as closed."""
    story_upsert(key=story.key, fields={"closes_at": now - timedelta(minutes=1)}, now=now)

    assert_refused(post({"body": "Too late?"}), 409, None, "story_closed")


@pytest.mark.parametrize("data", [{"body": ""}, {"body": "  \n\t "}, {}, {"body": None}])
def test_empty_body_is_422(post, story, data):
    """An empty or blank body is refused with field `body`."""
    assert_refused(post(data), 422, "body", "required")


def test_too_long_body_is_422_naming_the_limit(post, story):
    """A body over the limit is refused with a message that gives the count and the limit."""
    response = post({"body": "x" * 3001})

    assert_refused(response, 422, "body", "too_long")
    assert "3001" in response.json()["error"]["message"]
    assert "3000" in response.json()["error"]["message"]


def test_too_long_display_name_is_422(post, story):
    """A display name over 60 characters is refused with field `display_name`."""
    assert_refused(post({"body": "Fine.", "display_name": "n" * 61}), 422, "display_name", "too_long")


@pytest.mark.parametrize("raw, field", [
    ('{"body": "nul \\u0000 inside"}', "body"),
    ('{"body": "lone \\ud800 surrogate"}', "body"),
    ('{"body": "low \\udc00 surrogate"}', "body"),
    ('{"body": "bell \\u0007 rings"}', "body"),
    ('{"body": "escape \\u001b[31m"}', "body"),
    ('{"body": "nonchar \\ufdd0"}', "body"),
    ('{"body": "fine", "display_name": "\\ud800"}', "display_name"),
    ('{"body": "fine", "display_name": "a\\u0000b"}', "display_name"),
    ('{"body": "fine", "display_name": "two\\nlines"}', "display_name"),
])
def test_unstorable_characters_are_422_not_500(post, story, raw, field):
    """NUL, lone surrogates, control characters and noncharacters are refused as bad input."""
    assert_refused(post(raw), 422, field)


def test_tabs_and_line_breaks_are_kept(post, story):
    """The allowed control characters (tab, line feed) pass through untouched."""
    assert post({"body": "a\tb\nc"}).status_code == 202
    assert CommentRevision.objects.get().body == "a\tb\nc"


@pytest.mark.parametrize("raw", ['{"body": ', b'{"body": "\xff\xfe"}', "NaN-ish", '{"body": "x"} trailing'])
def test_invalid_json_is_400(post, story, raw):
    """A body that is not UTF-8 JSON is a 400 invalid_json."""
    assert_refused(post(raw), 400, None, "invalid_json")


@pytest.mark.parametrize("raw", ['["body"]', '"body"', "42", "null"])
def test_json_that_is_not_an_object_is_422(post, story, raw):
    """Valid JSON that is not an object is a 422."""
    assert_refused(post(raw), 422, None)


@pytest.mark.parametrize("data, field", [
    ({"body": 42}, "body"), ({"body": ["x"]}, "body"), ({"body": "x", "display_name": {}}, "display_name"),
    ({"body": "x", "parent": "1"}, "parent"), ({"body": "x", "parent": True}, "parent"),
    ({"body": "x", "parent": 1.5}, "parent"),
])
def test_wrongly_typed_field_is_422(post, story, data, field):
    """A field of the wrong JSON type is refused, naming the field."""
    assert_refused(post(data), 422, field)


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data"])
def test_wrong_content_type_is_415(client, story, content_type):
    """Only application/json bodies are read."""
    response = client.post(URL, "body=hello", content_type=content_type)

    assert_refused(response, 415, None, "unsupported_media_type")


def test_json_with_charset_parameter_is_accepted(post, story):
    """`application/json; charset=utf-8` is JSON too."""
    assert post('{"body": "hello"}', content_type="application/json; charset=utf-8").status_code == 202


def test_body_over_upload_limit_is_413(post, story, settings):
    """A request body larger than DATA_UPLOAD_MAX_MEMORY_SIZE is 413, before any parsing."""
    response = post({"body": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)})

    assert_refused(response, 413, None, "body_too_large")


# POST: replies

def test_reply_to_a_published_comment_is_accepted(post, story, submit, moderator, now):
    """`parent` may name a published comment of the same story."""
    parent = approve(submit(story, body="Top"), moderator, now)

    response = post({"body": "A reply", "parent": parent.pk})

    assert response.status_code == 202
    assert Comment.objects.get(pk=response.json()["id"]).parent_id == parent.pk


def test_reply_to_a_pending_comment_is_422(post, story, pending_comment):
    """A pending comment cannot be replied to (and its existence is not revealed)."""
    response = post({"body": "A reply", "parent": pending_comment.pk})

    assert response.status_code == 422
    assert response.json()["error"]["field"] == "parent"
    assert Comment.objects.count() == 1


def test_reply_to_a_rejected_comment_is_422(post, story, pending_comment, moderator, now):
    """A rejected comment cannot be replied to."""
    comment_reject(comment_id=pending_comment.pk, revision_id=pending_comment.current_revision_id,
                   moderator=moderator, rule=rule(story.desk, 1), note="", now=now)

    assert post({"body": "A reply", "parent": pending_comment.pk}).status_code == 422
    assert Comment.objects.count() == 1


def test_reply_to_a_comment_of_another_story_is_422(post, story, korean_story, submit, korean_moderator, now):
    """`parent` must belong to the same story."""
    elsewhere = approve(submit(korean_story, body="다른 기사"), korean_moderator, now)

    response = post({"body": "A reply", "parent": elsewhere.pk})

    assert response.status_code == 422
    assert response.json()["error"]["field"] == "parent"
    assert Comment.objects.count() == 1


@pytest.mark.parametrize("parent", [999999, 0, -1, 2**63, 10**30])
def test_reply_to_a_missing_comment_is_422(post, story, parent):
    """A parent id that names no comment is refused with field `parent`."""
    assert_refused(post({"body": "A reply", "parent": parent}), 422, "parent")


def test_reply_to_a_reply_attaches_to_the_top_level_comment(post, story, submit, moderator, now):
    """Replies nest one level: answering a reply files the new comment under the top-level one."""
    top = approve(submit(story, body="Top"), moderator, now)
    reply = approve(submit(story, body="Reply", parent_id=top.pk), moderator, now)

    response = post({"body": "Reply to the reply", "parent": reply.pk})

    assert response.status_code == 202
    assert Comment.objects.get(pk=response.json()["id"]).parent_id == top.pk


# GET: only published comments (G1, G6)

def test_pending_and_rejected_comments_are_not_listed(client, story, submit, moderator, now):
    """G1/G6: only approved comments leave the public list."""
    published = approve(submit(story, body="Published words"), moderator, now)
    submit(story, body="Pending words")
    rejected = submit(story, body="Rejected words")
    comment_reject(comment_id=rejected.pk, revision_id=rejected.current_revision_id, moderator=moderator,
                   rule=rule(story.desk, 1), note="", now=now)

    response = client.get(URL)

    assert response.status_code == 200
    assert [c["id"] for c in response.json()["comments"]] == [published.pk]
    assert "Pending words" not in response.content.decode()
    assert "Rejected words" not in response.content.decode()


def test_listed_comment_has_the_stable_shape(client, story, submit, moderator, now):
    """Each comment has id, body, display_name, published_at, parent and edited (null if unedited)."""
    comment = approve(submit(story, body="Hello", display_name="Min"), moderator, now)

    assert client.get(URL).json() == {"comments": [{
        "id": comment.pk, "body": "Hello", "display_name": "Min", "published_at": "2026-11-02T09:30:00Z",
        "parent": None, "edited": None,
    }], "next": None}


def test_anonymous_comment_has_null_display_name(client, story, submit, moderator, now):
    """A comment without a name has `display_name: null`, for the client to label in its own language."""
    approve(submit(story), moderator, now)

    assert client.get(URL).json()["comments"][0]["display_name"] is None


def test_list_of_unknown_story_is_404(client, story):
    """GET on an unknown story's comments is a JSON 404."""
    response = client.get("/api/v1/stories/no-such-story/comments")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_comments_are_listed_oldest_published_first(client, story, submit, moderator, now):
    """The list is ordered by publication time, oldest first, whatever the submission order."""
    first, second, third = (submit(story, body=b) for b in ("one", "two", "three"))
    for minutes, comment in ((3, first), (1, second), (2, third)):
        approve(comment, moderator, now + timedelta(minutes=minutes))

    assert [c["body"] for c in client.get(URL).json()["comments"]] == ["two", "three", "one"]


def test_replies_carry_their_parent(client, story, submit, moderator, now):
    """A published reply is listed with `parent` set to its top-level comment's id."""
    top = approve(submit(story, body="Top"), moderator, now)
    approve(submit(story, body="Reply", parent_id=top.pk), moderator, now + timedelta(minutes=1))

    assert [(c["body"], c["parent"]) for c in client.get(URL).json()["comments"]] == [
        ("Top", None), ("Reply", top.pk)]


def test_next_cursor_returns_every_comment_exactly_once(client, story, submit, moderator, now):
    """Following `next` walks the whole thread, each comment once, including ties in publication time."""
    expected = []
    for i in range(7):
        # Pairs share a publication time, so the cursor must break ties by id.
        expected.append(approve(submit(story, body=f"c{i}"), moderator, now + timedelta(minutes=i // 2)).pk)

    seen, url = [], f"{URL}?limit=3"
    while url:
        page = client.get(url).json()
        seen += [c["id"] for c in page["comments"]]
        url = page["next"]

    assert seen == expected


@pytest.mark.parametrize("cursor", ["not-a-cursor", "eHx5", "MjAyNi0xMS0wMlQwOTozMDowMHwx", "%F0%9F%92%A9"])
def test_bad_cursor_is_422(client, story, cursor):
    """A cursor the server did not make is refused, naming `cursor`."""
    response = client.get(f"{URL}?cursor={cursor}")

    assert response.status_code == 422
    assert response.json()["error"]["field"] == "cursor"


def test_moderator_edit_shows_the_house_rule(client, story, submit, moderator, now):
    """A comment edited by a moderator carries `edited` with the rule, and the edited text."""
    comment = submit(story, body="Call me on 010-1234-5678")
    comment_edit(comment_id=comment.pk, revision_id=comment.current_revision_id, moderator=moderator,
                 body="Call me on [removed]", rule=rule(story.desk, 2), note="phone", approve=True, now=now)

    listed = client.get(URL).json()["comments"][0]

    assert listed["body"] == "Call me on [removed]"
    assert listed["edited"] == {"by": "moderator", "rule": {"number": 2, "text": "No personal data."}}
    assert "010-1234-5678" not in client.get(URL).content.decode()


# Plain text (G2)

HOSTILE_BODY = "<script>alert(1)</script> **bold**\n[b]x[/b] <a href=\"javascript:x\">link</a>"


def test_markup_is_stored_verbatim(post, story):
    """G2: HTML, Markdown and BBCode are stored exactly as typed, not stripped or escaped."""
    post({"body": HOSTILE_BODY, "display_name": "<b>x</b>"})

    comment = Comment.objects.get()
    assert CommentRevision.objects.get(comment=comment).body == HOSTILE_BODY
    assert comment.display_name == "<b>x</b>"


def test_markup_is_returned_verbatim_in_json(post, client, story, moderator, now):
    """G2: the API returns the text as typed; escaping is the client's job when it renders."""
    post({"body": HOSTILE_BODY, "display_name": "<b>x</b>"})
    approve(Comment.objects.get(), moderator, now)

    listed = client.get(URL).json()["comments"][0]

    assert (listed["body"], listed["display_name"]) == (HOSTILE_BODY, "<b>x</b>")


# Receipts (G6)

def test_receipt_shows_the_author_their_pending_comment(post, client, story):
    """The receipt URL shows the pending text and its status to whoever holds it, privately."""
    receipt_url = post({"body": "Waiting for a moderator, I hope."}).json()["receipt_url"]

    response = client.get(receipt_url)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Waiting for a moderator, I hope." in html
    assert "waiting for a moderator" in html
    assert response["Cache-Control"] == "private, no-store"
    assert response["Referrer-Policy"] == "no-referrer"


def test_receipt_shows_a_rejection_as_not_published(post, client, story, moderator, now):
    """After a rejection the author sees that their comment was not published."""
    receipt_url = post({"body": "Rude words"}).json()["receipt_url"]
    comment = Comment.objects.get()
    comment_reject(comment_id=comment.pk, revision_id=comment.current_revision_id, moderator=moderator,
                   rule=rule(story.desk, 1), note="", now=now)

    assert "not published" in client.get(receipt_url).content.decode()


@pytest.mark.parametrize("tamper", [
    lambda path: path.replace("/receipts/", "/receipts/1"),
    lambda path: path[:-2] + ("A/" if path[-2] != "A" else "B/"),
    lambda path: "/receipts/1/",
])
def test_tampered_receipt_token_is_404(post, client, story, tamper):
    """A receipt token the server did not sign shows nothing of any comment."""
    receipt_url = post({"body": "Private until approved."}).json()["receipt_url"]
    path = receipt_url.removeprefix("http://testserver")

    response = client.get(tamper(path))

    assert response.status_code == 404
    assert "Private until approved." not in response.content.decode()
