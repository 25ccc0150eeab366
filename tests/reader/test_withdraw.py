"""An author withdraws their own comment through the receipt link (G6: the signed token is the only authority)."""
from datetime import timedelta

import lxml.html
import pytest

from voxpop.comments.models import Comment
from voxpop.comments.services import receipt_token
from voxpop.common import clock
from voxpop.desks.models import HouseRule
from voxpop.moderation.models import ModerationDecision
from voxpop.moderation.retention import retention_purge
from voxpop.moderation.services import comment_approve, comment_reject

THREAD = "/stories/harbour-buses/comments/"
API_THREAD = "/api/v1/stories/harbour-buses/comments"
TEXT = "The night bus is my only way home."


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch, now):
    monkeypatch.setattr(clock, "now", lambda: now)


def html(response):
    return lxml.html.fromstring(response.content)


def status_line(response) -> str:
    return html(response).xpath('string(//p[@class="vp-status"])')


def receipt(comment) -> str:
    return f"/receipts/{receipt_token(comment)}/"


def withdraw_url(comment) -> str:
    return f"/receipts/{receipt_token(comment)}/withdraw/"


def fresh(comment) -> Comment:
    return Comment.objects.get(pk=comment.pk)


@pytest.fixture
def published_comment(pending_comment, moderator, now):
    comment_approve(comment_id=pending_comment.pk, revision_id=pending_comment.current_revision_id,
                    moderator=moderator, now=now)
    return pending_comment


def test_receipt_offers_a_withdraw_form(client, pending_comment):
    """The receipt has a plain POST form (no JavaScript) that leads to the withdrawal."""
    forms = html(client.get(receipt(pending_comment))).xpath('//form[contains(@class, "vp-withdraw")]')

    assert len(forms) == 1
    assert forms[0].get("method") == "post" and forms[0].get("action") == withdraw_url(pending_comment)
    assert forms[0].xpath('string(.//button)') == "Withdraw this comment"


def test_first_post_only_asks_for_confirmation(client, pending_comment):
    """The receipt's button shows a confirmation page with the text; nothing is withdrawn yet."""
    response = client.post(withdraw_url(pending_comment))

    assert response.status_code == 200
    page = html(response)
    assert page.xpath('string(//h1)') == "Withdraw your comment?"
    assert TEXT in page.xpath('string(//div[contains(@class, "vp-body")])')
    assert page.xpath('//form[contains(@class, "vp-withdraw-confirm")]//input[@name="confirm"]/@value') == ["yes"]
    assert fresh(pending_comment).status == Comment.Status.PENDING


def test_get_never_withdraws(client, pending_comment):
    """Opening the withdraw address (a link preview, a prefetch) only shows the confirmation."""
    response = client.get(withdraw_url(pending_comment))

    assert response.status_code == 200
    assert fresh(pending_comment).status == Comment.Status.PENDING
    assert response["Cache-Control"] == "private, no-store"
    assert response["Referrer-Policy"] == "no-referrer"


def test_confirmed_withdrawal_of_a_pending_comment(client, pending_comment):
    """The confirmed POST withdraws and blanks the comment and returns to the receipt."""
    response = client.post(withdraw_url(pending_comment), {"confirm": "yes"})

    assert response.status_code == 303
    assert response["Location"] == receipt(pending_comment) + "#vp-receipt"
    comment = fresh(pending_comment)
    assert comment.status == Comment.Status.WITHDRAWN
    assert comment.current_revision.body == "" and comment.commenter_key == ""
    row = ModerationDecision.objects.get(comment=comment)
    assert (row.actor, row.action, row.note) == (None, "withdraw", "withdrawn by its author")


def test_receipt_then_says_withdrawn_without_the_text(client, pending_comment):
    """After the withdrawal the receipt says so, shows no text and offers no second withdrawal."""
    client.post(withdraw_url(pending_comment), {"confirm": "yes"})

    response = client.get(receipt(pending_comment))

    assert response.status_code == 200
    assert "withdrawn" in status_line(response)
    assert "This comment was withdrawn and its text has been deleted." in response.content.decode()
    assert "night bus" not in response.content.decode()
    assert not html(response).xpath('//form[contains(@class, "vp-withdraw")]')


def test_withdrawn_published_comment_leaves_the_thread_and_the_api(client, published_comment):
    """A published comment, once withdrawn, is on neither the reader thread nor the public API."""
    assert TEXT in client.get(THREAD).content.decode()

    client.post(withdraw_url(published_comment), {"confirm": "yes"})

    assert TEXT not in client.get(THREAD).content.decode()
    assert client.get(API_THREAD).json()["comments"] == []
    assert fresh(published_comment).status == Comment.Status.WITHDRAWN


