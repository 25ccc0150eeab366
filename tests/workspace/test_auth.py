"""Who gets into the workspace and what they see: password plus TOTP, sessions, desks and roles."""
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import django_otp
import lxml.html
import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import make_moderator
from voxpop.accounts.models import User
from voxpop.comments.models import Comment
from voxpop.desks.selectors import house_rule_get
from voxpop.moderation.models import CommenterRestriction, ModerationDecision
from voxpop.moderation.services import comment_approve, restriction_create
from voxpop.workspace import urls as workspace_urls

pytestmark = pytest.mark.usefixtures("frozen_clock")

SIGN_IN = "/moderation/sign-in/"
PASSWORD = "correct horse battery"  # what tests.conftest.make_moderator sets
REFUSED = "The user name, password or code is not right."


def code_for(user: User, offset: int = 0) -> str:
    device = TOTPDevice.objects.get(user=user)
    return f"{(totp(device.bin_key) + offset) % 10 ** 6:06d}"


def sign_in_form(client, user, *, password=PASSWORD, code=None, **fields):
    return client.post(SIGN_IN, {"username": user.username, "password": password,
                                 "otp_token": code_for(user) if code is None else code, **fields})


def html(response):
    return lxml.html.fromstring(response.content)


def errors(response) -> str:
    return " ".join(e.text_content() for e in html(response).xpath('//*[contains(@class, "mw-errors")]'))


def is_signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def redirects_to_sign_in(response, next_url: str) -> bool:
    if response.status_code != 302:
        return False
    location = urlsplit(response["Location"])
    return location.path == SIGN_IN and parse_qs(location.query).get("next") == [next_url]


def queue_ids(response) -> set[int]:
    return {int(li.get("data-comment")) for li in html(response).xpath('//li[contains(@class, "mw-item")]')}


# Sign-in with both factors


def test_password_and_code_sign_in_and_reach_the_queue(client, moderator):
    """The right password with a current TOTP code signs in, verified, and lands on the queue."""
    response = sign_in_form(client, moderator)

    assert response.status_code == 302
    assert response["Location"] == "/moderation/"
    assert client.session[django_otp.DEVICE_ID_SESSION_KEY] == TOTPDevice.objects.get(user=moderator).persistent_id
    assert client.get("/moderation/").status_code == 200


def test_sign_in_page_asks_for_all_three(client, db):
    """The sign-in page has fields for user name, password and the authenticator code."""
    response = client.get(SIGN_IN)

    assert response.status_code == 200
    assert {i.get("name") for i in html(response).xpath("//form//input")} >= {"username", "password", "otp_token"}


def test_wrong_code_is_refused_with_401(client, moderator):
    """A wrong TOTP code with the right password is refused with the message and no session."""
    response = sign_in_form(client, moderator, code=code_for(moderator, offset=500_000))

    assert response.status_code == 401
    assert REFUSED in errors(response)
    assert not is_signed_in(client)


def test_wrong_password_is_refused_with_401(client, moderator):
    """The right code with a wrong password is refused with the same message."""
    response = sign_in_form(client, moderator, password="wrong horse battery")

    assert response.status_code == 401
    assert REFUSED in errors(response)
    assert not is_signed_in(client)


@pytest.mark.parametrize("missing", ["username", "password", "otp_token"])
def test_empty_field_is_refused_with_401(client, moderator, missing):
    """A post with one of the three fields left out is refused with the message, not a server error."""
    data = {"username": moderator.username, "password": PASSWORD, "otp_token": code_for(moderator)}
    del data[missing]

    response = client.post(SIGN_IN, data)

    assert response.status_code == 401
    assert REFUSED in errors(response)
    assert not is_signed_in(client)


