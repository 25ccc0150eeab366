"""A request's source (voxpop.common.privacy): which address counts behind proxies, the keyed hashes
with their rotating key, holds and bans carried into the next key period, and no address kept (G5)."""
import logging
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.apps import apps
from django.core.cache import caches
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from voxpop.accounts.models import SignInFailure
from voxpop.comments.models import Comment
from voxpop.common import clock
from voxpop.common.privacy import client_address, commenter_key, period_of, source_keys, source_network
from voxpop.moderation.models import CommenterRestriction
from voxpop.moderation.services import comment_approve, restriction_create, restriction_revoke
from voxpop.reader.views import new_form_token

PROXIES = ("10.0.0.0/8", "2001:db8:ff::/48")
API = "/api/v1/stories/harbour-buses/comments"
THREAD = "/stories/harbour-buses/comments/"
WEEK = timedelta(days=7)


def request(remote_addr, forwarded=None):
    meta = {"REMOTE_ADDR": remote_addr}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **meta)


@pytest.fixture
def behind_proxies(settings):
    settings.VOXPOP_TRUSTED_PROXIES = PROXIES


# Which address is the reader's

def test_forwarded_for_is_ignored_by_default():
    """With no trusted proxy configured, X-Forwarded-For is the client's word and changes nothing."""
    assert source_network(request("203.0.113.5", "198.51.100.1")) == "203.0.113.5"


def test_forwarded_for_from_an_untrusted_peer_is_ignored(behind_proxies):
    """A peer outside VOXPOP_TRUSTED_PROXIES cannot choose its source by sending the header."""
    assert source_network(request("203.0.113.5", "198.51.100.1")) == "203.0.113.5"


def test_trusted_proxy_gives_the_address_it_saw(behind_proxies):
    """Behind a trusted proxy the reader is the address the proxy appended."""
    assert source_network(request("10.0.0.2", "198.51.100.1")) == "198.51.100.1"


def test_spoofed_left_most_entries_are_ignored(behind_proxies):
    """Entries the client wrote itself (left of what the proxy appended) are never taken."""
    spoofed = request("10.0.0.2", "1.2.3.4, 10.9.9.9, 198.51.100.1")

    assert source_network(spoofed) == "198.51.100.1"


def test_chain_of_trusted_proxies_is_followed_to_the_first_untrusted_hop(behind_proxies):
    """CDN -> load balancer -> app: the right-most address that is not a trusted proxy is the reader."""
    assert source_network(request("10.0.0.2", "198.51.100.1, 10.1.1.1, 10.2.2.2")) == "198.51.100.1"


def test_only_trusted_hops_means_the_request_came_from_a_proxy(behind_proxies):
    """When every hop is a trusted proxy (a health check from inside), the first hop is the source."""
    assert source_network(request("10.0.0.2", "10.3.3.3, 10.1.1.1")) == "10.3.3.3"


def test_trusted_proxy_without_the_header_is_the_source(behind_proxies):
    """A trusted proxy that sends no header is itself the source."""
    assert source_network(request("10.0.0.2")) == "10.0.0.2"
    assert source_network(request("10.0.0.2", " ")) == "10.0.0.2"


def test_unreadable_hop_stops_the_walk(behind_proxies):
    """A hop that is not an address ends the chain: the source is 'unknown', never an entry further left."""
    assert source_network(request("10.0.0.2", "198.51.100.1, unknown")) == "unknown"


def test_ports_are_dropped(behind_proxies):
    """Proxies that append a port (`addr:port`, `[v6]:port`) still give the address."""
    assert source_network(request("10.0.0.2", "198.51.100.1:4711")) == "198.51.100.1"
    assert source_network(request("10.0.0.2", "[2001:db8:1:2::10]:4711")) == "2001:db8:1:2::/64"


