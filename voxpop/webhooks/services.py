"""Webhooks: what is enqueued when, and the endpoints that receive it.

The moderation and story services call `webhook_comment_changed` and `webhook_story_created` inside
their own transaction, right after the change they report; the Delivery rows commit or roll back
with it (a transactional outbox), and `voxpop webhooks deliver` (voxpop.webhooks.delivery) sends
them after the commit.

A comment's events follow its public state, never its private one (G6):

  pending  -> approved       comment.published    the published revision's text
  approved -> approved       comment.edited       the new published text (a moderator's edit, or
                                                  the undo of one)
  approved -> anything else  comment.unpublished  ids only (undo, withdrawal, erasure)
  pending  -> rejected       comment.rejected     ids, time and house rule number: no text

Everything else (an edit of a pending comment, a reopening, an undone rejection) is not public
and sends nothing. A new event about a comment supersedes the undelivered ones before it, on
every endpoint: a receiver never gets an old text after a newer state (say, the published text
after an undo made the comment pending again), and no text of a comment taken down stays in the
outbox.
"""
import ipaddress
import logging
import secrets
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from voxpop.comments.models import Comment
from voxpop.desks.models import HouseRule
from voxpop.stories.models import Story

from .models import Delivery, Endpoint, Event

log = logging.getLogger(__name__)

Status = Comment.Status
URL_MAX_CHARS = 2000


def allow_private() -> bool:
    """VOXPOP_WEBHOOKS_ALLOW_PRIVATE: endpoints on loopback and private networks (tests, a local receiver)."""
    return settings.VOXPOP_WEBHOOKS_ALLOW_PRIVATE


def timestamp(value: datetime | None) -> str | None:
    """The API's time format (voxpop.api.representations): ISO 8601 in UTC with a Z."""
    return value.isoformat().replace("+00:00", "Z") if value else None


# Enqueueing: called inside the transaction of the change


def comment_event_for(*, from_status: str, to_status: str) -> str | None:
    """The event a status change means to the public, or None if the public sees no change."""
    if from_status == Status.APPROVED:
        return Event.COMMENT_EDITED if to_status == Status.APPROVED else Event.COMMENT_UNPUBLISHED
    if to_status == Status.APPROVED:
        return Event.COMMENT_PUBLISHED
    if from_status == Status.PENDING and to_status == Status.REJECTED:
        return Event.COMMENT_REJECTED
    return None


def webhook_comment_changed(*, comment_id: int, from_status: str, to_status: str, now: datetime,
                            rule: HouseRule | None = None) -> list[Delivery]:
    """Enqueue the event of a comment's status change (see the module docstring); `rule`: a rejection's."""
    event = comment_event_for(from_status=from_status, to_status=to_status)
    if event is None:
        return []
    # On every endpoint, even one that does not take this event (or is disabled): an older text
    # must not go out after the comment changed.
    _supersede(comment_id=comment_id, now=now)
    endpoints = _subscribers(event)
    if not endpoints:
        return []
    comment = Comment.objects.select_related("story", "current_revision__rule").get(pk=comment_id)
    if event in (Event.COMMENT_PUBLISHED, Event.COMMENT_EDITED):
        data = comment_published_data(comment)
    elif event == Event.COMMENT_REJECTED:
        data = {"id": comment.pk, "story": comment.story.key, "decided_at": timestamp(now),
                "rule": rule.number if rule else None}
    else:
        data = {"id": comment.pk, "story": comment.story.key, "unpublished_at": timestamp(now)}
    return _enqueue(endpoints, event=event, data=data, comment_id=comment_id, now=now)


def comment_published_data(comment: Comment) -> dict:
    """A published comment as the API shows it (`comment_public_json`), with its story's key."""
    revision = comment.current_revision
    rule = revision.rule
    return {
        "id": comment.pk, "story": comment.story.key, "body": revision.body,
        "display_name": comment.display_name or None, "published_at": timestamp(comment.published_at),
        "parent": comment.parent_id,
        "edited": {"by": "moderator", "rule": {"number": rule.number, "text": rule.text} if rule else None}
        if revision.edited_by_moderator else None,
    }


def webhook_story_created(*, story: Story, now: datetime) -> list[Delivery]:
    """Enqueue story.created for a story just registered."""
    endpoints = _subscribers(Event.STORY_CREATED)
    if not endpoints:
        return []
    return _enqueue(endpoints, event=Event.STORY_CREATED, now=now, data={
        "key": story.key, "title": story.title, "url": story.url, "language": story.language,
        "desk": story.desk.key, "published_at": timestamp(story.published_at),
    })


def _subscribers(event: str) -> list[Endpoint]:
    # A handful of rows: filtered here, since SQLite cannot query inside a JSON list.
    return [e for e in Endpoint.objects.filter(active=True).only("pk", "events") if event in e.events]


def _enqueue(endpoints: list[Endpoint], *, event: str, data: dict, now: datetime,
             comment_id: int | None = None) -> list[Delivery]:
    payload = {"event": event, "created_at": timestamp(now), "data": data}
    return Delivery.objects.bulk_create([
        Delivery(endpoint=endpoint, event=event, comment_id=comment_id, payload=payload, created_at=now,
                 next_attempt_at=now)
        for endpoint in endpoints
    ])


