"""The proof-of-work in a real browser: with JavaScript the page's script does the work and the comment
gets the ordinary budget; without JavaScript the comment still goes, under the stricter budget."""
import re
import uuid
from urllib.parse import parse_qs

import pytest
from playwright.sync_api import expect

from voxpop.comments.models import Comment
from voxpop.common import clock, ratelimit

pytestmark = pytest.mark.browser

RECEIPT_URL = re.compile(r"/receipts/[^/?#]+/\?new=1(#.*)?$")
BITS = 12  # a few thousand hashes: fast here, and still real work the server checks


@pytest.fixture(autouse=True)
def stricter_unproven_budget(settings, monkeypatch):
    """One comment a day without a proof, plenty with one; counters of this test only, on a frozen clock
    (so no window ends mid-test)."""
    settings.VOXPOP_POW_BITS = BITS
    settings.VOXPOP_RATE_LIMITS = {"source": ((100, 86400),), "source_unproven": ((1, 86400),),
                                   "story": ((100, 86400),), "global": ((100, 86400),)}
    settings.CACHES = {**settings.CACHES,
                       "ratelimit": {**settings.CACHES["ratelimit"], "KEY_PREFIX": f"e2e-{uuid.uuid4().hex}"}}
    frozen = clock.now()
    monkeypatch.setattr(clock, "now", lambda: frozen)
    ratelimit.local_state_reset()
    yield
    ratelimit.local_state_reset()


def send(page, thread_url: str, body: str):
    page.goto(thread_url)
    page.get_by_label("Your comment", exact=True).fill(body)
    with page.expect_request(lambda r: r.method == "POST") as posted:
        page.get_by_role("button", name="Send for moderation").click()
    return posted.value


def test_reader_with_javascript_proves_work_and_gets_the_ordinary_budget(new_page, thread_url):
    """After the stricter budget is spent, a browser with JavaScript solves the puzzle and its comment is received."""
    send(new_page(javascript=False), thread_url, "Sent without JavaScript: spends the stricter budget.")
    page = new_page(javascript=True)
    page.goto(thread_url)
    body = "밤 버스는 제 유일한 귀갓길입니다.\nThe night bus is my only way home."

    page.get_by_label("Your comment", exact=True).fill(body)
    with page.expect_request(lambda r: r.method == "POST") as posted:
        page.get_by_role("button", name="Send for moderation").click()

    expect(page).to_have_url(RECEIPT_URL)
    fields = parse_qs(posted.value.post_data)
    assert re.fullmatch(r"[0-9]+", fields["pow"][0])
    assert re.fullmatch(r"[0-9a-f]{32}", fields["idempotency_key"][0])
    assert Comment.objects.count() == 2


def test_button_says_checking_while_the_work_runs(new_page, thread_url):
    """The send button reads "Checking…" and is disabled while the browser works, then the form goes."""
    page = new_page(javascript=True)
    seen = []
    page.on("console", lambda message: seen.append(message.text))
    page.goto(thread_url)
    page.evaluate("""() => {
        const button = document.querySelector('form button[type="submit"]');
        new MutationObserver(() => console.log(button.textContent + '|' + button.disabled)).observe(
            button, {childList: true, characterData: true, subtree: true});
    }""")
    page.get_by_label("Your comment", exact=True).fill("Please keep the 2 a.m. departure.")

    page.get_by_role("button", name="Send for moderation").click()

    expect(page).to_have_url(RECEIPT_URL)
    assert seen[:2] == ["Checking…|true", "Send for moderation|false"]


def test_reader_without_javascript_still_posts_under_the_stricter_budget(new_page, thread_url):
    """Without JavaScript the form still posts; past the stricter budget it answers 429 with the text kept."""
    page = new_page(javascript=False)

    first = send(page, thread_url, "No JavaScript here, first comment.")
    expect(page).to_have_url(RECEIPT_URL)
    assert "pow" not in parse_qs(first.post_data)

    send(page, thread_url, "No JavaScript here, second comment.")
    expect(page.get_by_role("alert")).to_contain_text("Too many comments have been sent in a short time")
    expect(page.get_by_label("Your comment", exact=True)).to_have_value("No JavaScript here, second comment.")
    assert Comment.objects.count() == 1


def test_script_that_posts_itself_awaits_the_proof(new_page, thread_url):
    """window.voxpopProof fills the form for a script that sends it with fetch: the post is proven, and
    sent again (a retry) it is the same comment."""
    send(new_page(javascript=False), thread_url, "Sent without JavaScript: spends the stricter budget.")
    page = new_page(javascript=True)
    page.goto(thread_url)
    page.get_by_label("Your comment", exact=True).fill("Sent twice by a flaky connection.")
    proof = page.evaluate("""async () => {
        const form = document.querySelector('form');
        await window.voxpopProof(form);
        return new URLSearchParams(new FormData(form)).toString();
    }""")

    answers = [page.request.post(thread_url, data=proof, max_redirects=0,
                                 headers={"Content-Type": "application/x-www-form-urlencoded"}) for _ in range(2)]

    assert [a.status for a in answers] == [303, 303]
    assert answers[0].headers["location"] == answers[1].headers["location"]
    assert Comment.objects.count() == 2
