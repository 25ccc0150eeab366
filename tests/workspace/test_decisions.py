"""Decisions through the workspace forms: approve, reject, edit, reopen, undo and bulk, over HTTP."""
from datetime import timedelta

import django_otp
import lxml.html
import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from voxpop.comments.models import Comment, CommentRevision
from voxpop.comments.services import comment_submit
from voxpop.desks.selectors import house_rule_get
from voxpop.moderation.models import ModerationDecision
from voxpop.moderation.services import comment_approve, comment_edit, comment_reject, restriction_create

pytestmark = pytest.mark.usefixtures("frozen_clock")

QUEUE = "/moderation/?status=pending&story=harbour-buses"
STALE = "changed since you saw it"


@pytest.fixture
def rule(english_desk):
    return house_rule_get(desk=english_desk, language="en", number=2)


@pytest.fixture
def as_moderator(client, signed_in, moderator):
    return signed_in(moderator)


@pytest.fixture
def decide(as_moderator):
    """POST a decision on `comment` as the moderator saw it (its current revision unless `revision`)."""
    def post(comment, action, **fields):
        data = {"action": action, "revision": comment.current_revision_id, "next": QUEUE, **fields}
        return as_moderator.post(f"/moderation/comments/{comment.pk}/decide",
                                 {k: v for k, v in data.items() if v is not None})
    return post


@pytest.fixture
def comments(story, now):
    """`comments(n)`: n pending comments from `key`, oldest first."""
    def make(n, key="reader-key"):
        return [comment_submit(story=story, body=f"Comment number {i}.", display_name="", parent_id=None,
                               submission_key=None, commenter_key=key, now=now - timedelta(minutes=n - i)).comment
                for i in range(n)]
    return make


def html(response):
    return lxml.html.fromstring(response.content)


def shown(client, response) -> str:
    """The messages on the page a redirect leads to."""
    assert response.status_code == 302
    page = html(client.get(response["Location"]))
    return " ".join(p.text_content() for p in page.xpath('//*[contains(@class, "mw-msg")]'))


def refused(response) -> str:
    """A stale decision answers 409 with the comment's current state and the message on the page."""
    assert response.status_code == 409
    return " ".join(p.text_content() for p in html(response).xpath('//*[contains(@class, "mw-msg")]'))


def fresh(comment) -> Comment:
    return Comment.objects.select_related("current_revision").get(pk=comment.pk)


# Approve


def test_approve_publishes_and_records_who(decide, pending_comment, moderator, now):
    """Approve publishes the seen revision now and writes one audit row naming the moderator."""
    decide(pending_comment, "approve")

    comment = fresh(pending_comment)
    assert (comment.status, comment.published_at) == (Comment.Status.APPROVED, now)
    decision = ModerationDecision.objects.get()
    assert (decision.actor, decision.action, decision.from_status, decision.to_status, decision.revision_id) == (
        moderator, "approve", "pending", "approved", pending_comment.current_revision_id)


def test_approve_returns_to_next_at_the_following_comment(decide, comments):
    """After approving, the moderator is back on the queue they came from, scrolled to the next comment."""
    first, second = comments(2)

    response = decide(first, "approve", after=second.pk)

    assert response.status_code == 302
    assert response["Location"] == f"{QUEUE}#c{second.pk}"


def test_approve_without_next_returns_to_the_queue(decide, pending_comment):
    """Without `next` a decision leads back to the default queue."""
    response = decide(pending_comment, "approve", next=None)

    assert response["Location"] == "/moderation/"


@pytest.mark.parametrize("target", ["https://evil.example/moderation/", "//evil.example/"])
def test_next_to_another_site_is_ignored(decide, pending_comment, target):
    """A decision never redirects off the site, whatever `next` says."""
    response = decide(pending_comment, "approve", next=target)

    assert response["Location"] == "/moderation/"


def test_success_message_names_the_comment(client, decide, pending_comment):
    """The queue says which comment was approved."""
    response = decide(pending_comment, "approve")

    assert f"Comment #{pending_comment.pk}: approved." in shown(client, response)


# Reject


def test_reject_without_rule_is_refused(client, decide, pending_comment):
    """A rejection must cite a house rule: without one nothing changes and the moderator is told."""
    response = decide(pending_comment, "reject", rule="")

    assert "Choose the house rule this decision applies." in shown(client, response)
    assert fresh(pending_comment).status == Comment.Status.PENDING
    assert not ModerationDecision.objects.exists()


def test_reject_with_rule_records_rule_and_note(decide, pending_comment, moderator, rule):
    """A rejection keeps the comment private and records the rule and the note."""
    decide(pending_comment, "reject", rule=rule.pk, note="names a neighbour")

    assert fresh(pending_comment).status == Comment.Status.REJECTED
    assert fresh(pending_comment).published_at is None
    decision = ModerationDecision.objects.get()
    assert (decision.actor, decision.action, decision.rule, decision.note, decision.to_status) == (
        moderator, "reject", rule, "names a neighbour", "rejected")


