"""Security headers on every kind of response, and reader pages that set no cookie (PRODUCT.md 3.4, G5).

Every answer carries a Content-Security-Policy without inline script, nosniff, a Referrer-Policy and
a Permissions-Policy. Only the reader thread and the receipt may be framed, by the origins in
VOXPOP_FRAME_ANCESTORS; everything else, the workspace and the API above all, says
frame-ancestors 'none'.
"""
import re

import django_otp
import lxml.html
import pytest
from django.test import Client
from django.urls import path

import voxpop.urls
from voxpop.comments.services import receipt_token
from voxpop.common import clock
from voxpop.common.middleware import PERMISSIONS_POLICY

FRAMERS = "https://news.example https://*.news.example"
NOT_FRAMEABLE = "frame-ancestors 'none'"


def boom(request):
    raise RuntimeError("a failure inside a view")


# This module doubles as a URL configuration: the site's routes plus two that fail, for the 500 pages.
urlpatterns = [path("boom/", boom), path("api/v1/boom", boom), *voxpop.urls.urlpatterns]
handler404 = voxpop.urls.handler404
handler500 = voxpop.urls.handler500


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch, now):
    monkeypatch.setattr(clock, "now", lambda: now)


@pytest.fixture(autouse=True)
def framers(settings):
    settings.VOXPOP_FRAME_ANCESTORS = FRAMERS


def directives(response) -> dict[str, str]:
    policy = response["Content-Security-Policy"]
    return {d.split()[0]: " ".join(d.split()[1:]) for d in (p.strip() for p in policy.split(";")) if d}


def assert_common_headers(response):
    """What every response carries, whatever made it."""
    policy = directives(response)
    script = policy.get("script-src", policy.get("default-src", ""))
    assert "'unsafe-inline'" not in script and "'unsafe-eval'" not in script, policy
    assert script in ("'self'", "'none'"), policy
    assert policy["object-src" if "object-src" in policy else "default-src"] == "'none'", policy
    assert policy["base-uri"] == "'none'", policy
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] in ("same-origin", "no-referrer")
    assert response["Permissions-Policy"] == PERMISSIONS_POLICY
    for feature in ("camera", "microphone", "geolocation", "interest-cohort"):
        assert f"{feature}=()" in response["Permissions-Policy"]


def assert_no_inline_code(response):
    """The page needs nothing the policy forbids: no inline script, event handler or style attribute."""
    page = lxml.html.fromstring(response.content)
    assert not [s for s in page.xpath("//script") if not s.get("src")], "inline <script>"
    assert not page.xpath("//@*[starts-with(name(), 'on')]"), "inline event handler"
    assert not page.xpath("//@style"), "style attribute (style-src has no 'unsafe-inline')"
    assert not page.xpath("//style"), "<style> element"
    assert not [h for h in page.xpath("//@href | //@action | //@formaction") if h.strip().lower().startswith("javascript:")]


@pytest.fixture
def signed_in_client(moderator):
    client = Client()
    client.force_login(moderator)
    session = client.session
    session[django_otp.DEVICE_ID_SESSION_KEY] = next(django_otp.devices_for_user(moderator)).persistent_id
    session.save()
    return client


# Reader pages: frameable by the configured origins only


def test_thread_page_may_be_framed_by_the_configured_sites_only(client, story):
    """The reader thread's frame-ancestors is VOXPOP_FRAME_ANCESTORS, with the common headers."""
    response = client.get(f"/stories/{story.key}/comments/")

    assert response.status_code == 200
    assert directives(response)["frame-ancestors"] == FRAMERS
    assert "X-Frame-Options" not in response  # the CSP says who may frame it; DENY would overrule it
    assert_common_headers(response)
    assert_no_inline_code(response)


def test_refused_comment_page_keeps_the_headers(client, story):
    """A form sent back with an error (422) is the same frameable page with the same headers."""
    response = client.post(f"/stories/{story.key}/comments/", {"body": "", "token": "stale"})

    assert response.status_code == 422
    assert directives(response)["frame-ancestors"] == FRAMERS
    assert_common_headers(response)
    assert_no_inline_code(response)


def test_receipt_may_be_framed_and_leaks_no_referrer(client, pending_comment):
    """The author's receipt: frameable like the thread, never sent on as a Referer, never cached."""
    response = client.get(f"/receipts/{receipt_token(pending_comment)}/")

    assert response.status_code == 200
    assert directives(response)["frame-ancestors"] == FRAMERS
    assert response["Referrer-Policy"] == "no-referrer"
    assert "no-store" in response["Cache-Control"]
    assert_common_headers(response)
    assert_no_inline_code(response)


def test_unknown_receipt_is_not_frameable(client, db):
    """A receipt link that names nothing is a plain 404 page with the common headers."""
    response = client.get("/receipts/not-a-real-token/")

    assert response.status_code == 404
    assert_common_headers(response)


# Workspace: never framed, its own browsing context group


@pytest.mark.parametrize("url", ["/moderation/sign-in/", "/moderation/"])
def test_workspace_pages_are_never_framed(signed_in_client, pending_comment, url):
    """Workspace pages: frame-ancestors 'none', X-Frame-Options DENY, Cross-Origin-Opener-Policy same-origin."""
    response = signed_in_client.get(url)

    assert response.status_code == 200
    assert directives(response)["frame-ancestors"] == "'none'"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert_common_headers(response)
    assert_no_inline_code(response)


