"""What a moderator does in the workspace, done through the API: queues, a comment's record, reopen,
undo, re-routing, bulk decisions, holds and bans, the audit log, and the editors' settings."""
import base64

import pytest

from tests.conftest import make_moderator, reject
from voxpop.accounts.models import User
from voxpop.scoring.editorial import MAX_ENTRY_CHARS
from voxpop.comments.models import Comment
from voxpop.common import clock
from voxpop.moderation.models import CommenterRestriction, ModerationDecision
from voxpop.moderation.services import comment_approve, comment_edit, restriction_create
from voxpop.scoring.editorial import word_lists_current
from voxpop.stories.models import Story, StorySettingChange

COMMENTS = "/api/v1/moderation/comments"


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch, now):
    monkeypatch.setattr(clock, "now", lambda: now)


def walk(api, url, user, key):
    """Every item of a paginated list, following `next`."""
    items = []
    while url:
        page = api.get(url, user).json()
        items += page[key]
        url = page["next"]
    return items


# Queues and one comment's record


def test_rejected_queue_pages_newest_first_each_comment_once(api, moderator, story, submit, english_desk, now):
    """The rejected queue walked two at a time lists every rejected comment once, newest first."""
    rule = english_desk.rules.get(number=1)
    ids = []
    for i in range(5):
        comment = submit(story, body=f"rude {i}")
        reject(comment, moderator, rule, now)
        ids.append(comment.pk)

    seen = walk(api, f"{COMMENTS}?status=rejected&limit=2", moderator, "comments")

    assert [c["id"] for c in seen] == ids[::-1]
    assert {c["status"] for c in seen} == {"rejected"}


def test_queue_filters_by_story_and_text(api, moderator, story, submit, now, english_desk):
    """`story` and `q` narrow the pending queue as the workspace's filters do."""
    other = type(story).objects.create(key="ferry", title="Ferry", url="https://news.example/ferry", language="en",
                                       desk=english_desk, created_at=now, updated_at=now)
    bus = submit(story, body="More night buses please")
    submit(story, body="Trams instead")
    submit(other, body="More night buses on the ferry route")

    response = api.get(f"{COMMENTS}?story=harbour-buses&q=night+bus", moderator)

    assert [c["id"] for c in response.json()["comments"]] == [bus.pk]


def test_queue_of_another_desk_is_404(api, korean_moderator, pending_comment):
    """Asking for a desk that is not the caller's is 404, not an empty list that confirms it exists."""
    response = api.get(f"{COMMENTS}?desk=english", korean_moderator)

    assert response.status_code == 404
    assert response.json()["error"]["field"] == "desk"


def test_comment_record_has_revisions_and_decisions(api, moderator, pending_comment, english_desk, now):
    """The record lists the reader's text and the moderator's edit, and the edit's audit row with its rule."""
    rule = english_desk.rules.get(number=2)
    comment_edit(comment_id=pending_comment.pk, revision_id=pending_comment.current_revision_id, moderator=moderator,
                 body="The night bus is my only way home. [masked]", rule=rule, note="masked", approve=False, now=now)

    record = api.get(f"{COMMENTS}/{pending_comment.pk}", moderator).json()

    assert [(r["number"], r["editor"]) for r in record["revisions"]] == [(1, None), (2, "erin")]
    assert record["revisions"][0]["body"] == "The night bus is my only way home."
    [decision] = record["decisions"]
    assert (decision["action"], decision["actor"], decision["rule"]["number"]) == ("edit", "erin", 2)
    assert record["revision"] == record["revisions"][1]["id"]


def test_another_desks_comment_record_is_404(api, korean_moderator, pending_comment):
    """A comment of another desk is indistinguishable from none."""
    assert api.get(f"{COMMENTS}/{pending_comment.pk}", korean_moderator).status_code == 404


# Reopen, undo, re-route


def test_reopen_puts_a_rejected_comment_back_in_the_queue(api, moderator, pending_comment, english_desk, now):
    """`reopen` on the rejected revision makes it pending again, with an audit row."""
    reject(pending_comment, moderator, english_desk.rules.get(number=1), now)

    response = api.send("POST", f"{COMMENTS}/{pending_comment.pk}/decisions", moderator, action="reopen",
                        revision=pending_comment.current_revision_id)

    assert (response.status_code, response.json()["status"]) == (200, "pending")
    assert ModerationDecision.objects.filter(action="reopen", actor=moderator).count() == 1


