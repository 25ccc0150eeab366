from django.conf import settings
from django.db import models

from voxpop.comments.models import Comment, CommentRevision
from voxpop.desks.models import HouseRule


class ModerationDecision(models.Model):
    """The audit log (G3): one row per decision or edit, never updated or deleted."""

    class Action(models.TextChoices):
        APPROVE = "approve"
        REJECT = "reject"
        EDIT = "edit"

    comment = models.ForeignKey(Comment, on_delete=models.PROTECT, related_name="decisions")
    # The revision decided on; for an edit, the revision the edit created.
    revision = models.ForeignKey(CommentRevision, on_delete=models.PROTECT, related_name="decisions")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                              related_name="decisions", help_text="None: the system decided")
    action = models.CharField(max_length=10, choices=Action.choices)
    from_status = models.CharField(max_length=10, choices=Comment.Status.choices)
    to_status = models.CharField(max_length=10, choices=Comment.Status.choices)
    rule = models.ForeignKey(HouseRule, on_delete=models.PROTECT, null=True, related_name="+")
    note = models.TextField(blank=True)
    decided_at = models.DateTimeField()

    class Meta:
        ordering = ["decided_at", "pk"]
