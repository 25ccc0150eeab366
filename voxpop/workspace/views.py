"""The moderation workspace: queues, one comment's record, decisions, undo, bulk actions.

Every page works with plain form posts; workspace.js adds the keyboard on top. A decision names
the revision the moderator saw; if the comment changed meanwhile the decision is refused (G3) and
the moderator is shown its current state.
"""
from datetime import datetime, timedelta

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.html import format_html_join
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import Truncator
from django.views.decorators.http import require_GET, require_POST

from voxpop.accounts.models import User
from voxpop.comments.models import Comment
from voxpop.common import clock
from voxpop.desks.models import Desk
from voxpop.desks.selectors import house_rule_list_for
from voxpop.moderation import retention, selectors, services
from voxpop.moderation.models import CommenterRestriction
from voxpop.scoring.language import tag_normalized
from voxpop.scoring.services import comment_score

from .auth import workspace_view
from .forms import BulkForm, DecisionForm, RestrictionForm
from .scoring import SIGNAL_NAME_MAX_CHARS, scoring_for, signal_choices

QUEUE_PAGE_SIZE = 25


def _filters(request: HttpRequest, user: User) -> tuple[selectors.QueueFilter, Desk | None]:
    desk = Desk.objects.filter(key=request.GET.get("desk", ""), pk__in=user.desk_ids()).first()
    status = request.GET.get("status", Comment.Status.PENDING)
    if status not in selectors.QUEUE_STATUSES:
        status = Comment.Status.PENDING
    return selectors.QueueFilter(
        status=status, desk=desk.pk if desk else None, story=request.GET.get("story", "")[:200],
        language=request.GET.get("language", "")[:35], search=request.GET.get("q", "").strip()[:200],
        commenter=request.GET.get("commenter", "")[:64],
        newest_first=request.GET.get("order") == "newest", by_risk=request.GET.get("order") == "risk",
        signal=request.GET.get("signal", "")[:SIGNAL_NAME_MAX_CHARS],
    ), desk


def _rule_options(comment: Comment, cache: dict) -> str:
    """The <option>s of the reject select for the comment's desk and language, rendered once per page."""
    key = (comment.desk_id, comment.story.language)
    if key not in cache:
        rules = house_rule_list_for(desk=comment.desk, language=comment.story.language)
        cache[key] = format_html_join("", '<option value="{}" data-number="{}">{}. {}</option>',
                                      ((r.pk, r.number, r.number, Truncator(r.text).chars(60)) for r in rules))
    return cache[key]


@require_GET
@workspace_view()
def queue(request: HttpRequest) -> HttpResponse:
    filters, desk = _filters(request, request.user)
    counts = selectors.queue_counts(moderator=request.user, desk=filters.desk)
    qs = selectors.comment_queryset_for_queue(moderator=request.user, filters=filters)
    paginator = Paginator(qs, QUEUE_PAGE_SIZE)
    if counts[filters.status] is not None and not (filters.story or filters.language or filters.search
                                                   or filters.commenter or filters.signal):
        paginator.count = counts[filters.status]  # already counted for the tabs: skip a second COUNT
    page = paginator.get_page(request.GET.get("page"))
    comments = list(page.object_list)
    now = clock.now()
    held = services.restriction_pairs_active(comments=comments, kind=CommenterRestriction.Kind.HOLD, now=now)
    rules = {}
    items = [{
        "comment": c, "rule_options": _rule_options(c, rules), "held": (c.commenter_key, c.desk_id) in held,
        "waiting": now - c.created_at, "after": comments[i + 1].pk if i + 1 < len(comments) else None,
        "scoring": scoring_for(c.current_revision),
    } for i, c in enumerate(comments)]
    return render(request, "workspace/queue.html", {
        "nav": "queue", "items": items, "page": page, "filters": filters, "desk": desk,
        "desks": Desk.objects.filter(pk__in=request.user.desk_ids()),
        "counts": counts, "count_cap": selectors.COUNT_CAP,
        "statuses": selectors.QUEUE_STATUSES, "here": request.get_full_path(),
        "signals": signal_choices(selected=filters.signal),
    })


def _comment_or_404(request: HttpRequest, comment_id: int) -> Comment:
    comment = selectors.comment_get_for_moderator(moderator=request.user, comment_id=comment_id)
    if comment is None:
        raise Http404("No such comment in your desks.")
    return comment


@require_GET
@workspace_view()
def comment_detail(request: HttpRequest, comment_id: int) -> HttpResponse:
    comment = _comment_or_404(request, comment_id)
    rules = house_rule_list_for(desk=comment.desk, language=comment.story.language)
    form = DecisionForm(initial={"revision": comment.current_revision_id, "body": comment.current_revision.body},
                        rules=rules)
    return _render_comment(request, comment, form, rules)


