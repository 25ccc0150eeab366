"""The OpenAPI 3.1 document of JSON API v1, served at /api/v1/openapi.json.

A map for whoever changes the API:

- `openapi_document()` assembles the document; `_paths()` has one entry per route of `urls.py`, in
  the same order, and each operation lists every status its view can answer.
- `_schemas()` holds the JSON shapes of `representations.py` and the request bodies the views read;
  `_responses()` and `_parameters()` hold the pieces several routes share (the 401 with its
  `WWW-Authenticate` header, the JSON-body failures, `limit` and `cursor`).
- Limits are read when the document is built, so it states what the server enforces now (the
  comment length follows the `VOXPOP_COMMENT_MAX_CHARS` setting).

tests/api/test_openapi.py checks that the paths match the URL table and the methods match the views;
the request and response shapes are kept in step by hand, so change them here with the views.
"""
from django.conf import settings

from voxpop.comments.limits import DISPLAY_NAME_MAX_CHARS, IDEMPOTENCY_KEY_MAX_CHARS, body_max_chars
from voxpop.stories.forms import language_tag

from .decisions import NOTE_MAX_CHARS
from .stories import KEY_MAX_CHARS

# Where voxpop/urls.py mounts voxpop/api/urls.py; `_paths()` is written relative to it.
API_ROOT = "/api/v1"
# The defaults of request.limit_param().
PAGE_DEFAULT, PAGE_MAX = 50, 200
BEARER = [{"bearerToken": []}]

DESCRIPTION = """\
JSON API of Voxpop, a pre-moderated reader-comment service.

**Errors.** Every failure answers a 4xx status with the body of the `Error` schema:
`{"error": {"code": "...", "message": "...", "field": "..."}}`. `code` is stable and meant for
programs; `message` is for people; `field` names the offending body field, query parameter or header,
or is null.

**Methods.** A route answers any method it does not list with 405 `method_not_allowed` and an
`Allow` header (HEAD and OPTIONS included).

**Authentication.** Routes marked with the `bearerToken` scheme need
`Authorization: Bearer <token>`; an administrator prints a token with `voxpop createtoken USERNAME`.

**Pagination.** Lists take `limit` and `cursor` and answer `next`: the path of the following page,
or null on the last page. Treat cursors as opaque.

**Text.** Comment text is stored as Unicode NFC with `\\n` line breaks, trimmed, and sent back
verbatim: render it as text, never as HTML. Lengths count Unicode code points.
"""


def openapi_document(server_url: str) -> dict:
    """The document for a server whose site root is `server_url` (e.g. `https://comments.example/`)."""
    return {
        "openapi": "3.1.0",
        "info": {"title": "Voxpop API", "version": "1", "description": DESCRIPTION},
        "servers": [{"url": server_url.rstrip("/")}],
        "tags": [
            {"name": "stories", "description": "The newsroom's articles that readers comment on."},
            {"name": "comments", "description": "Reading published comments and submitting new ones."},
            {"name": "moderation", "description": "The moderation queue and decisions (token only)."},
            {"name": "meta", "description": "This document."},
        ],
        "paths": {API_ROOT + path: item for path, item in _paths().items()},
        "components": {
            "schemas": _schemas(),
            "responses": _responses(),
            "parameters": _parameters(),
            "securitySchemes": {
                "bearerToken": {
                    "type": "http", "scheme": "bearer",
                    "description": "An API token printed by `voxpop createtoken USERNAME`, sent as "
                                   "`Authorization: Bearer <token>`.",
                },
            },
        },
    }


# Small builders for the shapes that repeat.

def _ref(name: str, kind: str = "schemas") -> dict:
    return {"$ref": f"#/components/{kind}/{name}"}


def _nullable(schema: dict) -> dict:
    """The schema, or JSON null."""
    if isinstance(schema.get("type"), str):
        nullable = {**schema, "type": [schema["type"], "null"]}
        if "enum" in schema:
            nullable["enum"] = [*schema["enum"], None]
        return nullable
    return {"anyOf": [schema, {"type": "null"}]}


def _object(properties: dict, required: list[str] | None = None, description: str | None = None,
            additional: bool = True) -> dict:
    schema = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    if not additional:
        schema["additionalProperties"] = False
    if description:
        schema["description"] = description
    return schema


