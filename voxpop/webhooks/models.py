"""Webhook endpoints and the outbox of deliveries to them.

A Delivery row is written in the same transaction as the decision or story it reports (a
transactional outbox): if the decision commits, so does the row, and `voxpop webhooks deliver`
sends it later, however often the server restarts in between (G4). A decision that rolls back
leaves no row. What the rows carry is public by construction (G6): ids, published text, dates.
"""
import uuid

from django.db import models
from django.db.models import Q

from voxpop.comments.models import Comment


class Event(models.TextChoices):
    COMMENT_PUBLISHED = "comment.published"
    COMMENT_EDITED = "comment.edited"          # a published comment's published text changed
    COMMENT_UNPUBLISHED = "comment.unpublished"  # no longer public: undone, withdrawn or erased
    COMMENT_REJECTED = "comment.rejected"
    STORY_CREATED = "story.created"


class Endpoint(models.Model):
    """A receiver's URL and the events it wants, signed with its own secret.

    The secret is shown once, when the endpoint is created, and never again (nor logged). It is
    stored as it is, because every delivery is signed with it: like moderators' TOTP keys, it is
    as safe as the database and its backups.
    """

    url = models.CharField(max_length=2000)
    secret = models.CharField(max_length=100)
    events = models.JSONField(default=list, help_text="Event values this endpoint receives")
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return f"webhook endpoint {self.pk}"


class Delivery(models.Model):
    """One event for one endpoint: the outbox row, then the record of its attempts.

    States, read from the fields:
      due or waiting for a retry  next_attempt_at set (also while an attempt is in flight: the
                                  worker moves it forward by a lease, see voxpop.webhooks.delivery)
      delivered                   delivered_at set; the payload is then emptied
      dead                        dead, after the last attempt failed; an admin may retry it
      superseded                  superseded_at set: a later event about the same comment replaced
                                  it before it was delivered; the payload is emptied
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False,
                            help_text="Sent as Voxpop-Delivery, for receivers' idempotency")
    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=40, choices=Event.choices)
    # The comment the event is about, so that a later event can supersede this one.
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField()
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status = models.PositiveIntegerField(null=True, blank=True, help_text="HTTP status of the last attempt")
    last_error = models.CharField(max_length=200, blank=True, help_text="Why the last attempt failed; never a payload")
    dead = models.BooleanField(default=False)
    superseded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The worker's look for due rows: only the few not yet finished.
            models.Index(fields=["next_attempt_at"], name="delivery_due",
                         condition=Q(next_attempt_at__isnull=False)),
            models.Index(fields=["endpoint", "created_at"], name="delivery_log"),
        ]

    def __str__(self):
        return f"delivery {self.pk} ({self.event})"

    @property
    def state(self) -> str:
        if self.delivered_at:
            return "delivered"
        if self.superseded_at:
            return "superseded"
        if self.dead:
            return "dead"
        return "retrying" if self.attempts else "due"
