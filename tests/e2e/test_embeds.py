"""The three ways a newsroom embeds Voxpop, each on a host page of another origin, in Chromium.

The host pages come from a second HTTP server on 127.0.0.1 (its own port), standing in for the
newsroom's CMS; Voxpop is pytest-django's live server on localhost. Each test has a reader post a
comment through the embed.
"""
import re
import threading
import urllib.request
from collections.abc import Callable
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlencode

import pytest
from playwright.sync_api import expect

from voxpop.accounts.services import moderator_save
from voxpop.comments.models import Comment
from voxpop.comments.services import comment_submit
from voxpop.common import clock
from voxpop.embed.services import site_create
from voxpop.embed.signing import registration_sign
from voxpop.moderation.services import comment_approve
from voxpop.stories.models import Story

pytestmark = pytest.mark.browser


class HostPages:
    """The newsroom's CMS: a server on another origin answering the pages a test puts in `pages`."""

    def __init__(self):
        self.pages: dict[str, Callable[[], str]] = {}
        pages = self.pages

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                render = pages.get(self.path)
                body = (render() if render else "not found").encode()
                self.send_response(200 if render else 404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def host(desk):
    pages = HostPages()
    yield pages
    pages.close()


@pytest.fixture
def site(host, desk):
    """The CMS's site: its origin may frame the thread and read the embed routes; it signs for the English desk."""
    return site_create(name="harbour-times", origins=[host.origin], desk_keys=[desk.key], now=clock.now())


def article(voxpop: str, embed: str, *, head: str = "") -> str:
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Night buses stay</title>'
            f'<link rel="stylesheet" href="{voxpop}/static/voxpop/reader.css">{head}</head>'
            f'<body><article><h1>Night buses stay</h1><p>The council keeps the night buses.</p></article>'
            f'{embed}</body></html>')


def pending_bodies() -> list[str]:
    return list(Comment.objects.filter(status=Comment.Status.PENDING).values_list("current_revision__body", flat=True))