def test_reject_citing_another_desks_rule_is_refused(client, decide, pending_comment, korean_desk):
    """Only the comment's own desk rules may be cited; a Korean rule on an English comment is refused."""
    korean_rule = house_rule_get(desk=korean_desk, language="ko", number=1)

    response = decide(pending_comment, "reject", rule=korean_rule.pk)

    assert "Comment #" in shown(client, response)
    assert fresh(pending_comment).status == Comment.Status.PENDING
    assert not ModerationDecision.objects.exists()


# Edit


def test_edit_adds_a_revision_and_keeps_the_original(decide, pending_comment, moderator, rule):
    """An edit makes a moderator's revision current under a rule; the reader's text stays as revision 1."""
    decide(pending_comment, "edit", body="The night bus is my only way [removed].", rule=rule.pk, note="masked")

    comment = fresh(pending_comment)
    assert comment.status == Comment.Status.PENDING
    assert comment.current_revision.body == "The night bus is my only way [removed]."
    assert (comment.current_revision.number, comment.current_revision.editor, comment.current_revision.rule) == (
        2, moderator, rule)
    assert CommentRevision.objects.get(comment=comment, number=1).body == "The night bus is my only way home."
    decision = ModerationDecision.objects.get()
    assert (decision.action, decision.revision, decision.rule, decision.note) == (
        "edit", comment.current_revision, rule, "masked")


def test_edit_and_approve_publishes_the_edited_text(decide, pending_comment, rule, now):
    """"Approve as edited" publishes the new revision in the same step."""
    decide(pending_comment, "edit", body="Masked.", rule=rule.pk, approve="on")

    comment = fresh(pending_comment)
    assert (comment.status, comment.published_at, comment.current_revision.body) == (
        Comment.Status.APPROVED, now, "Masked.")
    assert ModerationDecision.objects.get().to_status == Comment.Status.APPROVED


def test_edit_without_rule_is_422_with_the_typed_text(decide, pending_comment):
    """An edit must cite a rule: the comment page comes back (422) with the typed text and the reason."""
    response = decide(pending_comment, "edit", body="My careful\nredaction.", rule="", note="typed note")

    assert response.status_code == 422
    page = html(response)
    assert page.xpath('//textarea[@name="body"]')[0].text_content().lstrip("\n") == "My careful\nredaction."
    assert page.xpath('//input[@name="note"]/@value') == ["typed note"]
    assert "Choose the house rule this decision applies." in page.xpath('//*[@id="decision-errors"]')[0].text_content()
    assert fresh(pending_comment).current_revision.number == 1
    assert not ModerationDecision.objects.exists()


def test_edit_to_empty_text_is_422(decide, pending_comment, rule):
    """An edit that deletes all the text is refused (reject instead), with the rule still selected."""
    response = decide(pending_comment, "edit", body="  \n ", rule=rule.pk)

    assert response.status_code == 422
    page = html(response)
    assert "The edited text cannot be empty" in page.xpath('//*[@id="decision-errors"]')[0].text_content()
    assert page.xpath('//select[@name="rule" and @id="edit-rule"]/option[@selected]/@value') == [str(rule.pk)]
    assert CommentRevision.objects.filter(comment=pending_comment).count() == 1


def test_edit_over_the_length_limit_is_422_with_the_typed_text(decide, pending_comment, rule, settings):
    """An edit longer than the reader limit comes back with the text, not truncated or lost."""
    settings.VOXPOP_COMMENT_MAX_CHARS = 20
    typed = "x" * 25

    response = decide(pending_comment, "edit", body=typed, rule=rule.pk)

    assert response.status_code == 422
    assert html(response).xpath('//textarea[@name="body"]')[0].text_content().strip() == typed
    assert fresh(pending_comment).current_revision.number == 1


def test_edited_markup_is_stored_and_shown_as_text(client, decide, pending_comment, rule):
    """An edit is plain text like the reader's: typed tags are stored verbatim and shown escaped (G2)."""
    decide(pending_comment, "edit", body="<b>[removed]</b>", rule=rule.pk)

    page = html(client.get(f"/moderation/comments/{pending_comment.pk}/"))

    assert fresh(pending_comment).current_revision.body == "<b>[removed]</b>"
    assert page.xpath('//div[@class="mw-body"]')[0].text_content() == "<b>[removed]</b>"
    assert not page.xpath('//div[@class="mw-body"]//b')


# Conflicts (G3)


