"""Reads for embeds: the origins of every site, and published comment counts of many stories."""
import logging

from django.db import DatabaseError
from django.db.models import Count, Q

from voxpop.comments.models import Comment
from voxpop.stories.selectors import story_list_visible

from .models import Site

log = logging.getLogger(__name__)


def site_origin_set() -> frozenset[str]:
    """Every site's origins together: who may read embed routes from a script and frame the thread.

    One small query; the read path (voxpop.embed.cors) keeps its answer for a few seconds. With
    the database unreachable, no site is listed: the answer (often the 503 that says so) is still
    sent, only without CORS or extra frame-ancestors.
    """
    origins = set()
    try:
        for listed in Site.objects.values_list("origins", flat=True):
            origins.update(listed)
    except DatabaseError:
        log.warning("site origins unavailable: the database cannot be read", exc_info=True)
        return frozenset()
    return frozenset(origins)


def comment_count_published_by_key(*, keys: list[str], now) -> dict[str, int | None]:
    """For each key, its story's published comments (replies included, as the thread heading counts
    them), or None when no story with that key is visible to readers (unknown or embargoed)."""
    stories = (story_list_visible(now=now, staff=False).filter(key__in=keys).order_by()
               .annotate(published=Count("comments", filter=Q(comments__status=Comment.Status.APPROVED)))
               .values_list("key", "published"))
    found = dict(stories)
    return {key: found.get(key) for key in keys}
