"""The OpenAPI document against the live API: schemathesis calls every documented operation with a
valid token and checks each answer's status, content type, headers and body against the document.

It runs in schemathesis' WSGI mode on the test database, twice per operation: once with generated
path parameters (mostly unknown ids and keys: the 404s) and once with the ids and keys of a small
newsroom (the 200s). A bounded number of examples keeps the whole test well under a minute.
"""
import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (content_type_conformance, response_headers_conformance,
                                               response_schema_conformance, status_code_conformance)

from tests.conftest import make_moderator
from voxpop.accounts.models import User
from voxpop.moderation.services import comment_reject, restriction_create
from voxpop.scoring.editorial import protected_name_add

CONFORMANCE = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
               response_schema_conformance]
EXAMPLES = 6


@pytest.fixture
def wsgi_app():
    """Django's WSGI handler on the test's own database connection (as Django's test client does it)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield WSGIHandler()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def newsroom(story, korean_story, english_desk, moderator, submit, now, token_for):
    """An admin's token and the ids and keys that name real objects in every path of the API."""
    submit(story, body="The night bus is my only way home.")
    rejected = submit(story, body="Call me on 010-1234-5678.")
    rule = english_desk.rules.get(number=2)
    comment_reject(comment_id=rejected.pk, revision_id=rejected.current_revision_id, moderator=moderator, rule=rule,
                   note="", now=now)
    submit(korean_story, body="도서관이 계속 열려 있으면 좋겠습니다.")
    restriction = restriction_create(commenter_key="reader-key", desk=english_desk, kind="hold", reason="flood",
                                     expires_at=None, moderator=moderator, now=now)
    name = protected_name_add(story=story, name="Jane Source", editor=moderator, now=now)
    admin = make_moderator("ada", [], role=User.Role.ADMIN)
    return {"token": token_for(admin), "paths": {
        "key": story.key, "comment_id": rejected.pk, "restriction_id": restriction.pk, "name_id": name.pk,
        "desk": english_desk.key, "language": "en"}}


def _run(operation, *, token: str, mode: GenerationMode, checks, path_parameters=None) -> list[int]:
    statuses = []

    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=mode, path_parameters=path_parameters))
    def call(case):
        response = case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=checks)
        statuses.append(response.status_code)

    call()
    return statuses


def test_every_operation_answers_as_documented(wsgi_app, newsroom):
    """Schema-valid requests to every operation get documented statuses and bodies, never a 5xx; every GET
    with real ids answers 2xx, so the response schemas were checked against real data."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", wsgi_app)
    operations = [result.ok() for result in schema.get_all_operations()]
    documented = {(method.upper(), path) for path, item in schema.raw_schema["paths"].items()
                  for method in item if method in ("get", "put", "post", "patch", "delete")}
    documented.discard(("GET", "/api/v1/openapi.json"))  # the WSGI loader leaves out the document it loaded from
    assert {(op.method.upper(), op.path) for op in operations} == documented

    never_ok = []
    for operation in operations:
        _run(operation, token=newsroom["token"], mode=GenerationMode.POSITIVE, checks=CONFORMANCE)
        real = {name: value for name, value in newsroom["paths"].items()
                if name in {p.name for p in operation.path_parameters}}
        statuses = _run(operation, token=newsroom["token"], mode=GenerationMode.POSITIVE, checks=CONFORMANCE,
                        path_parameters=real)
        if operation.method.upper() == "GET" and not any(200 <= s < 300 for s in statuses):
            never_ok.append((operation.label, sorted(set(statuses))))
    assert not never_ok


def test_malformed_requests_never_reach_a_server_error(wsgi_app, newsroom):
    """Requests that break the document (wrong types, missing fields, bad parameters or token) never get a 5xx.

    Some generated cases are not really malformed (an operation whose only input is the token); the
    rest must be refused with a 4xx in the error shape's content type."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", wsgi_app)
    statuses = []
    for result in schema.get_all_operations():
        operation = result.ok()
        real = {name: value for name, value in newsroom["paths"].items()
                if name in {p.name for p in operation.path_parameters}}
        try:
            statuses += _run(operation, token=newsroom["token"], mode=GenerationMode.NEGATIVE,
                             checks=[not_a_server_error, content_type_conformance], path_parameters=real)
        except Unsatisfiable:
            pass  # nothing in this operation's request can be malformed (no query, no body)

    refused = [status for status in statuses if 400 <= status < 500]
    assert len(refused) > 100 and not [status for status in statuses if status >= 500]
