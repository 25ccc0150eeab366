"""What scoring knows: an assessment per revision, and what editors and moderators taught it.

Scoring orders and labels the queue; it never publishes or rejects (G1). Everything here runs
on this server: comment text never leaves it (G5).
"""
import uuid

from django.conf import settings
from django.db import models

from voxpop.comments.models import Comment, CommentRevision
from voxpop.desks.models import Desk
from voxpop.stories.models import Story


class Assessment(models.Model):
    """Scoring's reading of one revision: language, risk, and the signals with their spans."""

    revision = models.OneToOneField(CommentRevision, on_delete=models.CASCADE, related_name="assessment")
    language = models.CharField(max_length=35, help_text="BCP 47 tag, or 'und'")
    # Probability of rejection from the newsroom's own classifier; None: no model yet for this language.
    risk = models.FloatField(null=True, blank=True)
    model_version = models.CharField(max_length=50, blank=True)
    # [{"name", "label", "spans": [[start, end], ...]}], offsets in code points of the revision's body.
    signals = models.JSONField(default=list)
    # A sensitive story's personal-data or protected-name hit: kept at the top of the queue.
    held = models.BooleanField(default=False)
    scored_at = models.DateTimeField()

    def signal_names(self) -> list[str]:
        return [s["name"] for s in self.signals]


class SignalHit(models.Model):
    """One row per signal on a comment's current assessment, so the queue can filter by signal."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="signal_hits")
    name = models.CharField(max_length=40)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["comment", "name"], name="one_hit_per_signal")]
        indexes = [models.Index(fields=["name", "comment"], name="signal_hit_by_name")]


class WordList(models.Model):
    """Banned and suspect words of a desk in one language, one entry per line, edited by desk editors."""

    class Kind(models.TextChoices):
        BANNED = "banned"
        SUSPECT = "suspect"

    desk = models.ForeignKey(Desk, on_delete=models.CASCADE, related_name="word_lists")
    language = models.CharField(max_length=35)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    words = models.TextField(blank=True)
    updated_at = models.DateTimeField()
    # New at every save: each app process keeps the list prepared for matching under (id, version).
    version = models.UUIDField(default=uuid.uuid4)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["desk", "language", "kind"], name="one_word_list")]

    def entries(self) -> list[str]:
        return [w.strip() for w in self.words.splitlines() if w.strip()]


class ProtectedName(models.Model):
    """A name an editor marked as protected on a story (a source, a victim, a minor)."""

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="protected_names")
    name = models.CharField(max_length=200)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["story", "name"], name="one_protected_name")]


class ProtectedNameChange(models.Model):
    """The audit of protected names: one row per name an editor added or removed, never updated or deleted."""

    class Action(models.TextChoices):
        ADD = "add", "Added"
        REMOVE = "remove", "Removed"

    story = models.ForeignKey(Story, on_delete=models.PROTECT, related_name="protected_name_changes")
    name = models.CharField(max_length=200)
    action = models.CharField(max_length=10, choices=Action.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField()

    class Meta:
        ordering = ["-changed_at", "-pk"]
        indexes = [models.Index(fields=["story", "changed_at"], name="protected_name_change")]


class DuplicateBand(models.Model):
    """One locality-sensitive-hashing band of a comment's MinHash, to find near-duplicates fast."""

    band = models.BigIntegerField()
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="+")
    # The comment's creation time: the flood window and the 30-day purge count from it.
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            # Also the lookup index (band first); a comment scored again never stores a band twice.
            models.UniqueConstraint(fields=["band", "comment"], name="one_band_per_comment"),
        ]
        indexes = [models.Index(fields=["created_at"], name="duplicate_band_age")]


class ClassifierModel(models.Model):
    """A trained approve/reject classifier for one language, shared by every app process."""

    language = models.CharField(max_length=35)
    version = models.CharField(max_length=50, unique=True)
    trained_at = models.DateTimeField()
    approvals = models.PositiveIntegerField()
    rejections = models.PositiveIntegerField()
    metrics = models.JSONField(default=dict)
    # The linear model's weights over hashed character n-grams (numpy .npy bytes), not a pickle.
    weights = models.BinaryField()
    active = models.BooleanField(default=True)

    class Meta:
        indexes = [models.Index(fields=["language", "active"], name="classifier_by_language")]
        constraints = [models.UniqueConstraint(fields=["language"], condition=models.Q(active=True),
                                               name="one_active_classifier_per_language")]
