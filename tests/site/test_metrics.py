"""/metrics: the backlog and the site's health for Prometheus, read from the database at scrape time,
for this machine's networks or an admin's token only, and never a word of what readers wrote."""
from datetime import timedelta

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import approve, make_moderator, reject
from voxpop.accounts.models import User
from voxpop.common import clock
from voxpop.desks.selectors import house_rule_get
from voxpop.moderation.services import restriction_create
from voxpop.scoring.models import ClassifierModel
from voxpop.webhooks.models import Delivery
from voxpop.webhooks.services import endpoint_create

HOUR = timedelta(hours=1)
OUTSIDE = "203.0.113.9"


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch, now):
    monkeypatch.setattr(clock, "now", lambda: now)


def scrape(client, **extra) -> dict[tuple, float]:
    """{(sample name, (label, value), ...): value} of one scrape, parsed as Prometheus parses it."""
    response = client.get("/metrics", **extra)
    assert response.status_code == 200, response.content[:300]
    return {(s.name, *sorted(s.labels.items())): s.value
            for family in text_string_to_metric_families(response.content.decode()) for s in family.samples}


def test_backlog_per_desk_with_its_oldest_comment(client, story, korean_story, submit, now):
    """Each desk's pending count and the age of its oldest pending comment; an empty desk reads 0 and 0."""
    submit(story, body="First.", at=now - 2 * HOUR)
    submit(story, body="Second.", at=now - HOUR)

    figures = scrape(client)

    assert figures[("voxpop_comments_pending", ("desk", "english"))] == 2
    assert figures[("voxpop_comments_pending_oldest_age_seconds", ("desk", "english"))] == 7200
    assert figures[("voxpop_comments_pending", ("desk", "korean"))] == 0
    assert figures[("voxpop_comments_pending_oldest_age_seconds", ("desk", "korean"))] == 0


def test_comments_by_status_and_decisions_by_action(client, story, submit, moderator, english_desk, now):
    """Statuses and audit-log actions are counted across the whole site, zero for those not seen."""
    approve(submit(story, body="Kept."), moderator, now)
    reject(submit(story, body="Dropped."), moderator, house_rule_get(desk=english_desk, language="en", number=1), now)
    submit(story, body="Waiting.")

    figures = scrape(client)

    assert [figures[("voxpop_comments", ("status", s))] for s in ("pending", "approved", "rejected", "withdrawn")] \
        == [1, 1, 1, 0]
    assert [figures[("voxpop_decisions_total", ("action", a))] for a in ("approve", "reject", "edit")] == [1, 1, 0]


def test_webhook_deliveries_waiting_and_failed(client, story, submit, moderator, now, settings):
    """Deliveries still to be sent are `waiting`; dead ones, until an admin retries them, `failed`."""
    settings.VOXPOP_WEBHOOKS_ALLOW_PRIVATE = True
    endpoint_create(url="http://127.0.0.1:9/hooks", events=["comment.published"], now=now)
    approve(submit(story, body="One."), moderator, now)
    approve(submit(story, body="Two."), moderator, now)
    Delivery.objects.filter(pk=Delivery.objects.order_by("pk").first().pk).update(dead=True, next_attempt_at=None,
                                                                                 attempts=8)

    figures = scrape(client)

    assert figures[("voxpop_webhook_deliveries", ("state", "waiting"))] == 1
    assert figures[("voxpop_webhook_deliveries", ("state", "failed"))] == 1


def test_classifier_model_per_desk_language(client, english_desk, korean_desk, now):
    """A language with an active model reads 1 with its training time; a desk language without one reads 0."""
    ClassifierModel.objects.create(language="en", version="en-1", trained_at=now - HOUR, approvals=30, rejections=30,
                                   weights=b"\x00" * 16)

    figures = scrape(client)

    assert figures[("voxpop_classifier_model", ("language", "en"))] == 1
    assert figures[("voxpop_classifier_model", ("language", "ko"))] == 0
    assert figures[("voxpop_classifier_model_trained_timestamp_seconds", ("language", "en"))] \
        == (now - HOUR).timestamp()
    assert ("voxpop_classifier_model_trained_timestamp_seconds", ("language", "ko")) not in figures


def test_figures_are_read_when_scraped(client, story, submit, moderator, now):
    """No process keeps counts: a decision made elsewhere shows in the next scrape, whichever worker answers."""
    comment = submit(story)
    before = scrape(client)
    approve(comment, moderator, now)

    after = scrape(client)

    assert before[("voxpop_comments_pending", ("desk", "english"))] == 1
    assert after[("voxpop_comments_pending", ("desk", "english"))] == 0
    assert after[("voxpop_decisions_total", ("action", "approve"))] == 1


