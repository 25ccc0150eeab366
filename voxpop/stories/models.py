"""A story is an article of the newsroom's CMS that readers may comment on."""
from datetime import datetime, timezone

from django.conf import settings
from django.db import models

from voxpop.desks.models import Desk

RTL_LANGUAGES = {"ar", "ckb", "dv", "fa", "he", "ps", "sd", "ug", "ur", "yi"}


class Story(models.Model):
    class State(models.TextChoices):
        OPEN = "open"
        CLOSED = "closed"

    key = models.CharField(max_length=200, unique=True, help_text="The CMS's own identifier")
    title = models.CharField(max_length=500)
    url = models.URLField(max_length=2000)
    language = models.CharField(max_length=35, help_text="BCP 47 tag, e.g. en, ko, zh-Hant, ug")
    desk = models.ForeignKey(Desk, on_delete=models.PROTECT, related_name="stories")
    published_at = models.DateTimeField(null=True, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    closes_at = models.DateTimeField(null=True, blank=True)
    sensitive = models.BooleanField(default=False)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name_plural = "stories"

    def __str__(self):
        return self.key

    def state_at(self, now: datetime) -> str:
        """`open` or `closed`, counting a passed closing time as closed."""
        if self.state == self.State.CLOSED or (self.closes_at and self.closes_at <= now):
            return self.State.CLOSED
        return self.State.OPEN

    @property
    def is_rtl(self) -> bool:
        return self.language.split("-")[0].lower() in RTL_LANGUAGES


class StorySettingChange(models.Model):
    """The audit of story settings: one row per field an editor changed, never updated or deleted.

    Values are stored as text: `state` as open/closed, `closes_at` as an ISO 8601 time (empty: no
    closing time), `sensitive` as true/false.
    """

    class Field(models.TextChoices):
        STATE = "state", "Commenting"
        CLOSES_AT = "closes_at", "Closing time"
        SENSITIVE = "sensitive", "Sensitive story"

    story = models.ForeignKey(Story, on_delete=models.PROTECT, related_name="setting_changes")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField()
    field = models.CharField(max_length=20, choices=Field.choices)
    old = models.CharField(max_length=40, blank=True)
    new = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["-changed_at", "-pk"]
        indexes = [models.Index(fields=["story", "changed_at"], name="story_setting_change")]

    def __str__(self):
        return f"{self.story_id} {self.field}: {self.old!r} -> {self.new!r}"

    @property
    def old_shown(self) -> str:
        return self._shown(self.old)

    @property
    def new_shown(self) -> str:
        return self._shown(self.new)

    def _shown(self, value: str) -> str:
        if self.field == self.Field.CLOSES_AT:
            if not value:
                return "no closing time"
            return datetime.fromisoformat(value).astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        if self.field == self.Field.SENSITIVE:
            return "on" if value == "true" else "off"
        return value