def _supersede(*, comment_id: int, now: datetime) -> None:
    Delivery.objects.filter(comment_id=comment_id, delivered_at__isnull=True, superseded_at__isnull=True).update(
        superseded_at=now, next_attempt_at=None, payload={})


# Endpoints, for admins (voxpop.workspace.webhooks_admin and `voxpop webhooks add`)


class EndpointRefused(Exception):
    """The URL cannot be a webhook endpoint; `reason` says why, for the admin."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def address_is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Whether an address is on the public internet: not loopback, private, link-local, reserved, multicast."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


def endpoint_url_check(url: str) -> str:
    """The URL an endpoint will be posted to, or EndpointRefused.

    Only http and https, with a host name and no user name or password. A host given as a private
    or loopback address (or `localhost`) is refused here unless VOXPOP_WEBHOOKS_ALLOW_PRIVATE; a
    host name is checked again each time it is resolved for a delivery (voxpop.webhooks.delivery).
    """
    url = url.strip()
    if not url:
        raise EndpointRefused("Give the URL that should receive the webhooks.")
    if len(url) > URL_MAX_CHARS or not url.isprintable() or any(c.isspace() for c in url):
        raise EndpointRefused(f"The URL must be at most {URL_MAX_CHARS} characters, without spaces.")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (raises ValueError on a bad port)
    except ValueError:
        raise EndpointRefused("This is not a valid URL.") from None
    if parts.scheme not in ("http", "https"):
        raise EndpointRefused("The URL must start with https:// (or http://).")
    if not parts.hostname:
        raise EndpointRefused("The URL must name a host.")
    if parts.username is not None or parts.password is not None:
        raise EndpointRefused("Leave user names and passwords out of the URL: the signature authenticates Voxpop.")
    if not allow_private() and host_is_private(parts.hostname):
        raise EndpointRefused("This URL points to this machine or a private network, which webhooks may not "
                              "reach (set VOXPOP_WEBHOOKS_ALLOW_PRIVATE=1 to allow it).")
    return parts._replace(fragment="").geturl()


def host_is_private(host: str) -> bool:
    """A host given as a non-public address, or a name for this machine."""
    name = host.rstrip(".").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return not address_is_public(ipaddress.ip_address(name.split("%", 1)[0]))
    except ValueError:
        return False


def secret_generate() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def endpoint_create(*, url: str, events: list[str], now: datetime) -> tuple[Endpoint, str]:
    """Register an endpoint for `events`; returns it with its signing secret, which is shown only now."""
    unknown = sorted(set(events) - set(Event.values))
    if unknown:
        raise EndpointRefused(f"Unknown event: {unknown[0]}.")
    if not events:
        raise EndpointRefused("Choose at least one event.")
    url = endpoint_url_check(url)
    secret = secret_generate()
    endpoint = Endpoint.objects.create(url=url, secret=secret, events=[e for e in Event.values if e in events],
                                       created_at=now)
    log.info("webhook endpoint %s created for %s", endpoint.pk, ",".join(endpoint.events))
    return endpoint, secret


def endpoint_set_active(*, endpoint_id: int, active: bool) -> bool:
    """Enable or disable an endpoint. A disabled one gets no new events; its queued ones wait for it."""
    changed = Endpoint.objects.filter(pk=endpoint_id).exclude(active=active).update(active=active) == 1
    if changed:
        log.info("webhook endpoint %s %s", endpoint_id, "enabled" if active else "disabled")
    return changed


def endpoint_delete(*, endpoint_id: int) -> bool:
    """Delete an endpoint with its delivery log and anything still queued for it."""
    with transaction.atomic():
        deleted = Endpoint.objects.filter(pk=endpoint_id).delete()[0] > 0
    if deleted:
        log.info("webhook endpoint %s deleted", endpoint_id)
    return deleted


LOG_DAYS = 30


def delivery_log_purge(*, now: datetime, days: int = LOG_DAYS) -> int:
    """Delete delivered and superseded deliveries created more than `days` ago (run by `voxpop purge`).

    Queued and dead deliveries stay, whatever their age: they are not finished.
    """
    cutoff = now - timedelta(days=days)
    return Delivery.objects.filter(Q(delivered_at__isnull=False) | Q(superseded_at__isnull=False),
                                   created_at__lt=cutoff).delete()[0]


def delivery_retry(*, endpoint_id: int, now: datetime, delivery_id: int | None = None) -> int:
    """Make a dead delivery of the endpoint (or, without `delivery_id`, all of them) due now.

    It gets one more attempt; if that fails it is dead again. Returns how many were made due.
    """
    dead = Delivery.objects.filter(endpoint_id=endpoint_id, dead=True, delivered_at__isnull=True,
                                   superseded_at__isnull=True)
    if delivery_id is not None:
        dead = dead.filter(pk=delivery_id)
    retried = dead.update(dead=False, next_attempt_at=now)
    if retried:
        log.info("webhook endpoint %s: %d dead deliveries retried", endpoint_id, retried)
    return retried