def test_ipv6_reader_behind_ipv6_proxy_is_grouped_by_64(behind_proxies):
    """An IPv6 reader's source is their /64, also behind a proxy on IPv6."""
    assert source_network(request("2001:db8:ff::1", "2001:db8:1:2:aaaa::1")) == "2001:db8:1:2::/64"


def test_ipv6_peer_outside_the_trusted_networks_is_not_believed(behind_proxies):
    """An IPv6 peer is trusted only inside an IPv6 network of the list."""
    assert source_network(request("2001:db8:1:2::10", "198.51.100.1")) == "2001:db8:1:2::/64"


def test_ipv4_mapped_peer_counts_as_its_ipv4_address(behind_proxies):
    """::ffff:10.0.0.2 is the trusted proxy 10.0.0.2."""
    assert str(client_address(request("::ffff:10.0.0.2", "198.51.100.1"))) == "198.51.100.1"


def test_readers_behind_one_trusted_proxy_get_their_own_keys(behind_proxies, now):
    """Two readers behind the same proxy are two sources, not one."""
    a, b = request("10.0.0.2", "198.51.100.1"), request("10.0.0.2", "198.51.100.2")

    assert commenter_key(a, now=now) != commenter_key(b, now=now)


def test_trusted_proxies_from_the_environment_are_checked(monkeypatch):
    """VOXPOP_TRUSTED_PROXIES takes networks and bare addresses; anything else stops the start."""
    from django.core.exceptions import ImproperlyConfigured

    from voxpop.settings.base import _networks

    monkeypatch.setenv("VOXPOP_TRUSTED_PROXIES", " 10.0.0.0/8, 127.0.0.1 ,::1")
    assert _networks("VOXPOP_TRUSTED_PROXIES") == ("10.0.0.0/8", "127.0.0.1/32", "::1/128")
    monkeypatch.setenv("VOXPOP_TRUSTED_PROXIES", "10.0.0.0/8, proxy.internal")
    with pytest.raises(ImproperlyConfigured):
        _networks("VOXPOP_TRUSTED_PROXIES")


# Keyed hashes with a key per period

def test_commenter_key_is_stable_within_a_period(now):
    """The same source has the same key all period long (2026-11-02 is a Monday; periods start Thursdays)."""
    later = now + timedelta(days=2)
    assert period_of(now) == period_of(later)

    assert commenter_key(request("203.0.113.5"), now=now) == commenter_key(request("203.0.113.5"), now=later)


def test_commenter_key_changes_with_the_period(now):
    """A week later the same source has a key that cannot be linked to the last one without the secret."""
    assert period_of(now + WEEK) == period_of(now) + 1

    assert commenter_key(request("203.0.113.5"), now=now) != commenter_key(request("203.0.113.5"), now=now + WEEK)


def test_previous_key_is_the_last_periods_key(now):
    """At submission the source's previous-period key is known too, for carrying restrictions over."""
    keys = source_keys(request("203.0.113.5"), now=now + WEEK)

    assert keys.previous_commenter == commenter_key(request("203.0.113.5"), now=now)
    assert keys.commenter == commenter_key(request("203.0.113.5"), now=now + WEEK)


def test_rate_limit_key_is_a_different_hash(now):
    """The rate limiter's key is its own HMAC, not the commenter key."""
    keys = source_keys(request("203.0.113.5"), now=now)

    assert keys.rate != keys.commenter
    assert "203.0.113.5" not in repr(keys)


def test_period_length_is_configurable(settings, now):
    """VOXPOP_SOURCE_KEY_DAYS=1 gives every day its own key."""
    settings.VOXPOP_SOURCE_KEY_DAYS = 1

    assert commenter_key(request("203.0.113.5"), now=now) != commenter_key(
        request("203.0.113.5"), now=now + timedelta(days=1))


def test_replacing_the_source_key_changes_every_key(settings, now):
    """A new VOXPOP_SOURCE_KEY makes new keys, so old ones can no longer be recomputed from it."""
    before = commenter_key(request("203.0.113.5"), now=now)
    settings.VOXPOP_SOURCE_KEY = "another-source-secret-of-at-least-32-characters"

    assert commenter_key(request("203.0.113.5"), now=now) != before


