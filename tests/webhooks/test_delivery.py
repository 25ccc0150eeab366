"""The delivery worker against a real HTTP server on 127.0.0.1: delivery, retries with backoff,
dead deliveries, restarts, redirects and private addresses. Time is passed as `now=`, never slept."""
import json
import random
import socket
import threading
from datetime import timedelta

import pytest
from django.db import connection

from voxpop.moderation.services import comment_approve, comment_undo
from voxpop.webhooks import delivery as worker
from voxpop.webhooks.delivery import BACKOFF, LEASE, MAX_ATTEMPTS, deliver_due, delivery_claim, delivery_record
from voxpop.webhooks.models import Delivery, Endpoint, Event
from voxpop.webhooks.services import delivery_retry, endpoint_set_active
from voxpop.webhooks.signing import signature_verify

SECOND = timedelta(seconds=1)


@pytest.fixture
def published(hook, story, submit, moderator, now):
    """A comment just approved, so one comment.published delivery is due for `hook`."""
    comment = submit(story, body="The night bus is my only way home.")
    comment_approve(comment_id=comment.pk, revision_id=comment.current_revision_id, moderator=moderator, now=now)
    return comment


def only_delivery() -> Delivery:
    return Delivery.objects.select_related("endpoint").get()


def test_delivers_a_signed_post_and_records_the_2xx(published, hook, receiver, now):
    """The receiver gets the JSON body with event, delivery id and a signature over exactly that body."""
    summary = deliver_due(now=now)

    assert (summary.delivered, summary.retry) == (1, 0)
    [request] = receiver.requests
    delivery = only_delivery()
    assert request.path == "/hooks/voxpop?site=news"
    assert request.headers["Content-Type"] == "application/json; charset=utf-8"
    assert request.headers["Voxpop-Event"] == "comment.published"
    assert request.headers["Voxpop-Delivery"] == str(delivery.uuid)
    assert signature_verify(secret=hook.plain_secret, header=request.headers["Voxpop-Signature"], body=request.body,
                            now=now.timestamp())
    body = json.loads(request.body)
    assert body["id"] == str(delivery.uuid) and body["event"] == "comment.published"
    assert body["data"]["id"] == published.pk and body["data"]["body"] == "The night bus is my only way home."
    assert (delivery.delivered_at, delivery.attempts, delivery.last_status, delivery.last_error) == (now, 1, 200, "")
    assert delivery.next_attempt_at is None and delivery.state == "delivered"


def test_a_delivered_payload_is_not_kept(published, receiver, now):
    """Once the receiver has it, the outbox keeps the record of the delivery, not the text."""
    deliver_due(now=now)

    assert only_delivery().payload == {}


def test_nothing_is_sent_twice(published, receiver, now):
    """A second pass finds nothing due."""
    deliver_due(now=now)
    summary = deliver_due(now=now + timedelta(days=2))

    assert summary.attempts == 0 and len(receiver.requests) == 1


def test_a_failure_is_retried_after_a_backoff_with_jitter(published, receiver, now):
    """A 500 schedules the next attempt 30 s later (plus up to 20% jitter), with the status recorded."""
    receiver.status = 500

    summary = deliver_due(now=now)

    delivery = only_delivery()
    assert summary.retry == 1
    assert (delivery.attempts, delivery.last_status, delivery.last_error) == (1, 500, "HTTP 500")
    assert now + timedelta(seconds=30) <= delivery.next_attempt_at <= now + timedelta(seconds=36)
    assert delivery.delivered_at is None and not delivery.dead
    assert deliver_due(now=now + 29 * SECOND).attempts == 0, "not due before its backoff"