def test_reader_posts_through_a_server_side_include_without_javascript(new_page, live_server, host, site,
                                                                        open_story):
    """A CMS pastes the fragment into its own page; a reader without JavaScript posts and gets the receipt."""
    fragment_url = f"{live_server.url}/stories/{open_story.key}/comments/fragment"
    # Fetched on every page view, like an SSI directive or a CMS template's HTTP include.
    host.pages["/ssi"] = lambda: article(live_server.url, urllib.request.urlopen(fragment_url).read().decode())
    page = new_page(javascript=False)

    page.goto(f"{host.origin}/ssi")
    page.get_by_label("Your comment", exact=True).fill("Included by the CMS, posted without JavaScript.")
    page.get_by_role("button", name="Send for moderation").click()

    expect(page).to_have_url(re.compile(re.escape(live_server.url) + r"/receipts/[^/]+/\?new=1"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("received")
    assert pending_bodies() == ["Included by the CMS, posted without JavaScript."]


def _iframe_height(page) -> float:
    return page.locator("iframe[data-voxpop-frame]").evaluate("f => f.clientHeight")


def _content_height(frame) -> float:
    return frame.locator("html").evaluate("h => h.getBoundingClientRect().height")


def test_iframe_sizes_itself_to_the_thread_and_the_receipt(new_page, live_server, host, site, open_story):
    """The iframe grows to a long thread and shrinks to the receipt after the reader posts in it."""
    now = clock.now()
    erin = moderator_save(username="erin", password="correct horse battery", role="moderator",
                          desk_keys=["english"])[0]
    for n in range(12):
        comment = comment_submit(story=open_story, body=f"Published comment number {n}.\nIt has two lines.",
                                 display_name="", parent_id=None, submission_key=None, commenter_key="k",
                                 now=now).comment
        comment_approve(comment_id=comment.pk, revision_id=comment.current_revision_id, moderator=erin, now=now)
    thread = f"{live_server.url}/stories/{open_story.key}/comments/"
    host.pages["/iframe"] = lambda: article(live_server.url, (
        f'<iframe data-voxpop-frame src="{thread}" title="Comments" width="100%" height="600"></iframe>'
        f'<script src="{live_server.url}/static/voxpop/frame-host.js" defer></script>'))
    page = new_page()

    page.goto(f"{host.origin}/iframe")
    frame = page.frame_locator("iframe[data-voxpop-frame]")
    expect(frame.get_by_label("Your comment", exact=True)).to_be_visible()
    page.wait_for_function("() => document.querySelector('iframe[data-voxpop-frame]').clientHeight > 600")
    thread_height = _iframe_height(page)
    assert abs(thread_height - _content_height(frame)) <= 1

    frame.get_by_label("Your comment", exact=True).fill("Posted inside the iframe.")
    frame.get_by_role("button", name="Send for moderation").click()
    expect(frame.get_by_role("heading", level=1)).to_contain_text("received")
    page.wait_for_function(f"() => document.querySelector('iframe[data-voxpop-frame]').clientHeight < {thread_height}")

    assert abs(_iframe_height(page) - _content_height(frame)) <= 1
    assert pending_bodies() == ["Posted inside the iframe."]


def test_iframe_without_javascript_keeps_its_height_and_still_posts(new_page, live_server, host, site, open_story):
    """With JavaScript off the iframe stays at its fixed height and the form inside still works."""
    thread = f"{live_server.url}/stories/{open_story.key}/comments/"
    host.pages["/iframe"] = lambda: article(live_server.url, (
        f'<iframe data-voxpop-frame src="{thread}" title="Comments" width="100%" height="600"></iframe>'))
    page = new_page(javascript=False)

    page.goto(f"{host.origin}/iframe")
    frame = page.frame_locator("iframe[data-voxpop-frame]")
    frame.get_by_label("Your comment", exact=True).fill("Posted in a fixed-height iframe.")
    frame.get_by_role("button", name="Send for moderation").click()

    expect(frame.get_by_role("heading", level=1)).to_contain_text("received")
    assert _iframe_height(page) == 600
    assert pending_bodies() == ["Posted in a fixed-height iframe."]


def script_embed(voxpop: str, thread_link: str) -> str:
    return article(voxpop, (
        f'<div data-voxpop-embed><p><a href="{thread_link}">Read the comments and write one</a></p></div>'
        f'<script src="{voxpop}/static/voxpop/embed.js" defer></script>'))


def test_reader_posts_through_the_script_and_stays_on_the_article(new_page, live_server, host, site, open_story):
    """The script loads the thread into the article; a post shows the receipt link without leaving the page."""
    host.pages["/script"] = lambda: script_embed(live_server.url, f"{live_server.url}/stories/{open_story.key}/comments/")
    page = new_page()

    page.goto(f"{host.origin}/script")
    embed = page.locator("[data-voxpop-embed]")
    embed.get_by_label("Your comment", exact=True).fill("Posted through the embed script.")
    embed.get_by_role("button", name="Send for moderation").click()

    status = embed.locator(".vp-embed-status")
    expect(status).to_contain_text("received")
    expect(status.locator("a.vp-receipt-link")).to_have_attribute(
        "href", re.compile(re.escape(live_server.url) + r"/receipts/[^/]+/"))
    assert page.url == f"{host.origin}/script"
    assert pending_bodies() == ["Posted through the embed script."]
    expect(embed.get_by_label("Your comment", exact=True)).to_have_value("")


def test_script_shows_a_refusal_and_keeps_the_text(new_page, live_server, host, site, open_story):
    """A comment over the length limit comes back with Voxpop's message, the reader's text still in the form."""
    host.pages["/script"] = lambda: script_embed(live_server.url, f"{live_server.url}/stories/{open_story.key}/comments/")
    too_long = "The night bus matters. " * 200
    page = new_page()

    page.goto(f"{host.origin}/script")
    embed = page.locator("[data-voxpop-embed]")
    embed.get_by_label("Your comment", exact=True).fill(too_long)
    embed.get_by_role("button", name="Send for moderation").click()

    expect(embed.locator(".vp-errors")).to_contain_text("the limit is")
    expect(embed.get_by_label("Your comment", exact=True)).to_have_value(too_long)
    assert page.url == f"{host.origin}/script"
    assert not Comment.objects.exists()


def test_script_embed_without_javascript_is_a_link_to_the_thread(new_page, live_server, host, site, open_story):
    """Without JavaScript the embed is the plain link, and it leads to a thread the reader can post on."""
    host.pages["/script"] = lambda: script_embed(live_server.url, f"{live_server.url}/stories/{open_story.key}/comments/")
    page = new_page(javascript=False)

    page.goto(f"{host.origin}/script")
    page.get_by_role("link", name="Read the comments and write one").click()

    expect(page).to_have_url(f"{live_server.url}/stories/{open_story.key}/comments/")
    expect(page.get_by_label("Your comment", exact=True)).to_be_visible()


def test_cms_template_alone_opens_comments_on_a_new_story(new_page, live_server, host, site, desk):
    """A signed embed of a story Voxpop never heard of registers it, and a reader posts on it."""
    fields = {"site": site.name, "key": "ferry-strike", "title": "Ferry workers strike",
              "url": f"{host.origin}/ferry", "language": "en", "desk": desk.key,
              "expires": str(int((clock.now() + timedelta(days=30)).timestamp()))}
    query = urlencode({**{k: v for k, v in fields.items() if k != "key"},
                       "signature": registration_sign(secret=site.secret, fields=fields)})
    host.pages["/ferry"] = lambda: script_embed(live_server.url,
                                                f"{live_server.url}/stories/ferry-strike/comments/?{query}")
    page = new_page()

    page.goto(f"{host.origin}/ferry")
    embed = page.locator("[data-voxpop-embed]")
    embed.get_by_label("Your comment", exact=True).fill("First comment on a story the CMS opened.")
    embed.get_by_role("button", name="Send for moderation").click()

    expect(embed.locator(".vp-embed-status")).to_contain_text("received")
    story = Story.objects.get(key="ferry-strike")
    assert (story.title, story.desk.key) == ("Ferry workers strike", desk.key)
    assert pending_bodies() == ["First comment on a story the CMS opened."]
