"""Sign-in throttling without Redis, and moderator sessions that end (issue 5, item 5).

Five failed sign-ins for one user name within fifteen minutes, or twenty from one source, and
further attempts are refused with 429 and Retry-After until the window has passed, whatever
password and code they carry. Sessions end a working day after sign-in, however busy, and after
a while idle.
"""
from datetime import timedelta

import django_otp
import lxml.html
import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from voxpop.accounts.models import SignInFailure
from voxpop.common import clock
from voxpop.common.middleware import SIGNED_IN_AT
from voxpop.workspace import throttle

SIGN_IN = "/moderation/sign-in/"
PASSWORD = "correct horse battery"  # what tests.conftest.make_moderator sets
THROTTLED = "Too many sign-in attempts."


class Clock:
    """The workspace's clock, moved by the test."""

    def __init__(self, now):
        self.now = now

    def advance(self, **delta):
        self.now += timedelta(**delta)


@pytest.fixture
def time(monkeypatch, now):
    moving = Clock(now)
    monkeypatch.setattr(clock, "now", lambda: moving.now)
    return moving


def code_for(user, step: int = 0) -> str:
    """The user's TOTP code; `step` 1 is the next one (a code signs in only once)."""
    device = TOTPDevice.objects.get(user=user)
    return f"{totp(device.bin_key, drift=step):06d}"


def attempt(client, username, *, password="wrong password", code="000000", **extra):
    return client.post(SIGN_IN, {"username": username, "password": password, "otp_token": code}, **extra)


def fail(client, username, times, **extra):
    for _ in range(times):
        assert attempt(client, username, **extra).status_code == 401


def message(response) -> str:
    page = lxml.html.fromstring(response.content)
    return " ".join(e.text_content().strip() for e in page.xpath('//*[contains(@class, "mw-errors")]'))


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


# Throttling per user name


def test_sixth_attempt_is_refused_even_with_the_right_password_and_code(client, moderator, time):
    """After five failures the right password and a current code are refused with 429 and Retry-After."""
    fail(client, moderator.username, 5)

    response = attempt(client, moderator.username, password=PASSWORD, code=code_for(moderator))

    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 15 * 60
    assert THROTTLED in message(response)
    assert not signed_in(client)


def test_refusal_does_not_reveal_whether_the_user_name_exists(client, moderator, time):
    """An unknown user name is counted and refused exactly like a real one: same status, words, wait."""
    fail(client, moderator.username, 5)
    fail(client, "nobody-by-this-name", 5)

    real = attempt(client, moderator.username)
    unknown = attempt(client, "nobody-by-this-name")

    assert real.status_code == unknown.status_code == 429
    assert message(real) == message(unknown)
    assert real["Retry-After"] == unknown["Retry-After"]


def test_failures_before_the_limit_say_nothing_of_throttling(client, moderator, time):
    """The first five refusals are the ordinary 401 with the ordinary message."""
    for _ in range(5):
        response = attempt(client, moderator.username)
        assert response.status_code == 401
        assert THROTTLED not in message(response)
        assert "Retry-After" not in response


def test_retry_after_counts_down_to_the_end_of_the_window(client, moderator, time):
    """Retry-After is the time until the oldest counted failure leaves the fifteen-minute window."""
    for _ in range(5):
        attempt(client, moderator.username)
        time.advance(minutes=1)

    first = attempt(client, moderator.username)
    time.advance(minutes=5)
    later = attempt(client, moderator.username)

    assert int(first["Retry-After"]) == 10 * 60
    assert int(later["Retry-After"]) == 5 * 60


def test_sign_in_works_again_once_the_window_has_passed(client, moderator, time):
    """Fifteen minutes after the failures, the right password and code sign in."""
    fail(client, moderator.username, 5)
    time.advance(minutes=15, seconds=1)

    response = attempt(client, moderator.username, password=PASSWORD, code=code_for(moderator))

    assert response.status_code == 302
    assert signed_in(client)