def _render_comment(request, comment, form, rules, status=200) -> HttpResponse:
    now = clock.now()
    scoring = scoring_for(comment.current_revision)
    return render(request, "workspace/comment.html", {
        "nav": "queue", "comment": comment, "form": form, "rules": rules, "waiting": now - comment.created_at,
        "scoring": scoring,
        # The redaction helper's spans are offsets into the current text: only offered while the
        # editor holds exactly that text (not the moderator's own text sent back with an error).
        "editor_spans": scoring.spans_json if scoring.spans and form["body"].value() == comment.current_revision.body
        else "",
        "revisions": selectors.revision_list(comment=comment),
        "decisions": selectors.decision_list_for_comment(comment=comment),
        "history": selectors.comment_history_for_commenter(moderator=request.user, comment=comment),
        "restrictions": selectors.restriction_list_for_comment(comment=comment) if comment.commenter_key else [],
        "erasable": selectors.comment_count_for_commenter_everywhere(commenter_key=comment.commenter_key)
        if request.user.role == User.Role.ADMIN else 0,
        "restriction_form": RestrictionForm(), "now": now, "next": _next_url(request),
        "route_desks": Desk.objects.order_by("name"),
        "after": selectors.comment_next_pending(moderator=request.user, comment=comment),
    }, status=status)


def _next_url(request: HttpRequest) -> str:
    """Where to go after an action: the page the moderator came from, if it is ours."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return ""


def _back(request: HttpRequest, anchor_id: int | None = None) -> HttpResponse:
    target = _next_url(request) or resolve_url("workspace:queue")
    return redirect(f"{target.split('#')[0]}#c{anchor_id}" if anchor_id else target.split("#")[0])


@require_POST
@workspace_view()
def decide(request: HttpRequest, comment_id: int) -> HttpResponse:
    comment = _comment_or_404(request, comment_id)
    rules = house_rule_list_for(desk=comment.desk, language=comment.story.language)
    form = DecisionForm(request.POST, rules=rules)
    if not form.is_valid():
        if request.POST.get("action") == "edit":
            return _render_comment(request, comment, form, rules, status=422)
        messages.error(request, f"Comment #{comment.pk}: " + " ".join(e for errs in form.errors.values() for e in errs))
        return _back(request, comment.pk)
    data, now = form.cleaned_data, clock.now()
    common = {"comment_id": comment.pk, "revision_id": data["revision"], "moderator": request.user, "now": now}
    try:
        if data["action"] == "approve":
            services.comment_approve(note=data["note"], **common)
        elif data["action"] == "reject":
            services.comment_reject(rule=data["rule"], note=data["note"], **common)
        elif data["action"] == "reopen":
            services.comment_reopen(note=data["note"], **common)
        else:
            services.comment_edit(body=data["body"], rule=data["rule"], note=data["note"], approve=data["approve"],
                                  **common)
            _rescore(comment.pk, now)
    except services.StaleDecision:
        messages.error(request, f"Comment #{comment.pk} changed since you saw it (another moderator decided or "
                                "edited it). Nothing was applied; here is its current state.")
        fresh = _comment_or_404(request, comment.pk)
        # An editor's typed text is kept, now against the current revision, to review and resend.
        body = data["body"] if data["action"] == "edit" else fresh.current_revision.body
        form = DecisionForm(initial={"revision": fresh.current_revision_id, "body": body}, rules=rules)
        return _render_comment(request, fresh, form, rules, status=409)
    messages.success(request, f"Comment #{comment.pk}: {_done(data)}.")
    after = request.POST.get("after", "")
    return _back(request, int(after) if after.isdecimal() else None)


def _rescore(comment_id: int, now: datetime) -> None:
    """Score the comment's new current revision: its risk, signals and hold follow the edited text."""
    comment_score(comment=Comment.objects.select_related("story", "current_revision").get(pk=comment_id), now=now)


def _done(data: dict) -> str:
    if data["action"] == "edit":
        return "edited and approved" if data["approve"] else "edited"
    return {"approve": "approved", "reject": f"rejected under rule {getattr(data['rule'], 'number', '')}",
            "reopen": "back in the pending queue"}[data["action"]]


@require_POST
@workspace_view()
def undo(request: HttpRequest) -> HttpResponse:
    now = clock.now()
    try:
        reverted = services.comment_undo(moderator=request.user, now=now).undoes
    except services.NothingToUndo:
        messages.info(request, "You have no decision left to undo.")
        return _back(request)
    except services.StaleDecision:
        messages.error(request, "Your last decision can no longer be undone: the comment changed since.")
        return _back(request)
    if reverted.action == "edit":
        _rescore(reverted.comment_id, now)  # the revision the edit replaced is current again
    noun = {"approve": "approval", "reject": "rejection", "edit": "edit"}[reverted.action]
    messages.success(request, f"Undone: your {noun} of comment #{reverted.comment_id}.")
    return _back(request, reverted.comment_id)


