"""The desk editors' dashboard: backlog, time to decision, rules cited and volume, per desk.

The numbers come from `voxpop.moderation.stats`. Charts are inline SVG drawn by the templates in
`workspace/charts/` from the geometry computed here (a template cannot do arithmetic): no script,
nothing from another origin, nothing the page's CSP would block. Each chart has a title and a
text summary for screen readers, and its numbers are also in a table next to it.
"""
import math
from dataclasses import dataclass
from unicodedata import east_asian_width

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from voxpop.common import clock
from voxpop.desks.models import Desk
from voxpop.moderation import stats

from .auth import EDITORS, workspace_view
from .templatetags.workspace import timesince_short

CHART_WIDTH = 640
COLUMN_CHART_HEIGHT = 220
VOLUME_HOURS = 48
ROW_HEIGHT, BAR_HEIGHT, VALUE_ROOM = 34, 14, 110  # horizontal bar charts
ACCENT = "#0b57a4"
SERIES_FILL = {"a": ACCENT, "b": "#5b7fae"}  # both at least 3:1 against white (WCAG 1.4.11)


@require_GET
@workspace_view(*EDITORS)
def dashboard(request: HttpRequest) -> HttpResponse:
    now, user = clock.now(), request.user
    desks = stats.desk_list_for(moderator=user)
    desk = next((d for d in desks if d.key == request.GET.get("desk")), None)
    backlog = stats.backlog_list_by_desk(moderator=user, now=now)
    times = stats.decision_time_list_by_desk(moderator=user, now=now)
    rules = stats.decision_count_list_by_rule(moderator=user, now=now)
    outcomes = stats.outcome_list_by_desk(moderator=user, now=now)
    hours = stats.comment_count_list_per_hour(moderator=user, now=now, hours=VOLUME_HOURS, desk=desk)
    return render(request, "workspace/dashboard.html", {
        "nav": "dashboard", "now": timezone.localtime(now), "desks": desks, "desk": desk,
        "backlog": backlog, "times": times, "rules": rules, "outcomes": outcomes, "hours": hours,
        "outcome_totals": {"approved": sum(o.approved for o in outcomes),
                           "rejected": sum(o.rejected for o in outcomes)},
        "volume_total": sum(h.comments for h in hours),
        "backlog_chart": _backlog_chart(backlog),
        "times_chart": _times_chart(times),
        "rules_chart": _rules_chart(rules, several_desks=len(desks) > 1),
        "volume_chart": _volume_chart(hours, desk),
    })


# Charts: geometry in SVG user units; the SVG scales to the width of the page.

@dataclass(frozen=True)
class Tick:
    y: float
    label: str


@dataclass(frozen=True)
class Column:
    x: float
    y: float
    width: float
    height: float
    label: str  # under the axis; empty for most hours
    label_x: float
    title: str  # what a pointer hovering the column shows


@dataclass(frozen=True)
class ColumnChart:
    id: str
    title: str
    desc: str
    width: int
    height: int
    left: float
    right: float
    baseline: float
    ticks: list[Tick]
    columns: list[Column]

    @property
    def tick_label_x(self) -> float:
        return self.left - 6

    @property
    def label_y(self) -> float:
        return self.baseline + 16


@dataclass(frozen=True)
class Row:
    """One line of a horizontal bar chart: a heading, a note, or a label over a bar and its value."""
    y: float
    label: str
    kind: str = "bar"
    bar_y: float = 0
    width: float = 0
    value: str = ""
    value_x: float = 0
    series: str = "a"
    title: str = ""

    @property
    def value_y(self) -> float:
        return self.bar_y + BAR_HEIGHT - 3

    @property
    def fill(self) -> str:
        return SERIES_FILL[self.series]


@dataclass(frozen=True)
class BarChart:
    id: str
    title: str
    desc: str
    width: int
    height: int
    rows: list[Row]
    bar_height: int = BAR_HEIGHT


def _backlog_chart(backlog: list[stats.DeskBacklog]) -> ColumnChart:
    summary = "; ".join(f"{b.desk.name}: {b.pending}" for b in backlog) or "no desks"
    return _column_chart(
        id="chart-backlog", title="Pending comments per desk now", desc=f"Pending comments now. {summary}.",
        values=[b.pending for b in backlog], labels=[_fit(b.desk.key, 14) for b in backlog],
        titles=[f"{b.desk.name}: {b.pending} pending" + (f", oldest waiting {timesince_short(b.oldest_waiting)}"
                                                           if b.oldest_waiting is not None else "")
                for b in backlog])


def _volume_chart(hours: list[stats.HourCount], desk: Desk | None) -> ColumnChart:
    where = desk.name if desk else "all your desks"
    busiest = max(hours, key=lambda h: h.comments)
    desc = (f"Comments received per hour in {where} over the last {len(hours)} hours: "
            f"{sum(h.comments for h in hours)} in total")
    if busiest.comments:
        desc += f", busiest hour {_day(busiest.start)} {busiest.start:%H:00} with {busiest.comments}"
    return _column_chart(
        id="chart-volume", title=f"Comments received per hour, {where}", desc=desc + ".",
        values=[h.comments for h in hours],
        labels=[(f"{h.start:%H:00}" if h.start.hour else _day(h.start)) if h.start.hour % 6 == 0 else ""
                for h in hours],
        titles=[f"{_day(h.start)} {h.start:%H:00}: {h.comments} comments" for h in hours])