def test_refused_attempts_do_not_extend_the_wait(client, moderator, time):
    """Hammering a throttled user name does not push its release further away."""
    fail(client, moderator.username, 5)
    for _ in range(10):
        time.advance(minutes=1)
        assert attempt(client, moderator.username).status_code == 429
    time.advance(minutes=5, seconds=1)

    assert attempt(client, moderator.username, password=PASSWORD, code=code_for(moderator)).status_code == 302


def test_successful_sign_in_clears_the_user_names_failures(client, moderator, time):
    """Four failures, a success: the next four failures still leave room to sign in."""
    fail(client, moderator.username, 4)
    assert attempt(client, moderator.username, password=PASSWORD, code=code_for(moderator)).status_code == 302
    client.post("/moderation/sign-out/")

    fail(client, moderator.username, 4)
    response = attempt(client, moderator.username, password=PASSWORD, code=code_for(moderator, step=1))

    assert response.status_code == 302
    assert not SignInFailure.objects.filter(key_kind=SignInFailure.KeyKind.USERNAME).exists()


def test_user_name_spelling_does_not_dodge_the_count(client, moderator, time):
    """Case and Unicode width variants of a user name count against the same name."""
    for spelling in ("erin", "ERIN", "Erin", "ｅｒｉｎ", "eRiN"):
        attempt(client, spelling)

    assert attempt(client, moderator.username, password=PASSWORD, code=code_for(moderator)).status_code == 429


# Throttling per source


def test_twenty_failures_from_one_source_lock_that_source_only(moderator, time):
    """Twenty failures over many user names from one address stop it; another address signs in."""
    sprayer, colleague = Client(REMOTE_ADDR="203.0.113.9"), Client(REMOTE_ADDR="198.51.100.7")
    for n in range(20):
        assert attempt(sprayer, f"guess-{n}").status_code == 401

    refused = attempt(sprayer, moderator.username, password=PASSWORD, code=code_for(moderator))
    allowed = attempt(colleague, moderator.username, password=PASSWORD, code=code_for(moderator))

    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert allowed.status_code == 302


def test_ipv6_neighbours_in_one_64_share_a_source(moderator, time):
    """Addresses of one IPv6 /64 (one home, one phone) count as one source, like the commenter key."""
    for n in range(20):
        attempt(Client(REMOTE_ADDR=f"2001:db8:1:2::{n + 1:x}"), f"guess-{n}")

    response = attempt(Client(REMOTE_ADDR="2001:db8:1:2::ffff"), moderator.username, password=PASSWORD,
                       code=code_for(moderator))

    assert response.status_code == 429


# What is stored


def test_failures_store_neither_the_typed_name_nor_the_address(client, moderator, time):
    """Rows hold keyed hashes: the typed user name (maybe a password) and the address appear nowhere."""
    attempt(client, "hunter2-typed-in-the-wrong-box", REMOTE_ADDR="192.0.2.44")

    rows = list(SignInFailure.objects.values_list("key_kind", "key"))
    assert sorted(kind for kind, _ in rows) == ["source", "username"]
    for _, key in rows:
        assert len(key) == 64 and int(key, 16) >= 0
        assert "hunter2" not in key and "192.0.2.44" not in key


def test_source_key_is_not_the_commenter_key(client, moderator, time):
    """A sign-in row cannot be matched to a reader's comments by its key."""
    from django.test import RequestFactory

    from voxpop.common.privacy import commenter_key

    attempt(client, "someone", REMOTE_ADDR="192.0.2.44")
    source = SignInFailure.objects.get(key_kind="source").key

    assert source != commenter_key(RequestFactory().get("/", REMOTE_ADDR="192.0.2.44"))


def test_old_failures_are_purged_as_new_ones_arrive(client, moderator, time):
    """Failures older than the window are deleted by the next attempt, whoever makes it."""
    fail(client, moderator.username, 3)
    time.advance(minutes=16)

    attempt(client, "someone-else")

    assert SignInFailure.objects.filter(at__lt=time.now).count() == 0
    assert SignInFailure.objects.count() == 2  # the new attempt's user name and source


