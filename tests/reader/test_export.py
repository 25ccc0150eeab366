"""The author downloads what Voxpop holds about their comment through the receipt link (G6: the signed
token is the only authority), and nothing about anyone else."""
from datetime import timedelta

import lxml.html
import pytest

from voxpop.comments.services import receipt_token
from voxpop.common import clock
from voxpop.desks.selectors import house_rule_get
from voxpop.moderation.retention import comment_withdraw, retention_purge
from voxpop.moderation.services import comment_approve, comment_edit, comment_reject

HOUR = timedelta(hours=1)
TEXT = "The night bus is my only way home."
NOTE = "internal: erin thinks this is the same person as last week"


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch, now):
    monkeypatch.setattr(clock, "now", lambda: now + 5 * HOUR)


def export_url(comment) -> str:
    return f"/receipts/{receipt_token(comment)}/export.json"


def export(client, comment) -> dict:
    response = client.get(export_url(comment))
    assert response.status_code == 200, response.content[:300]
    return response.json()


@pytest.fixture
def rule(english_desk):
    return house_rule_get(desk=english_desk, language="en", number=2)


def test_receipt_links_to_the_download(client, pending_comment):
    """The receipt page offers the export as a plain download link."""
    page = lxml.html.fromstring(client.get(f"/receipts/{receipt_token(pending_comment)}/").content)

    links = page.xpath('//a[@download]')
    assert [a.get("href") for a in links] == [export_url(pending_comment)]
    assert links[0].text_content() == "Download what Voxpop holds about this comment (JSON)"


def test_korean_receipt_link_is_translated(client, korean_story, submit):
    """On a Korean story's receipt the link speaks Korean."""
    comment = submit(korean_story, body="도서관이 계속 열려 있으면 좋겠습니다.")
    page = lxml.html.fromstring(client.get(f"/receipts/{receipt_token(comment)}/").content)

    assert page.xpath('string(//a[@download])') == "이 댓글에 대해 Voxpop이 보관하는 정보 내려받기 (JSON)"


def test_export_is_a_private_download(client, pending_comment):
    """No browser or proxy keeps it, no referrer carries the token on, and it saves as a file."""
    response = client.get(export_url(pending_comment))

    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "private, no-store"
    assert response["Referrer-Policy"] == "no-referrer"
    assert response["Content-Disposition"] == f'attachment; filename="voxpop-comment-{pending_comment.pk}.json"'


def test_export_names_the_story_and_the_dates(client, pending_comment, story, now):
    """The story's key, title and address, and when the comment was submitted, in ISO 8601."""
    data = export(client, pending_comment)

    assert data["story"] == {"key": "harbour-buses", "title": "Night buses stay",
                             "url": "https://news.example/harbour-buses", "language": "en"}
    assert data["comment"]["submitted_at"] == now.isoformat().replace("+00:00", "Z")
    assert data["comment"]["status"] == "pending"
    assert data["comment"]["revisions"] == [{"number": 1, "created_at": data["comment"]["submitted_at"],
                                             "by": "author", "text": TEXT, "house_rule": None}]


def test_moderators_edit_keeps_both_texts_with_the_rule(client, pending_comment, moderator, rule, now):
    """An edit-and-approve shows the author's text, the moderator's text with its house rule, and the history,
    without the moderator's name or note."""
    comment_edit(comment_id=pending_comment.pk, revision_id=pending_comment.current_revision_id, moderator=moderator,
                 body="The night bus is my only way home. [phone number removed]", rule=rule, note=NOTE,
                 approve=True, now=now + HOUR)

    response = client.get(export_url(pending_comment))
    data = response.json()["comment"]

    assert [(r["by"], r["text"], r["house_rule"]) for r in data["revisions"]] == [
        ("author", TEXT, None),
        ("moderator", "The night bus is my only way home. [phone number removed]",
         {"number": 2, "text": "No personal data."})]
    assert [(h["event"], h["by"], h["status"], h["house_rule"]) for h in data["history"]] == [
        ("submitted", "author", "pending", None),
        ("edit", "moderator", "approved", {"number": 2, "text": "No personal data."})]
    assert data["status"] == "approved" and data["published_at"]
    body = response.content.decode()
    assert "erin" not in body and NOTE not in body


