"""A site: one newsroom property whose pages embed Voxpop."""
from django.db import models

from voxpop.desks.models import Desk


class Site(models.Model):
    """Origins drive CORS and the iframe's frame-ancestors; the secret checks signed story registrations.

    `origins` holds normalized origins (`https://news.example`, `http://localhost:8080`): scheme,
    host and a non-default port, nothing else (voxpop.embed.services.origin_normalize).
    """

    name = models.SlugField(max_length=50, unique=True, help_text="Short name the CMS sends as `site`")
    origins = models.JSONField(default=list, help_text="Origins whose pages embed Voxpop")
    secret = models.CharField(max_length=100, help_text="HMAC key of the site's signed embed parameters")
    desks = models.ManyToManyField(Desk, related_name="+", blank=True,
                                   help_text="Desks the site may open stories on by a signed embed")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name
