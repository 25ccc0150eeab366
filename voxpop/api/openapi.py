"""The OpenAPI 3.1 document of API v1, served at /api/v1/openapi.json."""


def openapi_document(server_url: str) -> dict:
    return {"openapi": "3.1.0", "info": {"title": "Voxpop API", "version": "1"},
            "servers": [{"url": server_url.rstrip("/")}], "paths": {}}
