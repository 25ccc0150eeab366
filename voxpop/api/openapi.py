"""The OpenAPI 3.1 document of JSON API v1, served at /api/v1/openapi.json.

A map for whoever changes the API:

- `openapi_document()` assembles the document; `_paths()` has one entry per route of `urls.py`, in
  the same order, and each operation lists every status its view can answer. The moderation
  workspace's routes (moderation_views.py, editorial_views.py) are in `_workspace_paths()` and
  `_workspace_schemas()`, the webhook events Voxpop sends in `_webhooks()`.
- `_schemas()` holds the JSON shapes of `representations.py` and the request bodies the views read;
  `_responses()` and `_parameters()` hold the pieces several routes share (the 401 with its
  `WWW-Authenticate` header, the JSON-body failures, `limit` and `cursor`).
- Limits are read when the document is built, so it states what the server enforces now (the
  comment length follows the `VOXPOP_COMMENT_MAX_CHARS` setting).

tests/api/test_openapi.py checks that the paths match the URL table and the methods match the views;
tests/api/test_contract.py runs schemathesis over every operation against the live views, so a
status or shape the views answer but this document does not describe fails there.
"""
from django.conf import settings

from voxpop.comments.limits import DISPLAY_NAME_MAX_CHARS, IDEMPOTENCY_KEY_MAX_CHARS, body_max_chars
from voxpop.common.pow import NONCE_MAX_CHARS, PROOF_MAX_AGE, proof_bits
from voxpop.stories.forms import language_tag

