"""Sensitive story mode in a real browser: the personal data scoring found is selected for masking.

The assessments are written directly, as scoring would, so these tests do not wait for the detectors.
Their spans count code points; the emoji before each number checks the UTF-16 conversion in workspace.js.
"""
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.test_workspace import PASSWORD, press_and_load, sign_in
from voxpop.accounts.models import User
from voxpop.accounts.services import moderator_save
from voxpop.comments.models import Comment
from voxpop.comments.services import comment_submit
from voxpop.common import clock
from voxpop.desks.models import HouseRule
from voxpop.scoring.models import Assessment
from voxpop.scoring.services import HELD_PRIORITY
from voxpop.stories.models import Story

pytestmark = pytest.mark.browser

PHONE = "0301 555 1234"
EMAIL = "ko@example.org"


@pytest.fixture
def account(desk):
    return moderator_save(username="erin", password=PASSWORD, role=User.Role.MODERATOR, desk_keys=[desk.key])


@pytest.fixture
def sensitive_story(open_story):
    Story.objects.filter(pk=open_story.pk).update(sensitive=True)
    open_story.refresh_from_db()
    return open_story


def held_comment(story, body: str, found: list[tuple[str, str, str]]) -> Comment:
    """A pending comment on `story`, held by scoring for the (name, label, text) it found in `body`."""
    comment = comment_submit(story=story, body=body, display_name="Source", parent_id=None, submission_key=None,
                             commenter_key="key-1", now=clock.now() - timedelta(minutes=3)).comment
    signals = [{"name": name, "label": label, "spans": [[body.index(text), body.index(text) + len(text)]]}
               for name, label, text in found]
    Assessment.objects.create(revision=comment.current_revision, language="en", risk=None, signals=signals,
                              held=True, scored_at=clock.now())
    Comment.objects.filter(pk=comment.pk).update(priority=HELD_PRIORITY + 0.2)
    return comment


def selected(page: Page) -> str:
    return page.locator("#edit-body").evaluate("el => el.value.slice(el.selectionStart, el.selectionEnd)")


def test_moderator_masks_the_phone_number_on_a_sensitive_story(new_page, live_server, account, sensitive_story):
    """The editor of a held comment opens with the number selected; m masks exactly it; the reader sees the mask."""
    user, device = account
    body = f"😀 My neighbour saw it all, call him on {PHONE} tonight"
    comment = held_comment(sensitive_story, body, [("phone", "Phone number", PHONE)])
    rule = HouseRule.objects.get(desk=sensitive_story.desk, number=2, retired_at=None)
    page = new_page()
    sign_in(page, live_server.url, user, device)

    current = page.locator("li.mw-item.mw-current")
    expect(current).to_have_attribute("data-comment", str(comment.pk))
    expect(current.locator(".mw-sensitive-flag")).to_have_text("Sensitive story: personal data")
    expect(current.locator("mark.mw-sig")).to_have_text(PHONE)

    press_and_load(page, "e")
    editor = page.locator("#edit-body")
    expect(editor).to_be_focused()
    assert selected(page) == PHONE

    page.keyboard.press("m")
    expect(editor).to_have_value(body.replace(PHONE, "[removed]"))

    page.locator("#edit-rule").select_option(str(rule.pk))
    page.get_by_label("Approve as edited").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Save edit").click()
    expect(page.locator(".mw-messages")).to_contain_text(f"Comment #{comment.pk}: edited and approved.")

    page.goto(f"{live_server.url}/stories/{sensitive_story.key}/comments/")
    shown = page.locator(f"#c{comment.pk}")
    expect(shown.locator(".vp-body")).to_have_text("😀 My neighbour saw it all, call him on [removed] tonight")
    expect(shown.locator(".vp-edited")).to_contain_text("Edited by a moderator under house rule 2")
    expect(page.locator("main")).not_to_contain_text(PHONE)


def test_moderator_masks_spans_one_key_at_a_time(new_page, live_server, account, sensitive_story):
    """On the comment page, n walks the spans in the editor, m outside it or a click on a highlight masks one."""
    user, device = account
    body = f"🇰🇷 Write to {EMAIL} or 📞 {PHONE}, or 🙂 ask for 010 9999 8888."
    comment = held_comment(sensitive_story, body, [("email", "E-mail address", EMAIL),
                                                   ("phone", "Phone number", PHONE),
                                                   ("phone2", "Phone number", "010 9999 8888")])
    page = new_page()
    sign_in(page, live_server.url, user, device)
    page.goto(f"{live_server.url}/moderation/comments/{comment.pk}/")
    editor = page.locator("#edit-body")
    assert selected(page) == EMAIL  # held: the first span is ready before any key

    editor.focus()
    page.keyboard.press("n")
    assert selected(page) == PHONE
    page.keyboard.press("n")
    assert selected(page) == "010 9999 8888"
    page.keyboard.press("n")
    assert selected(page) == EMAIL  # round again
    page.keyboard.press("Control+End")
    page.keyboard.press("n")  # not on a span: n is a letter
    expect(editor).to_have_value(body + "n")
    page.keyboard.press("Backspace")

    page.locator("h1").click()  # focus out of the editor
    page.keyboard.press("m")
    expect(editor).to_have_value(body.replace(EMAIL, "[removed]"))
    expect(page.locator('#current-text mark.mw-sig-masked')).to_have_count(1)

    page.locator("#current-text mark", has_text="010 9999 8888").click()
    expect(editor).to_have_value(body.replace(EMAIL, "[removed]").replace("010 9999 8888", "[removed]"))

    page.keyboard.press("m")  # the one left
    expect(editor).to_have_value(body.replace(EMAIL, "[removed]").replace(PHONE, "[removed]")
                                 .replace("010 9999 8888", "[removed]"))
    expect(page.locator("#edit-spans-status")).to_contain_text("3 of 3 highlighted spans")