# Holds and bans carried into the next period

@pytest.fixture
def at(monkeypatch):
    """`at(t)`: the views' clock reads t from now on."""
    def set_clock(when):
        monkeypatch.setattr(clock, "now", lambda: when)
    return set_clock


@pytest.fixture
def restrict(moderator, now):
    def make(kind, address="203.0.113.5", when=None, **kwargs):
        when = when or now
        return restriction_create(commenter_key=commenter_key(request(address), now=when), desk=moderator.desks.get(),
                                  kind=kind, reason="floods the story", moderator=moderator, now=when,
                                  **{"expires_at": None, **kwargs})
    return make


@pytest.fixture
def api_post(client, story):
    def post(body="Back again.", address="203.0.113.5"):
        return client.post(API, {"body": body}, content_type="application/json", REMOTE_ADDR=address)
    return post


def test_last_periods_ban_rejects_this_periods_comment(api_post, restrict, at, now, moderator):
    """A ban set last week still rejects the source's first comment of this week, and follows its new key."""
    ban = restrict("ban", expires_at=now + timedelta(days=30))
    at(now + WEEK)

    response = api_post()

    comment = Comment.objects.get(pk=response.json()["id"])
    assert comment.status == "rejected"
    copy = CommenterRestriction.objects.exclude(pk=ban.pk).get()
    assert (copy.commenter_key, copy.kind, copy.desk_id, copy.expires_at, copy.created_by) == (
        comment.commenter_key, "ban", ban.desk_id, ban.expires_at, moderator)
    assert copy.reason == f"Carried over from restriction {ban.pk} (new key period): floods the story"


def test_hold_is_carried_over_through_the_form(client, story, restrict, at, now):
    """The no-JavaScript form carries holds over too."""
    hold = restrict("hold")
    at(now + WEEK)
    data = {"token": new_form_token(), "body": "Form, next week.", "display_name": "", "website": ""}

    client.post(THREAD, urlencode(data), content_type="application/x-www-form-urlencoded", REMOTE_ADDR="203.0.113.5")

    comment = Comment.objects.get()
    assert CommenterRestriction.objects.filter(commenter_key=comment.commenter_key, kind="hold").exists()
    assert CommenterRestriction.objects.filter(pk=hold.pk, revoked_at=None).exists()


def test_carry_over_is_made_once(api_post, restrict, at, now):
    """Many comments in the new period make one copy of the restriction, not one each."""
    restrict("hold")
    at(now + WEEK)

    api_post("One."), api_post("Two.")

    assert CommenterRestriction.objects.count() == 2


def test_copy_lifted_by_a_moderator_stays_lifted(api_post, restrict, at, now, moderator):
    """Lifting the carried-over ban on the new key is not undone by the next comment."""
    restrict("ban")
    at(now + WEEK)
    api_post("First.")
    copy = CommenterRestriction.objects.latest("pk")
    restriction_revoke(restriction_id=copy.pk, moderator=moderator, now=now + WEEK)

    response = api_post("After the ban was lifted.")

    assert Comment.objects.get(pk=response.json()["id"]).status == "pending"
    assert CommenterRestriction.objects.count() == 2


@pytest.mark.parametrize("state", ["expired", "lifted"])
def test_ended_restrictions_are_not_carried_over(api_post, restrict, at, now, moderator, state):
    """Only restrictions still in force when the source comes back move to its new key."""
    ban = restrict("ban", expires_at=now + timedelta(days=1) if state == "expired" else None)
    if state == "lifted":
        restriction_revoke(restriction_id=ban.pk, moderator=moderator, now=now)
    at(now + WEEK)

    response = api_post()

    assert Comment.objects.get(pk=response.json()["id"]).status == "pending"
    assert CommenterRestriction.objects.count() == 1