def test_the_backoff_grows_then_the_delivery_is_dead(published, receiver, now):
    """30 s, 2 min, 10 min, 1 h, 6 h, 24 h between attempts; after the 7th failure it is dead."""
    receiver.status = 503
    at, waits = now, []

    for _ in range(MAX_ATTEMPTS):
        assert deliver_due(now=at).attempts == 1
        delivery = only_delivery()
        if delivery.next_attempt_at is None:
            break
        waits.append(delivery.next_attempt_at - at)
        at = delivery.next_attempt_at

    assert len(waits) == len(BACKOFF) == MAX_ATTEMPTS - 1
    assert all(base <= wait <= base * 1.2 for base, wait in zip(BACKOFF, waits)), waits
    assert (delivery.dead, delivery.attempts, delivery.state) == (True, MAX_ATTEMPTS, "dead")
    assert len(receiver.requests) == MAX_ATTEMPTS
    assert deliver_due(now=at + timedelta(days=30)).attempts == 0, "a dead delivery is not retried on its own"


def test_jitter_spreads_deliveries_failing_together():
    """Two failures at the same moment are not retried at the same moment."""
    rng = random.Random(7)

    assert worker.backoff(1, rng=rng) != worker.backoff(1, rng=rng)


def test_a_dead_delivery_retried_by_an_admin_goes_out(published, hook, receiver, now):
    """Retry now makes a dead delivery due at once; a 2xx then delivers it."""
    Delivery.objects.update(dead=True, next_attempt_at=None, attempts=MAX_ATTEMPTS, last_status=500)

    assert delivery_retry(endpoint_id=hook.pk, delivery_id=only_delivery().pk, now=now) == 1
    deliver_due(now=now)

    delivery = only_delivery()
    assert delivery.state == "delivered" and delivery.attempts == MAX_ATTEMPTS + 1


def test_a_retried_dead_delivery_that_fails_again_is_dead_again(published, hook, receiver, now):
    """Retry now is one more attempt, not a new schedule."""
    Delivery.objects.update(dead=True, next_attempt_at=None, attempts=MAX_ATTEMPTS)
    receiver.status = 500
    delivery_retry(endpoint_id=hook.pk, now=now)

    deliver_due(now=now)

    assert only_delivery().dead


def test_a_delivery_claimed_by_a_worker_that_died_is_sent_after_the_lease(published, receiver, now):
    """A worker that dies mid-attempt loses nothing: the delivery is due again once its lease runs out."""
    assert delivery_claim(now=now) is not None  # ...and the worker is killed here

    assert deliver_due(now=now + LEASE - SECOND).attempts == 0
    summary = deliver_due(now=now + LEASE)

    delivery = only_delivery()
    assert summary.delivered == 1 and len(receiver.requests) == 1
    assert (delivery.attempts, delivery.delivered_at) == (2, now + LEASE)


def test_a_worker_back_after_its_lease_cannot_overwrite_the_newer_attempt(published, receiver, now):
    """The stalled worker's late failure is not recorded over the delivery another worker made."""
    stalled = delivery_claim(now=now)
    deliver_due(now=now + LEASE)

    result = delivery_record(delivery=stalled, outcome=worker.Outcome(500, "HTTP 500"), now=now + LEASE + SECOND)

    assert result == "stale"
    assert only_delivery().state == "delivered"


def test_a_delivery_is_claimed_once(published, now):
    """Two claims at the same moment: the second finds nothing (compare-and-set, or SKIP LOCKED)."""
    assert delivery_claim(now=now) is not None
    assert delivery_claim(now=now) is None


def test_a_superseded_delivery_is_not_sent(hook, published, receiver, moderator, now):
    """Undo before the worker came: the publication never goes out, only the unpublication."""
    comment_undo(moderator=moderator, now=now + SECOND)

    deliver_due(now=now + SECOND)

    assert [r.headers["Voxpop-Event"] for r in receiver.requests] == ["comment.unpublished"]
    assert b"night bus" not in b"".join(r.body for r in receiver.requests)


def test_a_disabled_endpoint_keeps_its_queue_until_enabled(published, hook, receiver, now):
    """Disabling pauses delivery without losing what was queued."""
    endpoint_set_active(endpoint_id=hook.pk, active=False)
    assert deliver_due(now=now).attempts == 0

    endpoint_set_active(endpoint_id=hook.pk, active=True)
    assert deliver_due(now=now).delivered == 1