def _day(moment) -> str:
    return f"{moment.day} {moment:%b}"


def _column_chart(*, id: str, title: str, desc: str, values: list[int], labels: list[str],
                  titles: list[str]) -> ColumnChart:
    width, height = CHART_WIDTH, COLUMN_CHART_HEIGHT
    left, right, top, baseline = 44.0, width - 8.0, 12.0, height - 28.0
    step = _nice_step(max(values, default=0))
    top_value = max(step, math.ceil(max(values, default=0) / step) * step)
    scale = (baseline - top) / top_value
    ticks = [Tick(y=round(baseline - v * scale, 1), label=str(v)) for v in range(0, top_value + 1, step)]
    slot = (right - left) / max(len(values), 1)
    column_width = min(slot * 0.7, 56)
    columns = [Column(x=round(left + (i + 0.5) * slot - column_width / 2, 1), y=round(baseline - v * scale, 1),
                      width=round(column_width, 1), height=round(v * scale, 1), label=label,
                      label_x=round(left + (i + 0.5) * slot, 1), title=column_title)
               for i, (v, label, column_title) in enumerate(zip(values, labels, titles))]
    return ColumnChart(id=id, title=title, desc=desc, width=width, height=height, left=left, right=right,
                       baseline=baseline, ticks=ticks, columns=columns)


def _nice_step(top: int, target_ticks: int = 4) -> int:
    """A step of 1, 2 or 5 times a power of ten giving about `target_ticks` gridlines up to `top`."""
    if top <= target_ticks:
        return 1
    magnitude = 10 ** math.floor(math.log10(top / target_ticks))
    return next(m * magnitude for m in (1, 2, 5, 10) if top / (m * magnitude) <= target_ticks)


def _bar_chart(*, id: str, title: str, desc: str, lines: list[dict]) -> BarChart:
    """`lines`: dicts with a label and a kind ("heading", "note"), or for a bar: amount (a number),
    value (its text), series ("a" or "b") and title."""
    top = max((line["amount"] for line in lines if "amount" in line), default=0) or 1
    scale = (CHART_WIDTH - VALUE_ROOM) / top
    rows, y = [], 0.0
    for line in lines:
        if "amount" not in line:
            rows.append(Row(y=y + 16, label=line["label"], kind=line.get("kind", "heading")))
            y += 22
            continue
        width = round(max(line["amount"] * scale, 0), 1)
        rows.append(Row(y=y + 12, label=line["label"], bar_y=y + 16, width=width, value=line["value"],
                        value_x=width + 6, series=line.get("series", "a"), title=line.get("title", "")))
        y += ROW_HEIGHT
    return BarChart(id=id, title=title, desc=desc, width=CHART_WIDTH, height=max(int(y) + 4, 24), rows=rows)


def _times_chart(times: list[stats.DeskDecisionTimes]) -> BarChart:
    lines, summary = [], []
    for t in times:
        lines.append({"label": f"{_fit(t.desk.name, 60)} ({t.decided} decided)"})
        if t.median is None:
            lines.append({"label": "No decisions in the last 7 days", "kind": "note"})
            summary.append(f"{t.desk.name}: no decisions")
            continue
        median, p90 = timesince_short(t.median), timesince_short(t.p90)
        lines.append({"label": "Median", "amount": t.median.total_seconds(), "value": median, "series": "a",
                      "title": f"{t.desk.name}: median {median}"})
        lines.append({"label": "90th percentile", "amount": t.p90.total_seconds(), "value": p90, "series": "b",
                      "title": f"{t.desk.name}: 90th percentile {p90}"})
        summary.append(f"{t.desk.name}: median {median}, 90th percentile {p90}, {t.decided} comments decided")
    return _bar_chart(id="chart-times", title="Time to first decision per desk, last 7 days",
                      desc="Time from submission to a moderator's first decision. " + "; ".join(summary) + ".",
                      lines=lines)


def _rules_chart(rules: list[stats.RuleCount], *, several_desks: bool) -> BarChart:
    lines, desk = [], None
    for r in rules:
        if several_desks and r.desk != desk:
            desk = r.desk
            lines.append({"label": _fit(r.desk.name, 60)})
        lines.append({"label": _fit(f"{r.rule.number}. {r.rule.text}", 80), "amount": r.total, "value": str(r.total),
                      "title": f"Rule {r.rule.number}: {r.rejected} rejected, {r.edited} edited"})
    summary = "; ".join(f"{r.desk.name} rule {r.rule.number}: {r.total}" for r in rules) or "none"
    return _bar_chart(id="chart-rules", title="Decisions per house rule, last 7 days",
                      desc=f"Rejections and edits citing each house rule. {summary}.", lines=lines)


def _fit(text: str, width: int) -> str:
    """`text` cut to about `width` Latin characters of room; East Asian wide characters count double."""
    used = 0
    for i, char in enumerate(text):
        used += 2 if east_asian_width(char) in "WF" else 1
        if used > width:
            return text[:i].rstrip() + "…"
    return text

