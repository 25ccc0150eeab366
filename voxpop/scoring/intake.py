"""What happens to a new comment right after it is committed: scoring, then a moderator's ban.

Both steps run after the commit that acknowledged the comment (G4): whatever fails here, the
comment is already safe and waits in a queue.
"""
from datetime import datetime

from voxpop.comments.models import Comment
from voxpop.moderation.services import comment_screen

from .services import comment_score


def comment_intake(*, comment: Comment, now: datetime) -> None:
    comment_score(comment=comment, now=now)
    comment.refresh_from_db(fields=["desk", "language"])  # routing may have moved it to another desk
    comment_screen(comment=comment, now=now)