def test_no_text_name_or_key_is_exposed(client, story, submit, moderator, english_desk, token_for, now):
    """Comment text, display names, commenter keys, ban reasons and tokens never appear in the answer."""
    comment = submit(story, body="secret-body-7f3a", display_name="secret-name-21bc")
    restriction_create(commenter_key=comment.commenter_key, desk=english_desk, kind="ban", reason="secret-reason-9d0e",
                       expires_at=None, moderator=moderator, now=now)
    token = token_for(moderator)
    admin = make_moderator("ada", [], role=User.Role.ADMIN)

    response = client.get("/metrics", headers={"Authorization": f"Bearer {token_for(admin)}"})
    body = response.content.decode()
    assert response.status_code == 200 and "voxpop_comments" in body

    for secret in ("secret-body-7f3a", "secret-name-21bc", comment.commenter_key, "secret-reason-9d0e", token,
                   moderator.username):
        assert secret not in body


# Who may read it


def test_this_machine_may_scrape_without_a_token(client, english_desk):
    """From 127.0.0.1 and ::1 (the default VOXPOP_METRICS_ALLOW) the answer is the Prometheus text format."""
    for address in ("127.0.0.1", "::1"):
        response = client.get("/metrics", REMOTE_ADDR=address)
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/plain; version=0.0.4")
        assert response["Cache-Control"] == "no-store"


def test_other_networks_are_refused(client, english_desk):
    """A request from any other network, without a token, gets 403 and no figures."""
    response = client.get("/metrics", REMOTE_ADDR=OUTSIDE)

    assert response.status_code == 403
    assert b"voxpop_" not in response.content


def test_an_admins_token_opens_it_from_anywhere(client, english_desk, token_for):
    """An admin's API token as a bearer token lets a scraper on another network in."""
    admin = make_moderator("ada", [], role=User.Role.ADMIN)

    response = client.get("/metrics", REMOTE_ADDR=OUTSIDE, HTTP_AUTHORIZATION=f"Bearer {token_for(admin)}")

    assert response.status_code == 200 and b"voxpop_comments_pending" in response.content


@pytest.mark.parametrize("role", [User.Role.MODERATOR, User.Role.EDITOR])
def test_other_roles_tokens_are_refused(client, english_desk, token_for, role):
    """A moderator's or desk editor's token is not enough, nor is a made-up one."""
    user = make_moderator("mo", [english_desk], role=role)

    for token in (token_for(user), "vxp_made-up"):
        response = client.get("/metrics", REMOTE_ADDR=OUTSIDE, HTTP_AUTHORIZATION=f"Bearer {token}")
        assert response.status_code == 403


def test_request_forwarded_by_an_untrusted_proxy_is_refused(client, english_desk):
    """Behind a reverse proxy on this machine that is not in VOXPOP_TRUSTED_PROXIES, every request arrives from
    127.0.0.1: one carrying a forwarding header is not taken for this machine's own."""
    for header in ("HTTP_X_FORWARDED_FOR", "HTTP_FORWARDED", "HTTP_X_REAL_IP"):
        response = client.get("/metrics", REMOTE_ADDR="127.0.0.1", **{header: OUTSIDE})
        assert response.status_code == 403, header


def test_behind_a_trusted_proxy_the_forwarded_address_counts(client, english_desk, settings):
    """With the proxy in VOXPOP_TRUSTED_PROXIES, the client it names is checked against VOXPOP_METRICS_ALLOW."""
    settings.VOXPOP_TRUSTED_PROXIES = ("10.0.0.0/8",)
    settings.VOXPOP_METRICS_ALLOW = ("192.0.2.0/24",)

    allowed = client.get("/metrics", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="192.0.2.7")
    refused = client.get("/metrics", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=OUTSIDE)

    assert (allowed.status_code, refused.status_code) == (200, 403)


def test_trusted_local_proxy_that_names_no_client_is_refused(client, english_desk, settings):
    """An nginx on this machine, trusted, that passes X-Real-IP or Forwarded but no X-Forwarded-For: the
    address left is the proxy's own 127.0.0.1, which says nothing about the client."""
    settings.VOXPOP_TRUSTED_PROXIES = ("127.0.0.1/32",)

    for header in ("HTTP_X_REAL_IP", "HTTP_FORWARDED"):
        assert client.get("/metrics", REMOTE_ADDR="127.0.0.1", **{header: OUTSIDE}).status_code == 403, header


def test_no_network_allowed_leaves_tokens_only(client, english_desk, settings):
    """With VOXPOP_METRICS_ALLOW empty even this machine needs an admin's token."""
    settings.VOXPOP_METRICS_ALLOW = ()

    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 403


def test_only_get_and_head(client, english_desk):
    """Scraping reads; a POST is 405."""
    assert client.post("/metrics").status_code == 405
