from datetime import datetime

from django.db.models import Q, QuerySet

from .models import Story


def story_list_visible(*, now: datetime, staff: bool) -> QuerySet[Story]:
    """Stories newest first; readers do not see a story before its publication time (embargo)."""
    qs = Story.objects.select_related("desk").order_by("-pk")
    if not staff:
        qs = qs.filter(Q(published_at__isnull=True) | Q(published_at__lte=now))
    return qs