def test_undo_reverts_the_callers_last_approval(api, moderator, pending_comment, now):
    """Undo makes the approved comment pending again and answers both audit rows."""
    comment_approve(comment_id=pending_comment.pk, revision_id=pending_comment.current_revision_id,
                    moderator=moderator, now=now)

    response = api.send("POST", "/api/v1/moderation/undo", moderator)

    body = response.json()
    assert response.status_code == 200
    assert (body["undone"]["action"], body["decision"]["action"], body["comment"]["status"]) == (
        "approve", "undo", "pending")
    assert Comment.objects.get(pk=pending_comment.pk).status == Comment.Status.PENDING


def test_undo_with_nothing_to_undo_is_409(api, moderator, other_moderator, pending_comment, now):
    """Another moderator's decision is not the caller's to undo: 409 and the comment stays approved."""
    comment_approve(comment_id=pending_comment.pk, revision_id=pending_comment.current_revision_id,
                    moderator=other_moderator, now=now)

    response = api.send("POST", "/api/v1/moderation/undo", moderator)

    assert (response.status_code, response.json()["error"]["code"]) == (409, "nothing_to_undo")
    assert Comment.objects.get(pk=pending_comment.pk).status == Comment.Status.APPROVED


def test_route_sends_the_comment_to_another_desk(api, moderator, pending_comment, korean_desk):
    """Routed to the Korean desk as `ko`, the comment leaves the caller's queue, with a `route` audit row."""
    response = api.send("POST", f"{COMMENTS}/{pending_comment.pk}/route", moderator, desk="korean", language="ko",
                        revision=pending_comment.current_revision_id)

    assert response.status_code == 200
    assert (response.json()["moved"], response.json()["comment"]["desk"]) == (True, "korean")
    assert api.get(COMMENTS, moderator).json()["comments"] == []
    assert ModerationDecision.objects.get().action == "route"


def test_route_of_a_changed_comment_is_409(api, moderator, pending_comment, korean_desk):
    """A re-route naming a revision that is no longer current moves nothing."""
    response = api.send("POST", f"{COMMENTS}/{pending_comment.pk}/route", moderator, desk="korean",
                        revision=pending_comment.current_revision_id + 1000)

    assert response.status_code == 409
    assert Comment.objects.get(pk=pending_comment.pk).desk.key == "english"


# Bulk


def test_bulk_approve_skips_other_desks_and_held_commenters(api, moderator, story, korean_story, submit,
                                                            english_desk, now):
    """Comments of the caller's desk are approved; another desk's and a held commenter's are skipped."""
    mine = submit(story, body="fine")
    korean = submit(korean_story, body="괜찮아요")
    held = Comment.objects.get(pk=submit(story, body="held one").pk)
    Comment.objects.filter(pk=held.pk).update(commenter_key="held-key")
    restriction_create(commenter_key="held-key", desk=english_desk, kind="hold", reason="flood", expires_at=None,
                       moderator=moderator, now=now)

    response = api.send("POST", "/api/v1/moderation/bulk", moderator, action="approve", comments=[
        {"id": c.pk, "revision": c.current_revision_id} for c in (mine, korean, held)])

    assert response.json() == {"decided": [mine.pk], "skipped": [korean.pk, held.pk]}
    assert Comment.objects.get(pk=korean.pk).status == Comment.Status.PENDING


def test_bulk_reject_needs_a_house_rule(api, moderator, pending_comment):
    """A bulk rejection without `reason` is 422 and decides nothing."""
    response = api.send("POST", "/api/v1/moderation/bulk", moderator, action="reject", comments=[
        {"id": pending_comment.pk, "revision": pending_comment.current_revision_id}])

    assert (response.status_code, response.json()["error"]["field"]) == (422, "reason")
    assert not ModerationDecision.objects.exists()


# Holds and bans


def test_ban_by_comment_is_listed_then_lifted(api, moderator, pending_comment):
    """A ban set through a comment is in force in its desk until lifted; the lift keeps the row."""
    created = api.send("POST", "/api/v1/moderation/restrictions", moderator, comment=pending_comment.pk, kind="ban",
                       reason="Spam flood", days=7)
    assert created.status_code == 201
    restriction = created.json()
    assert (restriction["commenter"], restriction["desk"], restriction["active"]) == ("reader-key", "english", True)
    assert [r["id"] for r in api.get("/api/v1/moderation/restrictions", moderator).json()["restrictions"]] == [
        restriction["id"]]

    lifted = api.send("POST", f"/api/v1/moderation/restrictions/{restriction['id']}/lift", moderator)

    assert (lifted.json()["active"], lifted.json()["lifted_by"]) == (False, "erin")
    assert api.get("/api/v1/moderation/restrictions", moderator).json()["restrictions"] == []
    assert CommenterRestriction.objects.count() == 1


