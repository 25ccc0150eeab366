"""Reader pages: the published thread with its form, and the author's private receipt, where the
author can also withdraw their comment.

Plain HTML that works with JavaScript off. On any refusal the page comes back with the reader's
text in the form and a message that says what to change.
"""
import time

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _, ngettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from voxpop.common import clock
from voxpop.common.i18n import ui_language
from voxpop.common.middleware import embed_frame_ancestors
from voxpop.common.pow import proof_verify
from voxpop.common.privacy import source_keys
from voxpop.common import thread_cache
from voxpop.common.ratelimit import RateLimited, submission_admit
from voxpop.desks.selectors import house_rule_list_for
from voxpop.embed.registration import story_for_embed
from voxpop.moderation import retention
from voxpop.moderation.services import restriction_carry_over
from voxpop.scoring.intake import comment_intake_soon
from voxpop.stories.models import Story

from voxpop.comments import selectors, services
from voxpop.comments.forms import CommentForm
from voxpop.comments.limits import body_max_chars
from voxpop.comments.models import Comment

from .fastpath import ENVIRON_FLAG, STORE_HEADER, TOKEN_PLACEHOLDER
from .form_token import (FORM_MAX_AGE, form_min_seconds, form_submission_key, form_token_read,  # noqa: F401
                         idempotency_key_valid, new_form_token)

# A published thread is the same for every reader until the next publication: proxies and CDNs may
# keep it briefly and serve it a little longer while they fetch the new one.
PUBLIC_CACHE_CONTROL = "public, max-age=10, stale-while-revalidate=30"


# The form carries its own signed token instead of Django's CSRF cookie: readers have no session,
# the page must work inside a third-party iframe, and nothing a forged post could do needs one.
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def thread(request: HttpRequest, key: str) -> HttpResponse:
    story = _story_or_404(request, key)
    with translation.override(ui_language(story.language)):
        if request.method == "POST":
            return _submit(request, story)
        form = CommentForm(initial={"parent": _reply_to(request, story)})
        return public_thread_response(request, story, _thread_page(request, story, form, token=TOKEN_PLACEHOLDER))


@require_http_methods(["GET", "HEAD"])
def thread_fragment(request: HttpRequest, key: str) -> HttpResponse:
    """The thread and its form as an HTML fragment, for a CMS that includes it in its own page."""
    story = _story_or_404(request, key)
    with translation.override(ui_language(story.language)):
        # Absolute links: the fragment is shown inside another site's page.
        form = CommentForm(initial={"parent": _reply_to(request, story)})
        context = thread_context(request, story, form, token=TOKEN_PLACEHOLDER, origin=public_origin(request))
        response = render(request, "comments/thread.html", context)
    response["Content-Language"] = story.language
    return public_thread_response(request, story, response)


def _store_seconds(story: Story) -> int:
    """How long the read path may keep this story's thread: until it closes by the clock, at most
    thread_cache.ENTRY_SECONDS (the page must lose its form when the story closes)."""
    now = clock.now()
    if story.closes_at and story.state_at(now) == Story.State.OPEN:
        return max(1, min(thread_cache.ENTRY_SECONDS, int((story.closes_at - now).total_seconds())))
    return thread_cache.ENTRY_SECONDS


def _story_or_404(request: HttpRequest, key: str) -> Story:
    """The story, or one a site's CMS registers through signed embed parameters (voxpop.embed)."""
    story = story_for_embed(key=key, params=request.GET, now=clock.now())
    if story is None:
        raise Http404("No such story.")
    return story


def public_origin(request: HttpRequest) -> str:
    """Where readers reach Voxpop: VOXPOP_PUBLIC_URL, else the origin this request was sent to."""
    return settings.VOXPOP_PUBLIC_URL or f"{request.scheme}://{request.get_host()}"


def public_thread_response(request: HttpRequest, story: Story, response: HttpResponse) -> HttpResponse:
    """A thread every reader may share: cacheable, with the form token filled in now, or by the
    read path (voxpop.reader.fastpath) each time it sends the cached copy."""
    response["Cache-Control"] = PUBLIC_CACHE_CONTROL
    if request.META.get(ENVIRON_FLAG) and "reply_to" not in request.GET:
        response[STORE_HEADER] = str(_store_seconds(story))
    else:
        response.content = response.content.replace(TOKEN_PLACEHOLDER.encode(), new_form_token().encode())
    return response


