"""What a moderator does in a real browser: sign in with two factors, clear a queue with the keyboard, or without JS."""
import time
from datetime import timedelta

import pytest
from django_otp.oath import totp
from playwright.sync_api import Page, expect

from voxpop.accounts.models import User
from voxpop.accounts.services import moderator_save
from voxpop.comments.models import Comment
from voxpop.comments.services import comment_submit
from voxpop.common import clock
from voxpop.desks.models import HouseRule
from voxpop.moderation.models import ModerationDecision

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"
PHONE = "0301 555 1234"
EDITED = 6  # queue position of the comment edited with the redaction helper
REJECTED = {3: 1, 9: 2, 17: 3, 24: 2}  # queue position -> house rule number


@pytest.fixture
def account(desk):
    """A moderator of the English desk and their confirmed TOTP device."""
    return moderator_save(username="erin", password=PASSWORD, role=User.Role.MODERATOR, desk_keys=[desk.key])


@pytest.fixture
def pending(open_story):
    """Submit `n` reader comments, oldest first a minute apart; returns them in queue order."""
    def make(n: int, body=lambda i: f"Reader comment {i:02d} about the night buses.") -> list[Comment]:
        start = clock.now() - timedelta(minutes=n + 1)
        return [comment_submit(story=open_story, body=body(i), display_name=f"Reader {i:02d}", parent_id=None,
                               submission_key=None, commenter_key=f"key-{i % 7}",
                               now=start + timedelta(minutes=i)).comment for i in range(n)]
    return make


def sign_in(page: Page, base_url: str, user: User, device) -> None:
    """Sign in with password and the current TOTP code; retries once a code has rolled over."""
    for _ in range(3):
        page.goto(f"{base_url}/moderation/sign-in/")
        page.get_by_label("User name").fill(user.username)
        page.get_by_label("Password").fill(PASSWORD)
        code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift)
        page.get_by_label("Code from your authenticator app").fill(f"{code:0{device.digits}d}")
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()
        if "/sign-in/" not in page.url:
            return
        time.sleep(1.1)  # django-otp throttles for a second after a failed code
    pytest.fail("could not sign in with password and TOTP code")


def press_and_load(page: Page, key: str) -> None:
    """Press a key that submits a form or follows a link, and wait until the next page's script has run."""
    with page.expect_navigation(wait_until="domcontentloaded"):
        page.keyboard.press(key)


def test_moderator_clears_a_queue_of_30_with_the_keyboard(new_page, live_server, account, pending, open_story):
    """After signing in, a moderator approves, rejects, edits with the redaction helper and undoes, keys only."""
    user, device = account
    comments = pending(30, body=lambda i: f"Reader comment {i:02d}: call me on {PHONE}" if i == EDITED
                       else f"Reader comment {i:02d} about the night buses.")
    rules = {r.number: r for r in HouseRule.objects.filter(desk=open_story.desk, retired_at=None)}
    page = new_page()
    sign_in(page, live_server.url, user, device)

    current = page.locator("li.mw-item.mw-current")
    messages = page.locator(".mw-messages")
    expect(current).to_have_attribute("data-comment", str(comments[0].pk))
    expect(current).to_be_focused()
    page.keyboard.press("j")
    page.keyboard.press("j")
    expect(current).to_have_attribute("data-comment", str(comments[2].pk))
    expect(current).to_have_attribute("aria-current", "true")
    page.keyboard.press("k")
    page.keyboard.press("k")
    expect(current).to_have_attribute("data-comment", str(comments[0].pk))
    expect(page.locator("li.mw-item[aria-current]")).to_have_count(1)
    page.keyboard.press("x")
    expect(current.get_by_role("checkbox")).to_be_checked()
    page.keyboard.press("x")
    expect(current.get_by_role("checkbox")).not_to_be_checked()

    page.keyboard.press("r")
    expect(current.locator(".mw-prompt")).to_have_text("Reject under rule: press 1-9, Esc to cancel")
    page.keyboard.press("Escape")
    expect(page.locator(".mw-prompt")).to_have_count(0)

    for i, comment in enumerate(comments):
        expect(current).to_have_attribute("data-comment", str(comment.pk))
        if i == EDITED:
            edit_with_redaction(page, rule=rules[2])
            expect(messages).to_contain_text(f"Comment #{comment.pk}: edited and approved.")
        elif i in REJECTED:
            page.keyboard.press("r")
            expect(current.locator(".mw-prompt")).to_be_visible()
            press_and_load(page, str(REJECTED[i]))
            expect(messages).to_contain_text(f"Comment #{comment.pk}: rejected under rule {REJECTED[i]}.")
        else:
            press_and_load(page, "a")
            expect(messages).to_contain_text(f"Comment #{comment.pk}: approved.")

    expect(page.locator(".mw-empty")).to_contain_text("No pending comments here.")
    last = comments[-1]
    press_and_load(page, "u")
    expect(messages).to_contain_text(f"Undone: your approval of comment #{last.pk}.")
    expect(current).to_have_attribute("data-comment", str(last.pk))
    last.refresh_from_db()
    assert last.status == Comment.Status.PENDING

    approved = [c for i, c in enumerate(comments[:-1]) if i not in REJECTED]
    page.goto(f"{live_server.url}/stories/{open_story.key}/comments/")
    shown = page.locator(".vp-comments .vp-comment")
    expect(shown).to_have_count(len(approved))
    for comment in approved:
        expect(page.locator(f"#c{comment.pk}")).to_be_visible()
    for comment in [comments[i] for i in REJECTED] + [last]:
        expect(page.locator(f"#c{comment.pk}")).to_have_count(0)
    edited = page.locator(f"#c{comments[EDITED].pk}")
    expect(edited.locator(".vp-body")).to_have_text(f"Reader comment {EDITED:02d}: call me on [removed]")
    expect(edited.locator(".vp-edited")).to_contain_text("Edited by a moderator under house rule 2")
    expect(page.locator("main")).not_to_contain_text(PHONE)

    page.goto(f"{live_server.url}/moderation/audit/")
    rows = page.locator("table.mw-table tbody tr")
    expect(rows).to_have_count(31)
    for i, number in REJECTED.items():
        row = rows.filter(has=page.get_by_role("link", name=f"#{comments[i].pk}", exact=True))
        expect(row).to_contain_text("reject")
        expect(row).to_contain_text(f"{number}. {rules[number].text}")
    edit_row = rows.filter(has=page.get_by_role("link", name=f"#{comments[EDITED].pk}", exact=True))
    expect(edit_row).to_contain_text("edit")
    expect(edit_row).to_contain_text("2. No personal data.")
    expect(rows.filter(has_text="approve (undone)")).to_have_count(1)
    expect(rows.filter(has_text="undo")).to_have_count(2)  # the undo row and the undone approval

    decisions = ModerationDecision.objects.filter(actor=user)
    assert decisions.count() == 31
    assert {c.pk: c.decisions.exclude(action="undo").count() for c in comments} == {c.pk: 1 for c in comments}
    undo = decisions.get(action=ModerationDecision.Action.UNDO)
    assert (undo.comment_id, undo.undoes.action) == (last.pk, ModerationDecision.Action.APPROVE)
    assert sorted(decisions.filter(action="reject").values_list("rule__number", flat=True)) == sorted(REJECTED.values())


