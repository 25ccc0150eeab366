"""Holds and bans through the workspace, and what a ban does to the next comment from that source."""
from datetime import timedelta
from urllib.parse import urlencode

import lxml.html
import pytest
from django.test import RequestFactory

from voxpop.comments.models import Comment
from voxpop.common.privacy import commenter_key
from voxpop.moderation.models import CommenterRestriction, ModerationDecision
from voxpop.moderation.services import comment_screen, restriction_create
from voxpop.reader.views import new_form_token

pytestmark = pytest.mark.usefixtures("frozen_clock")

ADDRESS = "203.0.113.7"
THREAD = "/stories/harbour-buses/comments/"
API = "/api/v1/stories/harbour-buses/comments"


def html(response):
    return lxml.html.fromstring(response.content)


def key_of(address: str) -> str:
    return commenter_key(RequestFactory().get("/", REMOTE_ADDR=address))


@pytest.fixture
def as_moderator(client, signed_in, moderator):
    return signed_in(moderator)


@pytest.fixture
def ban_on(moderator, now):
    def make(address=ADDRESS, **kwargs):
        return restriction_create(desk=moderator.desks.get(), commenter_key=key_of(address), kind=CommenterRestriction.Kind.BAN, reason="flood",
                                  moderator=moderator, now=now - timedelta(hours=1), **{"expires_at": None, **kwargs})
    return make


@pytest.fixture
def reader_form(client, story):
    """POST the reader's no-JavaScript form from `address`."""
    def post(body="Keep the night buses.", address=ADDRESS):
        data = {"token": new_form_token(), "body": body, "display_name": "", "website": ""}
        return client.post(THREAD, urlencode(data), content_type="application/x-www-form-urlencoded",
                           REMOTE_ADDR=address)
    return post


@pytest.fixture
def api_post(client, story):
    def post(body="Keep the night buses.", address=ADDRESS):
        return client.post(API, {"body": body}, content_type="application/json", REMOTE_ADDR=address)
    return post


def system_rejection(comment) -> ModerationDecision:
    return ModerationDecision.objects.get(comment=comment, action="reject", actor=None)


# Setting and lifting through the workspace


def test_ban_from_the_comment_page_records_who_when_and_expiry(as_moderator, pending_comment, moderator, now):
    """The comment page's form bans its commenter's key, recording the moderator, time, reason and expiry."""
    response = as_moderator.post(f"/moderation/comments/{pending_comment.pk}/restrict",
                                 {"kind": "ban", "reason": "posts phone numbers", "days": "7"})

    assert response.status_code == 302
    assert response["Location"] == f"/moderation/comments/{pending_comment.pk}/"
    restriction = CommenterRestriction.objects.get()
    assert (restriction.commenter_key, restriction.kind, restriction.reason) == (
        "reader-key", "ban", "posts phone numbers")
    assert (restriction.created_by, restriction.created_at, restriction.expires_at) == (
        moderator, now, now + timedelta(days=7))


def test_hold_without_expiry_lasts_until_lifted(as_moderator, pending_comment):
    """Leaving the days empty sets a hold with no expiry."""
    as_moderator.post(f"/moderation/comments/{pending_comment.pk}/restrict",
                      {"kind": "hold", "reason": "watch", "days": ""})

    restriction = CommenterRestriction.objects.get()
    assert (restriction.kind, restriction.expires_at) == ("hold", None)


def test_restriction_is_shown_on_the_comment_page(as_moderator, pending_comment):
    """After setting a ban, the comment page lists it with who set it."""
    as_moderator.post(f"/moderation/comments/{pending_comment.pk}/restrict",
                      {"kind": "ban", "reason": "posts phone numbers", "days": "7"})

    page = html(as_moderator.get(f"/moderation/comments/{pending_comment.pk}/")).text_content()

    assert "Ban by erin" in page
    assert "posts phone numbers" in page


@pytest.mark.parametrize("fields", [{"kind": "ban", "reason": ""}, {"kind": "", "reason": "x"},
                                    {"kind": "silence", "reason": "x"}, {"kind": "ban", "reason": "x", "days": "0"}])
def test_restriction_needs_a_kind_and_a_reason(as_moderator, pending_comment, fields):
    """A hold or ban without a valid kind, a reason, or with a nonsensical expiry is refused."""
    response = as_moderator.post(f"/moderation/comments/{pending_comment.pk}/restrict", fields)

    assert response.status_code == 302
    assert not CommenterRestriction.objects.exists()
    page = html(as_moderator.get(response["Location"]))
    assert "Give a kind and a reason" in page.xpath('//*[contains(@class, "mw-msg")]')[0].text_content()


def test_restriction_list_shows_those_in_force(as_moderator, now, ban_on):
    """The holds-and-bans page lists active restrictions, not expired or lifted ones."""
    active = ban_on()
    ban_on(address="198.51.100.1", expires_at=now - timedelta(minutes=1))

    page = html(as_moderator.get("/moderation/restrictions/"))

    lifts = page.xpath('//form[contains(@action, "/lift")]/@action')
    assert lifts == [f"/moderation/restrictions/{active.pk}/lift"]


def test_lifting_records_who_and_when(as_moderator, moderator, now, ban_on):
    """Lift from the holds-and-bans page: the row stays, marked lifted by the moderator now."""
    restriction = ban_on()

    response = as_moderator.post(f"/moderation/restrictions/{restriction.pk}/lift",
                                 {"next": "/moderation/restrictions/"})

    assert response["Location"] == "/moderation/restrictions/"
    restriction.refresh_from_db()
    assert (restriction.revoked_by, restriction.revoked_at) == (moderator, now)
    assert not html(as_moderator.get("/moderation/restrictions/")).xpath('//form[contains(@action, "/lift")]')