def _string(description: str | None = None, **extra) -> dict:
    schema = {"type": "string", **extra}
    if description:
        schema["description"] = description
    return schema


def _timestamp(description: str) -> dict:
    return _nullable(_string(description + " ISO 8601 in UTC, e.g. `2026-11-02T09:30:00Z`.", format="date-time"))


def _json(schema: dict) -> dict:
    return {"application/json": {"schema": schema}}


def _body(schema_name: str, description: str) -> dict:
    return {"required": True, "description": description, "content": _json(_ref(schema_name))}


def _ok(description: str, schema_name: str) -> dict:
    return {"description": description, "content": _json(_ref(schema_name))}


def _error(description: str, *codes: str) -> dict:
    """An error response; `codes` are the `error.code` values this route can answer with it."""
    listed = ", ".join(f"`{code}`" for code in codes)
    return {"description": f"{description} `error.code`: {listed}.", "content": _json(_ref("Error"))}


def _json_body_errors() -> dict:
    """The failures of request.json_object(), shared by every route that reads a JSON body."""
    return {"400": _ref("InvalidJson", "responses"), "413": _ref("BodyTooLarge", "responses"),
            "415": _ref("UnsupportedMediaType", "responses")}


def _page_parameters() -> list[dict]:
    return [_ref("limit", "parameters"), _ref("cursor", "parameters")]


def _page_error() -> dict:
    return _error(f"`limit` is not a whole number from 1 to {PAGE_MAX}, or `cursor` is not one this "
                  "server made (`field` says which).", "invalid")


def _page(item_key: str, item_schema: str, description: str) -> dict:
    return _object({
        item_key: {"type": "array", "items": _ref(item_schema)},
        "next": _nullable(_string("Root-relative URL (path and query) of the next page; null on the last "
                                  "page.", format="uri-reference")),
    }, required=[item_key, "next"], description=description)


def _path_parameter(name: str, schema: dict, description: str) -> dict:
    return {"name": name, "in": "path", "required": True, "description": description, "schema": schema}


def _only(*methods: str) -> str:
    return f"Other methods answer 405 with `Allow: {', '.join(methods)}`."


# The routes, in the order of urls.py.

