"""The 503 answers of voxpop.comments.unavailable, in process: a database that cannot write or be reached."""
import json

import pytest
from django.db import IntegrityError, OperationalError

from voxpop.comments import services
from voxpop.reader.views import new_form_token

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