from voxpop.embed.limits import COUNTS_MAX_AGE, COUNTS_MAX_KEYS

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
            {"name": "editorial", "description": "Story settings, house rules, word lists, protected names and "
                                                 "the dashboard (desk editors and admins)."},
            {"name": "meta", "description": "This document."},
        ],
        "paths": {API_ROOT + path: _with_bad_address(item)
                  for path, item in {**_paths(), **_workspace_paths()}.items()},
        "webhooks": _webhooks(),
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
                               "reply names its top-level comment in `parent`. Without `limit` the answer "
                               "comes from the thread cache, with `Cache-Control: public, max-age=10, "
                               "stale-while-revalidate=30` and a weak `ETag`; a story under embargo is 404.",
                "parameters": _page_parameters(),
                "responses": {
                    "200": _ok("A page of published comments.", "PublicCommentPage"),
                    "304": {"description": "Not modified: the `If-None-Match` names the current version."},
                    "404": unknown_story, "422": _page_error(),
                },
            },
            "post": {
                "tags": ["comments"], "operationId": "submitComment", "summary": "Submit a comment",
                "description": "Stores the comment as pending; it is published only when a moderator "
                               "approves it. The receipt URL lets the author see what became of it.",
                "parameters": [_ref("Idempotency-Key", "parameters"), _ref("Proof-Of-Work", "parameters")],
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
                                     "its comment is never refused this way. A comment without a valid "
                                     "`Proof-Of-Work` is held to a stricter per-source budget (the message "
                                     "then says so).", "rate_limited"),
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
                "description": "Approve, reject, edit or reopen the revision the moderator saw. Exactly one of two "
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
                        "approve, reject, edit or reopen; `revision` is missing; `reason` is missing or no house "
                        "rule of the comment's desk has that number; `body` is missing, too long or holds "
                        "characters Voxpop does not store; `note` is too long; `approve` is not a boolean; "
                        "a value has the wrong JSON type.",
                        "invalid_json", "invalid", "required", "too_long", "control", "surrogate",
                        "noncharacter"),
                },
            },
        },
        "/counts": {
            "description": _only("GET"),
            "get": {
                "tags": ["stories"], "operationId": "getCommentCounts", "summary": "Comment counts of many stories",
                "description": "Published comments (replies included) of each story named, for article lists: "
                               "one request for a whole page of teasers. Public; cacheable for "
                               f"{COUNTS_MAX_AGE} seconds (`Cache-Control: public`). Pages of a site's "
                               "origins (`voxpop site`) may read it from a script (CORS).",
                "parameters": [{
                    "name": "story", "in": "query", "required": True, "style": "form", "explode": True,
                    "description": f"A story key; repeat it for more stories, at most {COUNTS_MAX_KEYS}.",
                    "schema": {"type": "array", "minItems": 1, "maxItems": COUNTS_MAX_KEYS,
                               "items": {"type": "string", "minLength": 1, "maxLength": KEY_MAX_CHARS}},
                }],
                "responses": {
                    "200": _ok("Each key asked for, with its count.", "CommentCounts"),
                    "422": _error("No `story` given, more than " + str(COUNTS_MAX_KEYS) + " keys, or a key "
                                  "that cannot be one.", "required", "too_many_stories", "invalid"),
                },
            },
        },
        "/proof-of-work": {
            "description": _only("GET"),
            "get": {
                "tags": ["comments"], "operationId": "getProofOfWorkChallenge",
                "summary": "A token for a comment's proof-of-work",
                "description": "The stamp to build a `Proof-Of-Work` header with (see that parameter of "
                               "submitComment): the same for every caller within a second, like the token in "
                               "every thread page's form. Public; cacheable for one second.",
                "responses": {"200": {"description": "The token, the zero bits a proof needs now (0: proof-of-work "
                                                     "is off) and how many seconds a proof on this token is "
                                                     "accepted.",
                                      "content": _json(_object({
                                          "token": _string("A signed time stamp, without spaces."),
                                          "bits": {"type": "integer", "minimum": 0, "examples": [proof_bits()]},
                                          "max_age": {"type": "integer", "examples": [PROOF_MAX_AGE]},
                                      }, required=["token", "bits", "max_age"]))}},
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
        "BadAddress": _error("The path or query string holds a NUL character.", "bad_request"),
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
        "Proof-Of-Work": {
            "name": "Proof-Of-Work", "in": "header", "required": False,
            "description": "`<token> <nonce>`, separated by one space: `token` from GET /api/v1/proof-of-work (or "
                           "a thread form's `token`), `nonce` 1 to " + str(NONCE_MAX_CHARS) + " ASCII letters, "
                           "digits, `-` or `_` such that SHA-256(token + \"\\n\" + hex(SHA-256(body as UTF-8)) + "
                           "\"\\n\" + nonce) starts with `bits` zero bits. `body` is the JSON `body` string as sent, "
                           "its CR LF and lone CR line breaks as LF; hex is lower case. A valid proof gives the "
                           "comment the ordinary per-source budget, once; without one (or with a wrong, reused "
                           "or expired one) the comment is still taken, against a stricter per-source budget. "
                           "It is never an error.",
            "schema": {"type": "string", "examples": ["ImZvcm0i:1vZt3K:3kq2Jb0fQyWl8rC1dXh5uN4sA7mE9pT6vR2oZ0iG1x 3021948117"]},
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
        "CommentCounts": _object({"counts": {
            "type": "object", "additionalProperties": _nullable({"type": "integer", "minimum": 0}),
            "description": "Story key -> number of published comments; null for a key no reader can see "
                           "(unknown, or embargoed).",
        }}, required=["counts"]),
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
            "oneOf": [_ref("ApproveDecision"), _ref("RejectDecision"), _ref("EditDecision"), _ref("ReopenDecision")],
            "discriminator": {"propertyName": "action", "mapping": {
                "approve": "#/components/schemas/ApproveDecision", "reject": "#/components/schemas/RejectDecision",
                "edit": "#/components/schemas/EditDecision", "reopen": "#/components/schemas/ReopenDecision"}},
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
        "ReopenDecision": _decision("reopen", "Put a rejected comment back in the pending queue (for example one a "
                                    "ban rejected); 409 if it is not rejected.", {"note": note}, revision),
        **_workspace_schemas(),
    }


def _decision(action: str, description: str, fields: dict, revision: dict) -> dict:
    required = ["action", "revision", *(name for name in ("reason", "body") if name in fields)]
    return _object({"action": {"type": "string", "const": action}, "revision": revision, **fields},
                   required=required, description=description)


# The moderation workspace through the API (moderation_views.py, editorial_views.py), in the order
# of urls.py.

def _unauthorized() -> dict:
    return _ref("Unauthorized", "responses")


def _editors_only() -> dict:
    return _error("The caller is a plain moderator: only desk editors and admins may use this route.", "forbidden")


def _query_parameter(name: str, schema: dict, description: str) -> dict:
    return {"name": name, "in": "query", "required": False, "description": description, "schema": schema}


def _workspace_paths() -> dict:
    comment_id = _path_parameter("comment_id", {"type": "integer", "minimum": 0}, "The comment's id.")
    story_key = _path_parameter("key", {"type": "string", "minLength": 1, "maxLength": KEY_MAX_CHARS,
                                        "pattern": "^[^/]+$"}, "The story's key.")
    desk_language = [
        _path_parameter("desk", {"type": "string", "minLength": 1, "pattern": "^[^/]+$"}, "The desk's key."),
        _path_parameter("language", {"type": "string", "minLength": 1, "pattern": "^[^/]+$"},
                        "A language of the desk (BCP 47 tag): one of its languages or one it already has "
                        "rules or words in."),
    ]
    text = {"type": "string", "maxLength": 200}
    not_in_desks = _error("No such comment in the caller's desks (or `field` names a desk that is not one of "
                          "theirs).", "not_found")
    invalid = _error("`field` names the value to change.", "invalid", "required", "unknown_field", "too_long",
                     "too_many", "refused", "duplicate_field", "invalid_json", "control", "surrogate",
                     "noncharacter")
    return {
        "/moderation/comments": {
            "description": _only("GET"),
            "get": {
                "tags": ["moderation"], "operationId": "listModerationComments", "summary": "Queues, filtered",
                "description": "Any queue of the caller's desks, as the workspace shows it. Pending oldest first "
                               "by default; approved newest published first; rejected newest first.",
                "security": BEARER,
                "parameters": [
                    _query_parameter("status", {"type": "string", "enum": ["pending", "approved", "rejected"],
                                                "default": "pending"}, "Which queue."),
                    _query_parameter("desk", {"type": "string"}, "Only this desk (one of the caller's)."),
                    _query_parameter("story", text, "Only comments on the story with this key."),
                    _query_parameter("language", {"type": "string", "maxLength": 35},
                                     "Only comments in this language (BCP 47 tag)."),
                    _query_parameter("signal", {"type": "string", "maxLength": 40},
                                     "Only comments whose current revision has this signal (`Signal.name`)."),
                    _query_parameter("q", text, "Only comments whose text or display name contains this."),
                    _query_parameter("commenter", {"type": "string", "maxLength": 64},
                                     "Only comments of this pseudonymous commenter key."),
                    _query_parameter("order", {"type": "string", "enum": ["oldest", "newest", "risk"],
                                               "default": "oldest"},
                                     "`risk`: held comments, then highest risk first (pending only)."),
                    *_page_parameters(),
                ],
                "responses": {
                    "200": _ok("A page of comments.", "ModerationCommentPage"), "401": _unauthorized(),
                    "404": _error("`desk` is not one of the caller's desks.", "not_found"),
                    "422": _error("`field` names the parameter to change (unknown `status` or `order`, `risk` "
                                  "order on a queue other than pending, a value too long, a bad `limit` or "
                                  "`cursor`).", "invalid"),
                },
            },
        },
        "/moderation/comments/{comment_id}": {
            "description": _only("GET"),
            "parameters": [comment_id],
            "get": {
                "tags": ["moderation"], "operationId": "getModerationComment", "summary": "One comment's record",
                "description": "The comment with every revision, every decision about it (the audit log), "
                               "the holds and bans on its commenter in its desk, and the commenter's other "
                               "comments in the caller's desks (newest first, at most 20).",
                "security": BEARER,
                "responses": {"200": _ok("The comment and its record.", "ModerationCommentDetail"),
                              "401": _unauthorized(), "404": not_in_desks},
            },
        },
        "/moderation/comments/{comment_id}/route": {
            "description": _only("POST"),
            "parameters": [comment_id],
            "post": {
                "tags": ["moderation"], "operationId": "routeComment", "summary": "Send to another desk",
                "description": "Move the comment to any desk and/or correct its language; its status stays. "
                               "Sent to a desk that is not the caller's, it leaves their queue.",
                "security": BEARER,
                "requestBody": _body("RouteInput", "Where the comment goes."),
                "responses": {
                    "200": _ok("Moved (or already there: `moved` false).", "RouteResult"), **_json_body_errors(),
                    "401": _unauthorized(), "404": not_in_desks,
                    "409": _error("The comment changed since `revision`, or meanwhile; nothing was moved.",
                                  "stale_revision"),
                    "422": invalid,
                },
            },
        },
        "/moderation/undo": {
            "description": _only("POST"),
            "post": {
                "tags": ["moderation"], "operationId": "undoLastDecision", "summary": "Undo your last decision",
                "description": "Revert the caller's own last approval, rejection or edit (an undone edit makes "
                               "the replaced revision current again). Both decisions stay in the audit log. "
                               "No request body.",
                "security": BEARER,
                "responses": {
                    "200": _ok("Undone.", "UndoResult"), "401": _unauthorized(),
                    "409": _error("Nothing left to undo, or another moderator changed the comment since.",
                                  "nothing_to_undo", "stale_revision"),
                },
            },
        },
        "/moderation/bulk": {
            "description": _only("POST"),
            "post": {
                "tags": ["moderation"], "operationId": "decideInBulk", "summary": "Approve or reject many",
                "description": "Each comment is its own decision with its own audit row, on the revision the "
                               "caller saw. Skipped, never failed: comments outside the caller's desks, changed "
                               "meanwhile, from a commenter on hold (approve), or whose desk has no rule "
                               "`reason` (reject).",
                "security": BEARER,
                "requestBody": _body("BulkInput", "The action and the comments with the revisions seen."),
                "responses": {"200": _ok("What was decided and what was skipped.", "BulkResult"),
                              **_json_body_errors(), "401": _unauthorized(), "422": invalid},
            },
        },
        "/moderation/restrictions": {
            "description": _only("GET", "POST"),
            "get": {
                "tags": ["moderation"], "operationId": "listRestrictions", "summary": "Holds and bans in force",
                "description": "Active holds and bans of the caller's desks, newest first.",
                "security": BEARER,
                "parameters": [_query_parameter("desk", {"type": "string"}, "Only this desk (one of the caller's)."),
                               _query_parameter("commenter", {"type": "string", "maxLength": 64},
                                                "Only this commenter key."),
                               *_page_parameters()],
                "responses": {"200": _ok("A page of holds and bans.", "RestrictionPage"), "401": _unauthorized(),
                              "404": _error("`desk` is not one of the caller's desks.", "not_found"),
                              "422": _error("A bad `commenter`, `limit` or `cursor`.", "invalid")},
            },
            "post": {
                "tags": ["moderation"], "operationId": "createRestriction", "summary": "Hold or ban a commenter",
                "description": "By pseudonymous key in one desk, never by address. A hold keeps the commenter's "
                               "comments out of bulk approval; a ban rejects their new comments in that desk as "
                               "a logged system decision a moderator can reopen.",
                "security": BEARER,
                "requestBody": _body("RestrictionInput", "Whom, what and why."),
                "responses": {"201": _ok("Set.", "Restriction"), **_json_body_errors(), "401": _unauthorized(),
                              "404": not_in_desks, "422": invalid},
            },
        },
        "/moderation/restrictions/{restriction_id}/lift": {
            "description": _only("POST"),
            "parameters": [_path_parameter("restriction_id", {"type": "integer", "minimum": 0},
                                           "The hold's or ban's id.")],
            "post": {
                "tags": ["moderation"], "operationId": "liftRestriction", "summary": "Lift a hold or ban",
                "description": "The row stays, recording who lifted it and when. Lifting one already lifted "
                               "changes nothing. No request body.",
                "security": BEARER,
                "responses": {"200": _ok("The hold or ban, lifted.", "Restriction"), "401": _unauthorized(),
                              "404": _error("No hold or ban with this id in the caller's desks.", "not_found")},
            },
        },
        "/moderation/audit": {
            "description": _only("GET"),
            "get": {
                "tags": ["moderation"], "operationId": "listDecisions", "summary": "The audit log",
                "description": "Every decision on comments of the caller's desks, newest first.",
                "security": BEARER,
                "parameters": [_query_parameter("moderator", {"type": "string"}, "Only this user name's decisions."),
                               _query_parameter("comment", {"type": "string", "pattern": "^[0-9]+$"},
                                                "Only decisions about this comment id."),
                               *_page_parameters()],
                "responses": {"200": _ok("A page of decisions.", "DecisionPage"), "401": _unauthorized(),
                              "422": _error("A bad `comment`, `limit` or `cursor`.", "invalid")},
            },
        },
        "/moderation/dashboard": {
            "description": _only("GET"),
            "get": {
                "tags": ["editorial"], "operationId": "getDashboard", "summary": "The dashboard's figures",
                "description": "Backlog, time to first decision (last 7 days), decisions per house rule (last "
                               "7 days) and comments received per hour (last 48 hours) of the caller's desks.",
                "security": BEARER,
                "parameters": [_query_parameter("desk", {"type": "string"}, "Only this desk (one of the caller's).")],
                "responses": {"200": _ok("The figures.", "Dashboard"), "401": _unauthorized(),
                              "403": _editors_only(),
                              "404": _error("`desk` is not one of the caller's desks.", "not_found")},
            },
        },
        "/moderation/stories/{key}/settings": {
            "description": _only("GET", "PATCH"),
            "parameters": [story_key],
            "get": {
                "tags": ["editorial"], "operationId": "getStorySettings", "summary": "A story's settings",
                "security": BEARER,
                "responses": {"200": _ok("The settings, their `version` and their history.", "StorySettings"),
                              "401": _unauthorized(), "403": _editors_only(),
                              "404": _error("No such story in the caller's desks.", "not_found")},
            },
            "patch": {
                "tags": ["editorial"], "operationId": "updateStorySettings", "summary": "Change a story's settings",
                "description": "Fields left out keep their value. Each changed field writes one row of the "
                               "story's settings history.",
                "security": BEARER,
                "requestBody": _body("StorySettingsInput", "The settings to change, with the `version` read."),
                "responses": {
                    "200": _ok("The settings as they are now.", "StorySettings"), **_json_body_errors(),
                    "401": _unauthorized(), "403": _editors_only(),
                    "404": _error("No such story in the caller's desks.", "not_found"),
                    "409": _error("Someone changed the settings since `version`: read them again.",
                                  "settings_changed"),
                    "422": invalid,
                },
            },
        },
        "/moderation/stories/{key}/protected-names": {
            "description": _only("GET", "POST"),
            "parameters": [story_key],
            "get": {
                "tags": ["editorial"], "operationId": "listProtectedNames", "summary": "A story's protected names",
                "description": "Names (a source, a victim, a minor) whose mention flags a comment on this story.",
                "security": BEARER, "parameters": _page_parameters(),
                "responses": {"200": _ok("A page of names, newest first.", "ProtectedNamePage"),
                              "401": _unauthorized(), "403": _editors_only(),
                              "404": _error("No such story in the caller's desks.", "not_found"),
                              "422": _page_error()},
            },
            "post": {
                "tags": ["editorial"], "operationId": "addProtectedName", "summary": "Protect a name",
                "security": BEARER,
                "requestBody": _body("ProtectedNameInput", "The name."),
                "responses": {"201": _ok("Protected from now on.", "ProtectedName"), **_json_body_errors(),
                              "401": _unauthorized(), "403": _editors_only(),
                              "404": _error("No such story in the caller's desks.", "not_found"),
                              "422": _error("The name is missing, too short or long, already protected, or the "
                                            "story has the most names it can have.", "required", "refused",
                                            "invalid_json", "duplicate_field")},
            },
        },
        "/moderation/stories/{key}/protected-names/{name_id}": {
            "description": _only("DELETE"),
            "parameters": [story_key, _path_parameter("name_id", {"type": "integer", "minimum": 0},
                                                      "The protected name's id.")],
            "delete": {
                "tags": ["editorial"], "operationId": "removeProtectedName", "summary": "Stop protecting a name",
                "security": BEARER,
                "responses": {"200": _ok("No longer protected.", "RemovedProtectedName"), "401": _unauthorized(),
                              "403": _editors_only(),
                              "404": _error("No such story in the caller's desks, or no such name on it.",
                                            "not_found")},
            },
        },
        "/moderation/desks/{desk}/rules/{language}": {
            "description": _only("GET", "PUT"),
            "parameters": desk_language,
            "get": {
                "tags": ["editorial"], "operationId": "getHouseRules", "summary": "A desk's house rules",
                "security": BEARER,
                "responses": {"200": _ok("The numbered rules, their `version` and the retired wordings.",
                                         "HouseRules"),
                              "401": _unauthorized(), "403": _editors_only(),
                              "404": _error("No such desk language in the caller's desks.", "not_found")},
            },
            "put": {
                "tags": ["editorial"], "operationId": "setHouseRules", "summary": "Replace a desk's house rules",
                "description": "The list in order becomes rules 1, 2, ...; a changed wording is a new version "
                               "(decisions keep the wording they cited).",
                "security": BEARER,
                "requestBody": _body("HouseRulesInput", "Every rule, in order, with the `version` read."),
                "responses": {
                    "200": _ok("The rules as they are now.", "HouseRules"), **_json_body_errors(),
                    "401": _unauthorized(), "403": _editors_only(),
                    "404": _error("No such desk language in the caller's desks.", "not_found"),
                    "409": _error("Someone changed the rules since `version`: read them again.", "rules_changed"),
                    "422": invalid,
                },
            },
        },
        "/moderation/desks/{desk}/words/{language}": {
            "description": _only("GET", "PUT"),
            "parameters": desk_language,
            "get": {
                "tags": ["editorial"], "operationId": "getWordLists", "summary": "A desk's banned and suspect words",
                "security": BEARER,
                "responses": {"200": _ok("Both lists and their `version`.", "WordLists"), "401": _unauthorized(),
                              "403": _editors_only(),
                              "404": _error("No such desk language in the caller's desks.", "not_found")},
            },
            "put": {
                "tags": ["editorial"], "operationId": "setWordLists", "summary": "Replace a desk's word lists",
                "description": "A list left out stays as it is. They flag comments scored from then on. The "
                               "request body is limited like every other (see `BodyTooLarge`).",
                "security": BEARER,
                "requestBody": _body("WordListsInput", "The lists, with the `version` read."),
                "responses": {
                    "200": _ok("The lists as they are now.", "WordLists"), **_json_body_errors(),
                    "401": _unauthorized(), "403": _editors_only(),
                    "404": _error("No such desk language in the caller's desks.", "not_found"),
                    "409": _error("Someone changed the lists since `version`: read them again.", "words_changed"),
                    "422": invalid,
                },
            },
        },
    }


def _workspace_schemas() -> dict:
    integer, boolean = {"type": "integer"}, {"type": "boolean"}
    username = _nullable(_string("A user name; null for the system."))
    rule = _nullable(_object({"number": integer, "text": {"type": "string"}}, required=["number", "text"]))
    version = _string("Opaque: send it back unchanged with the change.")
    return {
        "Revision": _object({
            "id": integer, "number": integer, "body": _string("The revision's text, verbatim."),
            "created_at": _timestamp("When it was written."), "editor": username, "rule": rule,
            "note": {"type": "string"},
        }, required=["id", "number", "body", "created_at", "editor", "rule", "note"],
            description="One text of a comment: number 1 is the reader's, each later one a moderator's edit."),
        "AuditDecision": _object({
            "id": integer, "comment": integer,
            "revision": {"type": "integer", "description": "The revision decided on; for an edit, the new one."},
            "action": {"type": "string", "enum": ["approve", "reject", "edit", "undo", "reopen", "route",
                                                  "withdraw", "erase", "expire"]},
            "from_status": _string(), "to_status": _string(), "actor": username, "rule": rule,
            "note": {"type": "string"}, "decided_at": _timestamp("When."),
            "undoes": _nullable({"type": "integer", "description": "For an undo: the decision it reverted."}),
        }, required=["id", "comment", "revision", "action", "from_status", "to_status", "actor", "rule", "note",
                     "decided_at", "undoes"], description="One row of the audit log."),
        "DecisionPage": _page("decisions", "AuditDecision", "Decisions, newest first."),
        "Restriction": _object({
            "id": integer, "commenter": _string("The pseudonymous commenter key."), "desk": _string(),
            "kind": {"type": "string", "enum": ["hold", "ban"]}, "reason": {"type": "string"},
            "created_by": {"type": "string"}, "created_at": _timestamp("When it was set."),
            "expires_at": _timestamp("When it ends by itself; null: until lifted."),
            "lifted_by": username, "lifted_at": _timestamp("When it was lifted, or null."), "active": boolean,
        }, required=["id", "commenter", "desk", "kind", "reason", "created_by", "created_at", "expires_at",
                     "lifted_by", "lifted_at", "active"]),
        "RestrictionPage": _page("restrictions", "Restriction", "Holds and bans, newest first."),
        "RestrictionInput": _object({
            "comment": {"type": "integer", "description": "Hold or ban the commenter of this comment, in its desk."},
            "commenter": _string("Or: a commenter key (with `desk`).", maxLength=64),
            "desk": _string("With `commenter`: one of the caller's desks."),
            "kind": {"type": "string", "enum": ["hold", "ban"]},
            "reason": _string("Why, for other moderators.", minLength=1, maxLength=1000),
            "days": _nullable({"type": "integer", "minimum": 1, "maximum": 3650,
                               "description": "Ends after this many days; null or absent: until lifted."}),
        }, required=["kind", "reason"]),
        "ModerationCommentDetail": {"allOf": [_ref("ModerationComment"), _object({
            "revisions": {"type": "array", "items": _ref("Revision")},
            "decisions": {"type": "array", "items": _ref("AuditDecision"), "description": "Oldest first."},
            "restrictions": {"type": "array", "items": _ref("Restriction"),
                             "description": "Holds and bans, past and present, on the commenter in this desk."},
            "history": {"type": "array", "items": _object({
                "id": integer, "story": {"type": "string"}, "status": {"type": "string"},
                "created_at": _timestamp("When it was submitted."),
            }, required=["id", "story", "status", "created_at"]),
                "description": "The commenter's other comments in the caller's desks, newest first."},
        }, required=["revisions", "decisions", "restrictions", "history"])]},
        "RouteInput": _object({
            "desk": _string("Key of any desk."),
            "language": _string("BCP 47 tag; absent: the comment's current language.", maxLength=35),
            "revision": {"type": "integer", "description": "The revision the caller saw: 409 if it is no longer "
                                                           "current."},
        }, required=["desk"]),
        "RouteResult": _object({
            "moved": boolean, "decision": _nullable(_ref("AuditDecision")), "comment": _ref("ModerationComment"),
        }, required=["moved", "decision", "comment"]),
        "UndoResult": _object({
            "undone": _ref("AuditDecision"), "decision": _ref("AuditDecision"), "comment": _ref("ModerationComment"),
        }, required=["undone", "decision", "comment"],
            description="`undone`: the decision reverted; `decision`: the undo's own audit row."),
        "BulkInput": _object({
            "action": {"type": "string", "enum": ["approve", "reject"]},
            "reason": {"type": "integer", "description": "For reject: the house rule number in each comment's desk."},
            "comments": {"type": "array", "minItems": 1, "maxItems": 500, "items": _object({
                "id": {"type": "integer", "minimum": 1}, "revision": {"type": "integer", "minimum": 1},
            }, required=["id", "revision"])},
        }, required=["action", "comments"]),
        "BulkResult": _object({
            "decided": {"type": "array", "items": integer}, "skipped": {"type": "array", "items": integer},
        }, required=["decided", "skipped"]),
        "StorySettings": _object({
            "story": {"type": "string"}, "state": {"type": "string", "enum": ["open", "closed"]},
            "closes_at": _timestamp("When an open story closes, or null."), "sensitive": boolean,
            "version": version, "pending": {"type": "integer", "minimum": 0},
            "changes": {"type": "array", "description": "The settings' history, newest first (at most 200).",
                        "items": _object({"field": _string(), "old": _string(), "new": _string(), "actor": username,
                                          "changed_at": _timestamp("When.")},
                                         required=["field", "old", "new", "actor", "changed_at"])},
        }, required=["story", "state", "closes_at", "sensitive", "version", "pending", "changes"]),
        "StorySettingsInput": _object({
            "version": version, "state": {"type": "string", "enum": ["open", "closed"]},
            "closes_at": _nullable(_string("ISO 8601 (UTC without an offset); only for an open story.",
                                           format="date-time")),
            "close_after_days": {"type": "integer", "minimum": 1, "maximum": 3650,
                                 "description": "Or: close this many days from now."},
            "sensitive": boolean,
        }, required=["version"], additional=False),
        "HouseRules": _object({
            "desk": _string(), "language": _string(), "version": version,
            "rules": {"type": "array", "items": _object({"id": integer, "number": integer, "text": _string(),
                                                          "created_at": _timestamp("Since when.")},
                                                         required=["id", "number", "text", "created_at"])},
            "retired": {"type": "array", "items": _object({
                "id": integer, "number": integer, "text": _string(), "created_at": _timestamp("Since when."),
                "retired_at": _timestamp("Until when.")}, required=["id", "number", "text", "created_at",
                                                                    "retired_at"])},
        }, required=["desk", "language", "version", "rules", "retired"]),
        "HouseRulesInput": _object({
            "version": version,
            "rules": {"type": "array", "maxItems": 99, "items": _string(minLength=1, maxLength=1000)},
        }, required=["version", "rules"], additional=False),
        "WordLists": _object({
            "desk": _string(), "language": _string(), "version": version,
            "banned": {"type": "array", "items": _string()}, "suspect": {"type": "array", "items": _string()},
        }, required=["desk", "language", "version", "banned", "suspect"]),
        "WordListsInput": _object({
            "version": version,
            "banned": {"type": "array", "items": _string(maxLength=200),
                       "description": "One entry per word or phrase."},
            "suspect": {"type": "array", "items": _string(maxLength=200)},
        }, required=["version"], additional=False),
        "ProtectedName": _object({"id": integer, "name": _string(), "created_at": _timestamp("When it was added."),
                                  "created_by": username}, required=["id", "name", "created_at", "created_by"]),
        "ProtectedNamePage": _page("names", "ProtectedName", "Protected names, newest first."),
        "ProtectedNameInput": _object({"name": _string(minLength=2, maxLength=200)}, required=["name"]),
        "RemovedProtectedName": _object({"id": integer, "name": _string()}, required=["id", "name"]),
        "Dashboard": _object({
            "generated_at": _timestamp("The moment the figures describe."),
            "desks": {"type": "array", "items": _object({
                "desk": _string(), "name": _string(), "pending": integer,
                "oldest_waiting_seconds": _nullable({"type": "number"}),
                "decided": {"type": "integer", "description": "Comments first decided in the last 7 days."},
                "median_seconds": _nullable({"type": "number"}), "p90_seconds": _nullable({"type": "number"}),
                "approved": integer, "rejected": integer,
            }, required=["desk", "name", "pending", "oldest_waiting_seconds", "decided", "median_seconds",
                         "p90_seconds", "approved", "rejected"])},
            "rules": {"type": "array", "items": _object({
                "desk": _string(), "language": _string(), "number": integer, "text": _string(),
                "rejected": integer, "edited": integer,
            }, required=["desk", "language", "number", "text", "rejected", "edited"])},
            "hours": {"type": "array", "items": _object({"start": _timestamp("The hour's start."),
                                                         "comments": integer}, required=["start", "comments"])},
        }, required=["generated_at", "desks", "rules", "hours"]),
        **_webhook_schemas(),
    }


# Webhooks (voxpop.webhooks): what Voxpop POSTs to the endpoints an admin registers.

WEBHOOK_EVENTS = {
    "comment.published": ("WebhookPublishedComment", "A moderator published a comment (approved it, or edited "
                                                     "and approved it): its published text."),
    "comment.edited": ("WebhookPublishedComment", "A moderator changed a published comment's text (or undid such "
                                                  "a change): the new published text."),
    "comment.unpublished": ("WebhookUnpublishedComment", "A published comment stopped being public: an undo, its "
                                                         "author's withdrawal, an admin's erasure. Ids only."),
    "comment.rejected": ("WebhookRejectedComment", "A moderator (or a ban) rejected a comment. Ids, time and "
                                                   "house rule number only: never any text."),
    "story.created": ("WebhookStory", "A story was registered."),
}


def _webhooks() -> dict:
    headers = [
        {"name": "Voxpop-Event", "in": "header", "required": True, "description": "The event, as in the body.",
         "schema": {"type": "string", "enum": list(WEBHOOK_EVENTS)}},
        {"name": "Voxpop-Delivery", "in": "header", "required": True,
         "description": "The delivery's id (also `id` in the body): the same on a repeated delivery, so a "
                        "receiver can ignore repeats.", "schema": {"type": "string", "format": "uuid"}},
        {"name": "Voxpop-Signature", "in": "header", "required": True,
         "description": "`t=<unix time>,v1=<hex HMAC-SHA256>`: the HMAC, keyed with the endpoint's secret, of "
                        "`<t>.<raw body>`. Check it on the raw bytes before parsing them, and refuse a `t` more "
                        "than 300 seconds from your clock.",
         "schema": {"type": "string", "pattern": "^t=[0-9]+,v1=[0-9a-f]{64}$"}},
    ]
    return {event: {"post": {
        "operationId": "webhook_" + event.replace(".", "_"), "summary": event, "description": description,
        "parameters": headers,
        "requestBody": {"required": True, "content": {"application/json": {"schema": _webhook_body(event, data)}}},
        "responses": {"2XX": {"description": "Received. Answer within 5 seconds; any other status, a redirect or "
                                             "a timeout is a failure, retried after 30 s, 2 min, 10 min, 1 h, 6 h "
                                             "and 24 h."}},
    }} for event, (data, description) in WEBHOOK_EVENTS.items()}


def _webhook_body(event: str, data_schema: str) -> dict:
    return _object({
        "id": _string("The delivery's id, as in `Voxpop-Delivery`.", format="uuid"),
        "event": {"type": "string", "const": event},
        "created_at": _timestamp("When the event happened: order events about one comment by it."),
        "data": _ref(data_schema),
    }, required=["id", "event", "created_at", "data"])


def _webhook_schemas() -> dict:
    return {
        "WebhookPublishedComment": {"allOf": [_ref("PublicComment"), _object(
            {"story": _string("The story's key.")}, required=["story"])],
            "description": "The comment as `GET /stories/{key}/comments` shows it, with its story's key."},
        "WebhookUnpublishedComment": _object({
            "id": {"type": "integer"}, "story": _string(), "unpublished_at": _timestamp("When."),
        }, required=["id", "story", "unpublished_at"], additional=False,
            description="Ids only: no text of a comment that is no longer public."),
        "WebhookRejectedComment": _object({
            "id": {"type": "integer"}, "story": _string(), "decided_at": _timestamp("When."),
            "rule": _nullable({"type": "integer", "description": "The house rule's number; null for a ban."}),
        }, required=["id", "story", "decided_at", "rule"], additional=False,
            description="Ids, time and rule only: a rejected comment's text never leaves Voxpop."),
        "WebhookStory": _object({
            "key": _string(), "title": _string(), "url": _string(format="uri"), "language": _string(),
            "desk": _string(), "published_at": _timestamp("When the article was published, or null."),
        }, required=["key", "title", "url", "language", "desk", "published_at"]),
    }


def _with_bad_address(item: dict) -> dict:
    """Every operation may answer 400 `bad_request`: a NUL in the address is refused before any view
    (voxpop.common.middleware.RefuseNulMiddleware); where a 400 is already listed, its description says so."""
    for method in ("get", "put", "post", "patch", "delete"):
        if method in item:
            responses = item[method]["responses"]
            if "400" in responses:
                responses["400"] = {**_error("The body is not valid UTF-8 JSON, or the path or query string holds a "
                                             "NUL character.", "invalid_json", "bad_request")}
            else:
                responses["400"] = _ref("BadAddress", "responses")
    return item
