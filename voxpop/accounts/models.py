"""Moderators, their roles and desks, and API tokens.

Readers have no accounts. Every User here is staff of the newsroom: a moderator works the queues
of their desks, a desk editor also sets up stories and rules, an admin sees every desk.
"""
import hashlib

from django.contrib.auth.models import AbstractUser
from django.db import models

from voxpop.desks.models import Desk


class User(AbstractUser):
    class Role(models.TextChoices):
        MODERATOR = "moderator"
        EDITOR = "editor"
        ADMIN = "admin"

    role = models.CharField(max_length=20, choices=Role.choices, default=Role.MODERATOR)
    desks = models.ManyToManyField(Desk, blank=True, related_name="moderators")

    def desk_ids(self) -> set[int]:
        """The desks whose comments this user may see and decide."""
        if self.role == self.Role.ADMIN:
            return set(Desk.objects.values_list("pk", flat=True))
        return set(self.desks.values_list("pk", flat=True))


class ApiToken(models.Model):
    """A bearer token; only its SHA-256 digest is stored, the token itself is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)

    @staticmethod
    def digest_of(token: str) -> str:
        return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


class SignInFailure(models.Model):
    """A workspace sign-in attempt not known to have succeeded, counted for login throttling.

    voxpop.workspace.throttle writes one row per user name and one per source before the password is
    checked, and deletes them when the sign-in succeeds. Keys are keyed hashes: neither the typed user
    name (sometimes a password typed into the wrong field) nor the address is stored. Rows older than
    the throttle window are deleted as new ones arrive.
    """

    class KeyKind(models.TextChoices):
        USERNAME = "username"
        SOURCE = "source"

    key_kind = models.CharField(max_length=10, choices=KeyKind.choices)
    key = models.CharField(max_length=64)
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["key_kind", "key", "at"], name="signin_failure_key_at"),
                   models.Index(fields=["at"], name="signin_failure_at")]
