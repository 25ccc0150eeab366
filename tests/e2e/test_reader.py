"""What a reader does in a real browser: post without JavaScript, get a receipt, see a published comment."""
import re

import pytest
from playwright.sync_api import Page, expect

from voxpop.comments.limits import body_max_chars

pytestmark = pytest.mark.browser

RECEIPT_URL = re.compile(r"/receipts/[^/?#]+/\?new=1(#.*)?$")  # the form action's #vp-form carries over


def post_comment(page: Page, thread_url: str, body: str, name: str = "") -> str:
    """Fill in and send the thread's form; returns the receipt page's address."""
    page.goto(thread_url)
    page.get_by_label("Your comment", exact=True).fill(body)
    if name:
        page.get_by_label("Name to show (optional)").fill(name)
    page.get_by_role("button", name="Send for moderation").click()
    expect(page).to_have_url(RECEIPT_URL)
    return page.url


def published_comments(page: Page):
    return page.locator(".vp-comments .vp-comment")


def test_reader_posts_without_javascript_and_sees_receipt(new_page, thread_url, moderation_api):
    """A reader without JavaScript posts, gets a receipt, and sees the comment only after approval."""
    body = "The night bus is my only way home after the late shift."
    page = new_page(javascript=False)

    post_comment(page, thread_url, body, name="Night owl")

    expect(page.get_by_role("heading", level=1)).to_contain_text("received")
    expect(page.locator("main")).to_contain_text("after a moderator has read it")

    page.goto(thread_url)
    expect(page.locator("main")).not_to_contain_text(body)
    expect(published_comments(page)).to_have_count(0)

    moderation_api.approve(body=body)
    page.reload()
    expect(published_comments(page)).to_have_count(1)
    expect(published_comments(page).locator(".vp-body")).to_have_text(body)
    expect(published_comments(page).locator(".vp-name")).to_have_text("Night owl")


def test_script_body_shows_as_text_and_never_runs(new_page, thread_url, moderation_api):
    """Markup a reader types is published as literal text: no script runs, no element or formatting appears."""
    body = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2"> **bold**'
    post_comment(new_page(javascript=False), thread_url, body)
    moderation_api.approve(body=body)

    # The page's CSP would block inline script anyway; bypassing it makes this test about escaping.
    page = new_page(javascript=True, bypass_csp=True)
    page.goto(thread_url)

    shown = published_comments(page).locator(".vp-body")
    expect(shown).to_have_text(body)
    assert "<script>window.__pwned=1</script>" in page.locator("main").inner_text()
    assert "**bold**" in shown.inner_text()
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert published_comments(page).locator("img, script, strong, b, em").count() == 0


def test_reader_keeps_typed_text_on_error(new_page, thread_url):
    """A comment over the length limit comes back with a clear message and every character still in the form."""
    limit = body_max_chars()
    line = "밤 버스는 제 유일한 귀갓길입니다. The night bus is my only way home.\n"
    body = (line * (limit // len(line) + 2)).strip()
    assert len(body) > limit
    page = new_page(javascript=False)
    page.goto(thread_url)

    page.get_by_label("Your comment", exact=True).fill(body)
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.get_by_role("button", name="Send for moderation").click()

    assert answer.value.status == 422
    expect(page.get_by_role("alert")).to_contain_text(f"the limit is {limit}")
    expect(page.get_by_role("alert")).to_contain_text("Please shorten it.")
    expect(page.get_by_label("Your comment", exact=True)).to_have_value(body)


def test_receipt_link_shows_status_to_author_only(new_page, thread_url):
    """The author's private receipt link shows the pending comment and its status; the public thread does not."""
    body = "Please keep the 2 a.m. departure; cleaners rely on it."
    receipt_url = post_comment(new_page(javascript=False), thread_url, body)

    # The author comes back later, in a new session, with only the link.
    page = new_page(javascript=False)
    page.goto(receipt_url.split("?")[0])
    expect(page.locator(".vp-status")).to_contain_text("waiting for a moderator")
    expect(page.locator(".vp-own")).to_have_text(body)

    page.goto(thread_url)
    expect(page.locator("main")).not_to_contain_text(body)

    forged = re.sub(r"/receipts/[^/]+/", "/receipts/1:forged/", receipt_url.split("?")[0])
    response = page.goto(forged)
    assert response.status == 404
    expect(page.locator("body")).not_to_contain_text(body)