def test_comment_page_in_the_workspace_has_the_headers(signed_in_client, pending_comment):
    """One comment's record, with its edit form and history, carries the workspace headers."""
    response = signed_in_client.get(f"/moderation/comments/{pending_comment.pk}/")

    assert response.status_code == 200
    assert NOT_FRAMEABLE in response["Content-Security-Policy"]
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert_common_headers(response)
    assert_no_inline_code(response)


def test_sign_in_redirect_has_the_headers(client, db):
    """Even the redirect to sign-in is not frameable and carries the common headers."""
    response = client.get("/moderation/")

    assert response.status_code == 302
    assert NOT_FRAMEABLE in response["Content-Security-Policy"]
    assert_common_headers(response)


# API and other responses


@pytest.mark.parametrize("url,status", [
    ("/api/v1/stories", 200),
    ("/api/v1/openapi.json", 200),
    ("/api/v1/moderation/queue", 401),
    ("/api/v1/no-such-thing", 404),
])
def test_api_answers_are_never_framed_and_load_nothing(client, story, url, status):
    """JSON answers: a policy that loads and frames nothing, with the common headers."""
    response = client.get(url)

    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    assert directives(response)["default-src"] == "'none'"
    assert directives(response)["frame-ancestors"] == "'none'"
    assert_common_headers(response)


def test_api_comment_post_has_the_headers(client, story):
    """An accepted API comment (202) carries the API headers and sets no cookie."""
    response = client.post(f"/api/v1/stories/{story.key}/comments", {"body": "Posted through the API."},
                           content_type="application/json")

    assert response.status_code == 202
    assert NOT_FRAMEABLE in response["Content-Security-Policy"]
    assert_common_headers(response)
    assert not response.cookies


@pytest.mark.urls(__name__)
@pytest.mark.parametrize("url,content_type", [("/boom/", "text/html"), ("/api/v1/boom", "application/json")])
def test_server_error_pages_have_the_headers(db, url, content_type):
    """A view that fails gives a 500 page (or the API's JSON error) that still carries every header."""
    response = Client(raise_request_exception=False).get(url)

    assert response.status_code == 500
    assert response["Content-Type"].startswith(content_type)
    assert NOT_FRAMEABLE in response["Content-Security-Policy"]
    assert_common_headers(response)


@pytest.mark.parametrize("url", ["/no/such/page/", "/stories/no-such-story/comments/"])
def test_not_found_pages_have_the_headers(client, db, url):
    """404 pages outside the API are not frameable and carry the common headers."""
    response = client.get(url)

    assert response.status_code == 404
    assert NOT_FRAMEABLE in response["Content-Security-Policy"]
    assert_common_headers(response)


@pytest.mark.parametrize("url", ["/static/voxpop/reader.css", "/static/voxpop/workspace.js"])
def test_static_files_have_the_headers(client, db, url):
    """Files served by WhiteNoise pass through the same middleware and carry the same headers."""
    response = client.get(url)

    assert response.status_code == 200
    assert NOT_FRAMEABLE in response["Content-Security-Policy"]
    assert_common_headers(response)


@pytest.mark.parametrize("url", ["/", "/healthz", "/readyz"])
def test_site_and_operator_pages_have_the_headers(client, story, url):
    """The demo home page and the health endpoints carry the headers too."""
    response = client.get(url)

    assert response.status_code == 200
    assert NOT_FRAMEABLE in response["Content-Security-Policy"]
    assert_common_headers(response)


# Reader pages set no cookie (G5)


def test_reading_and_commenting_sets_no_cookie(client, story):
    """A reader who reads, posts a comment, follows the receipt and reads again is never given a cookie."""
    thread = f"/stories/{story.key}/comments/"
    page = client.get(thread)
    form = lxml.html.fromstring(page.content).xpath('//form[.//textarea[@name="body"]]')[0]
    data = {i.get("name"): i.get("value") or "" for i in form.xpath(".//input[@name]")}

    answers = [page, client.get(thread + "?order=newest"), client.head(thread),
               client.post(thread, {**data, "body": ""}),  # refused: the form comes back
               client.post(thread, {**data, "body": "A comment, and no cookie for it."})]
    answers.append(client.get(answers[-1]["Location"]))  # the receipt
    answers.append(client.get(thread))

    assert [r.status_code for r in answers] == [200, 200, 200, 422, 303, 200, 200]
    assert all(not r.cookies for r in answers), [(r.request["PATH_INFO"], list(r.cookies)) for r in answers]
    assert not client.cookies
    assert all("Set-Cookie" not in r for r in answers)


def test_reader_pages_do_not_vary_on_cookies(client, story):
    """Reader pages never read the session, so a cache may share them between readers."""
    response = client.get(f"/stories/{story.key}/comments/")

    assert "cookie" not in response.get("Vary", "").lower()


def test_reader_page_with_a_moderators_cookie_sets_none_either(signed_in_client, story):
    """A moderator's browser reading a thread is not given a new cookie by it."""
    signed_in_client.get("/moderation/")  # the session is stamped with its sign-in time

    response = signed_in_client.get(f"/stories/{story.key}/comments/")

    assert response.status_code == 200
    assert not response.cookies


def test_csp_names_no_other_origin_for_reader_pages(client, story):
    """Reader pages load nothing from another origin (G5): no source but 'self', 'none' and data: images."""
    response = client.get(f"/stories/{story.key}/comments/")

    for name, sources in directives(response).items():
        if name == "frame-ancestors":
            continue
        assert not re.search(r"https?:|\*", sources), (name, sources)
