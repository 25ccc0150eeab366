"""Teaching the classifier from this newsroom's own decisions, and measuring how well it does.

What a comment teaches (`examples`): its first human decision that was not undone.

- approve: label approve, on the revision approved;
- reject: label reject, on the revision rejected;
- edit and approve: label reject, on the reader's original text (it needed a moderator's edit);
- a plain edit, a reopen and an undo are not decisions on the reader's text and are passed over;
  system decisions (a ban's rejection) teach nothing: no moderator read the comment;
- a comment whose decisions were all undone, or whose text was taken down (withdrawn by its
  author, erased, expired) or blanked, teaches nothing.

Each example has the comment's language and the decision's time; everything here keeps time order,
because the honest test of a classifier is on decisions made after the ones it learned from:
evaluation trains on the earlier 80 % of a language and tests on the latest 20 %.

Training runs in `voxpop retrain`, never inside a request. A language gets a model only with at
least MIN_PER_CLASS approvals and as many rejections; until then the queue shows no risk score.
"""
import itertools
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone

import numpy as np
from django.db import transaction
from scipy.special import expit
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import precision_score, recall_score, roc_auc_score

from voxpop.comments.models import Comment, CommentRevision
from voxpop.moderation.models import ModerationDecision

from . import classifier
from .language import detect_language
from .models import ClassifierModel

MIN_PER_CLASS = 30
TEST_FRACTION = 0.2
THRESHOLD = 0.5
APPROVE, REJECT = 0, 1
LABELS = {"approve": APPROVE, "reject": REJECT}
LABEL_NAMES = {APPROVE: "approve", REJECT: "reject"}
ALL_LANGUAGES = "all languages"

Action = ModerationDecision.Action
# Actions that leave the reader's text in place. Any other (withdrawal, erasure, expiry) blanks it:
# such a comment must not be learned from or exported.
_TEXT_KEPT = {Action.APPROVE, Action.REJECT, Action.EDIT, Action.UNDO, Action.REOPEN}
_CHUNK = 1000


@dataclass(frozen=True)
class Example:
    text: str
    label: int  # REJECT (1) or APPROVE (0)
    language: str
    decided_at: datetime | None = None

    def as_json(self) -> dict:
        item = {"text": self.text, "label": LABEL_NAMES[self.label], "language": self.language}
        if self.decided_at is not None:
            item["decided_at"] = self.decided_at.astimezone(timezone.utc).isoformat()
        return item


# -- Labels from the moderation history ---------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class _Label:
    comment_id: int
    decision_id: int
    decided_at: datetime
    label: int
    revision_id: int | None  # None: the reader's original revision (edit and approve)


def examples(*, since: datetime | None = None, desk: str | None = None) -> Iterator[Example]:
    """Labelled comments from the moderation history, oldest decision first.

    `since` keeps comments whose labelling decision is at or after it; `desk` (a desk key) keeps
    the comments routed to that desk.
    """
    labels = sorted(_labels(since=since, desk=desk), key=lambda lab: (lab.decided_at, lab.decision_id))
    for start in range(0, len(labels), _CHUNK):
        chunk = labels[start:start + _CHUNK]
        comment_ids = [lab.comment_id for lab in chunk]
        languages = dict(Comment.objects.filter(pk__in=comment_ids).values_list("pk", "language"))
        bodies = dict(CommentRevision.objects.filter(pk__in=[lab.revision_id for lab in chunk if lab.revision_id])
                      .values_list("pk", "body"))
        originals = dict(CommentRevision.objects.filter(
            comment_id__in=[lab.comment_id for lab in chunk if lab.revision_id is None], number=1,
        ).values_list("comment_id", "body"))
        for lab in chunk:
            text = bodies.get(lab.revision_id) if lab.revision_id else originals.get(lab.comment_id)
            if text and text.strip():
                yield Example(text=text, label=lab.label, language=languages[lab.comment_id],
                              decided_at=lab.decided_at)


def _labels(*, since: datetime | None, desk: str | None) -> Iterator[_Label]:
    decisions = ModerationDecision.objects.all()
    if desk is not None:
        decisions = decisions.filter(comment__desk__key=desk)
    if since is not None:
        decisions = decisions.filter(comment_id__in=ModerationDecision.objects.filter(decided_at__gte=since)
                                     .values("comment_id"))
    rows = (decisions.order_by("comment_id", "decided_at", "pk")
            .values_list("comment_id", "pk", "actor_id", "action", "from_status", "to_status", "revision_id",
                         "decided_at", "undone_by__pk", named=True)
            .iterator(chunk_size=5000))
    for _, history in itertools.groupby(rows, key=lambda row: row.comment_id):
        label = _label(list(history))
        if label is not None and (since is None or label.decided_at >= since):
            yield label


