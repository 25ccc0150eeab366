"""The numbers behind the desk editors' dashboard: backlog, time to decision, rules cited, volume.

Every selector takes the user and counts only their desks (an admin's are all desks), and takes
`now` from its caller so that a test can pin the clock. Windows are half-open, (now - span, now].

Time to decision is measured from a comment's `created_at` to its first human decision that
published or rejected it (approve, reject, edit and approve). Later decisions on the same comment
(after an undo or a reopen) and system rejections of banned commenters do not count. Percentiles
are computed in Python from the durations, interpolating like PostgreSQL's `percentile_cont`, so
both databases give the same figures.
"""
import math
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone as dt_timezone

from django.db.models import Count, Exists, Min, OuterRef, Q
from django.db.models.functions import TruncHour
from django.utils import timezone

from voxpop.accounts.models import User
from voxpop.comments.models import Comment
from voxpop.desks.models import Desk, HouseRule

from .models import ModerationDecision

Status = Comment.Status
WEEK = timedelta(days=7)

# A decision that took a comment out of the pending queue, whoever made it.
_DECIDED = Q(from_status=Status.PENDING, to_status__in=[Status.APPROVED, Status.REJECTED])
_BY_HUMAN = _DECIDED & Q(actor__isnull=False)


def desk_list_for(*, moderator: User) -> list[Desk]:
    """The desks the dashboard reports on for this user, by key."""
    return list(Desk.objects.filter(pk__in=moderator.desk_ids()).order_by("key"))


@dataclass(frozen=True)
class DeskBacklog:
    desk: Desk
    pending: int
    oldest_waiting: timedelta | None  # None: nothing pending


def backlog_list_by_desk(*, moderator: User, now: datetime) -> list[DeskBacklog]:
    """Pending comments per desk right now and how long the oldest of them has waited."""
    desks = desk_list_for(moderator=moderator)
    rows = (Comment.objects.filter(status=Status.PENDING, desk_id__in=[d.pk for d in desks])
            .values("desk_id").annotate(n=Count("pk"), oldest=Min("created_at")).order_by())
    pending = {row["desk_id"]: (row["n"], max(now - row["oldest"], timedelta(0))) for row in rows}
    result = []
    for desk in desks:
        count, waiting = pending.get(desk.pk, (0, None))
        result.append(DeskBacklog(desk=desk, pending=count, oldest_waiting=waiting))
    return result


@dataclass(frozen=True)
class DeskDecisionTimes:
    desk: Desk
    decided: int  # comments whose first human decision fell in the window
    median: timedelta | None
    p90: timedelta | None


def decision_time_list_by_desk(*, moderator: User, now: datetime, span: timedelta = WEEK) -> list[DeskDecisionTimes]:
    """Median and 90th-percentile wait from submission to first human decision, per desk.

    Counts the comments whose first human decision was made in (now - span, now]: a comment first
    decided before the window does not re-enter it when it is decided again after an undo.
    """
    desks = desk_list_for(moderator=moderator)
    earlier = ModerationDecision.objects.filter(_BY_HUMAN, comment_id=OuterRef("comment_id")).filter(
        Q(decided_at__lt=OuterRef("decided_at")) | Q(decided_at=OuterRef("decided_at"), pk__lt=OuterRef("pk")))
    rows = (ModerationDecision.objects
            .filter(_BY_HUMAN, decided_at__gt=now - span, decided_at__lte=now,
                    comment__desk_id__in=[d.pk for d in desks])
            .filter(~Exists(earlier))
            .values_list("comment__desk_id", "comment__created_at", "decided_at"))
    waits: dict[int, list[timedelta]] = {d.pk: [] for d in desks}
    for desk_id, created_at, decided_at in rows:
        waits[desk_id].append(max(decided_at - created_at, timedelta(0)))
    result = []
    for desk in desks:
        durations = sorted(waits[desk.pk])
        result.append(DeskDecisionTimes(desk=desk, decided=len(durations), median=percentile(durations, 0.5),
                                        p90=percentile(durations, 0.9)))
    return result


