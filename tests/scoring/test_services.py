"""comment_score: routing first, a moderator's route stands, a failing detector never loses a comment."""
from voxpop.comments.models import Comment
from voxpop.moderation.services import comment_reroute
from voxpop.scoring import services
from voxpop.scoring.models import Assessment
from voxpop.scoring.signals.base import Signal


def test_korean_comment_on_english_story_goes_to_the_korean_desk(story, korean_desk, submit, now):
    """A comment is routed to the desk of its detected language, and its assessment records the language."""
    comment = submit(story, body="이 기사 정말 좋네요. 야간 버스가 계속 다닌다니 다행입니다.")

    assessment = services.comment_score(comment=comment, now=now)

    comment.refresh_from_db()
    assert (comment.desk, comment.language, assessment.language) == (korean_desk, "ko", "ko")


def test_a_moderators_route_stands_over_detection(story, korean_desk, english_desk, submit, moderator, now):
    """After a moderator routes a comment by hand, re-scoring (after an edit, say) does not move it back."""
    comment = submit(story, body="이 기사 정말 좋네요. 야간 버스가 계속 다닌다니 다행입니다.")
    services.comment_score(comment=comment, now=now)
    comment_reroute(comment_id=comment.pk, desk=english_desk, language="ko", moderator=moderator, now=now)
    comment.refresh_from_db()

    services.comment_score(comment=comment, now=now)

    comment.refresh_from_db()
    assert comment.desk == english_desk


def test_failing_detector_leaves_the_comment_routed_and_unscored(story, korean_desk, submit, monkeypatch, now):
    """If a detector raises, the comment is still routed, stays pending, and has no assessment."""
    def broken(context) -> list[Signal]:
        raise ValueError("detector bug")

    monkeypatch.setattr(services, "DETECTORS", [broken])
    comment = submit(story, body="이 기사 정말 좋네요. 야간 버스가 계속 다닌다니 다행입니다.")

    assert services.comment_score(comment=comment, now=now) is None

    comment.refresh_from_db()
    assert (comment.desk, comment.status) == (korean_desk, Comment.Status.PENDING)
    assert not Assessment.objects.exists()
