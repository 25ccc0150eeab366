"""Reads of published comments (G1/G6: only `approved` ever leaves these functions for readers)."""
from dataclasses import dataclass
from datetime import datetime

from django.core import signing
from django.core.paginator import Page, Paginator
from django.db.models import Prefetch, QuerySet

from voxpop.stories.models import Story

from .models import Comment
from .services import RECEIPT_SALT

THREAD_PAGE_SIZE = 50


def _published(story: Story) -> QuerySet[Comment]:
    return (Comment.objects.filter(story=story, status=Comment.Status.APPROVED)
            .select_related("current_revision__rule"))


@dataclass(frozen=True)
class ThreadPage:
    page: Page
    newest_first: bool


def comment_page_published(*, story: Story, page: int | str, newest_first: bool = False) -> ThreadPage:
    """One page of top-level published comments, each with its published replies oldest first."""
    order = ("-published_at", "-pk") if newest_first else ("published_at", "pk")
    replies = Prefetch("replies", queryset=_published(story).order_by("published_at", "pk"),
                       to_attr="published_replies")
    top = _published(story).filter(parent__isnull=True).order_by(*order).prefetch_related(replies)
    return ThreadPage(Paginator(top, THREAD_PAGE_SIZE).get_page(page), newest_first)


def comment_count_published(*, story: Story) -> int:
    return _published(story).count()


def comment_list_published_after(*, story: Story, after: tuple[datetime, int] | None, limit: int) -> list[Comment]:
    """Published comments oldest first, flat, starting after the (published_at, id) cursor."""
    qs = _published(story).order_by("published_at", "pk")
    if after:
        published_at, pk = after
        qs = qs.filter(published_at__gte=published_at).exclude(published_at=published_at, pk__lte=pk)
    return list(qs[:limit])


def comment_get_by_receipt(*, token: str) -> Comment | None:
    try:
        pk = int(signing.Signer(salt=RECEIPT_SALT).unsign(token))
    except (signing.BadSignature, ValueError):
        return None
    return Comment.objects.select_related("story", "current_revision__rule").filter(pk=pk).first()


def comment_submission_exists(*, story: Story, submission_key: str) -> bool:
    """Whether a submission with this idempotency key already made a comment: a retry, answered from the first."""
    return Comment.objects.filter(story=story, submission_key=submission_key).exists()
