"""When the database cannot be reached or cannot write: a 503 that keeps what the person typed.

A full disk under SQLite, a PostgreSQL restart, a dropped connection: the request fails with an
OperationalError (or InterfaceError) from the view, or from a middleware before it (the 500
handler then answers with `unavailable_response`). Nothing was acknowledged, so nothing is lost
(G4) as long as the answer says to send it again and the reader still has their text. This middleware turns those
errors into:

- under /api/: 503 in the API's error shape, `{"error": {"code": "unavailable", ...}}`, with
  Retry-After; a client resends with the same Idempotency-Key and gets one comment (the failure
  may come after the comment was committed, e.g. while it is scored, so the answer never says
  "nothing was saved");
- the reader's comment form: 503 with the text back in a form that sends everything again as it
  was (the same form token, so a resend that follows an answer lost in transit makes no second
  comment); no other form gets its fields back (a sign-in's password never comes back in a page);
- any other page: a short 503 page.

Other database errors (integrity, programming) are bugs, not outages: they stay 500s.
"""
import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _

from voxpop.common.middleware import embed_frame_ancestors

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5
# Posted fields shown to the person to edit again (_visible_fields); every other field goes back
# hidden, as it came.
VISIBLE_FIELDS = ("body", "display_name")


class StorageUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        return unavailable_response(request, exception)


def unavailable_response(request: HttpRequest, exception: BaseException | None) -> HttpResponse | None:
    """The 503 for a database outage, or None if `exception` is something else. Also used by the 500
    handler (voxpop.api.views.server_error) for outages met before any view, e.g. while a
    moderator's session is read."""
    if not isinstance(exception, (OperationalError, InterfaceError)):
        return None
    log.warning("database unavailable for %s %s: %s", request.method, request.path_info,
                type(exception.__cause__ or exception).__name__)
    if request.path_info.startswith("/api/"):
        response = JsonResponse({"error": {
            "code": "unavailable", "field": None,
            "message": f"The service could not finish this just now. Send it again in {RETRY_AFTER_SECONDS} "
                       f"seconds with the same Idempotency-Key: if it was stored already, the answer is that "
                       f"comment, never a second one.",
        }}, status=503)
    else:
        response = render(request, "comments/unavailable.html", _page_context(request), status=503)
        match = request.resolver_match
        if match and match.namespace == "reader":  # the reader pages may be shown in an iframe
            response.frame_ancestors = embed_frame_ancestors()
            response.xframe_options_exempt = True
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def _page_context(request: HttpRequest) -> dict:
    # The story (its language) is in the database this page cannot count on: the page speaks the
    # request's language.
    page = {"story": {"language": translation.get_language() or "en", "is_rtl": translation.get_language_bidi()},
            "form": False}
    match = request.resolver_match
    # Only the reader's comment form gets its fields back: never a sign-in form's password or code.
    if request.method != "POST" or match is None or match.view_name != "reader:thread":
        return page
    try:
        posted = request.POST
    except Exception:  # noqa: BLE001 - an unreadable body has no text to give back
        return page
    return {
        **page,
        "form": True,
        "action": request.get_full_path(),
        "visible": [(name, label, posted.get(name)) for name, label in _visible_fields() if name in posted],
        "hidden": [(name, value) for name, values in posted.lists() if name not in VISIBLE_FIELDS
                   for value in values],
    }


def _visible_fields() -> list[tuple[str, str]]:
    """The reader form's own labels (voxpop.comments.forms.CommentForm)."""
    return [("body", _("Your comment")), ("display_name", _("Name to show (optional)"))]
