"""The reader form's signed token dates it: a form sent too fast (a script) or too late (a tab left open
for days) is refused with a message, and the typed text comes back."""
import time
import uuid
from urllib.parse import urlencode

import lxml.html
import pytest
from django.core import signing

from voxpop.comments.models import Comment
from voxpop.common import ratelimit
from voxpop.reader.views import FORM_MAX_AGE, new_form_token

THREAD = "/stories/harbour-buses/comments/"
TOO_FAST = "This form was sent only moments after the page opened."


@pytest.fixture(autouse=True)
def three_seconds(settings):
    """The production minimum; the rest of the suite runs with 0 (voxpop/settings/test.py)."""
    settings.VOXPOP_FORM_MIN_SECONDS = 3


@pytest.fixture
def send(client, story):
    def post(body, token, url=THREAD):
        data = {"token": token, "body": body, "display_name": "Min", "website": ""}
        return client.post(url, urlencode(data), content_type="application/x-www-form-urlencoded")
    return post


def token_issued(monkeypatch, seconds_ago: float) -> str:
    issued_at = time.time() - seconds_ago
    with monkeypatch.context() as m:
        m.setattr(signing.time, "time", lambda: issued_at)
        return new_form_token()


def page(response):
    return lxml.html.fromstring(response.content)


def errors(response):
    return page(response).xpath('string(//div[@id="vp-form-errors"])')


def test_default_minimum_is_three_seconds():
    """Unless configured, a form sent within 3 s of the page is too fast."""
    from voxpop.settings import base

    assert base.VOXPOP_FORM_MIN_SECONDS == 3


def test_form_sent_at_once_is_too_fast_with_the_text_kept(send):
    """A post the moment the form was made is refused 422 'too fast', the text and name still there."""
    response = send("Posted by a script.", new_form_token())

    assert response.status_code == 422
    assert TOO_FAST in errors(response)
    assert page(response).xpath('//textarea[@name="body"]')[0].text == "Posted by a script."
    assert page(response).xpath('//input[@name="display_name"]/@value') == ["Min"]
    assert not Comment.objects.exists()


def test_token_from_the_page_posted_at_once_is_too_fast(client, send):
    """The token the page serves is dated when the page is served."""
    [token] = page(client.get(THREAD)).xpath('//input[@name="token"]/@value')

    assert send("Too quick.", token).status_code == 422


def test_form_sent_after_the_minimum_is_accepted(send, monkeypatch):
    """Four seconds after the page was served the post goes through."""
    response = send("Took my time.", token_issued(monkeypatch, 4))

    assert response.status_code == 303
    assert Comment.objects.get().current_revision.body == "Took my time."


def test_minimum_is_configurable(send, settings, monkeypatch):
    """VOXPOP_FORM_MIN_SECONDS sets the minimum."""
    settings.VOXPOP_FORM_MIN_SECONDS = 10

    assert send("Four seconds.", token_issued(monkeypatch, 4)).status_code == 422
    assert send("Eleven seconds.", token_issued(monkeypatch, 11)).status_code == 303


def test_form_just_under_two_days_old_is_accepted(send, monkeypatch):
    """A form open in a tab for most of two days still works."""
    assert send("Written yesterday.", token_issued(monkeypatch, FORM_MAX_AGE - 60)).status_code == 303


def test_form_older_than_two_days_is_too_old_with_the_text_kept(send, monkeypatch):
    """Past two days the form is 'out of date', and the text comes back."""
    response = send("Written days ago.", token_issued(monkeypatch, FORM_MAX_AGE + 60))

    assert response.status_code == 422
    assert "This form is out of date." in errors(response)
    assert page(response).xpath('//textarea[@name="body"]')[0].text == "Written days ago."
    assert not Comment.objects.exists()


def test_too_fast_posts_do_not_spend_the_rate_limit(send, settings, monkeypatch):
    """A script's refused posts cost the source nothing: the reader's own post still fits the budget."""
    settings.CACHES = {**settings.CACHES,
                       "ratelimit": {**settings.CACHES["ratelimit"], "KEY_PREFIX": f"test-{uuid.uuid4().hex}"}}
    settings.VOXPOP_RATE_LIMITS = {"source": ((1, 60),), "story": ((100, 60),), "global": ((100, 60),)}
    ratelimit.local_state_reset()
    for _ in range(3):
        assert send("Script.", new_form_token()).status_code == 422

    assert send("Person.", token_issued(monkeypatch, 5)).status_code == 303


def test_korean_too_fast_message_is_korean(client, korean_story):
    """The refusal speaks the story's language."""
    data = {"token": new_form_token(), "body": "빨리.", "display_name": "", "website": ""}
    response = client.post("/stories/island-library/comments/", urlencode(data),
                           content_type="application/x-www-form-urlencoded")

    assert response.status_code == 422
    assert "페이지가 열리자마자" in errors(response)
