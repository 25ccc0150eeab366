"""Rate limits on submissions: per source, per story and global, shared by the form and the API, safe
without Redis (voxpop.common.ratelimit)."""
import socket
import threading
import time
import uuid
from datetime import timedelta
from urllib.parse import urlencode

import lxml.html
import pytest

from voxpop.comments.models import Comment
from voxpop.common import clock, ratelimit
from voxpop.reader.views import new_form_token

API = "/api/v1/stories/harbour-buses/comments"
THREAD = "/stories/harbour-buses/comments/"
OTHER_API = "/api/v1/stories/island-library/comments"
ADDRESS = "203.0.113.7"
REDIS = "django.core.cache.backends.redis.RedisCache"
SHORT_TIMEOUTS = {"socket_timeout": 0.25, "socket_connect_timeout": 0.25}


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch, now):
    """09:30:00 exactly: the minute window ends in 60 s, the hour window in 1,800 s."""
    monkeypatch.setattr(clock, "now", lambda: now)


@pytest.fixture(autouse=True)
def fresh_counters(settings):
    """Counters of this test only, in whatever store the run uses (Redis in the PostgreSQL job)."""
    settings.CACHES = {**settings.CACHES,
                       "ratelimit": {**settings.CACHES["ratelimit"], "KEY_PREFIX": f"test-{uuid.uuid4().hex}"}}
    ratelimit.local_state_reset()
    yield
    ratelimit.local_state_reset()


@pytest.fixture
def budgets(settings):
    """Set the budgets: `budgets(source=[(3, 60)], story=..., global_=...)`; unnamed scopes stay huge."""
    def set_budgets(source=((1000, 60),), story=((1000, 60),), global_=((1000, 60),)):
        settings.VOXPOP_RATE_LIMITS = {"source": tuple(source), "story": tuple(story), "global": tuple(global_)}
    return set_budgets


@pytest.fixture
def api(client, story):
    def post(body="A comment.", address=ADDRESS, url=API, key=None):
        headers = {"Idempotency-Key": key} if key else {}
        return client.post(url, {"body": body}, content_type="application/json", REMOTE_ADDR=address,
                           headers=headers)
    return post


@pytest.fixture
def form(client, story):
    def post(body="A comment.", address=ADDRESS, token=None):
        data = {"token": token or new_form_token(), "body": body, "display_name": "Min", "website": ""}
        return client.post(THREAD, urlencode(data), content_type="application/x-www-form-urlencoded",
                           REMOTE_ADDR=address)
    return post


def assert_rate_limited(response, retry_after):
    assert response.status_code == 429, response.content
    assert response["Retry-After"] == str(retry_after)
    assert response.json() == {"error": {
        "code": "rate_limited", "field": None,
        "message": f"Too many comments have been sent in a short time. Send it again in {retry_after} seconds."}}


def html(response):
    return lxml.html.fromstring(response.content)


# Per source, per story, global

def test_source_over_its_budget_gets_429_with_retry_after(api, budgets):
    """The fourth comment in a minute from one source is 429 rate_limited, Retry-After to the window's end."""
    budgets(source=[(3, 60)])

    accepted = [api(f"Comment {i}.").status_code for i in range(3)]
    refused = api("One too many.")

    assert accepted == [202, 202, 202]
    assert_rate_limited(refused, 60)
    assert Comment.objects.count() == 3


def test_hourly_budget_waits_for_the_end_of_the_hour(api, budgets):
    """Past the hourly budget the wait is until the hour's window ends, not the minute's."""
    budgets(source=[(10, 60), (2, 3600)])

    api(), api()

    assert_rate_limited(api(), 1800)


def test_other_sources_are_not_limited_by_one_source(api, budgets):
    """A source over its budget does not stop a reader from another address."""
    budgets(source=[(1, 60)])
    api(address="198.51.100.1")

    assert api(address="198.51.100.1").status_code == 429
    assert api(address="198.51.100.2").status_code == 202


def test_ipv6_addresses_of_one_slash_64_share_a_budget(api, budgets):
    """Changing the last 64 bits of an IPv6 address does not buy a fresh budget."""
    budgets(source=[(1, 60)])
    api(address="2001:db8:1:2::10")

    assert api(address="2001:db8:1:2:abcd::99").status_code == 429
    assert api(address="2001:db8:1:3::10").status_code == 202


