"""An admin erases every comment of one commenter key, from a comment's page in the workspace."""
from datetime import timedelta

import lxml.html
import pytest

from tests.conftest import make_moderator
from voxpop.accounts.models import User
from voxpop.comments.models import Comment
from voxpop.comments.services import comment_submit
from voxpop.desks.selectors import house_rule_get
from voxpop.moderation.models import CommenterRestriction, ModerationDecision
from voxpop.moderation.retention import comment_withdraw, retention_purge
from voxpop.moderation.services import comment_approve, comment_reject, restriction_create

pytestmark = pytest.mark.usefixtures("frozen_clock")

KEY = "flooder-key"


def html(response):
    return lxml.html.fromstring(response.content)


def fresh(comment) -> Comment:
    return Comment.objects.get(pk=comment.pk)


@pytest.fixture
def post(now):
    def make(story, body="Flood.", *, key=KEY, at=None):
        return comment_submit(story=story, body=body, display_name="Troll", parent_id=None, submission_key=None,
                              commenter_key=key, now=at or now).comment
    return make


@pytest.fixture
def admin(db):
    return make_moderator("ada", [], role=User.Role.ADMIN)


@pytest.fixture
def as_admin(signed_in, admin):
    return signed_in(admin)


@pytest.fixture
def flood(story, korean_story, post, moderator, korean_moderator, now):
    """Comments of one key in both desks, pending, published and rejected, and one from someone else."""
    pending, published = post(story, "pending"), post(story, "published")
    rejected, korean = post(story, "rejected"), post(korean_story, "한국어")
    comment_approve(comment_id=published.pk, revision_id=published.current_revision_id, moderator=moderator, now=now)
    comment_reject(comment_id=rejected.pk, revision_id=rejected.current_revision_id, moderator=moderator,
                   rule=house_rule_get(desk=story.desk, language="en", number=1), note="", now=now)
    other = post(story, "someone else", key="other-key")
    return {"mine": [pending, published, rejected, korean], "other": other}


def erase(client, comment, confirm="erase"):
    return client.post(f"/moderation/comments/{comment.pk}/erase", {"confirm": confirm})


def test_admin_erases_every_comment_of_the_key_across_desks(as_admin, admin, flood):
    """Every comment of the key, in every desk and status, is withdrawn and blanked; others are untouched."""
    response = erase(as_admin, flood["mine"][0])

    assert response.status_code == 302
    assert response["Location"] == f"/moderation/comments/{flood['mine'][0].pk}/"
    for comment in map(fresh, flood["mine"]):
        assert comment.status == Comment.Status.WITHDRAWN
        assert (comment.current_revision.body, comment.display_name, comment.commenter_key) == ("", "", "")
        assert comment.purged_at is not None
    assert fresh(flood["other"]).status == Comment.Status.PENDING
    assert fresh(flood["other"]).commenter_key == "other-key"


def test_each_erased_comment_has_an_audit_row_naming_the_admin(as_admin, admin, flood, now):
    """One `erase` row per comment: the admin, its status to withdrawn, the erasure note; earlier rows stay."""
    erase(as_admin, flood["mine"][0])

    rows = ModerationDecision.objects.filter(action="erase").order_by("comment_id")
    assert [(r.comment_id, r.actor, r.to_status, r.decided_at) for r in rows] == [
        (c.pk, admin, "withdrawn", now) for c in flood["mine"]]
    assert [r.from_status for r in rows] == ["pending", "approved", "rejected", "pending"]
    assert {r.note for r in rows} == {"erased: all comments of one commenter"}
    assert ModerationDecision.objects.filter(action__in=["approve", "reject"]).count() == 2


def test_the_count_is_shown(as_admin, flood):
    """After the erasure the comment page says how many comments and restrictions it covered."""
    response = as_admin.get(erase(as_admin, flood["mine"][0])["Location"])

    message = html(response).xpath('string(//div[contains(@class, "mw-messages")])')
    assert "Erased 4 comment(s) of this commenter in every desk; 0 hold(s) or ban(s) lifted." in message


def test_erasure_lifts_the_keys_holds_and_bans(as_admin, admin, flood, moderator, korean_moderator, now):
    """Holds and bans on the key, in any desk, are lifted by the admin; the rows stay without the key."""
    for who, kind in ((moderator, "ban"), (korean_moderator, "hold")):
        restriction_create(commenter_key=KEY, desk=who.desks.get(), kind=kind, reason="flood", expires_at=None,
                           moderator=who, now=now - timedelta(hours=1))

    response = as_admin.get(erase(as_admin, flood["mine"][0])["Location"])

    assert "2 hold(s) or ban(s) lifted" in response.content.decode()
    assert {(r.revoked_by, r.revoked_at, r.commenter_key) for r in CommenterRestriction.objects.all()} == {
        (admin, now, "")}


