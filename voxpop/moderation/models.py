from django.conf import settings
from django.db import models

from voxpop.comments.models import Comment, CommentRevision
from voxpop.desks.models import Desk, HouseRule


class ModerationDecision(models.Model):
    """The audit log (G3): one row per decision or edit, never updated or deleted."""

    class Action(models.TextChoices):
        APPROVE = "approve"
        REJECT = "reject"
        EDIT = "edit"
        UNDO = "undo"
        REOPEN = "reopen"
        ROUTE = "route"  # moved to another desk or given another language; the status stays
        # Retention and deletion (voxpop.moderation.retention): the text is blanked with the status change.
        WITHDRAW = "withdraw"  # the author, through their receipt (actor None)
        ERASE = "erase"        # an admin, for every comment of one commenter key
        EXPIRE = "expire"      # the system: pending longer than the retention period

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
    # For an undo: the decision it reverted (each decision is undone at most once).
    undoes = models.OneToOneField("self", on_delete=models.PROTECT, null=True, blank=True, related_name="undone_by")

    class Meta:
        ordering = ["decided_at", "pk"]
        indexes = [
            models.Index(fields=["actor", "decided_at"], name="decision_by_actor"),
            models.Index(fields=["decided_at"], name="decision_by_time"),
        ]


class CommenterRestriction(models.Model):
    """A hold or ban on a pseudonymous commenter key in one desk, set by a moderator, with expiry and reason.

    A hold marks the key's comments in that desk for a careful look (never bulk-approved); a ban
    rejects its new comments there as a logged system decision that a moderator can reopen. The
    desk scopes it: one desk's moderators neither see nor lift another desk's holds and bans.
    """

    class Kind(models.TextChoices):
        HOLD = "hold"
        BAN = "ban"

    commenter_key = models.CharField(max_length=64, db_index=True)
    desk = models.ForeignKey(Desk, on_delete=models.PROTECT, related_name="restrictions")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    reason = models.TextField(max_length=1000)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)
    # A copy carried into a new key period (services.restriction_carry_over) names the restriction a
    # moderator set; copies of copies name that same one, so one lift finds the whole family.
    original = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="copies")

    class Meta:
        ordering = ["-created_at", "-pk"]

    def is_active(self, now) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)