def test_decision_on_a_stale_revision_is_refused(client, decide, pending_comment, other_moderator, rule, now):
    """If another moderator edited the comment since it was opened, approve is refused with a message."""
    seen = pending_comment.current_revision_id
    comment_edit(comment_id=pending_comment.pk, revision_id=seen, moderator=other_moderator, body="masked",
                 rule=rule, note="", approve=False, now=now)

    response = decide(pending_comment, "approve", revision=seen)

    assert STALE in refused(response)
    assert "masked" in html(response).xpath('string(//div[contains(@class, "mw-body")])')
    assert fresh(pending_comment).status == Comment.Status.PENDING
    assert not ModerationDecision.objects.filter(action="approve").exists()


def test_reject_after_another_approval_is_refused(client, decide, pending_comment, other_moderator, rule, now):
    """A reject of a comment someone else approved meanwhile is refused; it stays published."""
    comment_approve(comment_id=pending_comment.pk, revision_id=pending_comment.current_revision_id,
                    moderator=other_moderator, now=now)

    response = decide(pending_comment, "reject", rule=rule.pk)

    assert STALE in refused(response)
    assert fresh(pending_comment).status == Comment.Status.APPROVED
    assert ModerationDecision.objects.count() == 1


def test_edit_of_a_stale_revision_is_refused(client, decide, pending_comment, other_moderator, rule, now):
    """Two edits of the same revision: the second is refused, not stacked on the first."""
    seen = pending_comment.current_revision_id
    comment_edit(comment_id=pending_comment.pk, revision_id=seen, moderator=other_moderator, body="first edit",
                 rule=rule, note="", approve=False, now=now)

    response = decide(pending_comment, "edit", revision=seen, body="second edit", rule=rule.pk)

    assert STALE in refused(response)
    assert html(response).xpath('string(//textarea[@name="body"])') == "second edit"
    assert fresh(pending_comment).current_revision.body == "first edit"
    assert CommentRevision.objects.filter(comment=pending_comment).count() == 2


def test_decision_without_revision_is_refused(client, decide, pending_comment):
    """A post that does not say which revision was seen decides nothing."""
    response = decide(pending_comment, "approve", revision="")

    assert f"Comment #{pending_comment.pk}:" in shown(client, response)
    assert fresh(pending_comment).status == Comment.Status.PENDING


# Reopen


def test_reopen_puts_a_rejected_comment_back_in_the_queue(decide, pending_comment, moderator, rule, now):
    """Reopening a rejected comment makes it pending again and records who did it."""
    comment_reject(comment_id=pending_comment.pk, revision_id=pending_comment.current_revision_id,
                   moderator=moderator, rule=rule, note="", now=now - timedelta(minutes=1))

    decide(pending_comment, "reopen", note="second look")

    assert fresh(pending_comment).status == Comment.Status.PENDING
    reopen = ModerationDecision.objects.get(action="reopen")
    assert (reopen.actor, reopen.from_status, reopen.to_status, reopen.note) == (
        moderator, "rejected", "pending", "second look")


def test_reopen_of_a_pending_comment_is_refused(client, decide, pending_comment):
    """Only rejected comments can be reopened."""
    response = decide(pending_comment, "reopen")

    assert STALE in refused(response)
    assert not ModerationDecision.objects.exists()


# CSRF


def signed_in_strict_client(user) -> Client:
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(user)
    session = strict.session
    session[django_otp.DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=user).persistent_id
    session.save()
    return strict


def test_decision_without_csrf_token_is_403(moderator, pending_comment):
    """A decision posted from another site (no CSRF token) is refused and not applied."""
    strict = signed_in_strict_client(moderator)

    response = strict.post(f"/moderation/comments/{pending_comment.pk}/decide",
                           {"action": "approve", "revision": pending_comment.current_revision_id})

    assert response.status_code == 403
    assert fresh(pending_comment).status == Comment.Status.PENDING


def test_decision_with_the_pages_csrf_token_is_applied(moderator, pending_comment):
    """The approve form of the comment page carries a working CSRF token."""
    strict = signed_in_strict_client(moderator)
    page = html(strict.get(f"/moderation/comments/{pending_comment.pk}/"))
    form = page.xpath('//form[contains(@class, "mw-approve")]')[0]
    fields = {i.get("name"): i.get("value") for i in form.xpath(".//input")}

    response = strict.post(form.get("action"), fields)

    assert response.status_code == 302
    assert fresh(pending_comment).status == Comment.Status.APPROVED


@pytest.mark.parametrize("url", ["/moderation/undo", "/moderation/bulk", "/moderation/sign-out/"])
def test_other_actions_need_a_csrf_token(moderator, pending_comment, url):
    """Undo, bulk and sign-out are refused without a CSRF token too."""
    strict = signed_in_strict_client(moderator)

    response = strict.post(url, {"action": "approve",
                                 "selected": f"{pending_comment.pk}:{pending_comment.current_revision_id}"})

    assert response.status_code == 403
    assert fresh(pending_comment).status == Comment.Status.PENDING


# Undo over HTTP


