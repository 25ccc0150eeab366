"""Comments and their revisions.

A comment's text lives in revisions: the reader's original is revision 1, every moderator edit adds
one, and `current_revision` is what moderators decide on and readers see once approved. Status
changes after creation happen only in `voxpop.moderation.services` (decisions) and
`voxpop.moderation.retention` (withdrawal, erasure, expiry).
"""
from django.conf import settings
from django.db import models

from voxpop.desks.models import Desk, HouseRule
from voxpop.stories.models import Story


class Comment(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending"
        APPROVED = "approved"
        REJECTED = "rejected"
        # Taken down by its author through the receipt, or by an admin erasing its commenter: text blanked.
        WITHDRAWN = "withdrawn"
        # Pending longer than the retention period, so nobody will decide it: text blanked.
        EXPIRED = "expired"

    story = models.ForeignKey(Story, on_delete=models.PROTECT, related_name="comments")
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="replies")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    current_revision = models.ForeignKey("CommentRevision", on_delete=models.PROTECT, null=True, related_name="+")
    display_name = models.CharField(max_length=100, blank=True)
    language = models.CharField(max_length=35)
    desk = models.ForeignKey(Desk, on_delete=models.PROTECT, related_name="comments")
    created_at = models.DateTimeField()
    published_at = models.DateTimeField(null=True, blank=True)
    # Keyed hash of the source (never the address itself, G5): the pseudonymous commenter key.
    commenter_key = models.CharField(max_length=64, blank=True)
    # Idempotency: a retried submission carries the same key and lands on the same comment (G4).
    submission_key = models.CharField(max_length=128, null=True, blank=True)
    fingerprint = models.CharField(max_length=64)
    # Queue order for "highest risk first", written by scoring (voxpop.scoring.services.priority).
    priority = models.FloatField(default=0.0)
    # When the reader's text, name and keys were blanked (retention, withdrawal or erasure: see
    # voxpop.moderation.retention). The row and its audit trail stay.
    purged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["story", "submission_key"], name="one_comment_per_submission"),
        ]
        indexes = [
            models.Index(fields=["story", "status", "published_at"], name="comment_thread"),
            models.Index(fields=["desk", "status", "created_at"], name="comment_queue"),
            # A moderator of several desks pages one queue in time order across them; without these
            # PostgreSQL reads and sorts the whole queue (100,000 pending: ~85 ms, spilling to disk)
            # for every page. See bench/README.md.
            models.Index(fields=["status", "created_at", "id"], name="comment_queue_by_age"),
            models.Index(fields=["status", "published_at", "id"], name="comment_queue_by_publication"),
            models.Index(fields=["commenter_key", "created_at"], name="comment_by_commenter"),
            models.Index(fields=["status", "-priority", "created_at"], name="comment_queue_by_risk"),
            # Retention's hourly look for what is due: only the few comments not yet purged.
            models.Index(fields=["status", "created_at"], name="comment_unpurged",
                         condition=models.Q(purged_at__isnull=True)),
        ]

    def __str__(self):
        return f"comment {self.pk} ({self.status})"


class CommentRevision(models.Model):
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    body = models.TextField()
    created_at = models.DateTimeField()
    # None: the reader wrote it. Otherwise the moderator who edited, under which rule and why.
    editor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    rule = models.ForeignKey(HouseRule, on_delete=models.PROTECT, null=True, related_name="+")
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["comment", "number"]
        constraints = [models.UniqueConstraint(fields=["comment", "number"], name="one_revision_number")]

    @property
    def edited_by_moderator(self) -> bool:
        return self.editor_id is not None
