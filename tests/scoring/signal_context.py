"""Helpers for the signal tests: comments from a given commenter, and the context scoring would build."""
from datetime import datetime

from voxpop.comments.models import Comment
from voxpop.comments.services import comment_submit
from voxpop.scoring.signals import Context


def comment_by(story, *, body: str, key: str = "reader-key", at: datetime) -> Comment:
    return comment_submit(story=story, body=body, display_name="", parent_id=None, submission_key=None,
                          commenter_key=key, now=at).comment


def context_for(comment: Comment, *, now: datetime, language: str | None = None, desk=None) -> Context:
    """The context scoring builds for the comment's current revision, routed to `desk` in `language`."""
    return Context(comment=comment, body=comment.current_revision.body, language=language or comment.story.language,
                   desk=desk or comment.story.desk, story=comment.story, now=now)
