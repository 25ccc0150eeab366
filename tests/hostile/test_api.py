"""The hostile-input corpus through the JSON API: submission, the moderation queue, decisions, the thread.

An accepted case is 202, the queue shows exactly normalize(value), an approval publishes it and
GET /api/v1/stories/{key}/comments returns it unchanged. A refused case is a 4xx in the error shape
naming the field. Malformed requests (encodings, content types, duplicated names, sizes) each get
their own 4xx. Never a 500, and every answer is JSON.
"""
import json

import pytest

from tests.conftest import make_moderator
from voxpop.accounts.models import User
from voxpop.comments.models import Comment
from voxpop.desks.selectors import house_rule_get
from voxpop.stories.models import Story

from .conftest import (has_nul, refused_for_nul, API_COMMENTS, BENIGN_BODY, QUEUE_API, api_post, case_fields,
                       refusal_message)
from .corpus import API_REQUESTS, EDIT_CASES, HOSTILE_KEYS, HOSTILE_QUERY_VALUES, TEXT_CASES

pytestmark = pytest.mark.usefixtures("unscored")


@pytest.fixture
def editor_auth(english_desk, token_for) -> dict:
    """A desk editor's token (editors may create stories), as a request header."""
    editor = make_moderator("eddie", [english_desk], role=User.Role.EDITOR)
    return {"Authorization": f"Bearer {token_for(editor)}"}


def answer(response) -> dict:
    """The JSON of an answer, checked to be strict UTF-8 JSON whatever the input was."""
    assert response["Content-Type"] == "application/json", response["Content-Type"]
    return json.loads(response.content.decode("utf-8"))


@pytest.mark.parametrize("case", TEXT_CASES, ids=str)
def test_api_case_is_stored_verbatim_or_refused_naming_the_field(case, client, story, auth):
    """Each corpus case through the API: queued, approved and listed verbatim, or a 4xx naming the field."""
    response = api_post(client, case_fields(case))

    if not case.accepted:
        assert response.status_code == 422, response.content[:500]
        assert answer(response)["error"] == {"code": case.refused, "message": refusal_message(case),
                                             "field": case.field}
        assert not Comment.objects.exists()
        return
    assert response.status_code == 202, response.content[:500]
    body = case.stored if case.field == "body" else BENIGN_BODY
    name = case.stored if case.field == "display_name" else None

    [queued] = answer(client.get(QUEUE_API, headers=auth))["comments"]
    assert (queued["body"], queued["display_name"]) == (body, name)

    decided = client.post(f"/api/v1/moderation/comments/{queued['id']}/decisions",
                          {"action": "approve", "revision": queued["revision"]}, content_type="application/json",
                          headers=auth)
    assert decided.status_code == 200, decided.content[:500]

    [published] = answer(client.get(API_COMMENTS))["comments"]
    assert (published["body"], published["display_name"]) == (body, name)


@pytest.mark.parametrize("request_case", API_REQUESTS, ids=str)
def test_malformed_api_request_gets_its_answer(request_case, client, story):
    """Encodings, content types, JSON shapes, duplicated names, sizes and headers: each its own answer."""
    # CONTENT_TYPE given outright: the test client drops the content type of an empty body.
    response = client.generic("POST", API_COMMENTS, request_case.content, headers=request_case.headers,
                              CONTENT_TYPE=request_case.content_type)

    assert response.status_code == request_case.status, response.content[:500]
    data = answer(response)
    if request_case.status == 202:
        assert Comment.objects.get().current_revision.body == request_case.stored
        return
    assert data["error"]["code"] == request_case.code
    assert data["error"]["field"] == request_case.field
    assert data["error"]["message"]
    assert not Comment.objects.exists()


@pytest.mark.parametrize("case", EDIT_CASES, ids=str)
def test_moderator_edit_through_the_api_follows_the_same_rules(case, client, story, submit, auth, english_desk):
    """A moderator's edited text is held to the reader's rules: stored verbatim, or a 422 naming 'body'."""
    comment = submit(story, body=BENIGN_BODY)
    rule = house_rule_get(desk=english_desk, language="en", number=2)

    response = client.post(f"/api/v1/moderation/comments/{comment.pk}/decisions",
                           json.dumps({"action": "edit", "revision": comment.current_revision_id, "reason": rule.number,
                                       "body": case.value}), content_type="application/json", headers=auth)

    comment.refresh_from_db()
    if case.accepted:
        assert response.status_code == 200, response.content[:500]
        assert answer(response)["body"] == case.stored == comment.current_revision.body
    else:
        assert response.status_code == 422, response.content[:500]
        error = answer(response)["error"]
        assert (error["code"], error["field"]) == (case.refused, "body") and error["message"]
        assert comment.current_revision.body == BENIGN_BODY


