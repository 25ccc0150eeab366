"""JSON API v1: every route of PRODUCT.md section 4, each a thin shell around a service or selector."""
import time
import sys
from datetime import datetime
from functools import wraps

from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.urls import reverse
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt

from voxpop.accounts.models import User
from voxpop.comments import selectors as comment_selectors
from voxpop.comments import services as comment_services
from voxpop.comments.forms import CommentForm
from voxpop.comments.limits import IDEMPOTENCY_KEY_MAX_CHARS
from voxpop.comments.unavailable import unavailable_response
from voxpop.common import clock
from voxpop.common.pow import HEADER as PROOF_HEADER, proof_header_read, proof_verify
from voxpop.common.privacy import source_keys
from voxpop.common.ratelimit import UNPROVEN, RateLimited, submission_admit
from voxpop.moderation.selectors import comment_list_for_queue, comment_list_for_queue_by_risk
from voxpop.moderation.services import restriction_carry_over
from voxpop.reader.form_token import form_token_read
from voxpop.reader.views import public_thread_response
from voxpop.scoring.intake import comment_intake_soon
from voxpop.stories.models import Story
from voxpop.stories.selectors import story_list_visible

from . import decisions, stories
from .errors import ApiError, not_found
from .openapi import openapi_document
from .representations import comment_moderation_json, comment_public_json, story_json
from .request import (authenticated_user, decode_cursor, encode_cursor, json_object, limit_param,
                      optional_int, optional_string)


def api_view(*methods):
    """JSON in and out, the error shape on every failure, no CSRF cookie (tokens, not sessions)."""
    allowed = list(methods)

    def decorate(view):
        @csrf_exempt
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            try:
                if request.method not in allowed:
                    raise ApiError(405, "method_not_allowed", f"Use {' or '.join(allowed)}.",
                                   headers={"Allow": ", ".join(allowed)})
                return view(request, *args, **kwargs)
            except ApiError as error:
                return error.response()
        return wrapper
    return decorate


def _json(data: dict, status: int = 200) -> JsonResponse:
    return JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})


def _story_or_404(key: str) -> Story:
    story = Story.objects.select_related("desk").filter(key=key).first()
    if story is None:
        raise not_found("story")
    return story


def _is_staff(request: HttpRequest) -> bool:
    """A request with a token is a newsroom client (401 if the token is bad); without one, a reader."""
    return "Authorization" in request.headers and authenticated_user(request) is not None


def _next_link(request: HttpRequest, cursor: str | None) -> str | None:
    if cursor is None:
        return None
    query = request.GET.copy()
    query["cursor"] = cursor
    return f"{request.path}?{query.urlencode()}"


@api_view("GET")
def story_list(request):
    limit = limit_param(request)
    after = decode_cursor(request.GET.get("cursor", ""), int)
    now = clock.now()
    qs = story_list_visible(now=now, staff=_is_staff(request))
    if after:
        qs = qs.filter(pk__lt=after[0])
    page = list(qs[:limit + 1])
    cursor = encode_cursor(page[limit - 1].pk) if len(page) > limit else None
    return _json({"stories": [story_json(s, now=now) for s in page[:limit]], "next": _next_link(request, cursor)})


@api_view("GET", "PUT")
def story_detail(request, key):
    if request.method == "GET":
        now = clock.now()
        story = story_list_visible(now=now, staff=_is_staff(request)).filter(key=key).first()
        if story is None:
            raise not_found("story")
        return _json(story_json(story, now=now))
    user = authenticated_user(request)
    story, created = stories.story_put(user=user, key=key, data=json_object(request), now=clock.now())
    return _json(story_json(story, now=clock.now()), status=201 if created else 200)


@api_view("GET", "POST")
def story_comments(request, key):
    story = _story_or_404(key)
    if request.method == "POST":
        return _comment_submit(request, story)
    if story.published_at and story.published_at > clock.now():
        raise not_found("story")  # embargoed: as GET /stories/{key} says (this answer may be cached for all)
    limit = limit_param(request)
    after = decode_cursor(request.GET.get("cursor", ""), datetime, int)
    page = comment_selectors.comment_list_published_after(story=story, after=after, limit=limit + 1)
    cursor = encode_cursor(page[limit - 1].published_at, page[limit - 1].pk) if len(page) > limit else None
    # Only the parameters that choose the page go into the link: the answer is shared by every reader.
    query = QueryDict(mutable=True)
    query.update({k: request.GET[k] for k in ("limit",) if k in request.GET} | {"cursor": cursor})
    response = _json({"comments": [comment_public_json(c) for c in page[:limit]],
                      "next": f"{request.path}?{query.urlencode()}" if cursor else None})
    return public_thread_response(request, story, response)