def _submit(request: HttpRequest, story: Story) -> HttpResponse:
    try:
        posted = request.POST
    except (RequestDataTooBig, TooManyFieldsSent):
        # Past the request size limit the text cannot be read back; say why and what to do.
        form = CommentForm({})
        form.add_error(None, _("Your comment could not be read because it is far longer than the limit of "
                               "%(max)d characters. Please shorten it and send it again.") % {"max": body_max_chars()})
        return _thread_page(request, story, form, status=413)
    form = CommentForm(posted)
    token = form_token_read(posted.get("token", ""))
    now = clock.now()
    if story.state_at(now) != Story.State.OPEN:
        form.add_error(None, _("Comments on this story are closed. Your text is below if you want to keep it."))
        return _thread_page(request, story, form, status=409)
    if not form.is_valid():
        return _thread_page(request, story, form, status=422)
    if token is None:
        form.add_error(None, _("This form is out of date. Your text is still here: please send it again."))
        return _thread_page(request, story, form, status=422)
    if time.time() - token.issued_at < form_min_seconds():
        form.add_error(None, _("This form was sent only moments after the page opened. Your text is still "
                               "here: please check it and send it again."))
        return _thread_page(request, story, form, status=422)
    data = form.cleaned_data
    idempotency_key = posted.get("idempotency_key", "").strip()
    if idempotency_key and not idempotency_key_valid(idempotency_key):
        form.add_error(None, _("This form is out of date. Your text is still here: please send it again."))
        return _thread_page(request, story, form, status=422)
    keys = source_keys(request, now=now)
    submission_key = form_submission_key(
        token=token, idempotency_key=idempotency_key, commenter_key=keys.commenter, body=data["body"],
        display_name=data["display_name"], parent_id=data["parent"])
    # A resent form that already made its comment is answered with that comment, whatever the limits.
    if not selectors.comment_submission_exists(story=story, submission_key=submission_key):
        # A proof-of-work from the page's script buys the ordinary budget; none, the stricter one.
        proof = proof_verify(token=token, body=posted.get("body", ""), nonce=posted.get("pow", "").strip(),
                             now=time.time())
        try:
            submission_admit(rate_key=keys.rate, story_id=story.pk, now=now, proof=proof)
        except RateLimited as limited:
            form.add_error(None, _rate_limited_message(limited.retry_after))
            return _limited_page(request, story, form, retry_after=limited.retry_after)
    try:
        submission = services.comment_submit(
            story=story, body=data["body"], display_name=data["display_name"], parent_id=data["parent"],
            submission_key=submission_key, commenter_key=keys.commenter, now=now,
        )
    except services.StoryClosed:
        form.add_error(None, _("Comments on this story are closed. Your text is below if you want to keep it."))
        return _thread_page(request, story, form, status=409)
    except services.InvalidParent:
        form.add_error(None, _("The comment you replied to is no longer available. "
                               "Your text is still here: send it as a new comment."))
        form.data = form.data.copy()
        form.data["parent"] = ""
        return _thread_page(request, story, form, status=422)
    except services.IdempotencyKeyReused:
        form.add_error(None, _("This form was already used for another comment. "
                               "Your text is still here: please send it again."))
        return _thread_page(request, story, form, status=422)
    if submission.created:
        restriction_carry_over(commenter_key=keys.commenter, previous_key=keys.previous_commenter, now=now)
        comment_intake_soon(comment=submission.comment)
    url = reverse("reader:receipt", args=[services.receipt_token(submission.comment)])
    return HttpResponseRedirect(url + "?new=1#vp-receipt", status=303)


