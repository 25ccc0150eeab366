"""Sending the outbox: `voxpop webhooks deliver`.

Any number of workers may run, on any hosts. A worker claims one due delivery at a time: on
PostgreSQL with `SELECT ... FOR UPDATE SKIP LOCKED`, so workers never wait on each other; on
SQLite (which has no row locks) with a compare-and-set on (attempts, next_attempt_at). Claiming
counts the attempt and moves `next_attempt_at` forward by LEASE: if the worker dies mid-attempt,
the delivery is simply due again when the lease runs out, and another worker sends it (a receiver
may then see it twice: `Voxpop-Delivery` lets it notice). A worker that comes back after its lease
ran out cannot overwrite what the newer attempt recorded.

Each attempt is one POST with a TIMEOUT per network operation and DEADLINE in all. A 2xx answer
delivers it; anything else (another status, a redirect, which is never followed, a timeout, a
refused address) schedules the next attempt after BACKOFF (plus up to 20% jitter, so that
deliveries failing together do not retry together); after MAX_ATTEMPTS it is dead, until an admin
retries it.

Before connecting, every address the endpoint's host resolves to is checked: loopback, private,
link-local and other non-public addresses are refused (unless VOXPOP_WEBHOOKS_ALLOW_PRIVATE), and the
connection goes to the address that was checked, so a host name cannot be re-pointed in between.
"""
import http.client
import ipaddress
import json
import logging
import random
import socket
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.db import DatabaseError, close_old_connections, connection, transaction
from django.db.models import F

from .models import Delivery
from .services import address_is_public, allow_private
from .signing import signature_header

log = logging.getLogger(__name__)

BACKOFF = (timedelta(seconds=30), timedelta(minutes=2), timedelta(minutes=10), timedelta(hours=1),
           timedelta(hours=6), timedelta(hours=24))
MAX_ATTEMPTS = len(BACKOFF) + 1  # the first attempt, then one after each wait
JITTER = 0.2
LEASE = timedelta(minutes=2)  # far longer than an attempt can take (DEADLINE)
TIMEOUT = 5.0  # seconds, per connect or read
DEADLINE = 15.0  # seconds for the whole attempt, however slowly the receiver answers
ERROR_MAX_CHARS = 200
USER_AGENT = "Voxpop-Webhooks/1"


class AddressRefused(Exception):
    """The endpoint's host resolves only to addresses webhooks may not reach."""


@dataclass(frozen=True)
class Outcome:
    status: int | None  # the HTTP status, or None if there was no answer
    error: str  # "" when delivered

    @property
    def delivered(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


Sender = Callable[..., Outcome]


def backoff(attempts: int, *, rng: random.Random | None = None) -> timedelta:
    """The wait after the `attempts`-th failed attempt (1-based), with jitter."""
    base = BACKOFF[min(attempts, len(BACKOFF)) - 1]
    return base * (1 + (rng or random).uniform(0, JITTER))


def delivery_body(delivery: Delivery) -> bytes:
    return json.dumps({"id": str(delivery.uuid), **delivery.payload}, ensure_ascii=False,
                      separators=(",", ":")).encode("utf-8")


def delivery_headers(delivery: Delivery, body: bytes, *, now: datetime) -> dict[str, str]:
    return {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        "Voxpop-Event": delivery.event,
        "Voxpop-Delivery": str(delivery.uuid),
        "Voxpop-Signature": signature_header(secret=delivery.endpoint.secret, timestamp=int(now.timestamp()),
                                             body=body),
    }


# Claiming and recording


def delivery_claim(*, now: datetime) -> Delivery | None:
    """Take the next due delivery of an active endpoint for one attempt, or None if nothing is due."""
    with transaction.atomic():
        due = (Delivery.objects.filter(next_attempt_at__lte=now, endpoint__active=True)
               .order_by("next_attempt_at", "pk").values_list("pk", "attempts", "next_attempt_at"))
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True, of=("self",))[:1]
        else:
            due = due[:5]  # another worker may win the first: try the next
        for pk, attempts, next_attempt_at in due:
            claimed = Delivery.objects.filter(pk=pk, attempts=attempts, next_attempt_at=next_attempt_at).update(
                attempts=F("attempts") + 1, next_attempt_at=now + LEASE, last_attempt_at=now)
            if claimed:
                return Delivery.objects.select_related("endpoint").get(pk=pk)
    return None


def delivery_record(*, delivery: Delivery, outcome: Outcome, now: datetime, rng: random.Random | None = None) -> str:
    """Record the attempt `delivery_claim` handed out: 'delivered', 'retry', 'dead', or 'stale'.

    'stale': the lease ran out and another worker took the delivery over, or it was superseded
    meanwhile; this attempt's outcome is not recorded over the newer state.
    """
    mine = Delivery.objects.filter(pk=delivery.pk, attempts=delivery.attempts, delivered_at__isnull=True)
    error = outcome.error[:ERROR_MAX_CHARS]
    if outcome.delivered:
        # The receiver has it: the payload is no longer needed here.
        if mine.update(delivered_at=now, next_attempt_at=None, last_status=outcome.status, last_error="",
                       payload={}):
            return "delivered"
        return "stale"
    mine = mine.filter(superseded_at__isnull=True)
    if delivery.attempts >= MAX_ATTEMPTS:
        result = "dead" if mine.update(dead=True, next_attempt_at=None, last_status=outcome.status,
                                       last_error=error) else "stale"
    else:
        result = "retry" if mine.update(next_attempt_at=now + backoff(delivery.attempts, rng=rng),
                                        last_status=outcome.status, last_error=error) else "stale"
    if result != "stale":
        log.warning("webhook delivery %s to endpoint %s failed (attempt %d): %s", delivery.pk, delivery.endpoint_id,
                    delivery.attempts, error)
    return result