def percentile(ordered: list[timedelta], fraction: float) -> timedelta | None:
    """The `fraction` percentile of sorted durations, interpolating between the two nearest ranks."""
    if not ordered:
        return None
    position = (len(ordered) - 1) * fraction
    lower, upper = math.floor(position), math.ceil(position)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)


@dataclass(frozen=True)
class RuleCount:
    desk: Desk
    rule: HouseRule  # the version cited, so a reworded rule shows the wording moderators saw
    rejected: int
    edited: int

    @property
    def total(self) -> int:
        return self.rejected + self.edited


def decision_count_list_by_rule(*, moderator: User, now: datetime, span: timedelta = WEEK) -> list[RuleCount]:
    """Rejections and edits citing each house rule in (now - span, now], per desk; undone ones left out."""
    desks = {d.pk: d for d in desk_list_for(moderator=moderator)}
    rows = (ModerationDecision.objects
            .filter(rule__isnull=False, undone_by__isnull=True, decided_at__gt=now - span, decided_at__lte=now,
                    comment__desk_id__in=list(desks))
            .values("comment__desk_id", "rule_id", "action").annotate(n=Count("pk")).order_by())
    counts: dict[tuple[int, int], dict[str, int]] = {}
    for row in rows:
        by_action = counts.setdefault((row["comment__desk_id"], row["rule_id"]), {})
        by_action[row["action"]] = by_action.get(row["action"], 0) + row["n"]
    rules = HouseRule.objects.in_bulk({rule_id for _, rule_id in counts})
    result = [RuleCount(desk=desks[desk_id], rule=rules[rule_id],
                        rejected=by_action.get(ModerationDecision.Action.REJECT, 0),
                        edited=by_action.get(ModerationDecision.Action.EDIT, 0))
              for (desk_id, rule_id), by_action in counts.items()]
    return sorted(result, key=lambda c: (c.desk.key, c.rule.language, c.rule.number, c.rule.created_at))


@dataclass(frozen=True)
class DeskOutcomes:
    desk: Desk
    approved: int
    rejected: int


def outcome_list_by_desk(*, moderator: User, now: datetime, span: timedelta = WEEK) -> list[DeskOutcomes]:
    """Comments approved and rejected in (now - span, now], per desk, including automatic rejections
    of banned commenters; decisions later undone are left out."""
    desks = desk_list_for(moderator=moderator)
    rows = (ModerationDecision.objects
            .filter(_DECIDED, undone_by__isnull=True, decided_at__gt=now - span, decided_at__lte=now,
                    comment__desk_id__in=[d.pk for d in desks])
            .values("comment__desk_id", "to_status").annotate(n=Count("pk")).order_by())
    counts = {(row["comment__desk_id"], row["to_status"]): row["n"] for row in rows}
    return [DeskOutcomes(desk=d, approved=counts.get((d.pk, Status.APPROVED), 0),
                         rejected=counts.get((d.pk, Status.REJECTED), 0)) for d in desks]


@dataclass(frozen=True)
class HourCount:
    start: datetime  # in the current time zone
    comments: int


def comment_count_list_per_hour(*, moderator: User, now: datetime, hours: int = 48,
                                desk: Desk | None = None) -> list[HourCount]:
    """Comments received per clock hour, oldest first; the last hour is the one running now.

    All the user's desks, or only `desk` if it is one of them (another desk counts nothing).
    """
    desk_ids = moderator.desk_ids()
    if desk is not None:
        desk_ids &= {desk.pk}
    this_hour = timezone.localtime(now).replace(minute=0, second=0, microsecond=0)
    # Step in UTC: adding hours to a local wall-clock time goes wrong across a DST change.
    first = this_hour.astimezone(dt_timezone.utc) - timedelta(hours=hours - 1)
    counts = [0] * hours
    rows = (Comment.objects.filter(desk_id__in=desk_ids, created_at__gte=first, created_at__lte=now)
            .annotate(hour=TruncHour("created_at")).values("hour").annotate(n=Count("pk")).order_by())
    for row in rows:
        index = int((row["hour"] - first).total_seconds() // 3600)
        if 0 <= index < hours:
            counts[index] += row["n"]
    return [HourCount(start=timezone.localtime(first + timedelta(hours=i)), comments=n) for i, n in enumerate(counts)]