def _rate_limited_message(seconds: int) -> str:
    if seconds <= 90:
        return ngettext("Too many comments have been sent in a short time. Your text is still here: please wait "
                        "%(count)d second, then send it again.",
                        "Too many comments have been sent in a short time. Your text is still here: please wait "
                        "%(count)d seconds, then send it again.", seconds) % {"count": seconds}
    minutes = -(-seconds // 60)
    return ngettext("Too many comments have been sent in a short time. Your text is still here: please wait "
                    "about %(count)d minute, then send it again.",
                    "Too many comments have been sent in a short time. Your text is still here: please wait "
                    "about %(count)d minutes, then send it again.", minutes) % {"count": minutes}


def _reply_to(request: HttpRequest, story: Story) -> int | None:
    try:
        parent_id = int(request.GET.get("reply_to", ""))
    except ValueError:
        return None
    exists = Comment.objects.filter(pk=parent_id, story=story, status=Comment.Status.APPROVED).exists()
    return parent_id if exists else None


def thread_context(request: HttpRequest, story: Story, form: CommentForm, *, token: str | None = None,
                   origin: str = "") -> dict:
    """What the thread template needs; also used by pages that include the thread server-side."""
    reply_to = _reply_target_of(form, story)
    return {
        "story": story,
        "thread_url": origin + reverse("reader:thread", args=[story.key]),
        "thread": selectors.comment_page_published(story=story, page=request.GET.get("page", 1),
                                                   newest_first=request.GET.get("order") == "newest"),
        "total": selectors.comment_count_published(story=story),
        "is_open": story.state_at(clock.now()) == Story.State.OPEN,
        "form": form,
        "form_token": token or new_form_token(),
        "reply_to": reply_to,
        "rules": house_rule_list_for(desk=story.desk, language=story.language),
    }


def _limited_page(request: HttpRequest, story: Story, form: CommentForm, *, retry_after: int) -> HttpResponse:
    """The 429 answer: the form with the text and the wait, without the thread, which a flood would
    otherwise have the server render once for every refused post."""
    context = {"story": story, "form": form, "form_token": new_form_token(), "is_open": True,
               "thread_url": reverse("reader:thread", args=[story.key]),
               "reply_to": _reply_target_of(form, story),
               "rules": house_rule_list_for(desk=story.desk, language=story.language)}
    response = render(request, "comments/limited_page.html", context, status=429)
    response["Retry-After"] = str(retry_after)
    response["Cache-Control"] = "private, no-store"
    response.frame_ancestors = embed_frame_ancestors()
    response.xframe_options_exempt = True
    return response


def _reply_target_of(form: CommentForm, story: Story) -> Comment | None:
    parent_id = str(form["parent"].value() or "")
    return Comment.objects.filter(pk=parent_id, story=story, status=Comment.Status.APPROVED).first() \
        if parent_id.isdecimal() else None  # isdigit() also takes "²", which int() refuses


def _thread_page(request: HttpRequest, story: Story, form: CommentForm, status: int = 200,
                 token: str | None = None) -> HttpResponse:
    """The page with the thread and the form; an answer to a post holds the reader's text, so it is
    never stored by any cache."""
    context = thread_context(request, story, form, token=token)
    response = render(request, "comments/thread_page.html", context, status=status)
    if request.method == "POST":
        response["Cache-Control"] = "private, no-store"
    response.frame_ancestors = embed_frame_ancestors()
    response.xframe_options_exempt = True
    return response


@require_http_methods(["GET", "HEAD"])
def receipt(request: HttpRequest, token: str) -> HttpResponse:
    """The author's private view of their own comment, whatever its status (G6)."""
    comment = selectors.comment_get_by_receipt(token=token)
    if comment is None:
        return render(request, "comments/receipt_unknown.html", status=404)
    with translation.override(ui_language(comment.story.language)):
        response = render(request, "comments/receipt.html", {
            "comment": comment, "story": comment.story, "new": request.GET.get("new") == "1",
            "Status": Comment.Status, "token": token, "withdrawable": retention.comment_can_be_withdrawn(comment),
        })
    return _private(response)


# Like the comment form, no CSRF cookie: the secret receipt token in the URL is the only authority
# (G6), and a forged post would need that token, which is all a withdrawal needs anyway.
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def withdraw(request: HttpRequest, token: str) -> HttpResponse:
    """The author takes their own comment down: a confirmation page, then its POST with `confirm`.

    Only a POST with the confirmation withdraws, so a link preview or a prefetch never does; a
    second one finds nothing left to withdraw and lands on the receipt like the first.
    """
    comment = selectors.comment_get_by_receipt(token=token)
    if comment is None:
        return render(request, "comments/receipt_unknown.html", status=404)
    receipt_url = reverse("reader:receipt", args=[token]) + "#vp-receipt"
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        retention.comment_withdraw(comment_id=comment.pk, now=clock.now())
        return HttpResponseRedirect(receipt_url, status=303)
    if not retention.comment_can_be_withdrawn(comment):
        return HttpResponseRedirect(receipt_url, status=303)
    with translation.override(ui_language(comment.story.language)):
        response = render(request, "comments/withdraw.html", {
            "comment": comment, "story": comment.story, "Status": Comment.Status, "token": token,
        })
    return _private(response)


def _private(response: HttpResponse) -> HttpResponse:
    """Headers of the author's private pages: never cached, never leaked as a referrer; embeddable."""
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "no-referrer"
    response.frame_ancestors = embed_frame_ancestors()
    response.xframe_options_exempt = True
    return response
