"""What moderators see of scoring: the risk label, the detected language, the signals and their spans.

Scoring only orders and labels the queue (G1); this module turns a revision's Assessment into what
the queue and the comment page show, and lists the signals the queue can be filtered by.
"""
import json
from dataclasses import dataclass, field

from django.core.exceptions import ObjectDoesNotExist
from django.utils.safestring import SafeString

from voxpop.comments.models import CommentRevision
from voxpop.scoring.models import Assessment, SignalHit

from .highlight import css_name, highlight, span_pairs

SIGNAL_NAME_MAX_CHARS = 40  # SignalHit.name
MAX_SIGNAL_KINDS = 100  # a bound on the filter's probes, far above the detectors there are


@dataclass(frozen=True)
class Chip:
    name: str
    label: str
    css: str
    count: int


@dataclass(frozen=True)
class Scoring:
    assessment: Assessment | None
    body: SafeString            # the revision's text, escaped, with the flagged spans in <mark>s
    chips: list[Chip] = field(default_factory=list)
    # Merged [start, end) code-point spans for the editor; on a held comment only the personal-data
    # and protected-name ones, which the editor pre-selects for masking.
    spans: list[list[int]] = field(default_factory=list)

    @property
    def scored(self) -> bool:
        return self.assessment is not None

    @property
    def held(self) -> bool:
        """A sensitive story's personal-data or protected-name hit, on this revision."""
        return bool(self.assessment and self.assessment.held)

    @property
    def risk_label(self) -> str:
        if self.assessment is None:
            return "unscored"
        if self.assessment.risk is None:
            return "no model yet"
        return f"risk {self.assessment.risk:.2f}"

    @property
    def language(self) -> str:
        return self.assessment.language if self.assessment else ""

    @property
    def spans_json(self) -> str:
        return json.dumps(self.spans, separators=(",", ":"))


def assessment_of(revision: CommentRevision) -> Assessment | None:
    """The revision's assessment (select_related it to save a query), or None while unscored."""
    try:
        return revision.assessment
    except ObjectDoesNotExist:
        return None


def scoring_for(revision: CommentRevision) -> Scoring:
    assessment = assessment_of(revision)
    signals = assessment.signals if assessment else []
    chips = [Chip(name=str(s.get("name", "")), label=str(s.get("label") or s.get("name", "")),
                  css=css_name(str(s.get("name", ""))), count=len(s.get("spans") or []))
             for s in signals if isinstance(s, dict)]
    signals = [s for s in signals if isinstance(s, dict)]
    held = bool(assessment and assessment.held)
    to_mask = [s for s in signals if s.get("personal")] if held else signals
    return Scoring(assessment=assessment, body=highlight(revision.body, signals), chips=chips,
                   spans=span_pairs(to_mask or signals, len(revision.body)))


def signal_choices(*, selected: str = "") -> list[tuple[str, str]]:
    """(name, label) of every signal some comment carries, by name, for the queue's filter.

    One index probe per distinct name on `signal_hit_by_name` (a loose index scan), so the cost
    follows the dozen or so signal kinds, not the size of the queue. The label is the one of a
    comment that carries the signal, or the name when that comment's assessment has none.
    """
    choices, last = [], ""
    for _ in range(MAX_SIGNAL_KINDS):
        hit = (SignalHit.objects.filter(name__gt=last).order_by("name")
               .values_list("name", "comment__current_revision__assessment__signals").first())
        if hit is None:
            break
        name, signals = hit
        label = next((s.get("label") for s in signals or [] if isinstance(s, dict) and s.get("name") == name), "")
        choices.append((name, label or name))
        last = name
    if selected and selected not in {name for name, _ in choices}:
        choices.append((selected, selected))
    return choices
