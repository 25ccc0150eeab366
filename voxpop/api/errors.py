"""The API's one error shape: {"error": {"code", "message", "field"}} with a fitting 4xx status."""
from django.http import JsonResponse


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, field: str | None = None, headers: dict | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.field = status, code, message, field
        self.headers = headers or {}

    def response(self) -> JsonResponse:
        body = {"error": {"code": self.code, "message": self.message, "field": self.field}}
        response = JsonResponse(body, status=self.status, json_dumps_params={"ensure_ascii": False})
        for name, value in self.headers.items():
            response[name] = value
        return response


def not_found(what: str) -> ApiError:
    return ApiError(404, "not_found", f"No such {what}.")
