"""/metrics: the moderation backlog and the site's health in the Prometheus text format.

Every figure is read from the database when Prometheus scrapes (a custom collector, no counters in
memory), so whichever server worker or app host answers, the answer is the same:

  voxpop_comments_pending{desk}                        comments waiting for a moderator
  voxpop_comments_pending_oldest_age_seconds{desk}     age of the oldest of them (0: none waiting)
  voxpop_comments{status}                              comments by status
  voxpop_decisions_total{action}                       audit-log rows by action (never deleted, so a counter)
  voxpop_webhook_deliveries{state}                     outbox rows waiting (due or retrying), failed (dead)
  voxpop_classifier_model{language}                    1 if the desk language has an active model, else 0
  voxpop_classifier_model_trained_timestamp_seconds{language}   when that model was trained

Labels are desk keys, statuses, actions, states and language tags: never comment text, names, keys
or addresses. Per-process request counters are left out on purpose: each server worker would
count only its own requests and a scrape would see whichever worker answered (the reverse proxy's
own metrics count requests correctly).

Access: a request from a network in VOXPOP_METRICS_ALLOW (default 127.0.0.1/32 and ::1/128, read
through VOXPOP_TRUSTED_PROXIES like every client address), or one carrying an admin's API token
as `Authorization: Bearer <token>`. Anything else gets 403. A request forwarded by a proxy that is
not trusted (it carries X-Forwarded-For, Forwarded or X-Real-IP) is never let in by network: behind a reverse
proxy on the same machine every reader would otherwise look like 127.0.0.1.
"""
import functools
import ipaddress
from datetime import datetime

from django.conf import settings
from django.db.models import Count, Min
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_http_methods
from prometheus_client import CollectorRegistry
from prometheus_client.exposition import choose_encoder
from prometheus_client.metrics_core import CounterMetricFamily, GaugeMetricFamily

from voxpop.accounts.models import User
from voxpop.accounts.services import user_for_token
from voxpop.comments.models import Comment
from voxpop.common import clock
from voxpop.common.privacy import client_address, trusted_proxies
from voxpop.desks.models import Desk
from voxpop.moderation.models import ModerationDecision
from voxpop.scoring.models import ClassifierModel
from voxpop.webhooks.models import Delivery

DEFAULT_ALLOW = ("127.0.0.1/32", "::1/128")
# Headers a reverse proxy adds: their presence means the peer is a proxy, not the client.
FORWARDING_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_FORWARDED", "HTTP_X_REAL_IP")
REFUSED = ("/metrics answers requests from the networks in VOXPOP_METRICS_ALLOW, or with an admin's API token "
           "as 'Authorization: Bearer <token>'.\n")


def metrics_allowed_networks() -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """VOXPOP_METRICS_ALLOW: networks that may scrape without a token (default: this machine)."""
    return _networks(tuple(getattr(settings, "VOXPOP_METRICS_ALLOW", DEFAULT_ALLOW)))


@functools.lru_cache(maxsize=8)
def _networks(values: tuple[str, ...]):
    return tuple(ipaddress.ip_network(value, strict=False) for value in values)


@require_http_methods(["GET", "HEAD"])
def metrics(request: HttpRequest) -> HttpResponse:
    if not (_from_allowed_network(request) or _by_admin(request)):
        return HttpResponse(REFUSED, status=403, content_type="text/plain; charset=utf-8")
    registry = CollectorRegistry()
    registry.register(VoxpopCollector(now=clock.now()))
    encode, content_type = choose_encoder(request.headers.get("Accept", ""))
    response = HttpResponse(encode(registry), content_type=content_type)
    response["Cache-Control"] = "no-store"
    return response


def _from_allowed_network(request: HttpRequest) -> bool:
    forwarded = any(request.META.get(header) for header in FORWARDING_HEADERS)
    if forwarded and not _peer_is_trusted_proxy(request):
        return False  # a proxy we were not told to trust forwarded it: the peer is not the client
    if _peer_is_trusted_proxy(request) and not request.META.get("HTTP_X_FORWARDED_FOR", "").strip():
        return False  # through a trusted proxy that does not name the client: the address is the proxy's
    address = client_address(request)
    return address is not None and _in(address, metrics_allowed_networks())


