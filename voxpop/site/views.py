"""Operator endpoints (/healthz, /readyz) and the demo newsroom's own pages.

The demo pages stand in for a newsroom's CMS: an article page that includes the Voxpop thread
server-side, the way a CMS template would.
"""
import logging

from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils import translation
from django.views.decorators.http import require_GET

from voxpop.comments.forms import CommentForm
from voxpop.reader.views import thread_context
from voxpop.common.i18n import ui_language
from voxpop.stories.models import Story

from .demo import DEMO_ARTICLES

log = logging.getLogger(__name__)


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """The process is up; it says nothing about its dependencies (that is /readyz)."""
    return JsonResponse({"status": "ok"})


@require_GET
def readyz(request: HttpRequest) -> HttpResponse:
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as error:  # readiness reports any failure instead of raising it
        log.warning("readyz: database unavailable: %s", type(error).__name__)
        checks["database"] = "unavailable"
    try:
        cache.set("voxpop:readyz", "1", 5)
        checks["cache"] = "ok" if cache.get("voxpop:readyz") == "1" else "unavailable"
    except Exception as error:
        log.warning("readyz: cache unavailable: %s", type(error).__name__)
        checks["cache"] = "unavailable"
    ready = all(v == "ok" for v in checks.values())
    return JsonResponse({"status": "ok" if ready else "unavailable", "checks": checks}, status=200 if ready else 503)


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "site/home.html", {"stories": Story.objects.select_related("desk").all()[:50]})


@require_GET
def article(request: HttpRequest, key: str) -> HttpResponse:
    """A demo article page with the comment thread included server-side."""
    story = get_object_or_404(Story.objects.select_related("desk"), key=key)
    with translation.override(ui_language(story.language)):
        context = thread_context(request, story, CommentForm())
        context["article"] = DEMO_ARTICLES.get(story.key)
        return render(request, "site/article.html", context)