def test_lifting_by_get_is_405(as_moderator, ban_on):
    """A link cannot lift a ban."""
    restriction = ban_on()

    assert as_moderator.get(f"/moderation/restrictions/{restriction.pk}/lift").status_code == 405
    restriction.refresh_from_db()
    assert restriction.revoked_at is None


# What a ban does to new comments


def test_ban_rejects_a_new_reader_form_comment_behind_a_normal_receipt(reader_form, ban_on):
    """A banned source's form post gets the usual receipt redirect; the comment is rejected by the system."""
    restriction = ban_on()

    response = reader_form()

    assert response.status_code == 303
    assert "/receipts/" in response["Location"]
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.REJECTED
    assert comment.commenter_key == key_of(ADDRESS)
    assert f"restriction {restriction.pk}" in system_rejection(comment).note


def test_ban_rejects_a_new_api_comment_behind_a_normal_202(api_post, ban_on):
    """A banned source's API post gets the usual 202 pending answer; the comment is rejected by the system."""
    restriction = ban_on()

    response = api_post()

    assert response.status_code == 202
    assert response.json()["status"] == "pending"
    comment = Comment.objects.get(pk=response.json()["id"])
    assert comment.status == Comment.Status.REJECTED
    assert f"restriction {restriction.pk}" in system_rejection(comment).note


def test_ban_does_not_reject_other_sources(reader_form, api_post, ban_on):
    """Readers from other addresses are not affected by the ban."""
    ban_on()

    reader_form(address="198.51.100.1")
    api_post(address="198.51.100.2")

    assert set(Comment.objects.values_list("status", flat=True)) == {Comment.Status.PENDING}
    assert not ModerationDecision.objects.exists()


def test_expired_ban_no_longer_rejects(reader_form, ban_on, now):
    """After its expiry, the source's comments wait in the queue as usual."""
    ban_on(expires_at=now - timedelta(minutes=1))

    reader_form()

    assert Comment.objects.get().status == Comment.Status.PENDING


def test_lifted_ban_no_longer_rejects(as_moderator, api_post, ban_on):
    """After a moderator lifts the ban, the source's comments wait in the queue as usual."""
    restriction = ban_on()
    as_moderator.post(f"/moderation/restrictions/{restriction.pk}/lift")

    api_post()

    assert Comment.objects.get().status == Comment.Status.PENDING


def test_resent_form_is_not_screened_twice(client, story, ban_on):
    """A double-clicked form makes one comment and one system decision, not two."""
    restriction = ban_on()
    data = urlencode({"token": new_form_token(), "body": "Twice.", "display_name": "", "website": ""})

    for _ in range(2):
        client.post(THREAD, data, content_type="application/x-www-form-urlencoded", REMOTE_ADDR=ADDRESS)

    assert Comment.objects.count() == 1
    assert ModerationDecision.objects.filter(note__contains=f"restriction {restriction.pk}").count() == 1


def test_banned_comment_is_in_the_rejected_queue_marked_system(as_moderator, reader_form, ban_on):
    """Moderators find a ban's rejections in the rejected queue, attributed to the system in the audit log."""
    ban_on()
    reader_form()
    comment = Comment.objects.get()

    rejected = html(as_moderator.get("/moderation/?status=rejected"))
    record = html(as_moderator.get(f"/moderation/comments/{comment.pk}/"))

    assert rejected.xpath(f'//li[@id="c{comment.pk}"]')
    assert "system" in record.xpath('//table[contains(@class, "mw-table")]//tbody/tr/td[2]')[0].text_content()


def test_reopen_through_the_workspace_brings_a_banned_comment_back(as_moderator, moderator, pending_comment, now):
    """The comment page's reopen button returns a ban-rejected comment to the pending queue."""
    restriction_create(desk=moderator.desks.get(), commenter_key="reader-key", kind="ban", reason="flood", expires_at=None, moderator=moderator,
                       now=now - timedelta(hours=1))
    comment_screen(comment=pending_comment, now=now)

    as_moderator.post(f"/moderation/comments/{pending_comment.pk}/decide",
                      {"action": "reopen", "revision": pending_comment.current_revision_id})

    assert Comment.objects.get(pk=pending_comment.pk).status == Comment.Status.PENDING
    assert ModerationDecision.objects.filter(comment=pending_comment, action="reopen", actor=moderator).exists()


# Desk scope


def test_ban_applies_only_in_its_desk(client, korean_story, korean_moderator, ban_on, now):
    """A ban set by one desk does not reject the same commenter's comments routed to another desk."""
    ban_on()

    response = client.post(f"/api/v1/stories/{korean_story.key}/comments", {"body": "다른 데스크"},
                           content_type="application/json", REMOTE_ADDR=ADDRESS)

    assert response.status_code == 202
    assert Comment.objects.get(pk=response.json()["id"]).status == Comment.Status.PENDING


def test_other_desk_neither_sees_nor_lifts_a_restriction(signed_in, korean_moderator, ban_on):
    """A moderator of another desk does not see the ban in the list and cannot lift it."""
    restriction = ban_on()
    client = signed_in(korean_moderator)

    listing = client.get("/moderation/restrictions/").content.decode()
    client.post(f"/moderation/restrictions/{restriction.pk}/lift")

    assert "flood" not in listing
    restriction.refresh_from_db()
    assert restriction.revoked_at is None
