"""Fixtures and page readers for the hostile-input tests: one story, its moderator, and ways in."""
import json
import re
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import quote, quote_from_bytes

import django_otp
import lxml.html
import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.test import Client

from tests.conftest import NOW, make_moderator
from voxpop.accounts.models import User
from voxpop.accounts.services import api_token_create
from voxpop.comments.forms import REFUSALS, body_too_long, name_too_long
from voxpop.comments.limits import DISPLAY_NAME_MAX_CHARS, body_max_chars
from voxpop.common import clock
from voxpop.desks.models import Desk, HouseRule
from voxpop.desks.services import house_rules_set
from voxpop.moderation.services import comment_approve
from voxpop.reader.views import new_form_token
from voxpop.stories.models import Story
from voxpop.stories.services import story_upsert

from .corpus import TOKEN, FormRequest

THREAD = "/stories/harbour-buses/comments/"
API_COMMENTS = "/api/v1/stories/harbour-buses/comments"
QUEUE_API = "/api/v1/moderation/queue"
BENIGN_BODY = "A benign body beside the hostile name."

# A NUL anywhere in the path or query string is refused with 400 by RefuseNulMiddleware before
# any view or query sees it (PostgreSQL cannot hold NUL in text).
def has_nul(text: str) -> bool:
    return "\x00" in text or "%00" in text


def refused_for_nul(response) -> bool:
    return response.status_code == 400 and b"NUL" in response.content


@pytest.fixture(scope="module")
def newsroom(django_db_setup, django_db_blocker):
    """The desk, story and moderator of tests/conftest.py, made once per module instead of once per
    test (the corpus runs hundreds of cases); each test still runs in its own rolled-back transaction."""
    with django_db_blocker.unblock():
        desk = Desk.objects.create(key="english", name="English desk", languages=["en"])
        house_rules_set(desk=desk, language="en", texts=["Be civil.", "No personal data.", "Stay on topic."], now=NOW)
        story = story_upsert(key="harbour-buses", fields={
            "title": "Night buses stay", "url": "https://news.example/harbour-buses", "language": "en",
            "desk": desk, "published_at": NOW - timedelta(hours=3),
        }, now=NOW)[0]
        moderator = make_moderator("erin", [desk])
        token = api_token_create(user=moderator, now=NOW)
        session_key = _two_factor_session(moderator)
    try:
        yield SimpleNamespace(desk=desk, story=story, moderator=moderator, token=token, session_key=session_key)
    finally:
        with django_db_blocker.unblock():
            Session.objects.filter(session_key=session_key).delete()
            User.objects.filter(pk=moderator.pk).delete()
            Story.objects.filter(pk=story.pk).delete()
            HouseRule.objects.filter(desk=desk).delete()
            Desk.objects.filter(pk=desk.pk).delete()


def _two_factor_session(user) -> str:
    """A session signed in with both factors, as the sign-in page leaves it."""
    client = Client()
    client.force_login(user)
    session = client.session
    session[django_otp.DEVICE_ID_SESSION_KEY] = next(django_otp.devices_for_user(user)).persistent_id
    session.save()
    return session.session_key


@pytest.fixture
def english_desk(db, newsroom):
    return newsroom.desk


@pytest.fixture
def story(db, newsroom):
    return newsroom.story


@pytest.fixture
def moderator(db, newsroom):
    return newsroom.moderator


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch, now):
    monkeypatch.setattr(clock, "now", lambda: now)
    return now


@pytest.fixture
def unscored(monkeypatch):
    """Skip scoring after a submission or an edit. Scoring every accepted case is exercised where its
    output is shown (test_workspace: the highlighted spans) and on arbitrary text in test_properties;
    repeating it on every surface would only double the run time."""
    monkeypatch.setattr("voxpop.reader.views.comment_intake_soon", lambda **kwargs: None)
    monkeypatch.setattr("voxpop.api.views.comment_intake_soon", lambda **kwargs: None)
    monkeypatch.setattr("voxpop.api.decisions.comment_score", lambda **kwargs: None)
    monkeypatch.setattr("voxpop.workspace.views._rescore", lambda *args, **kwargs: None)


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def as_moderator(client, newsroom, db):
    """The test client signed in as the moderator, with the second factor verified."""
    client.cookies[settings.SESSION_COOKIE_NAME] = newsroom.session_key
    return client


@pytest.fixture
def auth(newsroom, db) -> dict:
    """The moderator's API token, as a request header."""
    return {"Authorization": f"Bearer {newsroom.token}"}


@pytest.fixture
def approve(moderator, now):
    def publish(comment):
        comment_approve(comment_id=comment.pk, revision_id=comment.current_revision_id, moderator=moderator, now=now)
        comment.refresh_from_db()
        return comment
    return publish


