"""comment_submit: pending first, committed once, idempotent under retries (G1, G4)."""
import threading
from datetime import timedelta

import pytest
from django.db import connection

from voxpop.comments.models import Comment
from voxpop.comments.services import IdempotencyKeyReused, InvalidParent, StoryClosed, comment_submit
from voxpop.moderation.services import comment_approve
from voxpop.stories.services import story_upsert


def _submit(story, now, body="Hello", key=None, parent_id=None):
    return comment_submit(story=story, body=body, display_name="", parent_id=parent_id, submission_key=key,
                          commenter_key="k", now=now)


def test_new_comment_is_pending_with_reader_revision(story, now):
    """A submission is stored pending, as revision 1 written by the reader, routed to the story's desk."""
    comment = _submit(story, now, body="First!").comment

    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING
    assert comment.published_at is None
    assert (comment.current_revision.number, comment.current_revision.body) == (1, "First!")
    assert comment.current_revision.editor is None
    assert (comment.desk, comment.language) == (story.desk, "en")


def test_same_submission_key_gives_one_comment(story, now):
    """A retried submission with the same key returns the first comment instead of a second."""
    first = _submit(story, now, key="api:abc")
    again = _submit(story, now + timedelta(seconds=3), key="api:abc")

    assert (first.created, again.created) == (True, False)
    assert again.comment.pk == first.comment.pk
    assert Comment.objects.count() == 1


def test_reused_key_with_other_text_is_refused(story, now):
    """One key cannot stand for two different comments."""
    _submit(story, now, key="api:abc", body="one")
    with pytest.raises(IdempotencyKeyReused):
        _submit(story, now, key="api:abc", body="two")
    assert Comment.objects.count() == 1


def test_closed_story_refuses(story, now):
    """A story whose closing time has passed takes no new comments."""
    story_upsert(key=story.key, fields={"closes_at": now - timedelta(minutes=1)}, now=now)
    story.refresh_from_db()
    with pytest.raises(StoryClosed):
        _submit(story, now)
    assert not Comment.objects.exists()


def test_reply_to_pending_comment_is_refused(story, now):
    """Replies go only under published comments: a pending one stays invisible (G6)."""
    pending = _submit(story, now).comment
    with pytest.raises(InvalidParent):
        _submit(story, now, body="reply", parent_id=pending.pk)


def test_reply_to_reply_attaches_to_top_level(story, moderator, now):
    """Threads nest one level: answering a reply files the answer under the top-level comment."""
    top = _submit(story, now, body="top").comment
    comment_approve(comment_id=top.pk, revision_id=top.current_revision_id, moderator=moderator, now=now)
    reply = _submit(story, now, body="reply", parent_id=top.pk).comment
    comment_approve(comment_id=reply.pk, revision_id=reply.current_revision_id, moderator=moderator, now=now)

    answer = _submit(story, now, body="answer", parent_id=reply.pk).comment

    assert answer.parent_id == top.pk


@pytest.mark.django_db(transaction=True)
def test_simultaneous_retries_create_one_comment(story, now):
    """Ten copies of one submission arriving together (a double click, a retrying proxy) make one comment."""
    barrier = threading.Barrier(10)
    ids = []

    def send():
        barrier.wait()
        try:
            ids.append(_submit(story, now, key="form:same").comment.pk)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    assert len(ids) == 10 and len(set(ids)) == 1
    assert Comment.objects.count() == 1
