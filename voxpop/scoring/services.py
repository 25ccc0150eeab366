"""Scoring a comment's current revision: route it, find the signals, ask the classifier, order the queue.

Runs right after the comment is committed (and after a moderator's edit). It only writes the
assessment, the routing and the queue priority; it never changes a comment's status (G1). If it
fails, the comment stays in the queue of the story's desk, marked unscored.
"""
import logging
from datetime import datetime

from django.db import transaction

from voxpop.comments.models import Comment
from voxpop.desks.models import Desk
from voxpop.moderation.models import ModerationDecision

from . import classifier, language, routing
from .models import Assessment, SignalHit
from .signals import DETECTORS, Context, Signal

log = logging.getLogger(__name__)

HELD_PRIORITY = 10.0  # above any risk: a sensitive story's personal-data hit is looked at first


def comment_score(*, comment: Comment, now: datetime) -> Assessment | None:
    """Route and assess the comment's current revision; None if scoring failed (it is then unscored).

    Routing is saved first, so a failing detector leaves the comment in the right desk's queue.
    """
    try:
        detected, desk = _route(comment=comment)
    except Exception:  # scoring must never cost a comment: log the failure and leave it unscored
        log.exception("routing failed for comment %s", comment.pk)
        detected, desk = comment.language, comment.desk
    try:
        return _score(comment=comment, detected=detected, desk=desk, now=now)
    except Exception:
        log.exception("scoring failed for comment %s", comment.pk)
        return None


def _route(*, comment: Comment) -> tuple[str, Desk]:
    """The comment's language and desk; a moderator's re-route stands over detection."""
    if ModerationDecision.objects.filter(comment=comment, action=ModerationDecision.Action.ROUTE).exists():
        return comment.language, comment.desk
    detected = language.detect_language(comment.current_revision.body)
    desk = routing.desk_for(language=detected, story=comment.story)
    Comment.objects.filter(pk=comment.pk).update(language=detected, desk=desk)
    comment.language, comment.desk = detected, desk
    return detected, desk


def _score(*, comment: Comment, detected: str, desk: Desk, now: datetime) -> Assessment:
    revision = comment.current_revision
    story = comment.story
    context = Context(comment=comment, body=revision.body, language=detected, desk=desk, story=story, now=now)
    signals = [signal for detect in DETECTORS for signal in detect(context)]
    risk, version = classifier.risk_for(text=revision.body, language=detected)
    held = story.sensitive and any(s.personal for s in signals)
    with transaction.atomic():
        assessment, _ = Assessment.objects.update_or_create(revision=revision, defaults={
            "language": detected, "risk": risk, "model_version": version, "held": held, "scored_at": now,
            "signals": [s.as_json() for s in signals],
        })
        # Order only if the revision is still current: a later edit has its own assessment.
        Comment.objects.filter(pk=comment.pk, current_revision=revision).update(
            priority=priority(risk=risk, signals=signals, held=held))
        SignalHit.objects.filter(comment=comment).delete()
        SignalHit.objects.bulk_create([SignalHit(comment=comment, name=n) for n in {s.name for s in signals}])
    return assessment


def priority(*, risk: float | None, signals: list[Signal], held: bool) -> float:
    """The queue's "highest risk first" key: held first, then the classifier's risk, else the signals."""
    base = risk if risk is not None else min(1.0, sum(s.weight for s in signals))
    return base + (HELD_PRIORITY if held else 0.0)