def _paths() -> dict:
    story_key = _path_parameter("key", {"type": "string", "minLength": 1, "maxLength": KEY_MAX_CHARS,
                                        "pattern": "^[^/]+$"},
                                "The story's key: the CMS's own identifier of the article.")
    comment_id = _path_parameter("comment_id", {"type": "integer", "minimum": 0}, "The comment's id.")
    unknown_story = _error("No story has this key.", "not_found")
    return {
        "/stories": {
            "description": _only("GET"),
            "get": {
                "tags": ["stories"], "operationId": "listStories", "summary": "List stories",
                "description": "Stories newest created first, with their state as of now. Without a token, "
                               "stories whose `published_at` is still ahead (embargoed) are left out; "
                               "with a valid token every story is listed.",
                "security": [{}, *BEARER],
                "parameters": _page_parameters(),
                "responses": {"200": _ok("A page of stories.", "StoryPage"), "401": _ref("Unauthorized", "responses"),
                              "422": _page_error()},
            },
        },
        "/stories/{key}": {
            "description": _only("GET", "PUT"),
            "parameters": [story_key],
            "get": {
                "tags": ["stories"], "operationId": "getStory", "summary": "Get a story",
                "description": "An embargoed story (publication time ahead) is 404 without a token.",
                "security": [{}, *BEARER],
                "responses": {"200": _ok("The story.", "Story"), "401": _ref("Unauthorized", "responses"),
                              "404": unknown_story},
            },
            "put": {
                "tags": ["stories"], "operationId": "putStory", "summary": "Create or update a story",
                "description": "For desk editors and admins, typically the CMS. Creating a story needs "
                               "`title`, `url`, `language` and `desk`; an update changes only the fields "
                               "sent; a field sent as null is cleared (refused for the four required ones).",
                "security": BEARER,
                "requestBody": _body("StoryInput", "The story's fields."),
                "responses": {
                    "200": _ok("The story existed and was updated.", "Story"),
                    "201": _ok("The story was created.", "Story"),
                    **_json_body_errors(),
                    "401": _ref("Unauthorized", "responses"),
                    "403": _error("The caller is not a desk editor or admin, or the story's current or new "
                                  "desk is not one of the caller's (`field` is then `desk`).", "forbidden"),
                    "422": _error("The body is not a JSON object (`invalid_json`), names a field this route "
                                  "does not know (`unknown_field`), or a value is missing, invalid or of the "
                                  "wrong JSON type (strings, `sensitive` a boolean), including a `key` in the body "
                                  f"that differs from the URL's or is not 1 to {KEY_MAX_CHARS} printable "
                                  "characters (`invalid`).",
                                  "invalid_json", "unknown_field", "invalid"),
                },
            },
        },
        "/stories/{key}/comments": {
            "description": _only("GET", "POST"),
            "parameters": [story_key],
            "get": {
                "tags": ["comments"], "operationId": "listComments", "summary": "List published comments",
                "description": "Published comments of the story, flat and oldest published first; a "
                               "reply names its top-level comment in `parent`.",
                "parameters": _page_parameters(),
                "responses": {
                    "200": _ok("A page of published comments.", "PublicCommentPage"),
                    "404": unknown_story, "422": _page_error(),
                },
            },
            "post": {
                "tags": ["comments"], "operationId": "submitComment", "summary": "Submit a comment",
                "description": "Stores the comment as pending; it is published only when a moderator "
                               "approves it. The receipt URL lets the author see what became of it.",
                "parameters": [_ref("Idempotency-Key", "parameters")],
                "requestBody": _body("CommentInput", "The reader's comment."),
                "responses": {
                    "202": _ok("Accepted for moderation. A repeat with an Idempotency-Key already used for "
                               "the same content answers the first comment again, with its status now.",
                               "Receipt"),
                    **_json_body_errors(),
                    "404": unknown_story,
                    "409": _error("Comments on this story are closed.", "story_closed"),
                    "429": {**_error("Too many comments in a short time from this source, on this story or on "
                                     "the whole site. Nothing was stored; send the same request again after "
                                     "`Retry-After` seconds. A retry with an Idempotency-Key that already made "
                                     "its comment is never refused this way.", "rate_limited"),
                            "headers": {"Retry-After": {"description": "Whole seconds to wait before sending again.",
                                                        "schema": {"type": "integer", "minimum": 1}}}},
                    "422": _error(
                        "The body is not a JSON object, or `field` names what to change: `body` is "
                        "missing; `body` or `display_name` is too long or holds characters Voxpop does not "
                        "store; `display_name` is not one line; `parent` is below 1 or not a published "
                        "comment of this story; the "
                        "Idempotency-Key is malformed or was already used for a different comment; a value "
                        "has the wrong JSON type.",
                        "invalid_json", "invalid", "required", "too_long", "control", "surrogate",
                        "noncharacter", "multiline", "min_value", "invalid_parent", "idempotency_key_reused"),
                },
            },
        },
        "/moderation/queue": {
            "description": _only("GET"),
            "get": {
                "tags": ["moderation"], "operationId": "listModerationQueue", "summary": "The moderation queue",
                "description": "Pending comments of the caller's desks (every desk for an admin), oldest "
                               "first, or with `order=risk` highest risk first: held comments (personal "
                               "data on a sensitive story) on top, then by the classifier's risk (or, for a "
                               "language without a model yet, by the signals found), then oldest first. "
                               "Scoring only orders and labels the queue; it never publishes or rejects. "
                               "`signal` keeps the comments whose current revision has that signal. A "
                               "caller without desks gets an empty list.",
                "security": BEARER,
                "parameters": [*_page_parameters(), {
                    "name": "order", "in": "query", "required": False,
                    "description": "`oldest` (received first) or `risk` (held, then highest risk first). The "
                                   "`next` link keeps the order; a cursor of one order is refused by the other.",
                    "schema": {"type": "string", "enum": ["oldest", "risk"], "default": "oldest"},
                }, {
                    "name": "signal", "in": "query", "required": False,
                    "description": "Only comments whose current revision has this signal: a `name` of "
                                   "`signals`, e.g. `phone` or `link`. An unknown name gives an empty list.",
                    "schema": {"type": "string", "maxLength": 40},
                }],
                "responses": {
                    "200": _ok("A page of pending comments.", "ModerationCommentPage"),
                    "401": _ref("Unauthorized", "responses"),
                    "422": _error(f"`limit` is not a whole number from 1 to {PAGE_MAX}, `cursor` is not one this "
                                  "server made for this `order`, `order` is not `oldest` or `risk`, or `signal` "
                                  "is longer than 40 characters (`field` says which).", "invalid"),
                },
            },
        },
        "/moderation/comments/{comment_id}/decisions": {
            "description": _only("POST"),
            "parameters": [comment_id],
            "post": {
                "tags": ["moderation"], "operationId": "decideComment", "summary": "Decide on a comment",
                "description": "Approve, reject or edit the revision the moderator saw. Exactly one of two "
                               "moderators deciding on the same revision succeeds; the other gets 409.",
                "security": BEARER,
                "requestBody": _body("Decision", "The decision, naming the revision it is about."),
                "responses": {
                    "200": _ok("The decision was recorded; the comment as it is now.", "ModerationComment"),
                    **_json_body_errors(),
                    "401": _ref("Unauthorized", "responses"),
                    "404": _error("No comment with this id in the caller's desks.", "not_found"),
                    "409": _error("The comment has a newer revision, or was decided, since `revision`: "
                                  "reload it and decide on its current revision.", "stale_revision"),
                    "422": _error(
                        "The body is not a JSON object, or `field` names what to change: `action` is not "
                        "approve, reject or edit; `revision` is missing; `reason` is missing or no house "
                        "rule of the comment's desk has that number; `body` is missing, too long or holds "
                        "characters Voxpop does not store; `note` is too long; `approve` is not a boolean; "
                        "a value has the wrong JSON type.",
                        "invalid_json", "invalid", "required", "too_long", "control", "surrogate",
                        "noncharacter"),
                },
            },
        },
        "/openapi.json": {
            "description": _only("GET"),
            "get": {
                "tags": ["meta"], "operationId": "getOpenApiDocument", "summary": "This OpenAPI document",
                "responses": {"200": {"description": "The OpenAPI 3.1 document of API v1.",
                                      "content": _json({"type": "object"})}},
            },
        },
    }