def test_lifting_another_desks_ban_is_404(api, korean_moderator, moderator, english_desk, now):
    """Another desk's ban cannot be lifted, nor told apart from one that does not exist."""
    ban = restriction_create(commenter_key="k", desk=english_desk, kind="ban", reason="r", expires_at=None,
                             moderator=moderator, now=now)

    response = api.send("POST", f"/api/v1/moderation/restrictions/{ban.pk}/lift", korean_moderator)

    assert response.status_code == 404
    assert CommenterRestriction.objects.get(pk=ban.pk).revoked_at is None


# The audit log


def test_audit_log_pages_newest_first_and_filters_by_moderator(api, moderator, other_moderator, story, submit, now):
    """The log lists every decision once, newest first; `moderator` keeps one person's."""
    comments = [submit(story, body=f"c{i}") for i in range(3)]
    for comment, who in zip(comments, (moderator, other_moderator, moderator)):
        comment_approve(comment_id=comment.pk, revision_id=comment.current_revision_id, moderator=who, now=now)

    everything = walk(api, "/api/v1/moderation/audit?limit=2", moderator, "decisions")
    erins = walk(api, "/api/v1/moderation/audit?moderator=erin", moderator, "decisions")

    assert [d["comment"] for d in everything] == [c.pk for c in comments[::-1]]
    assert [d["comment"] for d in erins] == [comments[2].pk, comments[0].pk]


# Editors: story settings, house rules, word lists, protected names, dashboard


def test_closing_a_story_writes_its_settings_history(api, editor, story):
    """A PATCH with the version read closes the story and records who changed what."""
    url = f"/api/v1/moderation/stories/{story.key}/settings"
    version = api.get(url, editor).json()["version"]

    response = api.send("PATCH", url, editor, version=version, state="closed", sensitive=True)

    assert (response.status_code, response.json()["state"], response.json()["sensitive"]) == (200, "closed", True)
    assert Story.objects.get(pk=story.pk).state == Story.State.CLOSED
    assert {(c.field, c.new) for c in StorySettingChange.objects.filter(actor=editor)} == {
        ("state", "closed"), ("sensitive", "true")}


def test_settings_saved_against_an_old_version_are_409(api, editor, story):
    """Another editor's change since the read voids this one: 409, the story as the other left it."""
    url = f"/api/v1/moderation/stories/{story.key}/settings"
    version = api.get(url, editor).json()["version"]
    api.send("PATCH", url, editor, version=version, sensitive=True)

    response = api.send("PATCH", url, editor, version=version, state="closed")

    assert (response.status_code, response.json()["error"]["code"]) == (409, "settings_changed")
    assert Story.objects.get(pk=story.pk).state == Story.State.OPEN


def test_plain_moderators_cannot_change_story_settings(api, moderator, story):
    """Story settings are for editors and admins: 403 for a moderator of the same desk."""
    response = api.get(f"/api/v1/moderation/stories/{story.key}/settings", moderator)

    assert (response.status_code, response.json()["error"]["code"]) == (403, "forbidden")


def test_house_rules_are_replaced_and_old_wording_retired(api, editor, english_desk):
    """PUT rewords rule 1 and drops rule 3; the old wordings are listed as retired."""
    url = "/api/v1/moderation/desks/english/rules/en"
    current = api.get(url, editor).json()

    response = api.send("PUT", url, editor, version=current["version"], rules=["Be kind.", "No personal data."])

    assert [r["text"] for r in response.json()["rules"]] == ["Be kind.", "No personal data."]
    assert {r["text"] for r in response.json()["retired"]} == {"Be civil.", "Stay on topic."}
    assert api.send("PUT", url, editor, version=current["version"], rules=["x"]).status_code == 409


def test_word_list_left_out_stays_as_it_is(api, editor, english_desk):
    """Saving only the banned words keeps the suspect words; repeats are stored once."""
    url = "/api/v1/moderation/desks/english/words/en"
    first = api.send("PUT", url, editor, version=api.get(url, editor).json()["version"], suspect=["scam"])

    response = api.send("PUT", url, editor, version=first.json()["version"], banned=["idiot", "Idiot", "moron"])

    assert (response.json()["banned"], response.json()["suspect"]) == (["idiot", "moron"], ["scam"])
    lists = word_lists_current(desk=english_desk, language="en")
    assert lists["banned"].entries() == ["idiot", "moron"]


