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


# Moderators' records of one comment, the audit log, holds and bans (moderation_views.py).

def rule_json(rule) -> dict | None:
    return {"number": rule.number, "text": rule.text} if rule else None


def revision_json(revision) -> dict:
    return {
        "id": revision.pk, "number": revision.number, "body": revision.body,
        "created_at": timestamp(revision.created_at),
        "editor": revision.editor.username if revision.editor_id else None,
        "rule": rule_json(revision.rule), "note": revision.note,
    }


def decision_json(decision) -> dict:
    """One row of the audit log; `actor` null is the system (a ban's rejection, retention)."""
    return {
        "id": decision.pk, "comment": decision.comment_id, "revision": decision.revision_id,
        "action": decision.action, "from_status": decision.from_status, "to_status": decision.to_status,
        "actor": decision.actor.username if decision.actor_id else None, "rule": rule_json(decision.rule),
        "note": decision.note, "decided_at": timestamp(decision.decided_at), "undoes": decision.undoes_id,
    }


def restriction_json(restriction, *, now: datetime) -> dict:
    return {
        "id": restriction.pk, "commenter": restriction.commenter_key, "desk": restriction.desk.key,
        "kind": restriction.kind, "reason": restriction.reason,
        "created_by": restriction.created_by.username, "created_at": timestamp(restriction.created_at),
        "expires_at": timestamp(restriction.expires_at),
        "lifted_by": restriction.revoked_by.username if restriction.revoked_by_id else None,
        "lifted_at": timestamp(restriction.revoked_at), "active": restriction.is_active(now),
    }


def comment_detail_json(comment: Comment, *, revisions, decisions, restrictions, history, now: datetime) -> dict:
    """A comment as its workspace page shows it: the queue fields plus its whole record."""
    return {
        **comment_moderation_json(comment),
        "revisions": [revision_json(r) for r in revisions],
        "decisions": [decision_json(d) for d in decisions],
        "restrictions": [restriction_json(r, now=now) for r in restrictions],
        "history": [{"id": c.pk, "story": c.story.key, "status": c.status, "created_at": timestamp(c.created_at)}
                    for c in history],
    }