def _label(history: list) -> _Label | None:
    """The first human, not undone, approve/reject/edit-and-approve of one comment's history."""
    if any(row.action not in _TEXT_KEPT for row in history):
        return None
    for row in history:
        if row.actor_id is None or row.undone_by__pk is not None:
            continue
        found = {"comment_id": row.comment_id, "decision_id": row.pk, "decided_at": row.decided_at}
        if row.action == Action.APPROVE:
            return _Label(**found, label=APPROVE, revision_id=row.revision_id)
        if row.action == Action.REJECT:
            return _Label(**found, label=REJECT, revision_id=row.revision_id)
        if (row.action == Action.EDIT and row.from_status == Comment.Status.PENDING
                and row.to_status == Comment.Status.APPROVED):
            return _Label(**found, label=REJECT, revision_id=None)
    return None


def examples_export(out, *, since: datetime | None = None, desk: str | None = None) -> int:
    """Write the labelled history as JSON lines to the text stream `out`; returns how many."""
    count = 0
    for example in examples(since=since, desk=desk):
        out.write(json.dumps(example.as_json(), ensure_ascii=False) + "\n")
        count += 1
    return count


# -- Labelled files (JSON lines) --------------------------------------------------------------------

class LabelledFileError(ValueError):
    """A labelled file that cannot be read; the message names the line."""


def labelled_read(lines: Iterable[bytes | str]) -> list[Example]:
    """Parse JSON lines `{"text", "label": "approve"|"reject", "language"?}`, in file (time) order.

    A missing language is detected from the text. Blank lines are allowed.
    """
    result = []
    for number, line in enumerate(lines, start=1):
        if isinstance(line, bytes):
            try:
                line = line.decode("utf-8")
            except UnicodeDecodeError:
                raise LabelledFileError(f"line {number}: not UTF-8 text") from None
        if number == 1:
            line = line.removeprefix("\ufeff")
        if not line.strip():
            continue
        result.append(_labelled_line(line, number))
    return result


def _labelled_line(line: str, number: int) -> Example:
    try:
        item = json.loads(line)
    except json.JSONDecodeError as error:
        raise LabelledFileError(f"line {number}: not a JSON object ({error.msg}, column {error.colno})") from None
    if not isinstance(item, dict):
        raise LabelledFileError(f'line {number}: expected a JSON object with "text" and "label"')
    text, label, language = item.get("text"), item.get("label"), item.get("language")
    if not isinstance(text, str) or not text.strip():
        raise LabelledFileError(f'line {number}: "text" must be a non-empty string')
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise LabelledFileError(f'line {number}: "text" holds an unpaired surrogate') from None
    if label not in LABELS:
        raise LabelledFileError(f'line {number}: "label" must be "approve" or "reject", not {json.dumps(label)[:40]}')
    if language is not None and not isinstance(language, str):
        raise LabelledFileError(f'line {number}: "language" must be a string (a BCP 47 tag) when present')
    return Example(text=text, label=LABELS[label], language=language or detect_language(text))


# -- Training and evaluation ------------------------------------------------------------------------

def vectorizer() -> HashingVectorizer:
    """The feature recipe; stateless, so a model is its weights alone (classifier.hashed_indices mirrors it)."""
    return HashingVectorizer(analyzer="char_wb", ngram_range=(1, classifier.MAX_NGRAM),
                             n_features=classifier.N_FEATURES, alternate_sign=False, norm="l2",
                             preprocessor=classifier.preprocess, lowercase=False)


@dataclass(frozen=True)
class Weights:
    coef: np.ndarray  # one per hashed feature (N_FEATURES)
    intercept: float

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """Probability of rejection of each text, as risk_for computes it one at a time."""
        z = vectorizer().transform(texts) @ self.coef + self.intercept
        return expit(z)


def model_fit(labelled: Sequence[Example]) -> Weights:
    """Logistic regression over the hashed n-grams; both classes weigh the same however many each has.

    Fitted over the features the examples use only (a few thousand of the 262,144): a feature no
    example has gets weight 0 anyway, and liblinear is then ten times faster.
    """
    features = vectorizer().transform([e.text for e in labelled])
    labels = np.array([e.label for e in labelled])
    used = np.unique(features.indices)
    model = LogisticRegression(solver="liblinear", class_weight="balanced").fit(features[:, used], labels)
    coef = np.zeros(classifier.N_FEATURES)
    coef[used] = model.coef_[0]
    return Weights(coef=coef, intercept=float(model.intercept_[0]))