def test_erasure_needs_the_typed_confirmation(as_admin, flood):
    """Without "erase" typed in the box nothing is erased, and the page says why."""
    for confirm in ("", "yes", "delete"):
        response = as_admin.get(erase(as_admin, flood["mine"][0], confirm=confirm)["Location"])
        assert "Nothing was erased" in response.content.decode()
    assert {fresh(c).status for c in flood["mine"]} == {"pending", "approved", "rejected"}
    assert not ModerationDecision.objects.filter(action="erase").exists()


@pytest.mark.parametrize("role", [User.Role.MODERATOR, User.Role.EDITOR])
def test_non_admin_gets_403_and_nothing_changes(signed_in, english_desk, korean_desk, flood, role):
    """A moderator or desk editor, even of every desk involved, cannot erase."""
    user = make_moderator("nadia", [english_desk, korean_desk], role=role)

    response = erase(signed_in(user), flood["mine"][0])

    assert response.status_code == 403
    assert {fresh(c).status for c in flood["mine"]} == {"pending", "approved", "rejected"}
    assert all(fresh(c).commenter_key == KEY for c in flood["mine"])


def test_erase_by_get_is_405(as_admin, flood):
    """A link or an image tag cannot erase anyone."""
    assert as_admin.get(f"/moderation/comments/{flood['mine'][0].pk}/erase").status_code == 405
    assert fresh(flood["mine"][0]).status == Comment.Status.PENDING


def test_erase_form_is_shown_to_admins_only(client, signed_in, admin, moderator, flood):
    """The comment page has the erase form for an admin, not for a moderator."""
    url = f"/moderation/comments/{flood['mine'][0].pk}/"

    admin_page = html(signed_in(admin).get(url))
    moderator_page = html(signed_in(moderator).get(url))

    assert admin_page.xpath(f'//form[@action="{url}erase"]//input[@name="confirm"]')
    assert admin_page.xpath(f'//form[@action="{url}erase"]//input[@name="csrfmiddlewaretoken"]')
    assert not moderator_page.xpath(f'//form[@action="{url}erase"]')


def test_erase_form_says_how_many_comments_it_would_take_down(as_admin, flood):
    """Before erasing, the admin sees how many comments carry the key in every desk (a shared key stands out)."""
    response = as_admin.get(f"/moderation/comments/{flood['mine'][0].pk}/")

    hint = html(response).xpath('string(//section[@aria-labelledby="erase-title"]//p[@class="mw-hint"])')
    assert "Withdraws all 4 comments with this commenter key, in every desk" in hint


def test_page_of_an_erased_comment_offers_no_decision(as_admin, flood):
    """An erased comment's page shows its audit log but no decision, edit, reopen or erase form."""
    comment = flood["mine"][2]  # was rejected: it would otherwise offer a reopen
    erase(as_admin, comment)

    response = as_admin.get(f"/moderation/comments/{comment.pk}/")

    assert response.status_code == 200
    assert not html(response).xpath('//form[contains(@action, "/decide") or contains(@action, "/erase")]')
    assert "withdrawn" in html(response).xpath('string(//h1)')
    assert "erased: all comments of one commenter" in response.content.decode()


# Withdrawn and expired comments in the queues


def test_withdrawn_and_expired_comments_are_in_no_queue(as_admin, story, post, now):
    """The workspace's tabs are pending, approved and rejected; withdrawn and expired comments are in none."""
    withdrawn, expired, waiting = post(story, "withdrawn"), post(story, "expired", at=now - timedelta(days=100)), \
        post(story, "waiting")
    comment_withdraw(comment_id=withdrawn.pk, now=now)
    retention_purge(now=now)

    pages = {status: as_admin.get(f"/moderation/?status={status}") for status in ("pending", "approved", "rejected")}

    ids = {s: html(r).xpath("//li[@data-comment]/@data-comment") for s, r in pages.items()}
    assert ids == {"pending": [str(waiting.pk)], "approved": [], "rejected": []}
    tabs = html(pages["pending"]).xpath('//a[starts-with(@href, "?status=")]/@href')
    assert not [t for t in tabs if "withdrawn" in t or "expired" in t]
    assert fresh(expired).status == Comment.Status.EXPIRED


def test_asking_for_a_withdrawn_queue_shows_pending(as_admin, story, post, now):
    """?status=withdrawn is not a queue: the pending queue is shown instead."""
    comment_withdraw(comment_id=post(story, "gone").pk, now=now)
    waiting = post(story, "waiting")

    response = as_admin.get("/moderation/?status=withdrawn")

    assert html(response).xpath("//li[@data-comment]/@data-comment") == [str(waiting.pk)]


def test_moderation_api_queue_leaves_out_withdrawn_comments(client, story, post, moderator, token_for, now):
    """The API's moderation queue lists pending comments only, not withdrawn ones."""
    comment_withdraw(comment_id=post(story, "gone").pk, now=now)
    waiting = post(story, "waiting")

    response = client.get("/api/v1/moderation/queue", HTTP_AUTHORIZATION=f"Bearer {token_for(moderator)}")

    assert [c["id"] for c in response.json()["comments"]] == [waiting.pk]