def test_restriction_lapses_when_the_source_skips_a_whole_period(api_post, restrict, at, now):
    """Carrying over looks one period back: a source silent for a full period comes back unrestricted."""
    restrict("ban")
    at(now + 2 * WEEK)

    response = api_post()

    assert Comment.objects.get(pk=response.json()["id"]).status == "pending"


def test_other_sources_inherit_nothing(api_post, restrict, at, now):
    """Another address's first comment of the week carries no one else's ban."""
    restrict("ban")
    at(now + WEEK)

    response = api_post(address="198.51.100.9")

    assert Comment.objects.get(pk=response.json()["id"]).status == "pending"
    assert CommenterRestriction.objects.count() == 1


# No address anywhere (G5)

ADDRESS = "198.51.100.77"


def _every_row_as_text() -> str:
    rows = []
    for model in apps.get_models():
        if model._meta.proxy:
            continue
        rows.extend(repr(row) for row in model._base_manager.values())
    return "\n".join(rows)


def _rate_limit_store_as_text() -> str:
    store = caches["ratelimit"]
    if hasattr(store, "_cache") and isinstance(getattr(store, "_cache"), dict):  # local memory
        return "\n".join(f"{key} {value!r}" for key, value in store._cache.items())
    client = store._cache.get_client(write=False)  # Redis
    return "\n".join(f"{key!r} {client.get(key)!r}" for key in client.scan_iter(count=1000))


@pytest.mark.django_db(transaction=True)
def test_no_table_or_log_line_holds_the_address(client, story, moderator, settings, caplog, now, monkeypatch):
    """After a comment through the form and through the API (behind a trusted proxy) from one address,
    a hold on it, a moderator's decision and a failed sign-in from it, no row of any table, no log
    record (DEBUG, SQL included) and no rate-limit counter contains the address."""
    settings.VOXPOP_TRUSTED_PROXIES = ("127.0.0.1/32",)
    settings.VOXPOP_FORM_MIN_SECONDS = 0
    monkeypatch.setattr(clock, "now", lambda: now)
    caplog.set_level(logging.DEBUG)
    with CaptureQueriesContext(connection) as queries:  # logs every SQL statement at DEBUG too
        _submit_sign_in_and_decide(client, story, moderator, now)

    assert Comment.objects.filter(commenter_key__gt="").values("commenter_key").distinct().count() == 1
    assert SignInFailure.objects.exists() and CommenterRestriction.objects.exists()
    assert ADDRESS not in _every_row_as_text()
    assert ADDRESS not in _rate_limit_store_as_text()
    assert queries.captured_queries and not [q for q in queries.captured_queries if ADDRESS in q["sql"]]
    logged = [record for record in caplog.records
              if ADDRESS in record.getMessage() or ADDRESS in repr(record.__dict__)]
    assert caplog.records and not logged


def _submit_sign_in_and_decide(client, story, moderator, now):
    form = {"token": new_form_token(), "body": "Sent with the form.", "display_name": "Min", "website": ""}
    assert client.post(THREAD, urlencode(form), content_type="application/x-www-form-urlencoded",
                       REMOTE_ADDR=ADDRESS).status_code == 303
    api = client.post(API, {"body": "Sent through the API."}, content_type="application/json",
                      REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=f"192.0.2.1, {ADDRESS}",
                      headers={"Idempotency-Key": "once"})
    assert api.status_code == 202
    comment = Comment.objects.get(pk=api.json()["id"])
    restriction_create(commenter_key=comment.commenter_key, desk=story.desk, kind="hold", reason="watch",
                       expires_at=None, moderator=moderator, now=now)
    comment_approve(comment_id=comment.pk, revision_id=comment.current_revision_id, moderator=moderator, now=now)
    client.post("/moderation/sign-in/", {"username": moderator.username, "password": "wrong", "code": "000000"},
                REMOTE_ADDR=ADDRESS)