def test_duplicate_name_in_a_decision_is_refused(client, story, submit, auth):
    """Duplicated names are refused on every JSON endpoint, not only on submission."""
    comment = submit(story)
    content = (f'{{"action": "reject", "action": "approve", "revision": {comment.current_revision_id}}}').encode()

    response = client.post(f"/api/v1/moderation/comments/{comment.pk}/decisions", content,
                           content_type="application/json", headers=auth)

    assert response.status_code == 422
    assert answer(response)["error"]["field"] == "action"
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING


def test_story_put_with_a_lone_surrogate_name_is_refused(client, editor_auth):
    """An unknown field named by a lone surrogate is refused as invalid JSON, not echoed into a 500."""
    response = client.put("/api/v1/stories/odd", b'{"\\udc00": "x"}', content_type="application/json",
                          headers=editor_auth)

    assert response.status_code == 400
    assert answer(response)["error"]["code"] == "invalid_json"
    assert not Story.objects.filter(key="odd").exists()


QUERY_PARAMETERS = {"comments-limit": (API_COMMENTS, "limit"), "comments-cursor": (API_COMMENTS, "cursor"),
                    "queue-order": (QUEUE_API, "order"), "queue-signal": (QUEUE_API, "signal"),
                    "queue-cursor": (QUEUE_API, "cursor"), "queue-limit": (QUEUE_API, "limit"),
                    "stories-cursor": ("/api/v1/stories", "cursor")}


def query_params():
    for where, (url, parameter) in QUERY_PARAMETERS.items():
        for name, value in HOSTILE_QUERY_VALUES.items():
            yield pytest.param(url, parameter, value, id=f"{where}-{name}")


@pytest.mark.parametrize("url,parameter,value", list(query_params()))
def test_hostile_query_parameter_is_refused_or_ignored(url, parameter, value, client, story, auth):
    """limit, cursor, order and signal with anything in them: 200, or 422 naming the parameter."""
    response = client.get(url, {parameter: value}, headers=auth)

    if has_nul(value):
        assert refused_for_nul(response)
        return
    assert response.status_code in (200, 422), response.content[:300]
    data = answer(response)
    if response.status_code == 422:
        assert data["error"]["field"] == parameter


def key_params():
    for name, key in HOSTILE_KEYS.items():
        for method, path in (("get", "/api/v1/stories/{}"), ("get", "/api/v1/stories/{}/comments"),
                             ("post", "/api/v1/stories/{}/comments")):
            yield pytest.param(method, path.format(key), id=f"{method}-{path.count('/')}-{name}")


@pytest.mark.parametrize("method,url", list(key_params()))
def test_hostile_story_key_in_the_path_is_a_404(method, url, client, story):
    """An unknown or malformed story key is a JSON 404, for reads and for a submission."""
    response = client.generic(method.upper(), url, b'{"body": "x"}', content_type="application/json")

    if has_nul(url):
        assert refused_for_nul(response) and response.json()["error"]["code"] == "bad_request"
        return
    assert response.status_code == 404, response.content[:300]
    assert answer(response)["error"]["code"] == "not_found"


# What PUT /api/v1/stories/{key} does with each hostile key: a "/" (%2F) splits the path, so no
# route matches; a NUL is refused before routing (400); keys that are not printable text or longer
# than 200 are refused; Django keeps a
# percent escape that is not UTF-8 as the characters typed, which is a printable key.
PUT_OUTCOMES = {"script": (404, "not_found"), "nul": (400, "bad_request"), "bidi": (422, "invalid"),
                "invalid_utf8": (201, "%FF%FE"), "long": (422, "invalid"), "dot_dot": (404, "not_found")}


@pytest.mark.parametrize("name", HOSTILE_KEYS)
def test_hostile_story_key_on_put(name, client, editor_auth):
    """A story key that is not printable text, or too long, is refused naming 'key'; nothing is stored."""
    data = {"title": "<b>t</b>", "url": "https://news.example/t", "language": "en", "desk": "english"}

    response = client.put(f"/api/v1/stories/{HOSTILE_KEYS[name]}", json.dumps(data), content_type="application/json",
                          headers=editor_auth)

    status, outcome = PUT_OUTCOMES[name]
    assert response.status_code == status, response.content[:300]
    if status == 201:
        assert answer(response)["key"] == outcome
        assert Story.objects.filter(key=outcome, title="<b>t</b>").exists()
    else:
        assert answer(response)["error"]["code"] == outcome
        assert answer(response)["error"]["field"] == ("key" if status == 422 else None)
        assert Story.objects.count() == 1