def test_confirmation_of_a_published_comment_says_it_comes_off_the_page(client, published_comment):
    """The confirmation tells the author a published comment will be taken off the page."""
    response = client.get(withdraw_url(published_comment))

    assert "taken off the page" in response.content.decode()


def test_double_post_is_harmless(client, pending_comment):
    """A double click: both posts land on the receipt; one withdrawal, one audit row."""
    first = client.post(withdraw_url(pending_comment), {"confirm": "yes"})
    second = client.post(withdraw_url(pending_comment), {"confirm": "yes"})

    assert (first.status_code, second.status_code) == (303, 303)
    assert first["Location"] == second["Location"]
    assert ModerationDecision.objects.filter(comment=pending_comment).count() == 1


def test_withdraw_page_of_a_withdrawn_comment_returns_to_the_receipt(client, pending_comment):
    """Nothing left to withdraw: the withdraw address sends the author back to the receipt."""
    client.post(withdraw_url(pending_comment), {"confirm": "yes"})

    response = client.get(withdraw_url(pending_comment))

    assert response.status_code == 303


def test_tampered_token_is_404_and_withdraws_nothing(client, pending_comment, story, submit):
    """Only the server's signature opens a withdrawal: a changed id or signature is a 404."""
    other = submit(story, body="Another reader's comment.", key="other")
    pk, signature = receipt_token(pending_comment).split(":", 1)

    for token in (f"{other.pk}:{signature}", f"{pk}:{signature[:-1]}x", pk):
        for response in (client.get(f"/receipts/{token}/withdraw/"),
                         client.post(f"/receipts/{token}/withdraw/", {"confirm": "yes"})):
            assert response.status_code == 404
            assert "night bus" not in response.content.decode()
    assert {fresh(pending_comment).status, fresh(other).status} == {Comment.Status.PENDING}


def test_withdrawal_needs_no_cookie(client, pending_comment):
    """A reader without cookies (Tor Browser, an iframe) withdraws with the form alone; none is set."""
    response = client.post(withdraw_url(pending_comment), {"confirm": "yes"})

    assert not response.cookies
    assert fresh(pending_comment).status == Comment.Status.WITHDRAWN


def test_withdraw_pages_are_embeddable_like_the_receipt(client, pending_comment):
    """The confirmation page may be framed where the receipt may (the iframe embed)."""
    response = client.get(withdraw_url(pending_comment))

    assert "frame-ancestors 'self'" in response["Content-Security-Policy"]


def test_receipt_of_an_expired_comment(client, story, submit, now):
    """A comment nobody decided within the retention period: not published, its text deleted, nothing to withdraw."""
    comment = submit(story, body="Too late to read.", at=now - timedelta(days=200))
    retention_purge(now=now)

    response = client.get(receipt(comment))

    assert "not published" in status_line(response)
    assert "it was not published and its text has been deleted" in response.content.decode()
    assert "Too late" not in response.content.decode()
    assert not html(response).xpath('//form[contains(@class, "vp-withdraw")]')


def test_receipt_of_a_purged_rejection(client, story, submit, moderator, now):
    """A rejection past the retention period: still "not published", and its text is gone."""
    comment = submit(story, body="Rejected words.", at=now - timedelta(days=200))
    comment_reject(comment_id=comment.pk, revision_id=comment.current_revision_id, moderator=moderator,
                   rule=HouseRule.objects.current().get(desk=story.desk, number=1), note="",
                   now=now - timedelta(days=100))
    retention_purge(now=now)

    response = client.get(receipt(comment))

    assert "not published" in status_line(response)
    assert "Its text has been deleted." in response.content.decode()
    assert "Rejected words" not in response.content.decode()


def test_korean_receipt_says_withdrawn_in_korean(client, korean_story, submit):
    """The withdrawal speaks the story's language: a Korean story's receipt reads 삭제됨."""
    comment = submit(korean_story, body="도서관이 남아서 다행입니다.")

    confirm = client.get(withdraw_url(comment)).content.decode()
    client.post(withdraw_url(comment), {"confirm": "yes"})
    response = client.get(receipt(comment))

    assert "댓글을 삭제하시겠습니까?" in confirm
    assert "삭제됨" in status_line(response)
    assert "withdrawn" not in response.content.decode()
