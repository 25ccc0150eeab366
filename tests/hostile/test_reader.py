"""The hostile-input corpus through the reader's HTML form, the receipt and the published thread.

An accepted case is stored as normalize(value) and, once approved, is exactly that text in the
thread's DOM with no element of its own; a refused case comes back as a 4xx with a message naming
the field and the reader's text still in the form. Never a 500.
"""
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders

from voxpop.comments.models import Comment
from voxpop.stories.services import story_upsert

from .conftest import (has_nul, refused_for_nul, BENIGN_BODY, THREAD, as_parsed, assert_no_injection,
                       assert_plain_text, case_fields, form_post, form_request, page, refusal_message)
from .corpus import FORM_CASES, FORM_REQUESTS, HOSTILE_KEYS, HOSTILE_QUERY_VALUES

pytestmark = pytest.mark.usefixtures("unscored")

LABELS = {"body": "Your comment", "display_name": "Name to show (optional)"}


def form_values(doc) -> dict:
    """What the comment form holds: the comment box and the name field."""
    [textarea] = doc.xpath('//form//textarea[@name="body"]')
    [name] = doc.xpath('//form//input[@name="display_name"]')
    return {"body": textarea.text or "", "display_name": name.get("value", "")}


@pytest.mark.parametrize("case", FORM_CASES, ids=str)
def test_form_case_is_stored_verbatim_or_refused_with_the_text_kept(case, client, story, approve):
    """Each corpus case through the form: stored and published as text, or a 4xx naming the field."""
    sent = case_fields(case)

    response = form_post(client, sent)

    if not case.accepted:
        assert response.status_code == 422, response.content[:500]
        doc = page(response)
        errors = doc.get_element_by_id("vp-form-errors").text_content()
        assert f"{LABELS[case.field]}: {refusal_message(case)}" in errors
        assert form_values(doc) == {k: as_parsed(v) for k, v in sent.items()}
        assert not Comment.objects.exists()
        assert_no_injection(doc)
        return
    assert response.status_code == 303, response.content[:500]
    comment = Comment.objects.get()
    body = case.stored if case.field == "body" else BENIGN_BODY
    name = case.stored if case.field == "display_name" else ""
    assert (comment.current_revision.body, comment.display_name) == (body, name)

    receipt = page(client.get(response["Location"]))
    assert_plain_text(receipt.find_class("vp-own")[0], body)
    assert_no_injection(receipt)

    approve(comment)
    doc = page(client.get(THREAD))
    article = doc.get_element_by_id(f"c{comment.pk}")
    [shown_body] = article.find_class("vp-body")
    [shown_name] = article.find_class("vp-name")
    assert_plain_text(shown_body, body)
    assert_plain_text(shown_name, name or "Anonymous")
    assert shown_body.get("dir") == "auto" and shown_name.tag == "bdi"  # isolated: cannot reorder the page
    assert_no_injection(doc)
    if name:  # the reply form names the comment replied to
        reply = page(client.get(THREAD, {"reply_to": comment.pk}))
        assert_plain_text(reply.xpath('//p[@class="vp-replying"]/bdi')[0], name)
        assert_no_injection(reply)


@pytest.mark.parametrize("request_case", FORM_REQUESTS, ids=str)
def test_malformed_form_request_gets_its_answer(request_case, client, story):
    """Odd encodings, content types, duplicated or tampered fields: a 303 or a 4xx, never a 500."""
    response = form_request(client, request_case)

    assert response.status_code == request_case.status, response.content[:500]
    if request_case.status == 303:
        assert Comment.objects.get().current_revision.body == request_case.stored
        return
    assert not Comment.objects.exists()
    doc = page(response)
    assert_no_injection(doc)
    if request_case.kept is None:
        return  # refused before the reader's page (Django's own 400 page)
    if request_case.error:
        assert request_case.error in doc.get_element_by_id("vp-form-errors").text_content()
    assert form_values(doc)["body"] == request_case.kept


def test_multipart_form_keeps_the_name_too(client, story):
    """A multipart post (a browser with enctype="multipart/form-data") is read like the urlencoded one."""
    [multipart] = [r for r in FORM_REQUESTS if r.id == "multipart_form"]

    assert form_request(client, multipart).status_code == 303

    assert Comment.objects.get().display_name == "민지"


def test_duplicate_field_is_marked_on_that_field(client, story):
    """A duplicated name field is refused on the name, not on the comment."""
    [duplicate] = [r for r in FORM_REQUESTS if r.id == "duplicate_display_name"]

    doc = page(form_request(client, duplicate))

    assert "Name to show (optional): This field was sent more than once." in doc.text_content()
    assert doc.xpath('//input[@name="display_name"]/@aria-invalid') == ["true"]


@pytest.mark.parametrize("value", HOSTILE_QUERY_VALUES.values(), ids=HOSTILE_QUERY_VALUES.keys())
def test_hostile_query_string_on_the_thread(value, client, story):
    """reply_to, page and order carry anything: the thread still renders, escaped."""
    response = client.get(THREAD, {"reply_to": value, "page": value, "order": value})

    if has_nul(value):
        assert refused_for_nul(response)
        return
    assert response.status_code == 200
    assert_no_injection(page(response))


def key_params():
    for name, key in HOSTILE_KEYS.items():
        for method in ("get", "post"):
            yield pytest.param(method, key, id=f"{method}-{name}")


@pytest.mark.parametrize("method,key", list(key_params()))
def test_hostile_story_key_in_the_path_is_a_404(method, key, client, story):
    """An unknown or malformed story key is Django's 404 page, for a read and for a post."""
    response = getattr(client, method)(f"/stories/{key}/comments/")

    if has_nul(key):
        assert refused_for_nul(response)
        return
    assert response.status_code == 404
    assert b"<script>" not in response.content


def test_hostile_story_title_is_text(client, english_desk, now):
    """A title from the CMS is escaped and isolated like a comment: title, heading and form action."""
    title = '</title><script>alert(1)</script>\u202e{{ 7*7 }}'
    story_upsert(key="odd-story", fields={"title": title, "url": "https://news.example/odd", "language": "en",
                                          "desk": english_desk, "published_at": now}, now=now)

    doc = page(client.get("/stories/odd-story/comments/"))

    assert doc.find(".//title").text_content() == f"Comments on “{title}”"
    assert_no_injection(doc)


def test_comment_box_and_name_are_direction_neutral(client, story):
    """The form's fields take their direction from what is typed, so RTL and LTR both edit naturally."""
    doc = page(client.get(THREAD))

    assert doc.xpath('//textarea[@name="body"]/@dir') == ["auto"]
    assert doc.xpath('//input[@name="display_name"]/@dir') == ["auto"]


def test_reader_stylesheet_isolates_bodies_and_names():
    """Bidi controls in a comment stay inside it: body and name are isolated and long words wrap."""
    css = Path(finders.find("voxpop/reader.css")).read_text()

    for selector in (".vp-body", ".vp-name"):
        rule = css.split(selector + " {", 1)[1].split("}", 1)[0]
        assert "unicode-bidi: isolate" in rule
    body_rule = css.split(".vp-body {", 1)[1].split("}", 1)[0]
    assert "white-space: pre-wrap" in body_rule and "overflow-wrap: anywhere" in body_rule
