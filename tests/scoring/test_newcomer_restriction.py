"""A commenter key's first comment, and holds and bans on the key in the desk the comment is routed to."""
from datetime import timedelta

import pytest

from voxpop.moderation.models import CommenterRestriction
from voxpop.moderation.services import restriction_create, restriction_revoke
from voxpop.scoring.signals import newcomer, restriction

from .signal_context import comment_by, context_for

HOLD, BAN = CommenterRestriction.Kind.HOLD, CommenterRestriction.Kind.BAN


def names(signals) -> list[str]:
    return [s.name for s in signals]


def test_first_comment_is_a_newcomers(story, now):
    """The first comment from a key is flagged, with the label moderators read."""
    comment = comment_by(story, body="First time here.", key="new-key", at=now)

    [signal] = newcomer.detect(context_for(comment, now=now))

    assert (signal.name, signal.label, signal.weight, signal.spans) == (
        "newcomer", "First comment from this commenter", 0.1, ())


def test_second_comment_is_not_a_newcomers(story, now):
    """Once the key has commented before, its next comment is not flagged."""
    comment_by(story, body="First time here.", key="new-key", at=now - timedelta(days=3))
    second = comment_by(story, body="Back again.", key="new-key", at=now)

    assert newcomer.detect(context_for(second, now=now)) == []


def test_earlier_comment_in_another_desk_counts(story, korean_story, now):
    """A comment in any desk makes the key known."""
    comment_by(korean_story, body="안녕하세요.", key="new-key", at=now - timedelta(hours=1))
    second = comment_by(story, body="Hello.", key="new-key", at=now)

    assert newcomer.detect(context_for(second, now=now)) == []


def test_first_comment_scored_again_later_is_still_the_first(story, now):
    """Rescoring the first comment after the key sent more keeps it the first."""
    first = comment_by(story, body="First time here.", key="new-key", at=now)
    comment_by(story, body="Back again.", key="new-key", at=now + timedelta(minutes=5))

    assert names(newcomer.detect(context_for(first, now=now + timedelta(minutes=10)))) == ["newcomer"]


def test_other_keys_do_not_count(story, now):
    """Comments from other keys do not make this key known."""
    comment_by(story, body="Someone else.", key="other-key", at=now - timedelta(hours=1))
    comment = comment_by(story, body="First time here.", key="new-key", at=now)

    assert names(newcomer.detect(context_for(comment, now=now))) == ["newcomer"]


def test_comment_without_key_is_not_flagged(story, now):
    """A comment without a commenter key (imported, or from a CMS) is not called a newcomer's."""
    comment = comment_by(story, body="Imported.", key="", at=now)

    assert newcomer.detect(context_for(comment, now=now)) == []


@pytest.fixture
def restrict(moderator, english_desk, now):
    def make(kind, *, desk=None, key="held-key", expires_at=None):
        return restriction_create(commenter_key=key, desk=desk or english_desk, kind=kind, reason="flood",
                                  expires_at=expires_at, moderator=moderator, now=now - timedelta(hours=1))
    return make


@pytest.fixture
def comment_of_held_key(story, now):
    return comment_by(story, body="Me again.", key="held-key", at=now)


@pytest.mark.parametrize("kind, label", [(HOLD, "Commenter on hold"), (BAN, "Commenter banned")])
def test_active_restriction_is_flagged(restrict, comment_of_held_key, now, kind, label):
    """An active hold or ban on the key in the comment's desk is flagged with its kind."""
    restrict(kind, expires_at=now + timedelta(days=1))

    [signal] = restriction.detect(context_for(comment_of_held_key, now=now))

    assert (signal.name, signal.label, signal.weight) == ("restricted", label, 0.5)


def test_ban_outranks_hold(restrict, comment_of_held_key, now):
    """A key both held and banned is shown as banned."""
    restrict(HOLD)
    restrict(BAN)

    assert [s.label for s in restriction.detect(context_for(comment_of_held_key, now=now))] == ["Commenter banned"]


def test_expired_restriction_is_not_flagged(restrict, comment_of_held_key, now):
    """A hold whose expiry has passed no longer applies."""
    restrict(HOLD, expires_at=now - timedelta(minutes=1))

    assert restriction.detect(context_for(comment_of_held_key, now=now)) == []


def test_lifted_restriction_is_not_flagged(restrict, moderator, comment_of_held_key, now):
    """A ban a moderator lifted no longer applies."""
    ban = restrict(BAN)
    assert restriction_revoke(restriction_id=ban.pk, moderator=moderator, now=now - timedelta(minutes=5))

    assert restriction.detect(context_for(comment_of_held_key, now=now)) == []


def test_another_desks_restriction_does_not_apply(restrict, korean_desk, comment_of_held_key, now):
    """A ban in the Korean desk does not flag the key's comment in the English desk."""
    restrict(BAN, desk=korean_desk)

    assert restriction.detect(context_for(comment_of_held_key, now=now)) == []


def test_restriction_follows_the_routed_desk(restrict, korean_desk, comment_of_held_key, now):
    """A comment routed to the Korean desk is checked against that desk's restrictions."""
    restrict(HOLD, desk=korean_desk)

    assert names(restriction.detect(context_for(comment_of_held_key, now=now, desk=korean_desk))) == ["restricted"]


def test_other_keys_restriction_does_not_apply(restrict, comment_of_held_key, now):
    """A ban on another key in the same desk does not flag this comment."""
    restrict(BAN, key="other-key")

    assert restriction.detect(context_for(comment_of_held_key, now=now)) == []
