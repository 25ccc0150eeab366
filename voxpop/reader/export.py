"""The author's copy of what Voxpop holds about their comment, downloaded through the receipt link.

The signed receipt token is the author's only authority (G6), so the export covers exactly the
comment the token names and nothing reachable from it:

- every revision's text, the author's own and each moderator's edit with the house rule it cites;
- the status history: submission, then every decision (approve, reject with its rule, edit, undo,
  reopen, re-routing, withdrawal, expiry), each said to be the author's, a moderator's or the
  system's, never which moderator;
- the story (key, title, address, language) and the dates;
- what is not stored (address, e-mail, browser) and what is left out, and why.

Moderators' notes stay out: they are the newsroom's words to each other and may name colleagues.
The scoring readings (risk, signals) stay out too: they order the queue, and showing them would
teach a flood which words to avoid. A withdrawn, expired or purged comment exports what remains:
its dates, statuses and rules, its text shown as deleted.

Other comments of the same commenter key are never included. The key is a hash of the network a
comment came from, and many readers share one network (a Tor exit, a carrier's NAT, an office):
an export by key would hand this reader the comments of strangers, and tell them which comments
came from their network.
"""
from datetime import datetime

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_http_methods

from voxpop.comments import selectors
from voxpop.comments.models import Comment, CommentRevision
from voxpop.common import clock
from voxpop.common.privacy import source_key_days
from voxpop.desks.models import HouseRule
from voxpop.moderation.models import ModerationDecision

FORMAT = "voxpop-comment-export"
VERSION = 1

Action = ModerationDecision.Action


@require_http_methods(["GET", "HEAD"])
def receipt_export(request: HttpRequest, token: str) -> HttpResponse:
    """The export as a JSON download; 404 with a JSON error for a token this server did not sign."""
    comment = selectors.comment_get_by_receipt(token=token)
    if comment is None:
        response = JsonResponse({"error": {"code": "unknown_receipt", "field": None, "message": (
            "This receipt link is not valid: check that the whole address was copied.")}}, status=404)
        return _private(response)
    response = JsonResponse(comment_export_data(comment=comment, now=clock.now()),
                            json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = f'attachment; filename="voxpop-comment-{comment.pk}.json"'
    return _private(response)


def comment_export_data(*, comment: Comment, now: datetime) -> dict:
    """Everything the author may know about `comment`, as JSON-ready data (see the module docstring)."""
    deleted = comment.purged_at is not None
    revisions = CommentRevision.objects.filter(comment=comment).select_related("rule").order_by("number")
    decisions = (ModerationDecision.objects.filter(comment=comment).select_related("revision", "rule")
                 .order_by("decided_at", "pk"))
    story = comment.story
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": now,
        "story": {"key": story.key, "title": story.title, "url": story.url, "language": story.language},
        "comment": {
            "id": comment.pk,
            "status": comment.status,
            "display_name": None if deleted else (comment.display_name or None),
            "language": comment.language,
            "reply_to": comment.parent_id,
            "submitted_at": comment.created_at,
            "published_at": comment.published_at,
            "text_deleted_at": comment.purged_at,
            "revisions": [_revision(r, deleted=deleted) for r in revisions],
            "history": [{"at": comment.created_at, "event": "submitted", "by": "author", "from_status": None,
                         "status": "pending", "revision": 1, "house_rule": None},
                        *(_decision(d) for d in decisions)],
        },
        "stored_about_you": _stored_about_you(comment),
        "left_out": [
            "who the moderators are: each decision says only that a moderator, the author or the system took it",
            "moderators' notes to each other",
            "automatic risk readings used to order the moderation queue",
            ("other comments, even from the same network: many readers can share one network address, so "
             "nothing but this receipt link ties a comment to you"),
        ],
    }


def _revision(revision: CommentRevision, *, deleted: bool) -> dict:
    by_moderator = revision.editor_id is not None
    return {
        "number": revision.number,
        "created_at": revision.created_at,
        "by": "moderator" if by_moderator else "author",
        "text": None if deleted else revision.body,
        "house_rule": _rule(revision.rule) if by_moderator else None,
    }


def _decision(decision: ModerationDecision) -> dict:
    return {
        "at": decision.decided_at,
        "event": decision.action,
        "by": _decided_by(decision),
        "from_status": decision.from_status,
        "status": decision.to_status,
        "revision": decision.revision.number,
        "house_rule": _rule(decision.rule),
    }


def _decided_by(decision: ModerationDecision) -> str:
    if decision.actor_id is not None:
        return "moderator"  # an admin's erasure included: no identities, and no roles that narrow them down
    return "author" if decision.action == Action.WITHDRAW else "system"  # expiry, a ban's rejection


def _rule(rule: HouseRule | None) -> dict | None:
    return {"number": rule.number, "text": rule.text} if rule else None


def _stored_about_you(comment: Comment) -> dict:
    return {
        "ip_address": "not stored",
        "email_address": "not stored: Voxpop never asks for one",
        "browser": "not stored (no user agent, no cookies on reader pages)",
        "commenter_key": (
            f"stored: a keyed hash of the network the comment came from (an IPv6 address counts by its /64), "
            f"under a key that changes every {source_key_days()} days. It cannot be turned back into the "
            f"address; moderators see by it which comments came from one source, and set holds and bans "
            f"on it." if comment.commenter_key
            else "not stored (deleted with the text, or never known)"),
    }


def _private(response: HttpResponse) -> HttpResponse:
    """Never cached by a browser or proxy, never sent on as a referrer: it is the author's alone."""
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response