@dataclass
class Summary:
    delivered: int = 0
    retry: int = 0
    dead: int = 0
    stale: int = 0

    @property
    def attempts(self) -> int:
        return self.delivered + self.retry + self.dead + self.stale


def deliver_due(*, now: datetime, clock: Callable[[], datetime] | None = None, limit: int | None = None,
                send: Sender | None = None) -> Summary:
    """Attempt every delivery due at `now` once (up to `limit`); what became of them.

    Each attempt is signed and recorded at `clock()` (default: `now`, for tests), so a long pass
    never sends a stale signature timestamp.
    """
    send = send or post
    summary = Summary()
    while limit is None or summary.attempts < limit:
        delivery = delivery_claim(now=now)
        if delivery is None:
            break
        at = clock() if clock else now
        body = delivery_body(delivery)
        outcome = send(delivery.endpoint.url, body, delivery_headers(delivery, body, now=at))
        result = delivery_record(delivery=delivery, outcome=outcome, now=clock() if clock else now)
        setattr(summary, result, getattr(summary, result) + 1)
    return summary


def worker_run(*, clock: Callable[[], datetime], stop: threading.Event, once: bool = False, poll: float = 2.0,
               send: Sender | None = None) -> Summary:
    """The `voxpop webhooks deliver` loop: deliver what is due, wait `poll` seconds when idle, until `stop`.

    With `once`: one pass over what is due now, then return. A database that is down is waited
    for, not fatal: nothing is lost, since the outbox is in the database.
    """
    total = Summary()
    while not stop.is_set():
        _refresh_connections()
        try:
            summary = deliver_due(now=clock(), clock=clock, send=send, limit=None if once else 50)
        except DatabaseError as error:
            log.error("webhook worker: database unavailable (%s); retrying in %ss", type(error).__name__, poll)
            if once:
                raise
            stop.wait(poll)
            continue
        for name in ("delivered", "retry", "dead", "stale"):
            setattr(total, name, getattr(total, name) + getattr(summary, name))
        if once:
            break
        if not summary.attempts:
            stop.wait(poll)
    _refresh_connections()
    return total


def _refresh_connections() -> None:
    """Drop database connections past their age or broken (a restarted PostgreSQL), as a request would."""
    if not connection.in_atomic_block:  # only ever inside one when a test drives the loop
        close_old_connections()


# The POST itself


def post(url: str, body: bytes, headers: dict[str, str]) -> Outcome:
    """POST `body` to `url` once; never follows a redirect; the outcome, with a short reason on failure."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return Outcome(None, "not an http(s) URL")
    private = allow_private()
    try:
        port = parts.port
        if parts.scheme == "https":
            conn = _HTTPSConnection(parts.hostname, port, timeout=TIMEOUT, allow_private=private)
        else:
            conn = _HTTPConnection(parts.hostname, port, timeout=TIMEOUT, allow_private=private)
    except ValueError:
        return Outcome(None, "not a valid URL")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    watchdog = threading.Timer(DEADLINE, _abort, args=(conn,))
    watchdog.daemon = True
    watchdog.start()
    started = time.monotonic()
    try:
        conn.request("POST", path, body=body, headers=headers)
        status = conn.getresponse().status
    except AddressRefused as refused:
        return Outcome(None, str(refused))
    except TimeoutError:
        return Outcome(None, "timed out")
    except ConnectionRefusedError:
        return Outcome(None, "connection refused")
    except socket.gaierror:
        return Outcome(None, "host name not found")
    except ssl.SSLError as error:
        return Outcome(None, f"TLS error: {error.reason or type(error).__name__}")
    except (http.client.HTTPException, OSError) as error:
        if time.monotonic() - started >= DEADLINE:
            return Outcome(None, f"no complete answer within {DEADLINE:g} s")
        return Outcome(None, f"connection failed: {getattr(error, 'strerror', None) or type(error).__name__}")
    finally:
        watchdog.cancel()
        conn.close()
    if 300 <= status < 400:
        return Outcome(status, f"HTTP {status}: redirects are not followed")
    return Outcome(status, "" if 200 <= status < 300 else f"HTTP {status}")


def _abort(conn: http.client.HTTPConnection) -> None:
    sock = conn.sock
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def _connect(host: str, port: int, timeout: float, allow_private: bool) -> socket.socket:
    """A TCP connection to the first reachable address of `host` that webhooks may reach."""
    refused, last_error = None, None
    for family, kind, proto, _, address in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM):
        ip = ipaddress.ip_address(address[0].split("%", 1)[0])
        if not allow_private and not address_is_public(ip):
            refused = ip
            continue
        sock = socket.socket(family, kind, proto)
        sock.settimeout(timeout)
        try:
            sock.connect(address)
            return sock
        except OSError as error:
            sock.close()
            last_error = error
    if last_error is not None:
        raise last_error
    raise AddressRefused(f"refused: {host} is a private or local address ({refused})")


class _HTTPConnection(http.client.HTTPConnection):
    def __init__(self, *args, allow_private: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.allow_private = allow_private

    def connect(self):
        self.sock = _connect(self.host, self.port, self.timeout, self.allow_private)


class _HTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, *args, allow_private: bool, **kwargs):
        super().__init__(*args, context=ssl.create_default_context(), **kwargs)
        self.allow_private = allow_private

    def connect(self):
        sock = _connect(self.host, self.port, self.timeout, self.allow_private)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)