def _peer_is_trusted_proxy(request: HttpRequest) -> bool:
    try:
        peer = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return _in(peer, trusted_proxies())


def _in(address, networks) -> bool:
    if address.version == 6 and address.ipv4_mapped:
        address = address.ipv4_mapped
    return any(address.version == network.version and address in network for network in networks)


def _by_admin(request: HttpRequest) -> bool:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return False
    user = user_for_token(token=token.strip())
    return user is not None and user.role == User.Role.ADMIN


class VoxpopCollector:
    """Reads every figure from the database at scrape time: one consistent answer across workers."""

    def __init__(self, *, now: datetime):
        self.now = now

    def collect(self):
        yield from self._pending()
        yield self._by_status()
        yield self._decisions()
        yield self._webhooks()
        yield from self._classifiers()

    def _pending(self):
        count = GaugeMetricFamily("voxpop_comments_pending", "Comments waiting for a moderator, per desk.",
                                  labels=["desk"])
        age = GaugeMetricFamily("voxpop_comments_pending_oldest_age_seconds",
                                "Age of the oldest comment waiting for a moderator, per desk (0: none waiting).",
                                labels=["desk"])
        waiting = {row["desk_id"]: row for row in Comment.objects.filter(status=Comment.Status.PENDING)
                   .values("desk_id").annotate(n=Count("pk"), oldest=Min("created_at")).order_by()}
        for desk_id, key in Desk.objects.order_by("key").values_list("pk", "key"):
            row = waiting.get(desk_id)
            count.add_metric([key], row["n"] if row else 0)
            age.add_metric([key], max(0.0, (self.now - row["oldest"]).total_seconds()) if row else 0.0)
        yield count
        yield age

    def _by_status(self):
        family = GaugeMetricFamily("voxpop_comments", "Comments by status.", labels=["status"])
        counts = dict(Comment.objects.values_list("status").annotate(n=Count("pk")).order_by())
        for status in Comment.Status.values:
            family.add_metric([status], counts.get(status, 0))
        return family

    def _decisions(self):
        family = CounterMetricFamily("voxpop_decisions", "Moderation decisions recorded in the audit log, by action.",
                                     labels=["action"])
        counts = dict(ModerationDecision.objects.values_list("action").annotate(n=Count("pk")).order_by())
        for action in ModerationDecision.Action.values:
            family.add_metric([action], counts.get(action, 0))
        return family

    def _webhooks(self):
        family = GaugeMetricFamily("voxpop_webhook_deliveries",
                                   "Webhook deliveries waiting (due or retrying) and failed (dead, until an admin "
                                   "retries them).", labels=["state"])
        family.add_metric(["waiting"], Delivery.objects.filter(next_attempt_at__isnull=False).count())
        family.add_metric(["failed"], Delivery.objects.filter(dead=True, delivered_at__isnull=True).count())
        return family

    def _classifiers(self):
        present = GaugeMetricFamily("voxpop_classifier_model",
                                    "1 if the language has an active classifier model, 0 if not (no model yet).",
                                    labels=["language"])
        trained = GaugeMetricFamily("voxpop_classifier_model_trained_timestamp_seconds",
                                    "When the language's active classifier model was trained (Unix time).",
                                    labels=["language"])
        # Never the weights column: only which languages have a model, and since when.
        models = dict(ClassifierModel.objects.filter(active=True).values_list("language", "trained_at"))
        languages = set(models)
        for desk_languages in Desk.objects.values_list("languages", flat=True):
            languages.update(desk_languages or [])
        for language in sorted(languages):
            present.add_metric([language], 1 if language in models else 0)
            if language in models:
                trained.add_metric([language], models[language].timestamp())
        yield present
        yield trained