def test_attempts_begun_together_cannot_all_pass(db, now):
    """Each attempt is written before it is checked: of ten begun at once, five go ahead."""
    outcomes = []
    for _ in range(10):
        try:
            throttle.sign_in_attempt_start(username="erin", source=f"source-{len(outcomes)}", now=now)
            outcomes.append("checked")
        except throttle.SignInThrottled:
            outcomes.append("throttled")

    assert outcomes == ["checked"] * 5 + ["throttled"] * 5


# Sessions end


def sign_in(client, user, time, step=0):
    response = attempt(client, user.username, password=PASSWORD, code=code_for(user, step=step))
    assert response.status_code == 302, message(response)
    return client


def sent_to_sign_in(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(SIGN_IN + "?next=")


def test_sign_in_stamps_the_session(client, moderator, time):
    """Signing in records when, which is what the session's lifetime counts from."""
    sign_in(client, moderator, time)

    assert client.session[SIGNED_IN_AT] == int(time.now.timestamp())


def test_session_expired_in_the_store_is_sent_to_sign_in(client, moderator, time):
    """A session the store has expired gives the sign-in page, not the queue."""
    sign_in(client, moderator, time)
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))

    assert sent_to_sign_in(client.get("/moderation/"))


def test_busy_session_still_ends_a_working_day_after_sign_in(client, moderator, time):
    """Activity every few minutes does not stretch a session past SESSION_COOKIE_AGE from sign-in."""
    sign_in(client, moderator, time)
    elapsed = timedelta()
    while elapsed < timedelta(seconds=settings.SESSION_COOKIE_AGE) - timedelta(minutes=30):
        time.advance(minutes=30)
        elapsed += timedelta(minutes=30)
        assert client.get("/moderation/").status_code == 200

    time.advance(minutes=30)
    response = client.get("/moderation/")

    assert sent_to_sign_in(response)
    assert not signed_in(client)


def test_idle_session_ends(client, moderator, time, settings):
    """A session untouched for longer than the idle limit is sent to sign-in."""
    settings.VOXPOP_SESSION_IDLE_SECONDS = 2 * 3600
    sign_in(client, moderator, time)
    time.advance(hours=2, seconds=1)

    assert sent_to_sign_in(client.get("/moderation/"))


def test_workspace_use_keeps_an_idle_limit_away(client, moderator, time, settings):
    """A moderator working every hour is not signed out by the two-hour idle limit."""
    settings.VOXPOP_SESSION_IDLE_SECONDS = 2 * 3600
    sign_in(client, moderator, time)
    for _ in range(5):
        time.advance(hours=1, minutes=30)
        assert client.get("/moderation/").status_code == 200


def test_reading_threads_is_not_workspace_activity(client, moderator, story, time, settings):
    """Reader pages neither count as activity nor set a cookie on a moderator's browser."""
    settings.VOXPOP_SESSION_IDLE_SECONDS = 2 * 3600
    sign_in(client, moderator, time)
    time.advance(hours=1)

    thread = client.get(f"/stories/{story.key}/comments/")
    time.advance(hours=1, seconds=1)

    assert not thread.cookies
    assert sent_to_sign_in(client.get("/moderation/"))


def test_signing_in_again_starts_a_new_lifetime(client, moderator, time):
    """A fresh sign-in in the same browser restarts the clock instead of inheriting the old stamp."""
    sign_in(client, moderator, time)
    time.advance(hours=9)
    sign_in(client, moderator, time, step=1)
    time.advance(hours=1, minutes=30)  # 10.5 hours after the first sign-in, within the idle limit

    assert client.get("/moderation/").status_code == 200


def test_session_from_before_the_stamps_gets_a_lifetime(client, moderator, time):
    """A session signed in without the stamp (an upgrade) is stamped on its next workspace request."""
    client.force_login(moderator)
    session = client.session
    session[django_otp.DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=moderator).persistent_id
    session.save()

    assert client.get("/moderation/").status_code == 200
    assert client.session[SIGNED_IN_AT] == int(time.now.timestamp())
    time.advance(seconds=settings.SESSION_COOKIE_AGE)
    assert sent_to_sign_in(client.get("/moderation/"))