def test_undo_reverts_the_last_decision(client, decide, as_moderator, pending_comment, moderator):
    """The undo button returns the just-approved comment to pending, with an undo row in the log."""
    decide(pending_comment, "approve")

    response = as_moderator.post("/moderation/undo", {"next": QUEUE})

    assert response["Location"] == f"{QUEUE}#c{pending_comment.pk}"
    assert f"Undone: your approval of comment #{pending_comment.pk}." in shown(client, response)
    assert (fresh(pending_comment).status, fresh(pending_comment).published_at) == (Comment.Status.PENDING, None)
    undo = ModerationDecision.objects.get(action="undo")
    assert (undo.actor, undo.undoes.action) == (moderator, "approve")


def test_undo_with_nothing_to_undo_says_so(client, as_moderator):
    """Undo with no decision of one's own left is a message, not an error."""
    response = as_moderator.post("/moderation/undo")

    assert "You have no decision left to undo." in shown(client, response)


def test_undo_refused_after_someone_else_changed_it(client, decide, as_moderator, pending_comment, other_moderator,
                                                    rule, now):
    """If another moderator edited the approved comment since, undo explains and changes nothing."""
    decide(pending_comment, "approve")
    comment_edit(comment_id=pending_comment.pk, revision_id=pending_comment.current_revision_id,
                 moderator=other_moderator, body="masked", rule=rule, note="", approve=False, now=now)

    response = as_moderator.post("/moderation/undo")

    assert "can no longer be undone" in shown(client, response)
    assert fresh(pending_comment).status == Comment.Status.APPROVED
    assert not ModerationDecision.objects.filter(action="undo").exists()


# Bulk over HTTP


def bulk_post(client, action, selection, **fields):
    return client.post("/moderation/bulk", {"action": action, "next": QUEUE, **fields,
                                            "selected": [f"{c.pk}:{c.current_revision_id}" for c in selection]})


def test_bulk_approve_writes_one_audit_row_each(client, as_moderator, comments, moderator):
    """Approving a selection publishes each comment with its own audit row."""
    selection = comments(4)

    response = bulk_post(as_moderator, "approve", selection)

    assert response["Location"] == QUEUE
    assert "4 comments approved." in shown(client, response)
    assert set(Comment.objects.values_list("status", flat=True)) == {Comment.Status.APPROVED}
    assert sorted(ModerationDecision.objects.filter(action="approve", actor=moderator)
                  .values_list("comment_id", flat=True)) == sorted(c.pk for c in selection)


def test_bulk_reject_without_rule_is_refused(client, as_moderator, comments):
    """A bulk rejection must name the rule number; without one nothing is decided."""
    response = bulk_post(as_moderator, "reject", comments(2))

    assert "Choose the house rule for a bulk rejection." in shown(client, response)
    assert not ModerationDecision.objects.exists()


def test_bulk_reject_cites_the_rule(as_moderator, comments, rule):
    """A bulk rejection under rule 2 records rule 2 of the desk for every comment."""
    bulk_post(as_moderator, "reject", comments(3), rule=2)

    assert [d.rule for d in ModerationDecision.objects.all()] == [rule] * 3
    assert set(Comment.objects.values_list("status", flat=True)) == {Comment.Status.REJECTED}


def test_bulk_reports_the_stale_ones(client, as_moderator, comments, other_moderator, now):
    """Comments decided by someone else after selection are skipped and listed in the message."""
    kept, taken = comments(2)
    comment_approve(comment_id=taken.pk, revision_id=taken.current_revision_id, moderator=other_moderator, now=now)

    response = bulk_post(as_moderator, "approve", [kept, taken])

    message = shown(client, response)
    assert "1 comments approved." in message
    assert "1 left for a closer look" in message and f"#{taken.pk}" in message
    assert ModerationDecision.objects.filter(comment=taken).count() == 1


def test_bulk_with_nothing_selected_is_refused(client, as_moderator, pending_comment):
    """Pressing a bulk button with no selection says so and decides nothing."""
    response = as_moderator.post("/moderation/bulk", {"action": "approve", "next": QUEUE})

    assert "Select at least one comment." in shown(client, response)
    assert not ModerationDecision.objects.exists()


def test_bulk_skips_held_commenters(client, as_moderator, comments, moderator, now):
    """Bulk approval leaves a held commenter's comments for a one-by-one look."""
    restriction_create(desk=moderator.desks.get(), commenter_key="held-key", kind="hold", reason="watch", expires_at=None, moderator=moderator,
                       now=now)
    free, = comments(1)
    held, = comments(1, key="held-key")

    response = bulk_post(as_moderator, "approve", [free, held])

    assert f"#{held.pk}" in shown(client, response)
    assert (fresh(free).status, fresh(held).status) == (Comment.Status.APPROVED, Comment.Status.PENDING)