def test_rejection_cites_the_rule(client, pending_comment, moderator, rule, now):
    """A rejected comment's author sees which house rule it broke, and when."""
    comment_reject(comment_id=pending_comment.pk, revision_id=pending_comment.current_revision_id,
                   moderator=moderator, rule=rule, note=NOTE, now=now + HOUR)

    last = export(client, pending_comment)["comment"]["history"][-1]

    assert last == {"at": (now + HOUR).isoformat().replace("+00:00", "Z"), "event": "reject", "by": "moderator",
                    "from_status": "pending", "status": "rejected", "revision": 1,
                    "house_rule": {"number": 2, "text": "No personal data."}}


def test_withdrawn_comment_exports_what_remains(client, pending_comment, moderator, now):
    """After a withdrawal the text and name are gone; the dates, statuses and the author's withdrawal remain."""
    comment_approve(comment_id=pending_comment.pk, revision_id=pending_comment.current_revision_id,
                    moderator=moderator, now=now + HOUR)
    comment_withdraw(comment_id=pending_comment.pk, now=now + 2 * HOUR)

    response = client.get(export_url(pending_comment))
    data = response.json()["comment"]

    assert TEXT not in response.content.decode()
    assert (data["status"], data["display_name"], data["revisions"][0]["text"]) == ("withdrawn", None, None)
    assert data["text_deleted_at"] == (now + 2 * HOUR).isoformat().replace("+00:00", "Z")
    assert [(h["event"], h["by"]) for h in data["history"]] == [
        ("submitted", "author"), ("approve", "moderator"), ("withdraw", "author")]
    assert response.json()["stored_about_you"]["commenter_key"].startswith("not stored")


def test_expired_comment_says_the_system_decided(client, pending_comment, now):
    """A comment nobody decided in time shows its expiry as the system's, with its text deleted."""
    retention_purge(now=now + timedelta(days=91))

    data = export(client, pending_comment)["comment"]

    assert data["status"] == "expired" and data["revisions"][0]["text"] is None
    assert data["history"][-1]["event"] == "expire" and data["history"][-1]["by"] == "system"


def test_other_comments_of_the_same_commenter_are_left_out(client, story, submit):
    """Another comment with the same commenter key (perhaps another reader behind the same address) is not in it."""
    mine = submit(story, body=TEXT)
    theirs = submit(story, body="Someone else on the same network wrote this.")
    assert mine.commenter_key == theirs.commenter_key

    response = client.get(export_url(mine))

    assert response.json()["comment"]["id"] == mine.pk
    assert TEXT in response.content.decode() and "Someone else" not in response.content.decode()


def test_no_address_or_browser_is_in_the_export(client, story):
    """A comment posted through the API from an address with a user agent: neither appears, and the export
    says neither is stored."""
    posted = client.post(f"/api/v1/stories/{story.key}/comments", {"body": TEXT}, content_type="application/json",
                         REMOTE_ADDR="198.51.100.77", HTTP_USER_AGENT="ExampleBrowser/9.1 (unique-ua-5c2e)")
    receipt = posted.json()["receipt_url"]

    response = client.get(receipt.split("?")[0].rstrip("/") + "/export.json")

    body = response.content.decode()
    assert response.status_code == 200 and TEXT in body
    assert "198.51.100" not in body and "unique-ua-5c2e" not in body
    assert response.json()["stored_about_you"]["ip_address"] == "not stored"


def test_tampered_token_is_refused(client, pending_comment):
    """A token this server did not sign answers 404 with a JSON message, and reveals no comment."""
    token = receipt_token(pending_comment)

    response = client.get(f"/receipts/{token[:-1]}{'A' if token[-1] != 'A' else 'B'}/export.json")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "unknown_receipt"
    assert TEXT not in response.content.decode()
    assert response["Cache-Control"] == "private, no-store"


def test_export_changes_nothing_and_refuses_post(client, pending_comment):
    """Only GET and HEAD: a POST to the export is 405."""
    assert client.post(export_url(pending_comment)).status_code == 405
