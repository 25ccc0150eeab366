"""Browser tests: Debian's Chromium, driven by Playwright's sync API, against pytest-django's live server.

One browser per session and a fresh context (no cookies, no cache) per page a test asks for.
Playwright's downloaded browsers are never used: without /usr/bin/chromium the suite fails
rather than skips, so a CI run cannot pass without having driven a real browser.
"""
import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.cache import cache
from playwright.sync_api import sync_playwright

from voxpop.accounts.models import User
from voxpop.accounts.services import api_token_create, moderator_save
from voxpop.common import clock
from voxpop.desks.models import Desk
from voxpop.desks.services import house_rules_set
from voxpop.stories.services import story_upsert

# Playwright's sync API keeps an event loop in the test thread, so Django would refuse the ORM
# calls that arrange each test. Nothing here is async: the live server answers from its own thread.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "1"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TIMEOUT_MS = 10_000


@pytest.fixture(scope="session")
def pw():
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(pw):
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: the browser tests need Debian's Chromium "
                    "(`apt-get install chromium`, which `make test` does). "
                    "Playwright's downloaded browsers are not used.", pytrace=False)
    browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
    yield browser
    browser.close()


@pytest.fixture
def new_page(browser):
    """Open a page in a new browser context: `new_page(javascript=False)` is a reader with JS off."""
    contexts = []

    def make(*, javascript: bool = True, bypass_csp: bool = False):
        context = browser.new_context(java_script_enabled=javascript, bypass_csp=bypass_csp)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The live server shares this process's cache; a thread cached by one test must not leak."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def desk(transactional_db):
    desk = Desk.objects.create(key="english", name="English desk", languages=["en"])
    house_rules_set(desk=desk, language="en", texts=["Be civil.", "No personal data.", "Stay on topic."],
                    now=clock.now())
    return desk


@pytest.fixture
def open_story(desk):
    now = clock.now()
    return story_upsert(key="harbour-buses", fields={
        "title": "Night buses stay", "url": "https://news.example/harbour-buses", "language": "en",
        "desk": desk, "published_at": now - timedelta(hours=3),
    }, now=now)[0]


@pytest.fixture
def thread_url(live_server, open_story):
    return f"{live_server.url}/stories/{open_story.key}/comments/"


@pytest.fixture
def moderation_api(pw, live_server, desk):
    """The moderation API as a CMS or moderation client calls it: over HTTP, with a bearer token."""
    user = moderator_save(username="erin", password="correct horse battery", role=User.Role.MODERATOR,
                          desk_keys=[desk.key])[0]
    token = api_token_create(user=user, now=clock.now())
    context = pw.request.new_context(base_url=live_server.url,
                                     extra_http_headers={"Authorization": f"Bearer {token}"})
    yield ModerationApi(context)
    context.dispose()


class ModerationApi:
    def __init__(self, context):
        self.context = context

    def queue(self) -> list[dict]:
        response = self.context.get("/api/v1/moderation/queue")
        assert response.status == 200, response.text()
        return response.json()["comments"]

    def approve(self, *, body: str) -> dict:
        """Approve the one pending comment with this body, on the revision the queue shows."""
        [comment] = [c for c in self.queue() if c["body"] == body]
        response = self.context.post(f"/api/v1/moderation/comments/{comment['id']}/decisions",
                                     data={"action": "approve", "revision": comment["revision"]})
        assert response.status == 200, response.text()
        assert response.json()["status"] == "approved"
        return response.json()
