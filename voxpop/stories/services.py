from datetime import datetime

from django.db import IntegrityError, transaction

from .models import Story

STORY_FIELDS = ("title", "url", "language", "desk", "published_at", "state", "closes_at", "sensitive")


def story_upsert(*, key: str, fields: dict, now: datetime) -> tuple[Story, bool]:
    """Create the story `key` or update the given fields; returns (story, created)."""
    unknown = set(fields) - set(STORY_FIELDS)
    if unknown:
        raise ValueError(f"unknown story fields: {', '.join(sorted(unknown))}")
    try:
        with transaction.atomic():
            story = Story.objects.filter(key=key).first()
            if story is None:
                return Story.objects.create(key=key, created_at=now, updated_at=now, **fields), True
            for name, value in fields.items():
                setattr(story, name, value)
            story.updated_at = now
            story.save()
            return story, False
    except IntegrityError:
        if not Story.objects.filter(key=key).exists():
            raise
        # Two first PUTs of the same key raced: the loser updates the winner's row.
        return story_upsert(key=key, fields=fields, now=now)[0], False
