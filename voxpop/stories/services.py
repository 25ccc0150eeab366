from datetime import datetime

from django.db import IntegrityError, transaction

from voxpop.accounts.models import User
from voxpop.common.thread_cache import thread_changed
from voxpop.webhooks.services import webhook_story_created

from .models import Story, StorySettingChange

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
                story = Story.objects.create(key=key, created_at=now, updated_at=now, **fields)
                webhook_story_created(story=story, now=now)
                return story, True
            for name, value in fields.items():
                setattr(story, name, value)
            story.updated_at = now
            story.save()
            thread_changed(story_key=key)  # title, state and closing time are on the thread page
            return story, False
    except IntegrityError:
        if not Story.objects.filter(key=key).exists():
            raise
        # Two first PUTs of the same key raced: the loser updates the winner's row.
        return story_upsert(key=key, fields=fields, now=now)[0], False


class StorySettingsChanged(Exception):
    """The story's settings changed since they were read (another editor or the CMS); nothing was applied."""


SETTING_FIELDS = ("state", "closes_at", "sensitive")


def _as_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


@transaction.atomic
def story_settings_update(*, story: Story, actor: User, state: str, closes_at: datetime | None,
                          sensitive: bool, now: datetime) -> list[StorySettingChange]:
    """Set commenting state, closing time and sensitive flag, one audit row per changed field.

    `story` carries the values the change was decided on; if the stored ones differ by now, the
    update is refused (StorySettingsChanged) rather than silently overwriting the other change.
    """
    if state not in Story.State.values:
        raise ValueError(f"unknown story state: {state}")
    wanted = {"state": state, "closes_at": closes_at, "sensitive": sensitive}
    seen = {name: getattr(story, name) for name in SETTING_FIELDS}
    changed = {name: value for name, value in wanted.items() if value != seen[name]}
    if not changed:
        return []
    if Story.objects.filter(pk=story.pk, **seen).update(updated_at=now, **changed) != 1:
        raise StorySettingsChanged(story.key)
    for name, value in changed.items():
        setattr(story, name, value)
    story.updated_at = now
    thread_changed(story_key=story.key)
    return StorySettingChange.objects.bulk_create([
        StorySettingChange(story=story, actor=actor, changed_at=now, field=name,
                           old=_as_text(seen[name]), new=_as_text(value))
        for name, value in changed.items()
    ])
