"""JSON shapes of the API (PRODUCT.md section 4). Text goes out verbatim; clients render it as text."""
from datetime import datetime

from django.core.exceptions import ObjectDoesNotExist

from voxpop.comments.models import Comment
from voxpop.stories.models import Story


def timestamp(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def story_json(story: Story, *, now: datetime) -> dict:
    return {
        "key": story.key, "title": story.title, "url": story.url, "language": story.language,
        "desk": story.desk.key, "state": story.state_at(now), "closes_at": timestamp(story.closes_at),
        "published_at": timestamp(story.published_at), "sensitive": story.sensitive,
    }


def edit_json(comment: Comment) -> dict | None:
    revision = comment.current_revision
    if not revision.edited_by_moderator:
        return None
    rule = revision.rule
    return {"by": "moderator", "rule": {"number": rule.number, "text": rule.text} if rule else None}


def comment_public_json(comment: Comment) -> dict:
    return {
        "id": comment.pk, "body": comment.current_revision.body, "display_name": comment.display_name or None,
        "published_at": timestamp(comment.published_at), "parent": comment.parent_id,
        "edited": edit_json(comment),
    }


def assessment_of(revision):
    """The revision's scoring assessment, or None while it is unscored."""
    try:
        return revision.assessment
    except ObjectDoesNotExist:
        return None


def comment_moderation_json(comment: Comment) -> dict:
    revision = comment.current_revision
    assessment = assessment_of(revision)
    return {
        "id": comment.pk, "story": comment.story.key, "revision": revision.pk, "revision_number": revision.number,
        "body": revision.body, "display_name": comment.display_name or None, "language": comment.language,
        "desk": comment.desk.key, "status": comment.status,
        "risk": assessment.risk if assessment else None, "signals": assessment.signals if assessment else [],
        "scored": assessment is not None, "held": bool(assessment and assessment.held),
        "parent": comment.parent_id, "commenter": comment.commenter_key or None,
        "created_at": timestamp(comment.created_at), "published_at": timestamp(comment.published_at),
        "edited": edit_json(comment),
    }
