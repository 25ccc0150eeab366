"""What every personal-data kind shares: overlapping spans merged, one Signal per kind."""
from collections.abc import Iterable

from ..base import Signal

WEIGHT = 0.4


def merged(spans: Iterable[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    """The spans in text order, overlapping ones joined into one."""
    out: list[list[int]] = []
    for start, end in sorted(spans):
        if out and start < out[-1][1]:
            out[-1][1] = max(out[-1][1], end)
        else:
            out.append([start, end])
    return tuple((start, end) for start, end in out)


def personal_signal(name: str, label: str, spans: Iterable[tuple[int, int]]) -> list[Signal]:
    """[] when nothing was found, else the kind's one Signal with all its spans."""
    spans = merged(spans)
    if not spans:
        return []
    return [Signal(name=name, label=label, spans=spans, weight=WEIGHT, personal=True)]