def test_user_without_a_device_is_refused_with_401(client, english_desk):
    """A moderator who never set up a second factor cannot sign in, whatever code they type."""
    user = User.objects.create_user("nodevice", password=PASSWORD, role=User.Role.MODERATOR)
    user.desks.set([english_desk])

    response = client.post(SIGN_IN, {"username": "nodevice", "password": PASSWORD, "otp_token": "123456"})

    assert response.status_code == 401
    assert REFUSED in errors(response)
    assert not is_signed_in(client)


def test_used_code_cannot_sign_in_again(client, moderator):
    """A TOTP code works once: replaying it after signing out is refused."""
    code = code_for(moderator)
    sign_in_form(client, moderator, code=code)
    client.post("/moderation/sign-out/")

    response = sign_in_form(client, moderator, code=code)

    assert response.status_code == 401
    assert not is_signed_in(client)


def test_refused_sign_in_keeps_the_user_name_not_the_password(client, moderator):
    """After a refusal the form shows the user name again but never echoes the password or code."""
    response = sign_in_form(client, moderator, code="000000", password="s3cret-typed")

    page = html(response)
    assert page.xpath('//input[@name="username"]/@value') == ["erin"]
    assert b"s3cret-typed" not in response.content


@pytest.mark.parametrize("target", ["https://evil.example/moderation/", "//evil.example/", "http:/\\evil.example"])
def test_next_to_another_site_is_ignored(client, moderator, target):
    """After sign-in, a `next` pointing off the site leads to the queue instead."""
    response = sign_in_form(client, moderator, next=target)

    assert response.status_code == 302
    assert response["Location"] == "/moderation/"


def test_next_within_the_workspace_is_followed(client, moderator):
    """After sign-in, a local `next` (the page that asked for sign-in) is where the moderator goes."""
    response = sign_in_form(client, moderator, next="/moderation/audit/?moderator=erin")

    assert response["Location"] == "/moderation/audit/?moderator=erin"


def test_sign_in_returns_to_the_page_that_asked_for_it(client, moderator):
    """A filtered queue URL survives the round trip through sign-in, query string and all."""
    asked = "/moderation/?status=approved&desk=english"
    sign_in_page = client.get(client.get(asked)["Location"])
    carried = html(sign_in_page).xpath('//input[@name="next"]/@value')

    response = sign_in_form(client, moderator, next=carried[0])

    assert carried == [asked]
    assert response["Location"] == asked


def test_session_cookie_expires_after_the_configured_age(client, moderator):
    """The session cookie set at sign-in has a max-age: SESSION_COOKIE_AGE, at most a working day."""
    response = sign_in_form(client, moderator)

    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert 0 < settings.SESSION_COOKIE_AGE <= 12 * 3600
    assert int(cookie["max-age"]) == settings.SESSION_COOKIE_AGE
    assert cookie["expires"]
    assert cookie["httponly"]


def test_expired_session_is_sent_back_to_sign_in(client, moderator):
    """Once the server-side session has expired, the workspace asks for sign-in again."""
    sign_in_form(client, moderator)
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))

    assert redirects_to_sign_in(client.get("/moderation/"), "/moderation/")


# Sign-out


def test_sign_out_ends_the_session(client, moderator):
    """POST to sign-out logs out: the workspace then redirects to sign-in."""
    sign_in_form(client, moderator)

    response = client.post("/moderation/sign-out/")

    assert response.status_code == 302
    assert response["Location"] == SIGN_IN
    assert not is_signed_in(client)
    assert redirects_to_sign_in(client.get("/moderation/"), "/moderation/")


def test_sign_out_by_get_is_405(client, moderator, signed_in):
    """A GET (a link, an image tag) cannot sign anyone out."""
    signed_in(moderator)

    response = client.get("/moderation/sign-out/")

    assert response.status_code == 405
    assert is_signed_in(client)


# Password alone is not enough


OPEN_PAGES = {"sign-in", "sign-out"}