# Shared responses and parameters.

def _responses() -> dict:
    max_bytes = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    too_large = f"The request body is over {max_bytes} bytes." if max_bytes else "The request body is too large."
    return {
        "Unauthorized": {
            **_error("No bearer token was sent, or it is not valid.", "unauthenticated", "invalid_token"),
            "headers": {"WWW-Authenticate": {
                "description": 'The scheme to use: `Bearer realm="voxpop"`, with `error="invalid_token"` '
                               "when a token was sent but is not valid.",
                "schema": {"type": "string"},
            }},
        },
        "InvalidJson": _error("The body is not valid UTF-8 JSON.", "invalid_json"),
        "BodyTooLarge": _error(too_large, "body_too_large"),
        "UnsupportedMediaType": _error("The request's Content-Type is not application/json.",
                                       "unsupported_media_type"),
    }


def _parameters() -> dict:
    return {
        "limit": {
            "name": "limit", "in": "query", "required": False,
            "description": f"How many items to answer, {PAGE_DEFAULT} when absent.",
            "schema": {"type": "integer", "minimum": 1, "maximum": PAGE_MAX, "default": PAGE_DEFAULT},
        },
        "cursor": {
            "name": "cursor", "in": "query", "required": False,
            "description": "Where the page starts: taken from the `next` link of the previous page.",
            "schema": {"type": "string"},
        },
        "Idempotency-Key": {
            "name": "Idempotency-Key", "in": "header", "required": False,
            "description": "Any string that is the same when a client retries the same submission, so a "
                           "retry does not post the comment twice. Keys are per story; surrounding spaces "
                           "are ignored.",
            "schema": {"type": "string", "maxLength": IDEMPOTENCY_KEY_MAX_CHARS, "pattern": r"^[\x20-\x7E]*$"},
        },
    }


# Schemas: the JSON shapes of representations.py and the bodies the views read.

def _schemas() -> dict:
    body_max = body_max_chars()
    return {
        "Error": _object({"error": _object({
            "code": _string("Stable, machine-readable reason, e.g. `stale_revision`."),
            "message": _string("What went wrong and what to change, for people."),
            "field": _nullable(_string("The body field, query parameter or header at fault.")),
        }, required=["code", "message", "field"])}, required=["error"]),
        **_story_schemas(),
        **_comment_schemas(body_max),
        **_moderation_schemas(body_max),
    }


