"""The OpenAPI document of API v1 cannot drift from the URL table or the methods the views accept."""
import re
from urllib.parse import urlsplit

import pytest
from django.urls import resolve

from voxpop.api.urls import urlpatterns

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
SAMPLE_ARGUMENTS = {"key": "no-such-story", "comment_id": "999999", "restriction_id": "999999", "name_id": "999999",
                    "desk": "no-such-desk", "language": "en"}


@pytest.fixture
def document(client, db):
    return client.get("/api/v1/openapi.json").json()


def _documented(route: str) -> str:
    """A Django route such as `stories/<str:key>` as an OpenAPI path, `/stories/{key}`."""
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)


def _url(document: dict, path: str) -> str:
    """A requestable URL for a documented path, its parameters filled with sample values."""
    root = urlsplit(document["servers"][0]["url"]).path
    return root + re.sub(r"\{(\w+)\}", lambda m: SAMPLE_ARGUMENTS[m[1]], path)


def test_document_is_served_as_openapi_3_1_json(client, db):
    """GET /api/v1/openapi.json answers 200 with an OpenAPI 3.1 JSON document."""
    response = client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json()["openapi"].startswith("3.1.")


def test_paths_are_exactly_the_routes_of_the_url_table(document):
    """Every API route is documented, and every documented path resolves to that same route."""
    routes = {"/api/v1" + _documented(str(pattern.pattern)) for pattern in urlpatterns}

    assert set(document["paths"]) == routes
    for path in document["paths"]:
        match = resolve(_url(document, path))
        assert match.namespace == "api"
        assert _documented(match.route) == path


def test_documented_methods_are_the_ones_each_view_accepts(client, document):
    """A documented method reaches its view; any other method gets 405 naming the documented ones."""
    for path, item in document["paths"].items():
        url = _url(document, path)
        documented = {method for method in HTTP_METHODS if method in item}
        assert documented, path
        for method in HTTP_METHODS:
            response = client.generic(method.upper(), url)
            if method in documented:
                assert response.status_code != 405, (method, path)
            else:
                assert response.status_code == 405, (method, path)
                assert set(response["Allow"].split(", ")) == {m.upper() for m in documented}


def test_every_reference_points_at_a_component(document):
    """Each $ref in the document names a component the document defines."""
    def refs(node):
        if isinstance(node, dict):
            if "$ref" in node:
                yield node["$ref"]
            for value in node.values():
                yield from refs(value)
        elif isinstance(node, list):
            for value in node:
                yield from refs(value)

    for ref in refs(document):
        kind, name = ref.removeprefix("#/components/").split("/")
        assert name in document["components"][kind], ref
