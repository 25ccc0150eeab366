"""Property-based tests: arbitrary text, in every Unicode category, round-trips as text or is
refused cleanly; it never breaks a page and never causes a 500."""
import itertools
import json
import unicodedata

import lxml.html
from hypothesis import HealthCheck, given, settings, strategies as st

from voxpop.comments.forms import REFUSALS
from voxpop.comments.limits import DISPLAY_NAME_MAX_CHARS, body_max_chars
from voxpop.comments.models import Comment
from voxpop.common.text import normalize, refusal
from voxpop.moderation.services import comment_approve
from voxpop.stories.services import story_upsert

from .conftest import THREAD, as_parsed, assert_plain_text, form_post

# Everything a reader could paste, except what no UTF-8 text can hold (lone surrogates) and the
# control characters other than tab and line feed (refused: see the corpus).
READER_TEXT = st.text(st.characters(exclude_categories=("Cs", "Cc"), include_characters="\n\t"), min_size=1,
                      max_size=300)
ANY_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=300)
REFUSAL_CODES = set(REFUSALS) | {"too_long", "required", "multiline"}
# Each example is several requests: enough examples to find trouble, few enough to keep the suite fast.
HTTP = settings(max_examples=30, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
PURE = settings(max_examples=200, deadline=None, database=None)
story_numbers = itertools.count()


@PURE
@given(ANY_TEXT)
def test_normalized_text_is_stable_and_refused_only_for_a_reason(text):
    """normalize is idempotent; what refusal lets through holds no control, surrogate or noncharacter."""
    stored = normalize(text)

    assert normalize(stored) == stored
    assert unicodedata.is_normalized("NFC", stored)
    reason = refusal(stored)
    assert reason is None or reason in REFUSALS
    if reason is None:
        assert all(unicodedata.category(ch) not in ("Cc", "Cs") or ch in "\n\t" for ch in stored)


@HTTP
@given(body=READER_TEXT)
def test_accepted_text_round_trips_through_the_api(body, client, english_desk, moderator, now):
    """API submission -> queue -> approval -> GET comments and the thread page: exactly normalize(text), as text."""
    key = f"prop-{next(story_numbers)}"
    story = story_upsert(key=key, fields={"title": "Property", "url": f"https://news.example/{key}",
                                          "language": "en", "desk": english_desk, "published_at": now}, now=now)[0]
    content = json.dumps({"body": body}, ensure_ascii=False).encode("utf-8")

    response = client.post(f"/api/v1/stories/{key}/comments", content, content_type="application/json")

    stored = normalize(body)
    if refusal(stored) or not stored or len(stored) > body_max_chars():
        assert response.status_code == 422, response.content[:300]
        assert response.json()["error"]["field"] == "body"
        assert response.json()["error"]["code"] in REFUSAL_CODES
        return
    assert response.status_code == 202, response.content[:300]
    comment = Comment.objects.get(pk=response.json()["id"])
    assert comment.current_revision.body == stored
    comment_approve(comment_id=comment.pk, revision_id=comment.current_revision_id, moderator=moderator, now=now)

    [listed] = client.get(f"/api/v1/stories/{key}/comments").json()["comments"]
    assert listed["body"] == stored

    doc = lxml.html.fromstring(client.get(f"/stories/{story.key}/comments/").content)
    [shown] = doc.get_element_by_id(f"c{comment.pk}").find_class("vp-body")
    assert_plain_text(shown, stored)


@HTTP
@given(body=READER_TEXT, name=st.text(st.characters(exclude_categories=("Cs", "Cc"), include_characters="\n\t"),
                                      max_size=80))
def test_form_accepts_or_refuses_and_keeps_the_text(body, name, client, story):
    """Through the HTML form: a 303 with normalize(text) stored, or a 422 with both fields given back."""
    before = Comment.objects.count()

    response = form_post(client, {"body": body, "display_name": name}, url=THREAD)

    stored_body, stored_name = normalize(body), normalize(name)
    body_ok = stored_body and not refusal(stored_body) and len(stored_body) <= body_max_chars()
    name_ok = not refusal(stored_name) and len(stored_name) <= DISPLAY_NAME_MAX_CHARS and not (
        "\n" in stored_name or "\t" in stored_name)
    if body_ok and name_ok:
        assert response.status_code == 303, response.content[:300]
        comment = Comment.objects.latest("pk")
        assert (comment.current_revision.body, comment.display_name) == (stored_body, stored_name)
        return
    assert response.status_code == 422, response.content[:300]
    assert Comment.objects.count() == before
    doc = lxml.html.fromstring(response.content)
    assert doc.get_element_by_id("vp-form-errors") is not None
    assert (doc.xpath('//textarea[@name="body"]')[0].text or "") == as_parsed(body)
    assert doc.xpath('//input[@name="display_name"]/@value') == [as_parsed(name)]
