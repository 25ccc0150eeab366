"""The hostile-input corpus in the moderation workspace: the queue, a comment's page and the editor.

Moderators see exactly the reader's text, escaped: the only elements inside a body are the
workspace's own <mark>s for flagged spans. A moderator's edit follows the reader's rules, and a
refused edit comes back with the moderator's text in the editor.
"""
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders

from voxpop.comments.forms import REFUSALS, body_too_long
from voxpop.comments.limits import body_max_chars
from voxpop.comments.services import comment_submit
from voxpop.desks.selectors import house_rule_get
from voxpop.scoring.intake import comment_intake

from .conftest import (has_nul, refused_for_nul, BENIGN_BODY, as_parsed, assert_no_injection, assert_plain_text, page,
                       urlencode_pairs)
from .corpus import ACCEPTED_CASES, EDIT_CASES, HOSTILE_QUERY_VALUES

QUEUE = "/moderation/?status=pending&story=harbour-buses"


def expected_edit_message(case) -> str:
    if case.refused == "too_long":
        return body_too_long(len(case.stored), body_max_chars())
    if case.refused == "required":
        return "The edited text cannot be empty; reject the comment instead."
    return str(REFUSALS[case.refused])


def assert_marked_text(element, expected: str):
    """The body as the workspace shows it: the text exactly, with only the workspace's own <mark>s in it."""
    assert_plain_text(element, expected, allowed=("mark",))
    assert all("mw-sig" in mark.get("class", "").split() for mark in element.iter("mark"))


@pytest.mark.parametrize("case", ACCEPTED_CASES, ids=str)
def test_queue_and_comment_page_show_the_text_as_text(case, as_moderator, story, now):
    """An accepted case, scored, in the pending queue and on its page: the exact text, nothing injected."""
    body = case.stored if case.field == "body" else BENIGN_BODY
    name = case.stored if case.field == "display_name" else ""
    comment = comment_submit(story=story, body=body, display_name=name, parent_id=None, submission_key=None,
                             commenter_key="reader-key", now=now).comment
    comment_intake(comment=comment, now=now)

    queue = page(as_moderator.get(QUEUE))
    item = queue.get_element_by_id(f"c{comment.pk}")
    assert_marked_text(item.find_class("mw-body")[0], body)
    assert item.find_class("mw-body")[0].get("dir") == "auto"
    assert_plain_text(item.xpath('.//p[@class="mw-meta"]/bdi')[0], name or "(no name)")
    assert_no_injection(queue, scripts_allowed=1)

    detail = page(as_moderator.get(f"/moderation/comments/{comment.pk}/"))
    assert_marked_text(detail.get_element_by_id("current-text"), body)
    assert_plain_text(detail.xpath('//p[@class="mw-meta"]/bdi')[0], name or "(none)")
    assert detail.get_element_by_id("edit-body").text == body
    [revision] = detail.xpath('//ol[@class="mw-revisions"]//div[contains(@class, "mw-body")]')
    assert_plain_text(revision, body)
    assert_no_injection(detail, scripts_allowed=1)


@pytest.mark.parametrize("case", [c for c in EDIT_CASES if c.form], ids=str)
@pytest.mark.usefixtures("unscored")
def test_moderator_edit_follows_the_reader_rules(case, as_moderator, story, submit, english_desk):
    """An edit is stored verbatim, or refused (422) with the message and the moderator's text kept."""
    comment = submit(story, body=BENIGN_BODY)
    rule = house_rule_get(desk=english_desk, language="en", number=2)
    fields = [("action", "edit"), ("revision", str(comment.current_revision_id)), ("rule", str(rule.pk)),
              ("note", ""), ("body", case.value), ("next", QUEUE)]

    response = as_moderator.post(f"/moderation/comments/{comment.pk}/decide", urlencode_pairs(fields),
                                 content_type="application/x-www-form-urlencoded")

    comment.refresh_from_db()
    if case.accepted:
        assert response.status_code == 302, response.content[:500]
        assert comment.current_revision.body == case.stored
        return
    assert response.status_code == 422, response.content[:500]
    doc = page(response)
    assert expected_edit_message(case) in doc.get_element_by_id("decision-errors").text_content()
    assert (doc.get_element_by_id("edit-body").text or "") == as_parsed(case.value)
    assert comment.current_revision.body == BENIGN_BODY
    assert_no_injection(doc, scripts_allowed=1)


def filter_values():
    for name, value in HOSTILE_QUERY_VALUES.items():
        yield pytest.param(value, id=name)


@pytest.mark.parametrize("value", list(filter_values()))
def test_hostile_queue_filters_are_echoed_as_text(value, as_moderator, story):
    """Search, story, language, commenter, signal, order and page filters: 200, escaped, nothing injected."""
    params = {"q": value, "story": value, "language": value, "commenter": value, "signal": value,
              "order": value, "page": value, "desk": value, "status": value}

    response = as_moderator.get("/moderation/", params)

    if has_nul(value):
        assert refused_for_nul(response)
        return
    assert response.status_code == 200
    doc = page(response)
    assert_no_injection(doc, scripts_allowed=1)
    assert doc.xpath('//input[@name="q"]/@value') == [value.strip().replace("\x00", "\ufffd")[:200]]


@pytest.mark.parametrize("value", list(filter_values()))
def test_hostile_audit_filter(value, as_moderator, story):
    """The audit log's moderator filter takes anything: 200, escaped."""
    response = as_moderator.get("/moderation/audit/", {"moderator": value})

    if has_nul(value):
        assert refused_for_nul(response)
        return
    assert response.status_code == 200
    assert_no_injection(page(response), scripts_allowed=1)


def test_workspace_stylesheet_isolates_bodies():
    """Bidi controls in a comment cannot reorder the moderator's page; long words wrap."""
    css = Path(finders.find("voxpop/workspace.css")).read_text()

    rule = css.split(".mw-body {", 1)[1].split("}", 1)[0]
    assert "unicode-bidi: isolate" in rule and "overflow-wrap: anywhere" in rule and "white-space: pre-wrap" in rule
