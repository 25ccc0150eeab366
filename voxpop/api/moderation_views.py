"""The moderation workspace through the API: queues, one comment's record, undo, re-routing, bulk
decisions, holds and bans, and the audit log.

Each view is a thin shell around the service or selector the workspace view of the same action
calls (voxpop.moderation.services and .selectors), so the API decides nothing the workspace would
not, and writes the same audit rows. A token acts for its user: their desks, their role. A comment,
hold or ban outside the caller's desks is 404, as in the workspace, so ids cannot be probed.
"""
from datetime import datetime, timedelta

from django import forms

from voxpop.accounts.models import User
from voxpop.comments.forms import clean_reader_text
from voxpop.comments.models import Comment
from voxpop.common import clock
from voxpop.desks.models import Desk
from voxpop.desks.selectors import desk_get
from voxpop.moderation import selectors, services
from voxpop.moderation.models import CommenterRestriction, ModerationDecision
from voxpop.scoring.language import tag_normalized
from voxpop.scoring.services import comment_score

from .errors import ApiError, not_found
from .pagination import keyset_page, list_page
from .representations import (comment_detail_json, comment_moderation_json, decision_json,
                              restriction_json)
from .request import INT_MAX, authenticated_user, json_object, optional_int, optional_string
from .views import _json, api_view

QUEUE_STATUSES = tuple(selectors.QUEUE_STATUSES)
QUEUE_ORDERS = ("oldest", "newest", "risk")
FILTER_MAX_CHARS = {"story": 200, "language": 35, "q": 200, "commenter": 64, "signal": 40}
BULK_MAX = 500
REASON_MAX_CHARS = 1000
RESTRICTION_MAX_DAYS = 3650


def _comment_or_404(user: User, comment_id: int) -> Comment:
    comment = selectors.comment_get_for_moderator(moderator=user, comment_id=comment_id)
    if comment is None:
        raise not_found("comment in your desks")
    return comment


def _comment_after_change(user: User, comment_id: int) -> Comment:
    """The comment as it is now; still answered if the change took it out of the caller's desks."""
    return (selectors.comment_get_for_moderator(moderator=user, comment_id=comment_id)
            or Comment.objects.select_related("story", "desk", "current_revision__assessment").get(pk=comment_id))


def _rescore(comment_id: int, now: datetime) -> None:
    """Score the comment's current revision again (after an edit or its undo), as the workspace does."""
    comment_score(comment=Comment.objects.select_related("story", "current_revision").get(pk=comment_id), now=now)


def _user_desk(user: User, key: str, field: str = "desk") -> Desk:
    # A key that is not printable text names no desk (and a NUL would fail in PostgreSQL).
    desk = Desk.objects.filter(key=key, pk__in=user.desk_ids()).first() if key.isprintable() else None
    if desk is None:
        raise ApiError(404, "not_found", "No such desk in your desks.", field)
    return desk


def _query(request, name: str) -> str:
    value = request.GET.get(name, "")
    if len(value) > FILTER_MAX_CHARS[name] or not value.isprintable():
        raise ApiError(422, "invalid", f"'{name}' is at most {FILTER_MAX_CHARS[name]} printable characters.", name)
    return value.strip()


# Queues


@api_view("GET")
def comment_list(request):
    """Any queue of the caller's desks, filtered and ordered as in the workspace."""
    user = authenticated_user(request)
    status = request.GET.get("status", "") or Comment.Status.PENDING
    if status not in QUEUE_STATUSES:
        raise ApiError(422, "invalid", f"'status' must be one of {', '.join(QUEUE_STATUSES)}.", "status")
    order = request.GET.get("order", "") or "oldest"
    if order not in QUEUE_ORDERS:
        raise ApiError(422, "invalid", "'order' must be oldest, newest or risk.", "order")
    if order == "risk" and status != Comment.Status.PENDING:
        raise ApiError(422, "invalid", "'order=risk' orders the pending queue only.", "order")
    desk = _user_desk(user, request.GET["desk"]) if request.GET.get("desk") else None
    filters = selectors.QueueFilter(
        status=status, desk=desk.pk if desk else None, story=_query(request, "story"),
        language=_query(request, "language"), search=_query(request, "q"), commenter=_query(request, "commenter"),
        signal=_query(request, "signal"), newest_first=order == "newest", by_risk=order == "risk",
    )
    qs = selectors.comment_queryset_for_queue(moderator=user, filters=filters)
    time = "published_at" if status == Comment.Status.APPROVED else "created_at"
    if order == "risk":
        keys = (("-priority", float), ("created_at", datetime), ("pk", int))
    elif order == "newest" or status != Comment.Status.PENDING:
        keys = ((f"-{time}", datetime), ("-pk", int))
    else:
        keys = ((time, datetime), ("pk", int))
    page = keyset_page(request, qs, keys)
    return _json({"comments": [comment_moderation_json(c) for c in page.items], "next": page.next})