def test_password_alone_is_sent_to_sign_in_from_every_page(client, moderator, story, pending_comment, now):
    """Logged in without the second factor, every workspace route redirects to sign-in, with `next`."""
    ban = restriction_create(desk=moderator.desks.get(), commenter_key="reader-key", kind="ban", reason="flood", expires_at=None,
                             moderator=moderator, now=now)
    values = {"comment_id": pending_comment.pk, "restriction_id": ban.pk, "key": story.key, "desk": "english",
              "language": "en", "endpoint_id": 1}
    client.force_login(moderator)

    for route in workspace_urls.urlpatterns:
        if route.name in OPEN_PAGES:
            continue
        url = reverse(f"workspace:{route.name}", kwargs={name: values[name] for name in route.pattern.converters})
        answers = [client.get(url), client.post(url)]
        assert all(r.status_code == 405 or redirects_to_sign_in(r, url) for r in answers), (url, answers)
        assert any(redirects_to_sign_in(r, url) for r in answers), (url, answers)


def test_sign_in_redirect_keeps_the_whole_query(client, moderator):
    """The `next` of the sign-in redirect is the full path, query string included."""
    client.force_login(moderator)

    response = client.get("/moderation/?status=approved&desk=english&q=a+b")

    assert redirects_to_sign_in(response, "/moderation/?status=approved&desk=english&q=a+b")


def test_password_alone_changes_nothing(client, moderator, pending_comment):
    """A decision posted without the second factor is not applied."""
    client.force_login(moderator)

    client.post(f"/moderation/comments/{pending_comment.pk}/decide",
                {"action": "approve", "revision": pending_comment.current_revision_id})

    assert Comment.objects.get(pk=pending_comment.pk).status == Comment.Status.PENDING
    assert not ModerationDecision.objects.exists()


def test_workspace_pages_are_never_cached(client, signed_in, moderator, pending_comment):
    """Pages showing pending comments tell browsers and proxies not to keep them (G6)."""
    signed_in(moderator)

    for url in ("/moderation/", f"/moderation/comments/{pending_comment.pk}/"):
        cache_control = client.get(url)["Cache-Control"]
        assert "no-store" in cache_control and "private" in cache_control, (url, cache_control)


def test_anonymous_visitor_is_sent_to_sign_in(client, db):
    """Without any session the queue redirects to sign-in."""
    assert redirects_to_sign_in(client.get("/moderation/"), "/moderation/")


# Desks: a moderator sees and decides only their own desks' comments


@pytest.fixture
def english_comment(pending_comment):
    return pending_comment


def test_other_desks_comments_are_not_in_the_queue(client, signed_in, korean_moderator, english_comment,
                                                   korean_story, submit):
    """A Korean-desk moderator's queue lists Korean comments only, and counts only those."""
    korean = submit(korean_story, body="도서관이 계속 열려 있으면 좋겠습니다.")
    signed_in(korean_moderator)

    response = client.get("/moderation/")

    assert queue_ids(response) == {korean.pk}
    assert [a.text_content().split() for a in html(response).xpath('//nav[@class="mw-tabs"]/a')][0] == ["Pending", "1"]


def test_other_desks_comments_are_not_shown_when_asking_for_that_desk(client, signed_in, korean_moderator,
                                                                      english_comment):
    """?desk=english does not open the English queue to a Korean-desk moderator."""
    signed_in(korean_moderator)

    for query in ("?desk=english", "?desk=english&status=pending", "?desk=english&q=night+bus"):
        response = client.get(f"/moderation/{query}")
        assert response.status_code == 200
        assert english_comment.pk not in queue_ids(response)
        assert b"my only way home" not in response.content


def test_other_desks_comment_page_is_404(client, signed_in, korean_moderator, english_comment):
    """Guessing the id of an English comment gives a Korean-desk moderator a 404, without its text."""
    signed_in(korean_moderator)

    response = client.get(f"/moderation/comments/{english_comment.pk}/")

    assert response.status_code == 404
    assert english_comment.current_revision.body.encode() not in response.content


