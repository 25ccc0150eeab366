from voxpop.accounts.models import User
from voxpop.comments.models import Comment


def comment_list_for_queue(*, moderator: User, after_id: int | None, limit: int) -> list[Comment]:
    """Pending comments of the moderator's desks, oldest first, after the `after_id` cursor."""
    qs = (Comment.objects.filter(status=Comment.Status.PENDING, desk_id__in=moderator.desk_ids())
          .select_related("story", "desk", "current_revision").order_by("pk"))
    if after_id:
        qs = qs.filter(pk__gt=after_id)
    return list(qs[:limit])


def comment_get_for_moderator(*, moderator: User, comment_id: int) -> Comment | None:
    """The comment if it belongs to one of the moderator's desks; None hides its existence (404)."""
    return (Comment.objects.select_related("story", "desk", "current_revision")
            .filter(pk=comment_id, desk_id__in=moderator.desk_ids()).first())