def test_story_budget_limits_all_sources_on_that_story_only(api, budgets, korean_story):
    """Past a story's budget every source waits for that story; other stories still take comments."""
    budgets(story=[(2, 60)])
    api(address="198.51.100.1"), api(address="198.51.100.2")

    assert_rate_limited(api(address="198.51.100.3"), 60)
    assert api(address="198.51.100.3", url=OTHER_API).status_code == 202


def test_global_budget_limits_every_story(api, budgets, korean_story):
    """Past the site's budget no story takes a comment until the window ends."""
    budgets(global_=[(2, 60)])
    api(address="198.51.100.1"), api(address="198.51.100.2", url=OTHER_API)

    assert_rate_limited(api(address="198.51.100.3"), 60)
    assert_rate_limited(api(address="198.51.100.4", url=OTHER_API), 60)


def test_refused_submission_costs_the_source_nothing(api, budgets, korean_story):
    """A reader refused because the story is flooded keeps their own budget for later."""
    budgets(source=[(1, 60)], story=[(1, 60)])
    api(address="198.51.100.1")

    assert api(address="198.51.100.2").status_code == 429  # the story's budget
    assert api(address="198.51.100.2", url=OTHER_API).status_code == 202  # own budget untouched


def test_source_over_its_budget_does_not_spend_the_shared_budgets(api, budgets):
    """A flooding source's refused posts leave the story's budget to everyone else."""
    budgets(source=[(1, 60)], story=[(3, 60)])
    api(address="198.51.100.1")
    for _ in range(10):
        assert api(address="198.51.100.1").status_code == 429

    assert [api(address=f"198.51.100.{i}").status_code for i in (2, 3)] == [202, 202]


def test_window_opens_again_after_retry_after(api, budgets, monkeypatch, now):
    """After Retry-After seconds the source may post again."""
    budgets(source=[(1, 60)])
    api()
    retry_after = int(api()["Retry-After"])

    monkeypatch.setattr(clock, "now", lambda: now + timedelta(seconds=retry_after))

    assert api().status_code == 202


# The reader's form

def test_form_over_budget_is_a_429_page_with_the_text_and_the_wait(form, budgets):
    """The no-JavaScript form answers 429 with the typed text, the name and how long to wait."""
    budgets(source=[(1, 60)])
    form("First.")

    response = form("Still typing this one.")

    assert response.status_code == 429
    assert response["Retry-After"] == "60"
    page = html(response)
    assert page.xpath('//textarea[@name="body"]')[0].text == "Still typing this one."
    assert page.xpath('//input[@name="display_name"]/@value') == ["Min"]
    message = page.xpath('string(//div[@id="vp-form-errors"])')
    assert "Too many comments have been sent in a short time." in message
    assert "please wait 60 seconds, then send it again" in message
    assert Comment.objects.count() == 1


def test_form_429_page_is_the_form_without_the_thread(form, budgets):
    """Under a flood the refusal stays cheap: the form, the rules and a link back, not the whole thread."""
    budgets(source=[(1, 60)])
    form("First.")

    page = html(form("Second."))

    assert page.xpath('//form//textarea[@name="body"]') and page.xpath('//details[@class="vp-rules"]')
    assert not page.xpath('//section[@class="vp-thread"]')
    assert page.xpath('//p[@class="vp-back"]/a/@href') == [THREAD + "#vp-comments-heading"]


def test_form_wait_over_ninety_seconds_is_said_in_minutes(form, budgets):
    """A wait for the hourly window reads in minutes."""
    budgets(source=[(1, 3600)])
    form("First.")

    response = form("Second.")

    assert response["Retry-After"] == "1800"
    assert "please wait about 30 minutes" in html(response).xpath('string(//div[@id="vp-form-errors"])')


def test_korean_form_says_the_wait_in_korean(client, korean_story, budgets):
    """The 429 page speaks the story's language."""
    budgets(source=[(1, 60)])
    url = "/stories/island-library/comments/"

    def post(body):
        data = {"token": new_form_token(), "body": body, "display_name": "", "website": ""}
        return client.post(url, urlencode(data), content_type="application/x-www-form-urlencoded", REMOTE_ADDR=ADDRESS)

    post("첫 번째.")
    response = post("두 번째.")

    assert response.status_code == 429
    assert "60초" in html(response).xpath('string(//div[@id="vp-form-errors"])')