@pytest.mark.parametrize("action", ["approve", "reject", "edit"])
def test_other_desks_decision_is_404_and_changes_nothing(client, signed_in, korean_moderator, english_comment,
                                                         english_desk, action):
    """A Korean-desk moderator's decision on an English comment is 404 and leaves it as it was."""
    rule = house_rule_get(desk=english_desk, language="en", number=1)
    signed_in(korean_moderator)

    response = client.post(f"/moderation/comments/{english_comment.pk}/decide", {
        "action": action, "revision": english_comment.current_revision_id, "rule": rule.pk,
        "body": "masked", "approve": "on"})

    assert response.status_code == 404
    english_comment.refresh_from_db()
    assert english_comment.status == Comment.Status.PENDING
    assert english_comment.current_revision.number == 1
    assert not ModerationDecision.objects.exists()


def test_other_desks_commenter_cannot_be_restricted(client, signed_in, korean_moderator, english_comment):
    """Holding or banning goes through a comment of one's own desks: another desk's id is 404."""
    signed_in(korean_moderator)

    response = client.post(f"/moderation/comments/{english_comment.pk}/restrict",
                           {"kind": "ban", "reason": "probing", "days": "1"})

    assert response.status_code == 404
    assert not CommenterRestriction.objects.exists()


def test_bulk_with_other_desks_ids_decides_nothing(client, signed_in, korean_moderator, english_comment):
    """Bulk approval of English comment ids by a Korean-desk moderator skips them all."""
    signed_in(korean_moderator)

    response = client.post("/moderation/bulk", {
        "action": "approve", "selected": [f"{english_comment.pk}:{english_comment.current_revision_id}"]})

    assert response.status_code == 302
    assert Comment.objects.get(pk=english_comment.pk).status == Comment.Status.PENDING
    assert not ModerationDecision.objects.exists()


def test_audit_log_shows_only_own_desks(client, signed_in, korean_moderator, moderator, english_comment, now):
    """Decisions on English comments do not appear in a Korean-desk moderator's audit log."""
    comment_approve(comment_id=english_comment.pk, revision_id=english_comment.current_revision_id,
                    moderator=moderator, now=now)
    signed_in(korean_moderator)

    response = client.get("/moderation/audit/?moderator=erin")

    assert response.status_code == 200
    assert f"#{english_comment.pk}" not in html(response).text_content()


def test_admin_sees_every_desk(client, signed_in, english_desk, korean_desk, english_comment, korean_story, submit):
    """An admin with no desk assignments sees the comments of all desks."""
    korean = submit(korean_story, body="섬 도서관")
    admin = make_moderator("ada", [], role=User.Role.ADMIN)
    signed_in(admin)

    assert queue_ids(client.get("/moderation/")) == {english_comment.pk, korean.pk}
    assert client.get(f"/moderation/comments/{korean.pk}/").status_code == 200


@pytest.mark.parametrize("url", ["/moderation/dashboard/", "/moderation/stories/"])
def test_editor_pages_are_403_for_moderators(client, signed_in, moderator, url):
    """Dashboard and story settings are for desk editors and admins: a moderator gets 403."""
    signed_in(moderator)

    assert client.get(url).status_code == 403


@pytest.mark.parametrize("url", ["/moderation/dashboard/", "/moderation/stories/"])
def test_editor_pages_open_for_desk_editors(client, signed_in, english_desk, url):
    """A desk editor reaches the dashboard and the story settings."""
    signed_in(make_moderator("eddie", [english_desk], role=User.Role.EDITOR))

    assert client.get(url).status_code == 200


def test_editor_links_are_hidden_from_moderators(client, signed_in, moderator):
    """The navigation does not offer a moderator the pages they would get a 403 on."""
    signed_in(moderator)

    nav = html(client.get("/moderation/")).xpath('//nav[@aria-label="Workspace"]//a/@href')

    assert "/moderation/dashboard/" not in nav
    assert "/moderation/stories/" not in nav