@require_POST
@workspace_view()
def bulk(request: HttpRequest) -> HttpResponse:
    form = BulkForm(request.POST)
    if not form.is_valid() or (form.cleaned_data["action"] == "reject" and not form.cleaned_data["rule"]):
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs)
                       or "Choose the house rule for a bulk rejection.")
        return _back(request)
    decided, skipped = services.comment_bulk_decide(
        seen=form.cleaned_data["seen"], action=form.cleaned_data["action"], moderator=request.user,
        rule_number=form.cleaned_data["rule"], now=clock.now())
    verb = "approved" if form.cleaned_data["action"] == "approve" else "rejected"
    messages.success(request, f"{len(decided)} comments {verb}.")
    if skipped:
        messages.warning(request, f"{len(skipped)} left for a closer look (changed meanwhile, commenter on hold, "
                                  f"or no such rule): #{', #'.join(map(str, skipped))}.")
    return _back(request)


@require_POST
@workspace_view()
def restrict(request: HttpRequest, comment_id: int) -> HttpResponse:
    """Hold or ban the commenter of this comment (by pseudonymous key, never by address)."""
    comment = _comment_or_404(request, comment_id)
    form = RestrictionForm(request.POST)
    if not comment.commenter_key or not form.is_valid():
        messages.error(request, "Give a kind and a reason for the hold or ban.")
        return redirect("workspace:comment", comment_id=comment.pk)
    now, days = clock.now(), form.cleaned_data["days"]
    services.restriction_create(commenter_key=comment.commenter_key, desk=comment.desk, kind=form.cleaned_data["kind"],
                                reason=form.cleaned_data["reason"], moderator=request.user, now=now,
                                expires_at=now + timedelta(days=days) if days else None)
    messages.success(request, f"Commenter of #{comment.pk}: {form.cleaned_data['kind']} set.")
    return redirect("workspace:comment", comment_id=comment.pk)


@require_POST
@workspace_view()
def route(request: HttpRequest, comment_id: int) -> HttpResponse:
    """Send the comment to another desk, any desk (it then leaves this moderator's queue), or correct its language."""
    comment = _comment_or_404(request, comment_id)
    desk = Desk.objects.filter(key=request.POST.get("desk", "")[:50]).first()
    language = tag_normalized(request.POST.get("language", ""))
    if desk is None or language is None:
        messages.error(request, "Choose a desk and give a language tag such as ko, zh-Hant, yue or und.")
        return redirect("workspace:comment", comment_id=comment.pk)
    try:
        decision = services.comment_reroute(comment_id=comment.pk, desk=desk, language=language,
                                            moderator=request.user, now=clock.now())
    except services.StaleDecision:
        messages.error(request, f"Comment #{comment.pk} changed since you saw it; nothing was moved.")
        return redirect("workspace:comment", comment_id=comment.pk)
    if decision is None:
        messages.info(request, f"Comment #{comment.pk} already is in {desk.name} as {language}.")
    elif desk.pk in request.user.desk_ids():
        messages.success(request, f"Comment #{comment.pk}: routed to {desk.name}, language {language}.")
    else:
        messages.success(request, f"Comment #{comment.pk}: sent to {desk.name} (language {language}); "
                                  "it has left your queue.")
        return _back(request)
    return redirect("workspace:comment", comment_id=comment.pk)


@require_POST
@workspace_view()
def unrestrict(request: HttpRequest, restriction_id: int) -> HttpResponse:
    if not CommenterRestriction.objects.filter(pk=restriction_id, desk_id__in=request.user.desk_ids()).exists():
        raise Http404("No such hold or ban in your desks.")
    if services.restriction_revoke(restriction_id=restriction_id, moderator=request.user, now=clock.now()):
        messages.success(request, "Lifted.")
    else:
        messages.info(request, "Nothing to lift: it was already lifted.")
    return _back(request)


ERASE_CONFIRMATION = "erase"


@require_POST
@workspace_view(User.Role.ADMIN)
def erase(request: HttpRequest, comment_id: int) -> HttpResponse:
    """Erase every comment of this comment's commenter, in every desk; the admin types "erase" to confirm."""
    comment = _comment_or_404(request, comment_id)
    if request.POST.get("confirm", "").strip().lower() != ERASE_CONFIRMATION:
        messages.error(request, f"Nothing was erased: type “{ERASE_CONFIRMATION}” in the box to confirm.")
    elif not comment.commenter_key:
        messages.info(request, "Nothing to erase: this comment no longer has a commenter key.")
    else:
        erasure = retention.commenter_erase(commenter_key=comment.commenter_key, admin=request.user, now=clock.now())
        messages.success(request, f"Erased {erasure.comments} comment(s) of this commenter in every desk; "
                                  f"{erasure.restrictions_lifted} hold(s) or ban(s) lifted.")
    return redirect("workspace:comment", comment_id=comment.pk)


@require_GET
@workspace_view()
def restrictions(request: HttpRequest) -> HttpResponse:
    return render(request, "workspace/restrictions.html", {
        "nav": "restrictions", "restrictions": selectors.restriction_list_active(moderator=request.user, now=clock.now()),
    })


@require_GET
@workspace_view()
def audit(request: HttpRequest) -> HttpResponse:
    actor = User.objects.filter(username=request.GET.get("moderator", "")).first()
    return render(request, "workspace/audit.html", {
        "nav": "audit", "actor": actor,
        "decisions": selectors.decision_list(moderator=request.user, actor=actor),
    })
