"""The 503 answers of voxpop.comments.unavailable, in process: a database that cannot write or be reached."""
import json

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.db import IntegrityError, OperationalError

from voxpop.comments import services
from voxpop.reader.views import new_form_token
from voxpop.workspace import auth as auth_views

API = "/api/v1/stories/harbour-buses/comments"
FORM = "/stories/harbour-buses/comments/"


@pytest.fixture
def disk_full(monkeypatch):
    def refuse(**kwargs):
        raise OperationalError("database or disk is full")
    monkeypatch.setattr(services, "comment_submit", refuse)


def test_api_submission_answers_503_json_when_the_database_cannot_write(client, story, disk_full):
    """An API submission the database cannot take answers 503 in the error shape, with Retry-After."""
    response = client.post(API, json.dumps({"body": "Hello"}), content_type="application/json",
                           HTTP_IDEMPOTENCY_KEY="k-1")

    assert response.status_code == 503
    assert response.json()["error"]["code"] == "unavailable"
    assert "Idempotency-Key" in response.json()["error"]["message"]
    assert int(response["Retry-After"]) > 0


def test_form_answers_503_with_the_text_kept_as_text(client, story, disk_full):
    """The form comes back with the reader's text (escaped, never markup) and a form to send it again."""
    token = new_form_token()
    response = client.post(FORM, {"token": token, "body": "<script>x</script> line", "display_name": "Ana",
                                  "website": ""})

    page = response.content.decode()
    assert response.status_code == 503
    assert "&lt;script&gt;x&lt;/script&gt; line</textarea>" in page
    assert f'name="token" value="{token}"' in page
    assert 'value="Ana"' in page
    assert "<script>x" not in page


def test_other_database_errors_stay_server_errors(client, story, monkeypatch):
    """An integrity error is a bug, not an outage: it is not dressed up as 'try again'."""
    def broken(**kwargs):
        raise IntegrityError("duplicate key")
    monkeypatch.setattr(services, "comment_submit", broken)
    client.raise_request_exception = False

    response = client.post(API, json.dumps({"body": "Hello"}), content_type="application/json")

    assert response.status_code == 500


def test_signed_in_moderator_gets_503_when_the_session_cannot_be_read(client, db, monkeypatch):
    """An outage met before any view (the session is read by a middleware) is a 503 too, not a 500."""
    def unreachable(self):
        raise OperationalError("server closed the connection unexpectedly")
    monkeypatch.setattr(SessionStore, "load", unreachable)
    client.cookies[settings.SESSION_COOKIE_NAME] = "a-moderators-session"
    client.raise_request_exception = False

    response = client.get("/moderation/")

    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0


def test_sign_in_form_is_never_given_back(client, db, monkeypatch):
    """Only the reader's comment form gets its fields back: a sign-in's password and code never do."""
    def unreachable(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")
    monkeypatch.setattr(auth_views.throttle, "sign_in_attempt_start", unreachable)
    client.raise_request_exception = False

    response = client.post("/moderation/sign-in/", {"username": "min", "password": "hunter2-secret",
                                                    "otp_token": "123456"})

    assert response.status_code == 503
    assert "hunter2-secret" not in response.content.decode()
    assert "123456" not in response.content.decode()
