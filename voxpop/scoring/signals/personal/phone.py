"""Phone numbers in the formats of the newsroom's regions, found by libphonenumber.

`PhoneNumberMatcher` with Leniency.VALID accepts only numbers that are valid in a region's
numbering plan, which is what keeps years, prices, dates and plain counts out. Run over a whole
2,000-character comment for twelve regions it takes tens of milliseconds, so it is only shown
runs of at least seven digits with their separators, one at a time, with the few non-digit
characters around them that its own checks read (a currency sign or letter before, ":30" after).

Where it falls short, this module helps it:
- it takes "2026.11.29 14:00" for the US number 202-611-2914 (it knows dates written with "-" and
  "/", not "."): a match that starts with a date or runs into a time is dropped;
- it gives up on "010 1234 5678 10시" (a space-grouped number with another number after it): such a
  run is tried again without its last group and without its first;
- a run shaped like a date is not shown to it at all (it would say no, twelve times).
A comment that is a table of numbers stops being searched once the matcher has had MAX_WORK digit
groups to try: a phone number late in it may be missed, but the comment stays cheap to score.
"""
import re

import phonenumbers
from phonenumbers import Leniency

from ..base import Context, Signal
from .spans import personal_signal

# The newsroom's desk regions, in the order they are tried when no desk language says otherwise.
REGIONS = ("KR", "CN", "HK", "TW", "MO", "US", "GB", "AU", "VN", "KH", "LA", "MM")
LANGUAGE_REGIONS = {
    "ko": ("KR",), "zh-Hans": ("CN",), "zh-Hant": ("TW", "HK"), "zh": ("CN", "TW", "HK"),
    "yue": ("HK",), "vi": ("VN",), "km": ("KH",), "lo": ("LA",), "my": ("MM",), "bo": ("CN",),
    "ug": ("CN",), "en": ("US", "GB", "AU"),
}
MIN_DIGITS = 7
MAX_RUN_CHARS = 36
MAX_WORK = 150  # digit groups handed to the matcher per comment: about 5 ms of CPU at worst
CONTEXT = 4
# A run of digits with the separators phone numbers are written with; the matcher does the rest.
_RUN = re.compile(r"[+＋(（]?\d[\d \u00a0\-‐‑‒–—－.()（）]*\d")
_GROUP = re.compile(r"\d+")
_TIME_AFTER = re.compile(r"\s?[:：][0-5]\d")
_DATE = re.compile(r"(?:19|20)\d\d([-.])\d\d?\1\d\d?|\d\d?([-.])\d\d?\2(?:19|20)\d\d")


def detect(context: Context) -> list[Signal]:
    return personal_signal("phone", "Phone number", find(context.body, regions_for(context)))


def regions_for(context: Context) -> tuple[str, ...]:
    """The desk's regions first (a number without a country code is read as theirs), then the rest."""
    tags = [*context.desk.languages, context.language, context.story.language]
    ordered = [region for tag in tags if tag for region in _tag_regions(tag)]
    return tuple(dict.fromkeys([*ordered, *REGIONS]))


def _tag_regions(tag: str) -> tuple[str, ...]:
    parts = tag.split("-")
    explicit = tuple(p.upper() for p in parts[1:] if len(p) == 2 and p.upper() in REGIONS)
    for key in ("-".join(parts[:2]), parts[0]):
        if key in LANGUAGE_REGIONS:
            return explicit + LANGUAGE_REGIONS[key]
    return explicit


def find(text: str, regions: tuple[str, ...] = REGIONS) -> list[tuple[int, int]]:
    search = _Search(text, regions)
    for start, end in _runs(text):
        if search.exhausted:
            break
        if not search.covers(start, end) and " " in text[start:end]:
            # The matcher gives up on a number with another number after it, space-separated
            # ("010 1234 5678 10명"): try again without the last group, and without the first.
            search.covers(start, text.rfind(" ", start, end))
            search.covers(text.find(" ", start, end) + 1, end)
    return sorted(search.spans)


class _Search:
    """One comment's search: the spans found so far, the matcher's answers, the work spent."""

    def __init__(self, text: str, regions: tuple[str, ...]):
        self.text, self.regions = text, regions
        self.spans: set[tuple[int, int]] = set()  # several regions often read the same number
        self.seen: dict[tuple[str, str], list[tuple[int, int]]] = {}  # spam repeats itself: ask once
        self.work = 0
        self.exhausted = False

    def covers(self, start: int, end: int) -> bool:
        """Ask each region in turn about text[start:end]; True once every digit in it is in a number."""
        text = self.text
        if sum(ch.isdigit() for ch in text[start:end]) < MIN_DIGITS:
            return False
        before, after = _context(text, start, end)
        offset, window = start - len(before), before + text[start:end] + after
        digits = {i for i in range(start, end) if text[i].isdigit()}
        for region in self.regions:
            if (window, region) not in self.seen:
                self.work += len(_GROUP.findall(window))  # the matcher's cost grows with the digit groups
                if self.work > MAX_WORK:
                    self.exhausted = True
                    return True
                self.seen[window, region] = _matches(window, region)
            for s, e in self.seen[window, region]:
                s, e = offset + s, offset + e
                if not _date_or_time(text, s, e):
                    self.spans.add((s, e))
                    digits -= set(range(s, e))
            if not digits:
                return True  # no other region can add to it
        return False


def _runs(text: str):
    """Stretches of digits and separators worth asking the matcher about, long ones in slices."""
    for run in _RUN.finditer(text):
        digits = sum(ch.isdigit() for ch in run.group())
        if digits < MIN_DIGITS or _DATE.fullmatch(run.group()) or (digits > 15 and run.group().isdigit()):
            continue  # too short, a date, or longer than any E.164 number (a Chinese ID, an order number)
        start, end = run.span()
        while end - start > MAX_RUN_CHARS:  # overlapping slices cut at spaces, not through a number
            cut = text.rfind(" ", start + MAX_RUN_CHARS // 2, start + MAX_RUN_CHARS)
            yield start, cut if cut != -1 else start + MAX_RUN_CHARS
            space = text.find(" ", start + MAX_RUN_CHARS // 4, start + MAX_RUN_CHARS // 2)
            start = space + 1 if space != -1 else start + MAX_RUN_CHARS // 2
        yield start, end


def _context(text: str, start: int, end: int) -> tuple[str, str]:
    """A few characters either side of a run, stopping short of any digit: the matcher sees the run alone."""
    before, after = text[max(0, start - CONTEXT):start], text[end:end + CONTEXT]
    while any(ch.isdigit() for ch in before):
        before = before[1:]
    while any(ch.isdigit() for ch in after):
        after = after[:-1]
    return before, after


def _matches(window: str, region: str) -> list[tuple[int, int]]:
    matcher = phonenumbers.PhoneNumberMatcher(window, region, leniency=Leniency.VALID)
    return [(match.start, match.end) for match in matcher]


def _date_or_time(text: str, start: int, end: int) -> bool:
    return bool(_DATE.match(text, start) or _TIME_AFTER.match(text, end))