@api_view("GET")
def comment_detail(request, comment_id):
    """One comment with its revisions, decisions, the commenter's holds and bans and earlier comments."""
    user = authenticated_user(request)
    comment = _comment_or_404(user, comment_id)
    return _json(comment_detail_json(
        comment, revisions=selectors.revision_list(comment=comment),
        decisions=selectors.decision_list_for_comment(comment=comment),
        restrictions=selectors.restriction_list_for_comment(comment=comment) if comment.commenter_key else [],
        history=selectors.comment_history_for_commenter(moderator=user, comment=comment), now=clock.now()))


# Undo, re-routing, bulk decisions


@api_view("POST")
def undo(request):
    """Revert the caller's own last approval, rejection or edit."""
    user = authenticated_user(request)
    now = clock.now()
    try:
        undo_row = services.comment_undo(moderator=user, now=now)
    except services.NothingToUndo:
        raise ApiError(409, "nothing_to_undo", "You have no decision left to undo.") from None
    except services.StaleDecision:
        raise ApiError(409, "stale_revision", "Your last decision can no longer be undone: the comment changed "
                       "since.") from None
    reverted = undo_row.undoes
    if reverted.action == ModerationDecision.Action.EDIT:
        _rescore(reverted.comment_id, now)  # the revision the edit replaced is current again
    return _json({"undone": decision_json(reverted), "decision": decision_json(undo_row),
                  "comment": comment_moderation_json(_comment_after_change(user, reverted.comment_id))})


@api_view("POST")
def route(request, comment_id):
    """Send the comment to another desk (any desk) and/or correct its language; its status stays."""
    user = authenticated_user(request)
    comment = _comment_or_404(user, comment_id)
    data = json_object(request)
    key = optional_string(data, "desk")
    desk = desk_get(key=key) if key.isprintable() else None
    if desk is None:
        raise ApiError(422, "invalid", "'desk' must be the key of an existing desk.", "desk")
    language = tag_normalized(optional_string(data, "language") or comment.language)
    if language is None:
        raise ApiError(422, "invalid", "'language' must be a language tag such as ko, zh-Hant, yue or und.",
                       "language")
    revision = optional_int(data, "revision")
    try:
        decision = services.comment_reroute(comment_id=comment.pk, desk=desk, language=language, moderator=user,
                                            now=clock.now(), revision_id=revision)
    except services.StaleDecision:
        raise ApiError(409, "stale_revision", "This comment changed since you saw it; nothing was moved.",
                       "revision") from None
    return _json({"moved": decision is not None, "decision": decision_json(decision) if decision else None,
                  "comment": comment_moderation_json(_comment_after_change(user, comment.pk))})


@api_view("POST")
def bulk(request):
    """Approve or reject many comments, each on the revision the caller saw; returns what was decided."""
    user = authenticated_user(request)
    data = json_object(request)
    action = data.get("action")
    if action not in ("approve", "reject"):
        raise ApiError(422, "invalid", "'action' must be approve or reject.", "action")
    rule = optional_int(data, "reason")
    if action == "reject" and rule is None:
        raise ApiError(422, "required", "'reason' is required for a bulk rejection: a house rule number.", "reason")
    if rule is not None and rule < 1:
        raise ApiError(422, "invalid", "'reason' is a house rule number: 1 or more.", "reason")
    items = data.get("comments")
    if not isinstance(items, list) or not 1 <= len(items) <= BULK_MAX:
        raise ApiError(422, "invalid", f"'comments' must be a list of 1 to {BULK_MAX} {{\"id\", \"revision\"}} "
                       "objects.", "comments")
    seen = {}
    for item in items:
        pair = (item.get("id"), item.get("revision")) if isinstance(item, dict) else (None, None)
        if not all(isinstance(v, int) and not isinstance(v, bool) and 0 < v <= INT_MAX for v in pair):
            raise ApiError(422, "invalid", "Each of 'comments' must be {\"id\": <int>, \"revision\": <int>}.",
                           "comments")
        seen[pair[0]] = pair[1]
    decided, skipped = services.comment_bulk_decide(seen=seen, action=action, moderator=user, rule_number=rule,
                                                    now=clock.now())
    return _json({"decided": decided, "skipped": skipped})