def _comment_submit(request: HttpRequest, story: Story) -> JsonResponse:
    idempotency_key = request.headers.get("Idempotency-Key", "").strip()
    if len(idempotency_key) > IDEMPOTENCY_KEY_MAX_CHARS or not idempotency_key.isascii() \
            or not idempotency_key.isprintable():
        raise ApiError(422, "invalid", f"Idempotency-Key must be at most {IDEMPOTENCY_KEY_MAX_CHARS} "
                       "printable ASCII characters.", "Idempotency-Key")
    data = json_object(request)
    form = CommentForm({"body": optional_string(data, "body"), "display_name": optional_string(data, "display_name"),
                        "parent": optional_int(data, "parent")})
    if not form.is_valid():
        field, errors = next(iter(form.errors.items()))
        raise ApiError(422, errors.as_data()[0].code or "invalid", str(errors[0]), field)
    now = clock.now()
    keys = source_keys(request, now=now)
    submission_key = f"api:{idempotency_key}" if idempotency_key else None
    # A retry that already made its comment is answered with that comment, whatever the limits.
    if not (submission_key and comment_selectors.comment_submission_exists(story=story, submission_key=submission_key)):
        # `Proof-Of-Work: <token> <nonce>` buys the ordinary budget; without a valid one, the stricter one.
        token, nonce = proof_header_read(request.headers.get(PROOF_HEADER, ""))
        proof = proof_verify(token=form_token_read(token) if token else None, body=optional_string(data, "body"),
                             nonce=nonce, now=time.time())
        try:
            submission_admit(rate_key=keys.rate, story_id=story.pk, now=now, proof=proof)
        except RateLimited as limited:
            unproven = " without a valid Proof-Of-Work header" if limited.scope == UNPROVEN else ""
            raise ApiError(429, "rate_limited", f"Too many comments have been sent in a short time{unproven}. "
                           f"Send it again in {limited.retry_after} seconds.",
                           headers={"Retry-After": str(limited.retry_after)}) from None
    try:
        submission = comment_services.comment_submit(
            story=story, body=form.cleaned_data["body"], display_name=form.cleaned_data["display_name"],
            parent_id=form.cleaned_data["parent"], submission_key=submission_key, commenter_key=keys.commenter,
            now=now,
        )
    except comment_services.StoryClosed:
        raise ApiError(409, "story_closed", "Comments on this story are closed.") from None
    except comment_services.InvalidParent:
        raise ApiError(422, "invalid_parent", "'parent' is not a published comment of this story.", "parent") from None
    except comment_services.IdempotencyKeyReused:
        raise ApiError(422, "idempotency_key_reused", "This Idempotency-Key was already used for a different "
                       "comment.", "Idempotency-Key") from None
    comment = submission.comment
    if submission.created:
        restriction_carry_over(commenter_key=keys.commenter, previous_key=keys.previous_commenter, now=now)
        comment_intake_soon(comment=comment)
    receipt = reverse("reader:receipt", args=[comment_services.receipt_token(comment)])
    return _json({"id": comment.pk, "status": comment.status, "receipt_url": request.build_absolute_uri(receipt)},
                 status=202)


QUEUE_ORDERS = ("oldest", "risk")
SIGNAL_NAME_MAX_CHARS = 40  # scoring.models.SignalHit.name


@api_view("GET")
def moderation_queue(request):
    user = authenticated_user(request)
    limit = limit_param(request)
    order = request.GET.get("order", "") or "oldest"
    if order not in QUEUE_ORDERS:
        raise ApiError(422, "invalid", "'order' must be oldest or risk.", "order")
    signal = request.GET.get("signal", "")
    if len(signal) > SIGNAL_NAME_MAX_CHARS:
        raise ApiError(422, "invalid", f"'signal' is a signal name of at most {SIGNAL_NAME_MAX_CHARS} characters.",
                       "signal")
    if order == "risk":
        # A keyset cursor on the queue's order (priority, then time received, then id).
        after = decode_cursor(request.GET.get("cursor", ""), float, datetime, int)
        page = comment_list_for_queue_by_risk(moderator=user, after=after, limit=limit + 1, signal=signal)
        last = page[limit - 1] if len(page) > limit else None
        cursor = encode_cursor(repr(last.priority), last.created_at, last.pk) if last else None
    else:
        after = decode_cursor(request.GET.get("cursor", ""), int)
        page = comment_list_for_queue(moderator=user, after_id=after[0] if after else None, limit=limit + 1,
                                      signal=signal)
        cursor = encode_cursor(page[limit - 1].pk) if len(page) > limit else None
    return _json({"comments": [comment_moderation_json(c) for c in page[:limit]], "next": _next_link(request, cursor)})


@api_view("POST")
def moderation_decision(request, comment_id):
    user: User = authenticated_user(request)
    comment = decisions.decide(user=user, comment_id=comment_id, data=json_object(request), now=clock.now())
    return _json(comment_moderation_json(comment))


@api_view("GET")
def openapi(request):
    return _json(openapi_document(request.build_absolute_uri("/")))


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler404: the API's error shape under /api/, Django's page elsewhere."""
    if request.path_info.startswith("/api/"):
        return ApiError(404, "not_found", "No such API resource. See /api/v1/openapi.json.").response()
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: a database outage met outside a view (a middleware reading the session) is the
    503 of voxpop.comments.unavailable; anything else, the API's error shape under /api/, without
    any detail of the failure."""
    outage = unavailable_response(request, sys.exc_info()[1])
    if outage is not None:
        return outage
    if request.path_info.startswith("/api/"):
        return ApiError(500, "server_error", "Something went wrong on the server. Please try again later.").response()
    return defaults.server_error(request)
