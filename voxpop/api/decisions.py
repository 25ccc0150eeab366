"""POST /api/v1/moderation/comments/{id}/decisions: approve, reject, edit or reopen one revision."""
from datetime import datetime

from django import forms

from voxpop.accounts.models import User
from voxpop.comments.forms import body_too_long, clean_reader_text
from voxpop.comments.limits import body_max_chars
from voxpop.comments.models import Comment
from voxpop.desks.models import HouseRule
from voxpop.desks.selectors import house_rule_get
from voxpop.moderation import services
from voxpop.moderation.selectors import comment_get_for_moderator
from voxpop.scoring.services import comment_score

from .errors import ApiError, not_found
from .request import optional_int, optional_string

ACTIONS = ("approve", "reject", "edit", "reopen")
NOTE_MAX_CHARS = 1000


def decide(*, user: User, comment_id: int, data: dict, now: datetime) -> Comment:
    comment = comment_get_for_moderator(moderator=user, comment_id=comment_id)
    if comment is None:
        raise not_found("comment in your desks")
    action = data.get("action")
    if action not in ACTIONS:
        raise ApiError(422, "invalid", "'action' must be one of approve, reject, edit, reopen.", "action")
    revision = optional_int(data, "revision")
    if revision is None:
        raise ApiError(422, "required", "'revision' is required: the revision id you decided on.", "revision")
    try:
        note = clean_reader_text(optional_string(data, "note"), max_chars=NOTE_MAX_CHARS,
                                 too_long=lambda count, limit: f"'note' is limited to {limit} characters.")
    except forms.ValidationError as error:
        raise ApiError(422, error.code or "invalid", error.messages[0], "note") from None
    common = {"comment_id": comment.pk, "revision_id": revision, "moderator": user, "now": now}
    try:
        if action == "approve":
            services.comment_approve(note=note, **common)
        elif action == "reject":
            services.comment_reject(rule=_rule(comment, data), note=note, **common)
        elif action == "reopen":
            services.comment_reopen(note=note, **common)
        else:
            approve = data.get("approve", False)
            if not isinstance(approve, bool):
                raise ApiError(422, "invalid", "'approve' must be true or false.", "approve")
            services.comment_edit(body=_edited_body(data), rule=_rule(comment, data), note=note,
                                  approve=approve, **common)
    except services.StaleDecision:
        raise ApiError(409, "stale_revision", "This comment changed or was decided since you saw it. "
                       "Reload it and decide on its current revision.", "revision") from None
    if action == "edit":
        # The edited text is a new revision: its risk, signals and hold are scored afresh.
        comment_score(comment=Comment.objects.select_related("story", "current_revision").get(pk=comment.pk),
                      now=now)
    # Scoring may route the edited text to another desk; the caller who just decided still gets the answer.
    return (comment_get_for_moderator(moderator=user, comment_id=comment.pk)
            or Comment.objects.select_related("story", "desk", "current_revision__assessment").get(pk=comment.pk))


def _rule(comment: Comment, data: dict) -> HouseRule:
    number = optional_int(data, "reason")
    if number is None:
        raise ApiError(422, "required", "'reason' is required: the number of the house rule applied.", "reason")
    rule = house_rule_get(desk=comment.desk, language=comment.story.language, number=number)
    if rule is None:
        raise ApiError(422, "invalid", f"The desk has no house rule number {number}.", "reason")
    return rule


def _edited_body(data: dict) -> str:
    try:
        body = clean_reader_text(optional_string(data, "body"), max_chars=body_max_chars(), too_long=body_too_long)
    except forms.ValidationError as error:
        raise ApiError(422, error.code or "invalid", error.messages[0], "body") from None
    if not body:
        raise ApiError(422, "required", "'body' is required for an edit and cannot be empty.", "body")
    return body
