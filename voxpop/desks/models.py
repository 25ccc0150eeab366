"""Desks (a language service or section) and their house rules.

A desk is what moderators are assigned to and what comments are routed to. Its house rules are a
numbered list per language; a rule's wording is never changed in place: a new version replaces it
(`retired_at` set on the old row), so a decision keeps the exact wording it cited.
"""
from django.db import models


class Desk(models.Model):
    key = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=100)
    languages = models.JSONField(default=list, help_text="BCP 47 tags this desk moderates, e.g. ['ko']")

    class Meta:
        ordering = ["key"]

    def __str__(self):
        return self.key


class HouseRuleQuerySet(models.QuerySet):
    def current(self):
        return self.filter(retired_at__isnull=True)


class HouseRule(models.Model):
    desk = models.ForeignKey(Desk, on_delete=models.PROTECT, related_name="rules")
    language = models.CharField(max_length=35)
    number = models.PositiveSmallIntegerField()
    text = models.TextField(max_length=1000)
    created_at = models.DateTimeField()
    retired_at = models.DateTimeField(null=True, blank=True)

    objects = HouseRuleQuerySet.as_manager()

    class Meta:
        ordering = ["desk", "language", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["desk", "language", "number"], condition=models.Q(retired_at__isnull=True),
                name="one_current_rule_per_number",
            ),
        ]

    def __str__(self):
        return f"{self.desk.key}/{self.language} #{self.number}"