def _story_schemas() -> dict:
    state = {"type": "string", "enum": ["open", "closed"]}
    language = _string("BCP 47 language tag, e.g. `en`, `ko`, `zh-Hant`, `ug`.", maxLength=35)
    return {
        "Story": _object({
            "key": _string("The CMS's own identifier of the article.", maxLength=KEY_MAX_CHARS),
            "title": _string(maxLength=500),
            "url": _string("The article's address.", format="uri", maxLength=2000),
            "language": language,
            "desk": _string("Key of the desk that moderates the story's comments."),
            "state": {**state, "description": "`closed` once closed by hand or once `closes_at` has passed."},
            "closes_at": _timestamp("When comments close, or null."),
            "published_at": _timestamp("When the article was published, or null."),
            "sensitive": {"type": "boolean"},
        }, required=["key", "title", "url", "language", "desk", "state", "closes_at", "published_at",
                     "sensitive"]),
        "StoryPage": _page("stories", "Story", "Stories, newest created first."),
        "StoryInput": _object({
            "key": _string("Ignored: the key in the path is the story's key."),
            "title": _string(maxLength=500),
            "url": _string("The article's absolute URL; https is assumed when the scheme is missing.",
                           maxLength=2000),
            "language": {**language, "pattern": language_tag.regex.pattern},
            "desk": _string("Key of an existing desk."),
            "published_at": _nullable(_string("ISO 8601; without an offset, UTC.", format="date-time")),
            "state": _nullable({**state, "description": "Null or absent on creation means `open`."}),
            "closes_at": _nullable(_string("ISO 8601; without an offset, UTC. After it, comments are closed.",
                                           format="date-time")),
            "sensitive": _nullable({"type": "boolean", "description": "Null means false."}),
        }, additional=False, description="Fields of PUT /stories/{key}; any other field is refused (422 "
                                         "`unknown_field`)."),
    }


def _comment_schemas(body_max: int) -> dict:
    return {
        "Edit": _object({
            "by": {"type": "string", "const": "moderator"},
            "rule": _nullable(_object({
                "number": {"type": "integer", "description": "The house rule's number, as shown to readers."},
                "text": {"type": "string"},
            }, required=["number", "text"])),
        }, required=["by", "rule"], description="A moderator changed the text, under this house rule."),
        "PublicComment": _object({
            "id": {"type": "integer"},
            "body": _string("The published text, verbatim: render it as text."),
            "display_name": _nullable(_string("The name the reader chose, or null.")),
            "published_at": _timestamp("When the comment was published."),
            "parent": _nullable({"type": "integer", "description": "Id of the top-level comment this replies to."}),
            "edited": _nullable(_ref("Edit")),
        }, required=["id", "body", "display_name", "published_at", "parent", "edited"]),
        "PublicCommentPage": _page("comments", "PublicComment", "Published comments, oldest first."),
        "CommentInput": _object({
            "body": _string(f"The comment: 1 to {body_max} characters after trimming; no control characters "
                            "other than line breaks and tabs.", minLength=1, maxLength=body_max),
            "display_name": _nullable(_string("Name to show, on one line; empty or null for none.",
                                              maxLength=DISPLAY_NAME_MAX_CHARS)),
            "parent": _nullable({"type": "integer", "minimum": 1,
                                 "description": "Id of a published comment of the same story to reply to; a "
                                                "reply to a reply attaches to its top-level comment."}),
        }, required=["body"], description="Other fields are ignored."),
        "Receipt": _object({
            "id": {"type": "integer"},
            "status": {"type": "string", "enum": ["pending", "approved", "rejected"],
                       "description": "`pending` for a new comment."},
            "receipt_url": _string("The author's private page about this comment.", format="uri"),
        }, required=["id", "status", "receipt_url"]),
    }


