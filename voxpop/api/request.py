"""Reading API requests: bearer tokens, JSON bodies and cursors, each failure an ApiError."""
import base64
import json
from datetime import datetime, timezone

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest

from voxpop.accounts.models import User
from voxpop.accounts.services import user_for_token

from .errors import ApiError

INT_MAX = 2**63 - 1  # the database's BIGINT: a larger number can name nothing and must not reach a query


def authenticated_user(request: HttpRequest) -> User:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "unauthenticated", "Send an API token as 'Authorization: Bearer <token>'.",
                       headers={"WWW-Authenticate": 'Bearer realm="voxpop"'})
    user = user_for_token(token=token.strip())
    if user is None:
        raise ApiError(401, "invalid_token", "This API token is not valid.",
                       headers={"WWW-Authenticate": 'Bearer realm="voxpop", error="invalid_token"'})
    return user


def json_object(request: HttpRequest) -> dict:
    content_type = request.content_type or ""
    if content_type != "application/json":
        raise ApiError(415, "unsupported_media_type", "Send the request body as application/json.")
    try:
        raw = request.body
    except RequestDataTooBig:
        raise ApiError(413, "body_too_large", "The request body is too large.") from None
    try:
        data = json.loads(raw, object_pairs_hook=_object_without_duplicates)
    except _DuplicateName as duplicate:
        raise duplicate.error() from None
    except (ValueError, RecursionError):
        raise ApiError(400, "invalid_json", "The request body is not valid UTF-8 JSON.") from None
    if not isinstance(data, dict):
        raise ApiError(422, "invalid_json", "The request body must be a JSON object.")
    return data


class _DuplicateName(Exception):
    """A name twice in one JSON object: parsers disagree on which copy wins, so neither is taken."""

    def __init__(self, name: str):
        super().__init__(name)
        self.name = name

    def error(self) -> ApiError:
        # The name goes back in the answer only if it is text that can be sent back.
        shown = self.name if len(self.name) <= 100 and self.name.isprintable() else None
        where = f"'{shown}'" if shown else "A name"
        return ApiError(422, "duplicate_field", f"{where} appears more than once in a JSON object; send it once.",
                        shown)


class _UnreadableName(ValueError):
    """A name holding a lone surrogate: it could neither be stored nor named in an error."""


def _object_without_duplicates(pairs: list[tuple[str, object]]) -> dict:
    data = {}
    for name, value in pairs:
        if name in data:
            raise _DuplicateName(name)
        if any(0xD800 <= ord(ch) <= 0xDFFF for ch in name):
            raise _UnreadableName(name)
        data[name] = value
    return data


def optional_string(data: dict, field: str) -> str:
    value = data.get(field)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ApiError(422, "invalid", f"'{field}' must be a string.", field)
    return value


def optional_int(data: dict, field: str) -> int | None:
    value = data.get(field)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ApiError(422, "invalid", f"'{field}' must be an integer.", field)
    if abs(value) > INT_MAX:
        raise ApiError(422, "invalid", f"'{field}' is out of range.", field)
    return value


def limit_param(request: HttpRequest, default: int = 50, maximum: int = 200) -> int:
    raw = request.GET.get("limit", "")
    if not raw:
        return default
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= maximum:
        raise ApiError(422, "invalid", f"'limit' must be a whole number from 1 to {maximum}.", "limit")
    return int(raw)


def encode_cursor(*parts) -> str:
    text = "|".join(p.isoformat() if isinstance(p, datetime) else str(p) for p in parts)
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(raw: str, *types) -> tuple | None:
    if not raw:
        return None
    try:
        text = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode()
        pieces = text.split("|")
        if len(pieces) != len(types):
            raise ValueError
        values = tuple(datetime.fromisoformat(p) if t is datetime else t(p) for p, t in zip(pieces, types))
        if any(isinstance(v, datetime) and v.tzinfo is None for v in values):
            raise ValueError  # the server only makes cursors with aware times
        # In UTC, as the database compares them; a time at the edge of the calendar overflows here.
        return tuple(v.astimezone(timezone.utc) if isinstance(v, datetime) else v for v in values)
    except (ValueError, UnicodeDecodeError, OverflowError):
        raise ApiError(422, "invalid", "'cursor' is not valid; use the 'next' link of the previous page.",
                       "cursor") from None
