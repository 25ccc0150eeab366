"""Webhook endpoints and their delivery log, for admins (voxpop.webhooks).

Endpoints are site-wide (they receive every desk's events), so only admins see these pages; desk
editors and moderators get 403. A new endpoint's signing secret is on the page that answers the
form post, once: it is not kept in the session, and no page shows it again. The delivery log
shows what happened to each delivery, never what it carried.
"""
from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from voxpop.accounts.models import User
from voxpop.common import clock
from voxpop.webhooks.models import Delivery, Endpoint, Event
from voxpop.webhooks.services import (EndpointRefused, delivery_retry, endpoint_create, endpoint_delete,
                                      endpoint_set_active, endpoint_url_check)

from .auth import workspace_view

ADMINS = (User.Role.ADMIN,)
LOG_PAGE_SIZE = 50

EVENT_HELP = {
    Event.COMMENT_PUBLISHED: "a moderator published a comment (its published text)",
    Event.COMMENT_EDITED: "a moderator changed a published comment's text",
    Event.COMMENT_UNPUBLISHED: "a published comment was taken down (undo, withdrawn by its author, erased)",
    Event.COMMENT_REJECTED: "a moderator rejected a comment (ids and house rule only, no text)",
    Event.STORY_CREATED: "a story was registered",
}


class EndpointForm(forms.Form):
    url = forms.CharField(label="URL", max_length=2000)
    events = forms.MultipleChoiceField(label="Events", widget=forms.CheckboxSelectMultiple,
                                       choices=[(e.value, e.value) for e in Event],
                                       error_messages={"required": "Choose at least one event."})

    def clean_url(self):
        try:
            return endpoint_url_check(self.cleaned_data["url"])
        except EndpointRefused as refused:
            raise forms.ValidationError(refused.reason, code="refused") from None


def _endpoints():
    return Endpoint.objects.annotate(
        queued=Count("deliveries", filter=Q(deliveries__next_attempt_at__isnull=False)),
        dead=Count("deliveries", filter=Q(deliveries__dead=True, deliveries__superseded_at__isnull=True)),
    ).order_by("pk")


@require_http_methods(["GET", "POST"])
@workspace_view(*ADMINS)
def endpoints(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _render_endpoints(request, EndpointForm(initial={"events": Event.values}))
    form = EndpointForm(request.POST)
    if not form.is_valid():
        return _render_endpoints(request, form, status=422)
    try:
        endpoint, secret = endpoint_create(url=form.cleaned_data["url"], events=form.cleaned_data["events"],
                                           now=clock.now())
    except EndpointRefused as refused:
        form.add_error("url", refused.reason)
        return _render_endpoints(request, form, status=422)
    # Rendered here, not after a redirect, so the secret never goes into the session.
    return _render_endpoints(request, EndpointForm(initial={"events": Event.values}), created=endpoint,
                             secret=secret, status=201)


def _render_endpoints(request, form, *, created=None, secret="", status=200):
    return render(request, "workspace/webhooks.html", {
        "nav": "webhooks", "endpoints": _endpoints(), "form": form, "created": created, "secret": secret,
        "events": [{"value": e.value, "help": EVENT_HELP[e],
                    "checked": e.value in (form["events"].value() or [])} for e in Event],
    }, status=status)


def _endpoint_or_404(endpoint_id: int) -> Endpoint:
    endpoint = _endpoints().filter(pk=endpoint_id).first()
    if endpoint is None:
        raise Http404("No such webhook endpoint.")
    return endpoint


@require_http_methods(["GET", "POST"])
@workspace_view(*ADMINS)
def endpoint(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    hook = _endpoint_or_404(endpoint_id)
    if request.method == "GET":
        return _render_endpoint(request, hook)
    action = request.POST.get("action")
    if action in ("enable", "disable"):
        endpoint_set_active(endpoint_id=hook.pk, active=action == "enable")
        messages.success(request, "Endpoint enabled: queued deliveries go out again." if action == "enable" else
                         "Endpoint disabled: it gets no new events; queued deliveries wait until it is enabled.")
        return redirect("workspace:webhook", endpoint_id=hook.pk)
    if action == "delete":
        if request.POST.get("confirm") != "delete":
            return _render_endpoint(request, hook, status=400,
                                    error="Tick the box to confirm that the endpoint and its log should be deleted.")
        endpoint_delete(endpoint_id=hook.pk)
        messages.success(request, f"Endpoint {hook.pk} deleted, with its delivery log.")
        return redirect("workspace:webhooks")
    return _render_endpoint(request, hook, status=400, error="Choose to enable, disable or delete the endpoint.")


def _render_endpoint(request, hook, *, error="", status=200):
    deliveries = Delivery.objects.filter(endpoint=hook).order_by("-created_at", "-pk").only(
        "pk", "uuid", "event", "created_at", "attempts", "next_attempt_at", "delivered_at", "last_attempt_at",
        "last_status", "last_error", "dead", "superseded_at", "endpoint_id")  # never the payload
    page = Paginator(deliveries, LOG_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "workspace/webhook.html", {
        "nav": "webhooks", "endpoint": hook, "page": page, "error": error,
    }, status=status)


@require_POST
@workspace_view(*ADMINS)
def retry(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    hook = _endpoint_or_404(endpoint_id)
    which = request.POST.get("delivery", "")
    if which == "all":
        retried = delivery_retry(endpoint_id=hook.pk, now=clock.now())
    elif which.isdecimal():
        retried = delivery_retry(endpoint_id=hook.pk, delivery_id=int(which), now=clock.now())
    else:
        return _render_endpoint(request, hook, status=400, error="Choose a dead delivery to retry.")
    if retried:
        messages.success(request, f"{retried} dead deliver{'y' if retried == 1 else 'ies'} queued for one more "
                                  "attempt now.")
    else:
        messages.info(request, "Nothing to retry: that delivery is no longer dead.")
    return redirect("workspace:webhook", endpoint_id=hook.pk)