def _moderation_schemas(body_max: int) -> dict:
    revision = {"type": "integer", "description": "Id of the revision decided on: `revision` of the queue item."}
    reason = {"type": "integer", "description": "Number of the house rule applied, from the comment's desk."}
    note = _nullable(_string("A note for other moderators.", maxLength=NOTE_MAX_CHARS))
    return {
        "Signal": _object({
            "name": _string("Stable identifier of the signal, e.g. `link`, `phone`, `email`, `newcomer`; "
                            "the `signal` parameter of the queue takes it."),
            "label": _string("What the signal found, for the moderator, e.g. `Phone number`."),
            "spans": {"type": "array", "description": "`[start, end)` offsets in Unicode code points of `body`.",
                      "items": {"type": "array", "prefixItems": [{"type": "integer"}, {"type": "integer"}],
                                "minItems": 2, "maxItems": 2}},
        }, required=["name", "label", "spans"]),
        "ModerationComment": _object({
            "id": {"type": "integer"},
            "story": _string("Key of the comment's story."),
            "revision": {"type": "integer", "description": "Id of the current revision: send it with a decision."},
            "revision_number": {"type": "integer", "description": "1 for the reader's text, then one per edit."},
            "body": _string("Text of the current revision, verbatim."),
            "display_name": _nullable({"type": "string"}),
            "language": _string("The language scoring detected in the text (the story's until scored): a "
                                "BCP 47 tag, e.g. `ko`, `zh-Hant`, `bo`, `ug`, or `und`."),
            "desk": _string("Key of the desk that moderates the comment."),
            "status": {"type": "string", "enum": ["pending", "approved", "rejected", "withdrawn", "expired"],
                       "description": "`withdrawn`: taken down by its author or an admin's erasure; `expired`: "
                                      "pending past the retention period. Both have had their text deleted."},
            "risk": _nullable({"type": "number", "minimum": 0, "maximum": 1,
                               "description": "Probability that a moderator rejects it, from the classifier "
                                              "this newsroom trained on its own decisions for the comment's "
                                              "language. Null when there is no model yet for that language, "
                                              "or when the revision is not scored (see `scored`)."}),
            "signals": {"type": "array", "items": _ref("Signal"),
                        "description": "What scoring found in the current revision, each with the spans of "
                                       "`body` that triggered it; empty when nothing was found or not scored."},
            "scored": {"type": "boolean",
                       "description": "Whether the current revision was scored. False while scoring has not "
                                      "run or if it failed: the comment is queued all the same."},
            "held": {"type": "boolean",
                     "description": "Personal data or a protected name on a sensitive story, in the current "
                                    "revision: kept at the top of the `risk` order until masked by an edit "
                                    "(an edit is scored again) or decided."},
            "parent": _nullable({"type": "integer"}),
            "commenter": _nullable(_string("Opaque pseudonymous key of the submitter, the same for "
                                                "comments from the same source.")),
            "created_at": _timestamp("When the reader submitted it."),
            "published_at": _timestamp("When it was published, or null."),
            "edited": _nullable(_ref("Edit")),
        }, required=["id", "story", "revision", "revision_number", "body", "display_name", "language", "desk",
                     "status", "risk", "signals", "scored", "held", "parent", "commenter", "created_at",
                     "published_at", "edited"]),
        "ModerationCommentPage": _page("comments", "ModerationComment",
                                       "Pending comments, oldest first or in the order asked for."),
        "Decision": {
            "oneOf": [_ref("ApproveDecision"), _ref("RejectDecision"), _ref("EditDecision")],
            "discriminator": {"propertyName": "action", "mapping": {
                "approve": "#/components/schemas/ApproveDecision", "reject": "#/components/schemas/RejectDecision",
                "edit": "#/components/schemas/EditDecision"}},
        },
        "ApproveDecision": _decision("approve", "Publish the revision.", {
            "note": note,
        }, revision),
        "RejectDecision": _decision("reject", "Keep the comment private for good, citing a house rule.", {
            "reason": reason, "note": note,
        }, revision),
        "EditDecision": _decision("edit", "Replace the text under a house rule, keeping earlier revisions. A "
                                  "pending comment stays pending unless `approve`; a published one stays "
                                  "published with the new text; `approve` on a comment no longer pending is a 409.", {
            "reason": reason, "note": note,
            "body": _string("The edited text.", minLength=1, maxLength=body_max),
            "approve": {"type": "boolean", "default": False, "description": "Also publish it (edit and approve)."},
        }, revision),
    }


def _decision(action: str, description: str, fields: dict, revision: dict) -> dict:
    required = ["action", "revision", *(name for name in ("reason", "body") if name in fields)]
    return _object({"action": {"type": "string", "const": action}, "revision": revision, **fields},
                   required=required, description=description)
