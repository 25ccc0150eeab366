"""The intake thread (voxpop.scoring.intake): a reader's answer does not wait for scoring, yet every
acknowledged comment is scored and screened soon after, and one whose intake was lost is swept up."""
from datetime import timedelta

import pytest

from voxpop.comments.models import Comment
from voxpop.scoring import intake
from voxpop.scoring.models import Assessment
from voxpop.stories.services import story_upsert

pytestmark = pytest.mark.django_db(transaction=True)  # the intake thread reads what the request committed


@pytest.fixture
def open_story(english_desk, now):
    return story_upsert(key="ferry-fares", fields={"title": "Ferry fares", "url": "https://example.org/f",
                                                   "language": "en", "desk": english_desk}, now=now)[0]


@pytest.fixture
def deferred(settings):
    settings.VOXPOP_INTAKE_INLINE = False
    yield
    assert intake.intake_wait()


def test_api_submission_is_scored_by_the_intake_thread(client, open_story, deferred):
    """The 202 comes first; the assessment follows from the process's intake thread."""
    response = client.post("/api/v1/stories/ferry-fares/comments", {"body": "Call 010-1234-5678 about fares."},
                           content_type="application/json")

    assert response.status_code == 202
    assert intake.intake_wait()
    comment = Comment.objects.get(pk=response.json()["id"])
    assert Assessment.objects.get(revision=comment.current_revision).signals[0]["name"] == "phone"


def test_comment_whose_intake_was_lost_is_swept_up(open_story, now, submit):
    """A comment committed by a process that died before scoring it is scored by the next sweep."""
    comment = submit(open_story, body="Fares doubled overnight.", at=now - timedelta(minutes=5))

    assert intake.comment_intake_missed(now=now) == 1
    assert Assessment.objects.filter(revision=comment.current_revision).exists()
    assert intake.comment_intake_missed(now=now) == 0


def test_sweep_leaves_fresh_and_old_comments_alone(open_story, now, submit):
    """A comment still in some thread's queue (under a minute) or unscorable for an hour is not swept."""
    submit(open_story, body="Just sent.", at=now - timedelta(seconds=10), key="a")
    submit(open_story, body="Long ago.", at=now - timedelta(hours=2), key="b")

    assert intake.comment_intake_missed(now=now) == 0