@dataclass
class Evaluation:
    """How a language's classifier did on its latest decisions, having learned from the earlier ones."""

    language: str
    approvals: int
    rejections: int
    train: int = 0
    test: int = 0
    precision: float | None = None  # of "reject" at THRESHOLD; None: nothing predicted as reject
    recall: float | None = None     # None: no rejection in the test part
    roc_auc: float | None = None    # None: the test part has only one class
    note: str = ""                  # why there are no metrics
    enough_data: bool = True        # MIN_PER_CLASS of each kind: what a language needs for a model
    y_true: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=int), repr=False)
    y_score: np.ndarray = field(default_factory=lambda: np.empty(0), repr=False)

    @property
    def n(self) -> int:
        return self.approvals + self.rejections

    @property
    def measured(self) -> bool:
        return self.test > 0

    def metrics(self) -> dict:
        return {"n": self.n, "train": self.train, "test": self.test, "threshold": THRESHOLD,
                "precision": self.precision, "recall": self.recall, "roc_auc": self.roc_auc,
                "note": self.note, "split": f"time-ordered, latest {TEST_FRACTION:.0%} held out"}


def not_enough(approvals: int, rejections: int, min_per_class: int) -> str:
    return f"{approvals} approvals, {rejections} rejections (needs {min_per_class} of each)"


def language_evaluate(language: str, labelled: Sequence[Example], *, min_per_class: int = MIN_PER_CLASS
                      ) -> Evaluation:
    """Train on the earlier 80 % of `labelled` (time-ordered, one language), test on the latest 20 %."""
    rejections = sum(e.label for e in labelled)
    evaluation = Evaluation(language=language, approvals=len(labelled) - rejections, rejections=rejections)
    if min(evaluation.approvals, rejections) < max(min_per_class, 1):
        evaluation.enough_data = False
        evaluation.note = "not enough data: " + not_enough(evaluation.approvals, rejections, min_per_class)
        return evaluation
    n_test = max(1, round(len(labelled) * TEST_FRACTION))
    train, test = labelled[:-n_test], labelled[-n_test:]
    if len({e.label for e in train}) < 2:
        evaluation.note = f"the earlier {1 - TEST_FRACTION:.0%} holds only one kind of decision"
        return evaluation
    y_true = np.array([e.label for e in test])
    y_score = model_fit(train).probabilities([e.text for e in test])
    evaluation.train, evaluation.test = len(train), len(test)
    _measure(evaluation, y_true, y_score)
    return evaluation


def _measure(evaluation: Evaluation, y_true: np.ndarray, y_score: np.ndarray) -> None:
    evaluation.y_true, evaluation.y_score = y_true, y_score
    predicted = (y_score >= THRESHOLD).astype(int)
    evaluation.precision = float(precision_score(y_true, predicted)) if predicted.any() else None
    evaluation.recall = float(recall_score(y_true, predicted)) if y_true.any() else None
    evaluation.roc_auc = float(roc_auc_score(y_true, y_score)) if len(set(y_true.tolist())) == 2 else None


def by_language(labelled: Iterable[Example]) -> dict[str, list[Example]]:
    """Examples grouped by language, each group keeping the input (time) order."""
    groups: dict[str, list[Example]] = {}
    for example in labelled:
        groups.setdefault(example.language, []).append(example)
    return dict(sorted(groups.items()))


def evaluate(labelled: Iterable[Example], *, min_per_class: int = MIN_PER_CLASS) -> list[Evaluation]:
    """One Evaluation per language, then the pooled "all languages" row (its test parts together).

    Reads no database: it measures the recipe on the given examples, it never stores a model.
    """
    rows = [language_evaluate(lang, group, min_per_class=min_per_class)
            for lang, group in by_language(labelled).items()]
    pooled = Evaluation(language=ALL_LANGUAGES, approvals=sum(r.approvals for r in rows),
                        rejections=sum(r.rejections for r in rows),
                        train=sum(r.train for r in rows), test=sum(r.test for r in rows))
    if pooled.test:
        _measure(pooled, np.concatenate([r.y_true for r in rows if r.measured]),
                 np.concatenate([r.y_score for r in rows if r.measured]))
    else:
        pooled.note = "no language has enough data"
    return [*rows, pooled]


# -- Retraining the stored models -------------------------------------------------------------------

@dataclass(frozen=True)
class Retrained:
    evaluation: Evaluation
    version: str = ""   # the new active model, "" if none was trained
    replaced: str = ""  # the model it replaced
    kept: str = ""      # the active model left in place when there was not enough data to retrain