def test_protected_names_are_added_listed_and_removed(api, editor, story):
    """A name is protected once; the same name again is refused; removing it empties the list."""
    url = f"/api/v1/moderation/stories/{story.key}/protected-names"
    added = api.send("POST", url, editor, name="Jane Source")
    again = api.send("POST", url, editor, name="jane  source")

    assert added.status_code == 201
    assert (again.status_code, again.json()["error"]["code"]) == (422, "refused")
    assert [n["name"] for n in api.get(url, editor).json()["names"]] == ["Jane Source"]
    assert api.send("DELETE", f"{url}/{added.json()['id']}", editor).status_code == 200
    assert api.get(url, editor).json()["names"] == []


def test_dashboard_counts_the_backlog_of_the_callers_desks(api, editor, story, korean_story, submit):
    """The editor's dashboard counts their desk's pending comments and lists no other desk."""
    submit(story, body="one")
    submit(story, body="two")
    submit(korean_story, body="셋")

    figures = api.get("/api/v1/moderation/dashboard", editor).json()

    assert [(d["desk"], d["pending"]) for d in figures["desks"]] == [("english", 2)]
    assert len(figures["hours"]) == 48


def test_admin_sees_every_desk_on_the_dashboard(api, english_desk, korean_desk):
    """An admin's figures span every desk."""
    admin = make_moderator("ada", [], role=User.Role.ADMIN)

    assert [d["desk"] for d in api.get("/api/v1/moderation/dashboard", admin).json()["desks"]] == ["english", "korean"]


# Text that cannot be stored is refused, never a 500 (PostgreSQL holds no NUL)


def test_a_note_with_a_nul_is_refused(api, moderator, pending_comment):
    """A decision's note with a NUL is 422 on `note`, and nothing is decided."""
    response = api.send("POST", f"{COMMENTS}/{pending_comment.pk}/decisions", moderator, action="approve",
                        revision=pending_comment.current_revision_id, note="ok\x00")

    assert (response.status_code, response.json()["error"]["field"]) == (422, "note")
    assert not ModerationDecision.objects.exists()


def test_a_desk_key_with_a_nul_names_no_desk(api, moderator, pending_comment):
    """Routing to a desk key holding a NUL is 422 on `desk`; setting a ban in it is 404 on `desk`."""
    routed = api.send("POST", f"{COMMENTS}/{pending_comment.pk}/route", moderator, desk="english\x00")
    banned = api.send("POST", "/api/v1/moderation/restrictions", moderator, commenter="reader-key",
                      desk="english\x00", kind="ban", reason="spam")

    assert (routed.status_code, routed.json()["error"]["field"]) == (422, "desk")
    assert (banned.status_code, banned.json()["error"]["field"]) == (404, "desk")
    assert not CommenterRestriction.objects.exists()


# Input the view must refuse with a message, never a 500

def test_impossible_closing_time_is_422(api, editor, story):
    """30 February is well-formed but no time at all: a 422 naming `closes_at`."""
    url = f"/api/v1/moderation/stories/{story.key}/settings"
    version = api.get(url, editor).json()["version"]

    response = api.send("PATCH", url, editor, version=version, closes_at="2026-02-30T10:00:00Z")

    assert (response.status_code, response.json()["error"]["field"]) == (422, "closes_at")


def test_cursor_at_the_edge_of_the_calendar_is_422(api, moderator):
    """A crafted cursor whose time cannot be put in UTC is an invalid cursor, not a server error."""
    cursor = base64.urlsafe_b64encode(b"0001-01-01T00:00:00+14:00|1").decode().rstrip("=")

    response = api.get(f"{COMMENTS}?cursor={cursor}", moderator)

    assert (response.status_code, response.json()["error"]["field"]) == (422, "cursor")


def test_bulk_rejection_under_rule_zero_is_422(api, moderator, pending_comment):
    """House rules are numbered from 1: rule 0 is refused, not silently applied to nothing."""
    response = api.send("POST", "/api/v1/moderation/bulk", moderator, action="reject", reason=0,
                        comments=[{"id": pending_comment.pk, "revision": pending_comment.current_revision_id}])

    assert (response.status_code, response.json()["error"]["field"]) == (422, "reason")


def test_word_that_normalizing_lengthens_past_the_limit_is_422(api, editor):
    """U+0958 becomes two code points in NFC: the limit holds for the stored form of the entry."""
    url = "/api/v1/moderation/desks/english/words/en"
    word = "\u0958" * (MAX_ENTRY_CHARS // 2 + 1)

    response = api.send("PUT", url, editor, version=api.get(url, editor).json()["version"], banned=[word])

    assert (response.status_code, response.json()["error"]["code"]) == (422, "too_long")
