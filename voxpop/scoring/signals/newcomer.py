"""Signal: the first comment from this commenter key, in any desk.

The key is a keyed hash of the source (never the address, G5); a comment without one (imported, or
sent by a CMS on a reader's behalf) is not called a newcomer's. Only comments created before this one
count, so scoring the comment again later (after an edit) still calls it the first.
"""
from django.db.models import Q

from voxpop.comments.models import Comment

from .base import Context, Signal


def detect(context: Context) -> list[Signal]:
    comment = context.comment
    if not comment.commenter_key:
        return []
    earlier = (Comment.objects.filter(commenter_key=comment.commenter_key)
               .filter(Q(created_at__lt=comment.created_at) | Q(created_at=comment.created_at, pk__lt=comment.pk))
               .exists())
    if earlier:
        return []
    return [Signal(name="newcomer", label="First comment from this commenter", weight=0.1)]