def test_form_and_api_share_one_budget(form, api, budgets):
    """Two paths, one source: comments through the form count against the API's budget and back."""
    budgets(source=[(2, 60)])

    assert form("By form.").status_code == 303
    assert api("By API.").status_code == 202
    assert form("By form again.").status_code == 429
    assert api("By API again.").status_code == 429


# Retries are answered from the first, not limited

def test_api_retry_with_the_same_idempotency_key_is_not_limited(api, budgets):
    """A retry of an accepted comment returns it (202) even when the source is over its budget."""
    budgets(source=[(1, 60)])
    first = api("Flaky link.", key="retry-1")

    retry = api("Flaky link.", key="retry-1")

    assert retry.status_code == 202
    assert retry.json() == first.json()
    assert api("Something new.", key="retry-2").status_code == 429
    assert Comment.objects.count() == 1


def test_resent_form_is_not_limited(form, budgets):
    """A double-clicked form that already made its comment lands on the same receipt, not on a 429."""
    budgets(source=[(1, 60)])
    token = new_form_token()
    first = form("Double click.", token=token)

    again = form("Double click.", token=token)

    assert (first.status_code, again.status_code) == (303, 303)
    assert again["Location"] == first["Location"]


# Without the shared store

@pytest.fixture
def store_at(settings):
    """Point the rate limiter's cache at `location` (a Redis URL), with the production timeouts."""
    def point(location):
        settings.CACHES = {**settings.CACHES, "ratelimit": {
            "BACKEND": REDIS, "LOCATION": location, "KEY_PREFIX": "t", "OPTIONS": SHORT_TIMEOUTS}}
    return point


def test_unreachable_redis_falls_back_to_stricter_local_limits(api, budgets, store_at, caplog):
    """Redis down: no 500, and each process limits alone to a quarter of each budget."""
    budgets(source=[(8, 60)])
    store_at("redis://127.0.0.1:6390/0")  # nothing listens there

    statuses = [api(f"Comment {i}.").status_code for i in range(3)]

    assert statuses == [202, 202, 429]
    assert "rate limit store unavailable" in caplog.text


def test_hung_redis_falls_back_within_the_socket_timeout(api, budgets, store_at):
    """A Redis that accepts connections but never answers costs one short timeout, then the local limits apply."""
    budgets(source=[(4, 60)])
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    held = []
    accepting = threading.Thread(target=lambda: [held.append(listener.accept()) for _ in range(4)], daemon=True)
    accepting.start()
    store_at(f"redis://127.0.0.1:{listener.getsockname()[1]}/0")
    try:
        started = time.monotonic()
        first = api("First.")
        elapsed = time.monotonic() - started
        second = api("Second.")
    finally:
        listener.close()
        for connection, _ in held:
            connection.close()

    assert (first.status_code, second.status_code) == (202, 429)  # local budget: 4 // 4 = 1
    assert elapsed < 2


def test_store_is_tried_again_after_a_failure(api, budgets, store_at, settings, monkeypatch):
    """Once the store answers again, counting goes back to it."""
    budgets(source=[(4, 60)])
    store_at("redis://127.0.0.1:6390/0")
    assert api("During the outage.").status_code == 202
    settings.CACHES = {**settings.CACHES, "ratelimit": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": f"back-{uuid.uuid4().hex}"}}
    monkeypatch.setattr(ratelimit, "STORE_RETRY_SECONDS", 0)
    ratelimit._store_retry_at = 0.0

    assert [api(f"After {i}.").status_code for i in range(5)] == [202, 202, 202, 202, 429]


def test_limits_are_counted_in_the_cache_store(api, budgets):
    """The counts live in the "ratelimit" cache (Redis when REDIS_URL is set), not in the process."""
    budgets(source=[(2, 60)])
    api("One.")
    ratelimit.local_state_reset()  # forgets only what the process itself holds

    api("Two.")

    assert api("Three.").status_code == 429
