"""Risk signals: each module looks at one thing and says where in the text it saw it.

A detector is `detect(context) -> list[Signal]`, a plain function of the comment being scored.
Spans are [start, end) offsets in Unicode code points of the body, the unit the API and the
workspace's highlighting use. A detector must be fast (it runs at submission) and must never
send text anywhere (G5). To add one: write the module, add its `detect` to DETECTORS below.
"""
from . import duplicates, links, newcomer, personal, protected, restriction, words
from .base import Context, Signal

# In the order their signals are listed to moderators.
DETECTORS = [personal.detect, protected.detect, links.detect, words.detect, duplicates.detect,
             restriction.detect, newcomer.detect]

__all__ = ["Context", "DETECTORS", "Signal"]
