"""Holds and bans carried into a new key period stay one decision: lifting the original or any copy
lifts them all, each row recording who lifted it and when (voxpop.moderation.services)."""
from datetime import timedelta
from importlib import import_module

import django_otp
import pytest
from django.apps import apps

from tests.conftest import make_moderator
from voxpop.accounts.models import User
from voxpop.comments.models import Comment
from voxpop.comments.services import comment_submit
from voxpop.common import clock
from voxpop.moderation.models import CommenterRestriction
from voxpop.moderation.retention import commenter_erase
from voxpop.moderation.services import (
    comment_screen,
    restriction_carry_over,
    restriction_create,
    restriction_lift,
    restriction_revoke,
)

WEEK = timedelta(days=7)
# A migration module's name starts with a digit, so it cannot be imported with `import`.
link_existing_copies = import_module("voxpop.moderation.migrations.0004_restriction_original").link_existing_copies
KEYS = ["key-week-1", "key-week-2", "key-week-3"]  # one source's commenter keys in three periods


@pytest.fixture
def ban(moderator, now):
    """`ban()`: a ban on the source's first-week key in the moderator's desk, set by the moderator."""
    def make(key=KEYS[0], kind=CommenterRestriction.Kind.BAN, desk=None):
        return restriction_create(commenter_key=key, desk=desk or moderator.desks.get(), kind=kind, reason="floods",
                                  expires_at=None, moderator=moderator, now=now)
    return make


def carried(week: int, now) -> list[CommenterRestriction]:
    """The source comes back in `week` (1 or 2): what was in force on last week's key is copied to this week's."""
    return restriction_carry_over(commenter_key=KEYS[week], previous_key=KEYS[week - 1], now=now + week * WEEK)


def lifted(restriction) -> tuple:
    stored = CommenterRestriction.objects.get(pk=restriction.pk)
    return stored.revoked_by, stored.revoked_at


def test_copy_names_the_restriction_a_moderator_set(ban, now):
    """A copy, and the copy of that copy a period later, both link to the first restriction."""
    original = ban()

    [copy] = carried(1, now)
    [copy_of_copy] = carried(2, now)

    assert (copy.original, copy_of_copy.original) == (original, original)


def test_lifting_the_original_lifts_its_copies(ban, moderator, other_moderator, now):
    """A moderator lifting last week's ban also lifts the copy on this week's key, audited as their lift."""
    original = ban()
    [copy] = carried(1, now)

    assert restriction_revoke(restriction_id=original.pk, moderator=other_moderator, now=now + WEEK)

    assert lifted(original) == lifted(copy) == (other_moderator, now + WEEK)


def test_lifting_a_copy_lifts_the_original_and_every_other_copy(ban, other_moderator, now):
    """Lifting this week's copy ends the whole family, so nothing carries the ban back over."""
    original = ban()
    [first_copy] = carried(1, now)
    [second_copy] = carried(2, now)

    assert restriction_revoke(restriction_id=first_copy.pk, moderator=other_moderator, now=now + 2 * WEEK)

    assert {lifted(r) for r in (original, first_copy, second_copy)} == {(other_moderator, now + 2 * WEEK)}


def test_lifted_copy_no_longer_bans_and_is_not_carried_again(ban, story, moderator, now):
    """After the original is lifted, the source's comments under either key are no longer rejected."""
    original = ban()
    carried(1, now)
    restriction_revoke(restriction_id=original.pk, moderator=moderator, now=now + WEEK)

    comment = comment_submit(story=story, body="Back again.", display_name="", parent_id=None, submission_key=None,
                             commenter_key=KEYS[1], now=now + WEEK).comment
    comment_screen(comment=comment, now=now + WEEK)

    assert Comment.objects.get(pk=comment.pk).status == Comment.Status.PENDING
    assert carried(2, now) == []