def refusal_message(case) -> str:
    """The message a refused case gets, in English, the same from the form and the API."""
    if case.refused == "too_long":
        if case.field == "body":
            return body_too_long(len(case.stored), body_max_chars())
        return name_too_long(len(case.stored), DISPLAY_NAME_MAX_CHARS)
    if case.refused == "required":
        return "Please write a comment before sending."
    if case.refused == "multiline":
        return "The name must be on one line."
    return str(REFUSALS[case.refused])


def case_fields(case) -> dict:
    """The form or JSON fields that send `case`: its value in its field, a benign body beside a name."""
    fields = {"body": BENIGN_BODY, "display_name": ""}
    fields[case.field] = case.value
    return fields


def urlencode_pairs(pairs) -> bytes:
    """Like a browser's urlencoding, but values may be raw bytes (sent percent-encoded as they are)."""
    def enc(value):
        return quote_from_bytes(value, safe="") if isinstance(value, bytes) else quote(value, safe="")
    return "&".join(f"{enc(k)}={enc(v)}" for k, v in pairs).encode("ascii")


def form_post(client, fields: dict, url: str = THREAD):
    """POST the reader form as a browser does, with a fresh form token."""
    pairs = [("token", new_form_token()), *fields.items(), ("website", "")]
    return client.post(url, urlencode_pairs(pairs), content_type="application/x-www-form-urlencoded")


def form_request(client, request: FormRequest, url: str = THREAD):
    """Send one of corpus.FORM_REQUESTS."""
    token = new_form_token()
    given = {name for name, _ in request.fields}
    pairs = ([] if "token" in given else [("token", token)]) + [
        (name, token if value is TOKEN else value) for name, value in request.fields if value is not None]
    if request.encoding == "raw":
        content = request.raw.replace(b"{token}", token.encode())
    elif request.encoding == "urlencoded":
        content = urlencode_pairs(pairs)
    elif request.encoding == "multipart":
        return client.post(url, dict(pairs))  # the test client's default: multipart/form-data
    elif request.encoding == "json":
        content = json.dumps(dict(pairs)).encode()
    else:  # text/plain, as a browser's enctype="text/plain" form sends it
        content = "\r\n".join(f"{k}={v}" for k, v in pairs).encode()
    # generic(): post() would re-encode the bytes into the declared charset first.
    return client.generic("POST", url, content, content_type=request.content_type)


def api_post(client, data, url: str = API_COMMENTS, *, ascii_escapes: bool = True, headers=None):
    """POST JSON; with `ascii_escapes` every non-ASCII character travels as a \\u escape (lone surrogates too)."""
    content = json.dumps(data, ensure_ascii=ascii_escapes).encode("utf-8")
    return client.post(url, content, content_type="application/json", headers=headers or {})


def page(response) -> lxml.html.HtmlElement:
    assert response["Content-Type"].startswith("text/html"), response["Content-Type"]
    return lxml.html.fromstring(response.content)


def as_parsed(text: str) -> str:
    """`text` as an HTML parser reads it back out of a page: CR and CRLF as LF, NUL as U+FFFD."""
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "\ufffd")


def assert_plain_text(element, expected: str, allowed: tuple[str, ...] = ()):
    """`element` holds exactly `expected` as text, with no child element but those `allowed` (by tag)."""
    children = [child.tag for child in element.iterdescendants() if child.tag not in allowed]
    assert children == [], f"elements injected into <{element.tag}>: {children}"
    assert element.text_content() == expected


READER_SCRIPTS = {f"/static/{name}" for name in re.findall(
    r"<script src=\"{% static '([^']+)' %}\"",
    (Path(__file__).parents[2] / "voxpop/comments/templates/comments/reader_base.html").read_text())}


def assert_no_injection(doc, *, scripts_allowed: int | None = None):
    """Nothing on the page that only parsed markup could have made: event handlers, inline script, javascript:."""
    handlers = [(el.tag, name) for el in doc.iter() if isinstance(el.tag, str)
                for name in el.attrib if name.lower().startswith("on")]
    assert handlers == []
    scripts = doc.xpath("//script")
    assert all(s.get("src", "").startswith("/static/") and not (s.text or "").strip() for s in scripts)
    if scripts_allowed is None:  # reader pages: only the scripts their base template names
        assert {s.get("src") for s in scripts} <= READER_SCRIPTS
    else:
        assert len(scripts) == scripts_allowed
    links = [el.get(attr) for el in doc.iter() if isinstance(el.tag, str)
             for attr in ("href", "src", "action", "formaction", "data") if el.get(attr)]
    assert not [link for link in links if link.strip().lower().startswith(("javascript:", "data:text"))]
    for tag in ("iframe", "object", "embed", "svg", "math", "img", "base", "style", "noscript"):
        assert doc.xpath(f"//{tag}") == [], f"<{tag}> on the page"
    assert doc.xpath('//meta[@http-equiv]') == []
