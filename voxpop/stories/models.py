"""A story is an article of the newsroom's CMS that readers may comment on."""
from datetime import datetime

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