def test_lifting_leaves_other_restrictions_alone(ban, moderator, now):
    """A hold on the same key, and a ban on another source, are other decisions and stay in force."""
    original = ban()
    hold = ban(kind=CommenterRestriction.Kind.HOLD)
    other_source = ban(key="someone-else")
    carried(1, now)

    restriction_revoke(restriction_id=original.pk, moderator=moderator, now=now + WEEK)

    in_force = CommenterRestriction.objects.filter(revoked_at=None)
    assert {(r.commenter_key, r.kind) for r in in_force} == {
        (KEYS[0], "hold"), (KEYS[1], "hold"), ("someone-else", "ban")}
    assert {r.original_id or r.pk for r in in_force} == {hold.pk, other_source.pk}


def test_lifting_twice_reports_nothing_to_lift(ban, moderator, other_moderator, now):
    """A second lift of a copy whose original was lifted finds nothing and keeps the first record."""
    original = ban()
    [copy] = carried(1, now)
    restriction_revoke(restriction_id=original.pk, moderator=moderator, now=now + WEEK)

    assert not restriction_revoke(restriction_id=copy.pk, moderator=other_moderator, now=now + 2 * WEEK)
    assert lifted(copy) == (moderator, now + WEEK)


def test_other_desks_moderator_lifts_nothing(ban, korean_moderator, now):
    """Naming a copy of another desk's ban lifts neither it nor its original."""
    original = ban()
    [copy] = carried(1, now)

    assert not restriction_revoke(restriction_id=copy.pk, moderator=korean_moderator, now=now + WEEK)
    assert CommenterRestriction.objects.filter(pk__in=[original.pk, copy.pk], revoked_at=None).count() == 2


def test_lift_counts_every_row_of_the_families(ban, moderator, now):
    """restriction_lift (for callers that lift by key, like an erasure) lifts and counts the copies too."""
    ban(), ban(kind=CommenterRestriction.Kind.HOLD)
    carried(1, now)

    count = restriction_lift(restrictions=CommenterRestriction.objects.filter(commenter_key=KEYS[1]), actor=moderator,
                             now=now + WEEK)

    assert count == 4
    assert not CommenterRestriction.objects.filter(revoked_at=None).exists()


def test_workspace_lift_of_the_original_lifts_its_copy(client, moderator, ban, now, monkeypatch):
    """Through the workspace's lift button: lifting last week's ban lifts this week's copy, in the moderator's name."""
    original = ban()
    [copy] = carried(1, now)
    monkeypatch.setattr(clock, "now", lambda: now + WEEK)
    client.force_login(moderator)
    session = client.session
    session[django_otp.DEVICE_ID_SESSION_KEY] = next(django_otp.devices_for_user(moderator)).persistent_id
    session.save()

    response = client.post(f"/moderation/restrictions/{original.pk}/lift")

    assert response.status_code == 302
    assert lifted(copy) == (moderator, now + WEEK)


def test_migration_links_copies_made_before_it(ban, now):
    """Copies made before the link existed are found by the restriction their reason names."""
    original = ban()
    [copy] = carried(1, now)
    [copy_of_copy] = carried(2, now)
    unrelated = ban(key="someone-else")
    CommenterRestriction.objects.update(original=None)

    link_existing_copies(apps, None)

    assert ({r.pk: r.original_id for r in CommenterRestriction.objects.all()}
            == {original.pk: None, copy.pk: original.pk, copy_of_copy.pk: original.pk, unrelated.pk: None})


def test_erasing_the_new_key_lifts_the_whole_family(ban, now):
    """An admin erasing this week's key also lifts last week's original, so nothing carries it back."""
    original = ban()
    [copy] = carried(1, now)
    admin = make_moderator("ada", [], role=User.Role.ADMIN)

    erasure = commenter_erase(commenter_key=KEYS[1], admin=admin, now=now + WEEK)

    assert erasure.restrictions_lifted == 2
    assert lifted(original) == lifted(copy) == (admin, now + WEEK)
    assert carried(1, now) == []
    erased = CommenterRestriction.objects.get(pk=copy.pk)
    assert (erased.commenter_key, erased.original_id, erased.reason) == ("", None, "floods")
