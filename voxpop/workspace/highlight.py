"""The text of a comment with the spans scoring flagged marked up, and always escaped (G2).

Signals give `[start, end)` offsets in Unicode code points of the body, which is what Python
indexes strings by. Spans of several signals that overlap are merged into one `<mark>` naming all
of them; spans are clamped to the body and malformed ones are dropped, so a stale or odd assessment
can never break the page or the escaping. Every piece of the body goes through `conditional_escape`
on a plain `str`: nothing the reader typed is ever marked safe.
"""
import re
from dataclasses import dataclass

from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

_CLASS_UNSAFE = re.compile(r"[^a-z0-9_-]+")


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    names: tuple[str, ...]   # the signals that flagged this stretch, in the order listed to moderators
    labels: tuple[str, ...]


def signal_spans(signals: list[dict], length: int) -> list[Span]:
    """The flagged stretches of a body of `length` code points: clamped, sorted, overlaps merged."""
    raw = []
    for order, signal in enumerate(signals or []):
        name, label = str(signal.get("name", "")), str(signal.get("label", ""))
        for span in signal.get("spans") or []:
            try:
                start, end = (int(span[0]), int(span[1]))
            except (TypeError, ValueError, IndexError):
                continue
            start, end = max(0, start), min(length, end)
            if start < end:
                raw.append((start, end, order, name, label))
    merged: list[list] = []
    for start, end, _order, name, label in sorted(raw):
        if merged and start < merged[-1][1]:  # overlapping (not merely touching): one mark for both
            last = merged[-1]
            last[1] = max(last[1], end)
            if name not in last[2]:
                last[2].append(name)
                last[3].append(label)
        else:
            merged.append([start, end, [name], [label]])
    return [Span(s, e, tuple(names), tuple(labels)) for s, e, names, labels in merged]


def span_pairs(signals: list[dict], length: int) -> list[list[int]]:
    """The merged spans as `[[start, end], ...]`, the shape the editor's redaction helper reads."""
    return [[span.start, span.end] for span in signal_spans(signals, length)]


def css_name(name: str) -> str:
    return _CLASS_UNSAFE.sub("-", name.lower()).strip("-") or "signal"


def highlight(body: str, signals: list[dict]) -> SafeString:
    """`body` escaped, with each flagged span in a `<mark>` that names its signals."""
    parts, position = [], 0
    for span in signal_spans(signals, len(body)):
        parts.append(conditional_escape(body[position:span.start]))
        parts.append(format_html(
            '<mark class="mw-sig {}" data-start="{}" data-end="{}" title="{}">{}</mark>',
            " ".join(f"mw-sig-{css_name(n)}" for n in span.names), span.start, span.end,
            ", ".join(label or name for name, label in zip(span.names, span.labels)), body[span.start:span.end]))
        position = span.end
    parts.append(conditional_escape(body[position:]))
    # Every part above is either escaped text or format_html's output, itself built from escaped text.
    return mark_safe("".join(parts))