def test_a_redirect_is_not_followed(published, receiver, second_receiver, now):
    """A 3xx is a failure: the POST never goes to the host the receiver points at."""
    receiver.status, receiver.location = 307, second_receiver.url

    deliver_due(now=now)

    delivery = only_delivery()
    assert not second_receiver.requests
    assert (delivery.last_status, delivery.last_error) == (307, "HTTP 307: redirects are not followed")
    assert delivery.next_attempt_at is not None


def test_a_refused_connection_is_retried(endpoint_for, private_allowed, story, submit, moderator, now):
    """Nobody listening: a short reason, and a retry."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    endpoint_for(f"http://127.0.0.1:{port}/hooks")
    comment = submit(story)
    comment_approve(comment_id=comment.pk, revision_id=comment.current_revision_id, moderator=moderator, now=now)

    deliver_due(now=now)

    delivery = only_delivery()
    assert (delivery.last_status, delivery.last_error) == (None, "connection refused")
    assert delivery.next_attempt_at is not None


def test_a_slow_receiver_times_out(published, receiver, monkeypatch, now):
    """A receiver that does not answer within the timeout is a failure, retried later."""
    monkeypatch.setattr(worker, "TIMEOUT", 0.2)
    receiver.hold = threading.Event()

    deliver_due(now=now)

    receiver.hold.set()
    delivery = only_delivery()
    assert delivery.last_error == "timed out" and delivery.next_attempt_at is not None


def test_the_worker_refuses_private_addresses(published, receiver, settings, now):
    """Without VOXPOP_WEBHOOKS_ALLOW_PRIVATE, a delivery to a loopback address is refused before connecting."""
    settings.VOXPOP_WEBHOOKS_ALLOW_PRIVATE = False

    deliver_due(now=now)

    delivery = only_delivery()
    assert not receiver.requests
    assert delivery.last_error.startswith("refused: 127.0.0.1 is a private or local address")


def test_the_worker_checks_the_address_a_host_name_resolves_to(published, hook, receiver, settings, now):
    """A name that resolves to a loopback address is refused too (checked at each connection)."""
    Endpoint.objects.filter(pk=hook.pk).update(url=receiver.url.replace("127.0.0.1", "localhost"))
    settings.VOXPOP_WEBHOOKS_ALLOW_PRIVATE = False

    deliver_due(now=now)

    assert not receiver.requests
    assert only_delivery().last_error.startswith("refused: localhost is a private or local address")


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_each_delivery_once(english_desk, story, submit, moderator, receiver, endpoint_for,
                                                     now):
    """Workers racing over one outbox (SKIP LOCKED on PostgreSQL, compare-and-set on SQLite) never double-send."""
    endpoint_for(receiver.url, events=[Event.COMMENT_PUBLISHED])
    for n in range(12):
        comment = submit(story, body=f"comment {n}")
        comment_approve(comment_id=comment.pk, revision_id=comment.current_revision_id, moderator=moderator, now=now)
    errors = []

    def work():
        try:
            deliver_due(now=now)
        except Exception as error:  # noqa: BLE001 (reported below)
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert not errors
    sent = [r.headers["Voxpop-Delivery"] for r in receiver.requests]
    assert len(sent) == len(set(sent)) == 12
    assert Delivery.objects.filter(delivered_at__isnull=False, attempts=1).count() == 12


def test_the_worker_loop_runs_until_stopped(published, receiver, now):
    """`voxpop webhooks deliver` without --once delivers what is due and keeps going until stopped."""
    stop = threading.Event()

    def send_then_stop(url, body, headers):
        outcome = worker.post(url, body, headers)
        stop.set()  # as SIGTERM would, once this delivery is done
        return outcome

    total = worker.worker_run(clock=lambda: now, stop=stop, poll=0.01, send=send_then_stop)

    assert total.delivered == 1
    assert only_delivery().state == "delivered"