# Holds and bans


@api_view("GET", "POST")
def restrictions(request):
    user = authenticated_user(request)
    now = clock.now()
    if request.method == "POST":
        return _restriction_create(request, user, now)
    desk = _user_desk(user, request.GET["desk"]) if request.GET.get("desk") else None
    commenter = _query(request, "commenter")
    active = [r for r in selectors.restriction_list_active(moderator=user, now=now)
              if (desk is None or r.desk_id == desk.pk) and (not commenter or r.commenter_key == commenter)]
    active.sort(key=lambda r: (r.created_at, r.pk), reverse=True)
    page = list_page(request, active, key=lambda r: (r.created_at, r.pk), types=(datetime, int))
    return _json({"restrictions": [restriction_json(r, now=now) for r in page.items], "next": page.next})


def _restriction_create(request, user: User, now: datetime):
    """A hold or ban by the commenter of a comment (`comment`), or by key in one desk (`commenter`, `desk`)."""
    data = json_object(request)
    comment_id = optional_int(data, "comment")
    if comment_id is not None:
        comment = _comment_or_404(user, comment_id)
        commenter, desk = comment.commenter_key, comment.desk
        if not commenter:
            raise ApiError(422, "invalid", "This comment no longer has a commenter key to hold or ban.", "comment")
    else:
        commenter = optional_string(data, "commenter").strip()
        if not commenter or len(commenter) > FILTER_MAX_CHARS["commenter"] or not commenter.isprintable():
            raise ApiError(422, "required", "Give 'comment' (a comment id), or 'commenter' (a commenter key) "
                           "with 'desk'.", "commenter")
        desk = _user_desk(user, optional_string(data, "desk"))
    kind = data.get("kind")
    if kind not in CommenterRestriction.Kind.values:
        raise ApiError(422, "invalid", "'kind' must be hold or ban.", "kind")
    try:
        reason = clean_reader_text(optional_string(data, "reason"), max_chars=REASON_MAX_CHARS,
                                   too_long=lambda n, m: f"'reason' is {n} characters long; the limit is {m}.")
    except forms.ValidationError as error:
        raise ApiError(422, error.code or "invalid", error.messages[0], "reason") from None
    if not reason:
        raise ApiError(422, "required", "'reason' is required: why the commenter is held or banned.", "reason")
    days = optional_int(data, "days")
    if days is not None and not 1 <= days <= RESTRICTION_MAX_DAYS:
        raise ApiError(422, "invalid", f"'days' must be from 1 to {RESTRICTION_MAX_DAYS}, or null for until "
                       "lifted.", "days")
    restriction = services.restriction_create(
        commenter_key=commenter, desk=desk, kind=kind, reason=reason, moderator=user, now=now,
        expires_at=now + timedelta(days=days) if days else None)
    return _json(restriction_json(restriction, now=now), status=201)


@api_view("POST")
def restriction_lift(request, restriction_id):
    """Lift a hold or ban of the caller's desks; lifting one already lifted changes nothing."""
    user = authenticated_user(request)
    found = CommenterRestriction.objects.filter(pk=restriction_id, desk_id__in=user.desk_ids())
    if not found.exists():
        raise not_found("hold or ban in your desks")
    now = clock.now()
    services.restriction_revoke(restriction_id=restriction_id, moderator=user, now=now)
    restriction = found.select_related("desk", "created_by", "revoked_by").get()
    return _json(restriction_json(restriction, now=now))


# The audit log


@api_view("GET")
def audit(request):
    """Decisions on the caller's desks' comments, newest first; `moderator` and `comment` narrow it."""
    user = authenticated_user(request)
    # The same rows as selectors.decision_list, as a query the cursor can page through.
    qs = (ModerationDecision.objects.filter(comment__desk_id__in=user.desk_ids())
          .select_related("actor", "rule"))
    username = request.GET.get("moderator", "")
    if username:
        qs = qs.filter(actor__username=username[:150])
    comment = request.GET.get("comment", "")
    if comment:
        if not (comment.isascii() and comment.isdigit()) or int(comment) > INT_MAX:
            raise ApiError(422, "invalid", "'comment' must be a comment id.", "comment")
        qs = qs.filter(comment_id=int(comment))
    page = keyset_page(request, qs, (("-decided_at", datetime), ("-pk", int)))
    return _json({"decisions": [decision_json(d) for d in page.items], "next": page.next})