def edit_with_redaction(page: Page, *, rule: HouseRule) -> None:
    """From the queue: open the editor with e, mask the phone number with m, approve as edited by keyboard."""
    press_and_load(page, "e")
    body = page.locator("#edit-body")
    expect(body).to_be_focused()

    page.keyboard.press("Control+End")
    page.keyboard.press("m")  # nothing selected: m is just a letter
    expect(body).to_have_value(f"Reader comment {EDITED:02d}: call me on {PHONE}m")
    page.keyboard.press("Backspace")
    for _ in PHONE:
        page.keyboard.press("Shift+ArrowLeft")
    assert body.evaluate("el => el.value.slice(el.selectionStart, el.selectionEnd)") == PHONE
    page.keyboard.press("m")
    expect(body).to_have_value(f"Reader comment {EDITED:02d}: call me on [removed]")
    assert body.evaluate("el => [el.selectionStart, el.selectionEnd]") == [len(body.input_value())] * 2

    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Mask selection (m)")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.locator("#edit-rule")).to_be_focused()
    page.keyboard.type(str(rule.number))
    expect(page.locator("#edit-rule")).to_have_value(str(rule.pk))
    page.keyboard.press("Tab")
    page.keyboard.type("Phone number")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Approve as edited")).to_be_focused()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Save edit")).to_be_focused()
    press_and_load(page, "Enter")


def test_keyboard_help_opens_with_question_mark(new_page, live_server, account, pending):
    """Pressing ? shows the keyboard shortcut help and pressing it again hides it."""
    user, device = account
    pending(2)
    page = new_page()
    sign_in(page, live_server.url, user, device)
    help_box = page.locator("#mw-help")
    expect(help_box).to_be_hidden()

    page.keyboard.press("?")
    expect(help_box).to_be_visible()
    expect(help_box).to_contain_text("reject under house rule 1–9")

    page.keyboard.press("?")
    expect(help_box).to_be_hidden()


def test_workspace_works_without_javascript(new_page, live_server, account, pending):
    """With JavaScript off, a moderator approves one comment and rejects another under a rule with the plain forms."""
    user, device = account
    first, second = pending(2)
    page = new_page(javascript=False)
    sign_in(page, live_server.url, user, device)
    expect(page.locator(".mw-select-all")).to_be_hidden()

    page.locator(f"#c{first.pk}").get_by_role("button", name="Approve").click()
    expect(page.locator(".mw-messages")).to_contain_text(f"Comment #{first.pk}: approved.")

    item = page.locator(f"#c{second.pk}")
    item.get_by_label(f"House rule for rejecting #{second.pk}").select_option(label="2. No personal data.")
    item.get_by_role("button", name="Reject").click()
    expect(page.locator(".mw-messages")).to_contain_text(f"Comment #{second.pk}: rejected under rule 2.")
    expect(page.locator(".mw-empty")).to_be_visible()

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (Comment.Status.APPROVED, Comment.Status.REJECTED)
    reject = ModerationDecision.objects.get(comment=second)
    assert (reject.actor, reject.action, reject.rule.number) == (user, "reject", 2)