def retrain(*, now: datetime, min_per_class: int = MIN_PER_CLASS) -> list[Retrained]:
    """Fit and store a model per language with enough decisions; report every language.

    Each model is measured on a time-ordered split first, then trained on all the language's
    examples and made the active one; the one it replaces stays in the table, inactive.
    """
    groups = by_language(examples())
    active = dict(ClassifierModel.objects.filter(active=True).order_by("trained_at", "pk")
                  .values_list("language", "version"))
    results = []
    for language in sorted(set(groups) | set(active)):
        group = groups.get(language, [])
        evaluation = language_evaluate(language, group, min_per_class=min_per_class)
        if not evaluation.enough_data:
            results.append(Retrained(evaluation=evaluation, kept=active.get(language, "")))
            continue
        version = _model_store(language=language, weights=model_fit(group), evaluation=evaluation, now=now)
        results.append(Retrained(evaluation=evaluation, version=version, replaced=active.get(language, "")))
    classifier.cache_clear()
    return results


def _model_store(*, language: str, weights: Weights, evaluation: Evaluation, now: datetime) -> str:
    version = base = f"{language[:30]}-{now.astimezone(timezone.utc):%Y%m%dT%H%M%SZ}"
    suffix = 1
    while ClassifierModel.objects.filter(version=version).exists():
        suffix += 1
        version = f"{base}-{suffix}"
    data = classifier.weights_dump(coef=weights.coef, intercept=weights.intercept)
    with transaction.atomic():
        ClassifierModel.objects.filter(language=language, active=True).update(active=False)
        ClassifierModel.objects.create(
            language=language, version=version, trained_at=now, approvals=evaluation.approvals,
            rejections=evaluation.rejections, metrics=evaluation.metrics(), weights=data, active=True,
        )
    return version


# -- Reports ------------------------------------------------------------------------------------------

def evaluation_report(rows: list[Evaluation]) -> str:
    """The per-language table `voxpop evaluate` prints."""
    table = [["language", "n", "approve", "reject", "train", "test", "precision", "recall", "ROC AUC"]]
    for row in rows:
        counts = [row.language, str(row.n), str(row.approvals), str(row.rejections)]
        if row.note:
            table.append(counts + [row.note])
        else:
            table.append(counts + [str(row.train), str(row.test), _number(row.precision), _number(row.recall),
                                   _number(row.roc_auc)])
    return _table(table) + "\n" + _FOOTNOTE + "\n" + _POOLED


def retrain_report(results: list[Retrained], *, min_per_class: int = MIN_PER_CLASS) -> str:
    """The per-language table `voxpop retrain` prints."""
    if not results:
        return "No moderator decisions to learn from yet: no language has a model."
    table = [["language", "approve", "reject", "model", "precision", "recall", "ROC AUC"]]
    for result in results:
        row = result.evaluation
        counts = [row.language, str(row.approvals), str(row.rejections)]
        if result.version:
            model = result.version + (f" (replaces {result.replaced})" if result.replaced else " (new)")
            metrics = ([_number(row.precision), _number(row.recall), _number(row.roc_auc)] if row.measured
                       else [row.note])
            table.append(counts + [model] + metrics)
        elif result.kept:
            table.append(counts + [f"kept {result.kept}: not enough data to retrain, needs {min_per_class} of each"])
        else:
            table.append(counts + ["no model yet: " + not_enough(row.approvals, row.rejections, min_per_class)])
    return _table(table, left=(0, 3)) + "\n" + _FOOTNOTE


_FOOTNOTE = (f"Precision and recall of \"reject\" at probability {THRESHOLD}, and ROC AUC, on each language's "
             f"latest {TEST_FRACTION:.0%} of decisions\nafter training on the earlier {1 - TEST_FRACTION:.0%}; "
             f"\"-\": undefined (nothing predicted as reject, no rejection, or one class in the test part).")


_POOLED = ("\"all languages\": every line counted; metrics over the test parts of the languages measured, "
           "each scored by its own model.")


def _number(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _table(rows: list[list[str]], *, left: tuple[int, ...] = (0,)) -> str:
    """Columns aligned (those in `left` to the left, numbers to the right); a row's last cell may
    run past the columns when the row is short (a note instead of figures)."""
    width = max(len(r) for r in rows)
    widths = [max((len(r[i]) for r in rows if i < len(r) - 1 or len(r) == width), default=0)
              for i in range(width)]
    lines = []
    for row in rows:
        cells = []
        for i, cell in enumerate(row):
            if i == len(row) - 1 and len(row) < width:
                cells.append(cell)
            else:
                cells.append(cell.ljust(widths[i]) if i in left else cell.rjust(widths[i]))
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)
