"""Finding editors' words and names in a comment the way readers spell them.

Both sides are folded the same way, one body character at a time: NFKC (full-width Latin,
half-width kana, ligatures and other compatibility forms become their plain letters), casefold, and
every run of white space or middle dots (· ・ ‧ •) as one space. `Folded` remembers which body
character each folded character came from, so a hit in the folded text is a span in code points
of the body as stored.

How an entry must sit in the text depends on its script (`mode_of`):
- Han, kana, Thai, Lao, Khmer, Myanmar and Tibetan are written without spaces between words: the
  entry matches anywhere (a substring), and spaces or middle dots in the text or in the entry are
  ignored, so 傻 逼 and 阿卜杜勒·艾力 match 傻逼 and 阿卜杜勒艾力;
- Hangul words carry their particles and endings attached (바보가, 바보야), so an entry matches at
  the start of a word;
- every other script matches whole words only ("ass" is not found in "class"); a space in the entry
  matches any run of white space.
An entry ending in `*` matches at the start of a word in any script ("idiot*" finds "idiots",
"idiotic"), for languages that inflect with suffixes, such as Uyghur.

A `Matcher` is a dictionary of folded entries indexed by their first characters and lengths, not a
regular expression: Python's regex engine tries the branches of a 10,000-entry pattern one by one at
every position, which for a Chinese list cost ~35 ms per 2,000-character comment (and 0.2 to 0.6 s to
compile); these lookups cost 1 to 4 ms for both lists of a desk language.
"""
import bisect
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache

SUBSTRING, WORD_START, WHOLE_WORD = "substring", "word_start", "whole_word"

SEPARATORS = "·・‧•"  # middle dots, written between the parts of transliterated names

# Code point ranges of the scripts written without spaces between words (Thai, Lao, Tibetan,
# Myanmar, Khmer, then Han and kana), and of Hangul.
_SPACELESS = [
    (0x0E00, 0x0EFF), (0x0F00, 0x0FFF), (0x1000, 0x109F), (0x1780, 0x17FF), (0x19E0, 0x19FF),
    (0x2E80, 0x2FDF), (0x3005, 0x3007), (0x3021, 0x3029), (0x3038, 0x303B), (0x3040, 0x30FF),
    (0x31F0, 0x31FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xA9E0, 0xA9FF), (0xAA60, 0xAA7F),
    (0xF900, 0xFAFF), (0xFF66, 0xFF9F), (0x1B000, 0x1B16F), (0x20000, 0x323AF),
]
_HANGUL = [(0x1100, 0x11FF), (0x3130, 0x318F), (0xA960, 0xA97F), (0xAC00, 0xD7FF)]
_MYANMAR_EXTENSIONS = [(0xA9E0, 0xA9FF), (0xAA60, 0xAA7F)]
# Han, kana and Hangul: the scripts whose names are written with or without spaces.
_CJK = sorted([r for r in _SPACELESS if r[0] >= 0x2E80 and r not in _MYANMAR_EXTENSIONS] + _HANGUL)


def _ranges_test(ranges: list[tuple[int, int]]):
    starts = [start for start, _ in ranges]

    def test(ch: str) -> bool:
        index = bisect.bisect_right(starts, ord(ch)) - 1
        return index >= 0 and ord(ch) <= ranges[index][1]
    return test


is_spaceless = _ranges_test(_SPACELESS)
is_hangul = _ranges_test(_HANGUL)
is_cjk = _ranges_test(_CJK)


def mode_of(entry: str) -> str:
    """How the folded `entry` must sit in the text to match (see the module's docstring)."""
    if any(is_spaceless(ch) for ch in entry):
        return SUBSTRING
    if any(is_hangul(ch) for ch in entry):
        return WORD_START
    return WHOLE_WORD


@lru_cache(maxsize=65536)
def _fold_char(ch: str) -> str:
    if ch.isspace() or ch in SEPARATORS:
        return " "
    return unicodedata.normalize("NFKC", ch).casefold()


@lru_cache(maxsize=65536)
def is_word_char(ch: str) -> bool:
    """Letters, digits, underscore, combining marks (Devanagari vowel signs, harakat) and joiners."""
    return ch.isalnum() or ch == "_" or unicodedata.category(ch)[0] == "M" or ch in "\u200c\u200d"


def fold(text: str) -> str:
    """An entry as matching sees it: NFKC, casefolded, white space and dot runs as one space, trimmed."""
    return " ".join("".join(_fold_char(ch) for ch in text).split())


class Folded:
    """A comment's body folded for matching; `origin[i]` is the body index of folded character i."""

    def __init__(self, body: str):
        pieces = [_fold_char(ch) for ch in body]
        joined = "".join(pieces)
        if len(joined) == len(body) and "  " not in joined:
            # The usual case: each character folds to one, so the offsets are the body's.
            self.text, self.origin = joined, range(len(body))
            return
        chars, origin = [], []
        for index, piece in enumerate(pieces):
            for folded in piece:
                if folded == " " and chars and chars[-1] == " ":
                    continue  # a run of spaces is one space, mapped to its first character
                chars.append(folded)
                origin.append(index)
        self.text, self.origin = "".join(chars), origin

    @cached_property
    def word_chars(self) -> list[bool]:
        """Whether each folded character is part of a word (see `is_word_char`)."""
        return [is_word_char(ch) for ch in self.text]

    @cached_property
    def starts(self) -> list[int]:
        """Where a word-bounded match may start: the text's start, or after a character outside words."""
        flags = self.word_chars
        return [i for i in range(len(self.text)) if i == 0 or not flags[i - 1]]

    @cached_property
    def ends(self) -> list[int]:
        """Where a whole-word match may end: the text's end, or before a character outside words."""
        flags = self.word_chars
        return [e for e in range(1, len(self.text) + 1) if e == len(self.text) or not flags[e]]

    @cached_property
    def compact(self) -> tuple[str, Sequence[int]]:
        """The folded text without spaces, for the scripts that do not separate words."""
        keep = [i for i, ch in enumerate(self.text) if ch != " "]
        return "".join(self.text[i] for i in keep), [self.origin[i] for i in keep]


def folded_body(context) -> Folded:
    """The scored body folded once per scoring, shared by the detectors that look for entries in it."""
    folded = context.extra.get("folded")
    if folded is None:
        folded = context.extra["folded"] = Folded(context.body)
    return folded


@dataclass(frozen=True)
class Hit:
    start: int  # in code points of the body
    end: int
    entry: str  # the entry as the editor wrote it


class Matcher:
    """Entries (as written) ready to be found in folded bodies."""

    def __init__(self, entries: Iterable[str], *, mode=mode_of):
        # mode -> folded key -> entry as written; mode -> first character -> key lengths, longest first
        self.keys: dict[str, dict[str, str]] = {SUBSTRING: {}, WORD_START: {}, WHOLE_WORD: {}}
        for entry in entries:
            key = fold(entry)
            prefix = len(key) > 1 and key.endswith("*")
            key = key[:-1].rstrip() if prefix else key
            if not key:
                continue
            entry_mode = mode(key)
            if entry_mode == SUBSTRING:
                key = key.replace(" ", "")
            elif prefix:
                entry_mode = WORD_START
            self.keys[entry_mode].setdefault(key, entry)
        self.lengths: dict[str, dict[str, tuple[int, ...]]] = {}
        for entry_mode, keys in self.keys.items():
            by_first: dict[str, set[int]] = {}
            for key in keys:
                by_first.setdefault(key[0], set()).add(len(key))
            self.lengths[entry_mode] = {ch: tuple(sorted(ls, reverse=True)) for ch, ls in by_first.items()}
        # Substrings are tried at every position, so they are indexed by their first two characters:
        # in a long list nearly every character starts some entry, but few pairs do.
        by_pair: dict[str, set[int]] = {}
        for key in self.keys[SUBSTRING]:
            if len(key) > 1:
                by_pair.setdefault(key[:2], set()).add(len(key))
        self.pair_lengths = {pair: tuple(sorted(ls, reverse=True)) for pair, ls in by_pair.items()}

    def __bool__(self) -> bool:
        return any(self.keys.values())

    def find(self, folded: Folded) -> list[Hit]:
        """Every hit, leftmost-longest and not overlapping within a mode, in body order."""
        hits = []
        if self.keys[SUBSTRING]:
            hits += self._scan_substrings(*folded.compact)
        if self.keys[WORD_START]:
            hits += self._scan_word_starts(folded)
        if self.keys[WHOLE_WORD]:
            hits += self._scan_whole_words(folded)
        return sorted(set(hits), key=lambda hit: (hit.start, hit.end))

    def _scan_substrings(self, text: str, origin: Sequence[int]) -> list[Hit]:
        """Leftmost-longest substring hits, starting at any position of `text`."""
        keys, pair_lengths = self.keys[SUBSTRING], self.pair_lengths
        hits, i, size = [], 0, len(text)
        while i < size:
            length = next((n for n in pair_lengths.get(text[i:i + 2], ()) if i + n <= size and text[i:i + n] in keys),
                          1 if text[i] in keys else 0)
            if length:
                hits.append(Hit(origin[i], origin[i + length - 1] + 1, keys[text[i:i + length]]))
                i += length
            else:
                i += 1
        return hits

    def _scan_word_starts(self, folded: Folded) -> list[Hit]:
        keys, lengths, text, origin = self.keys[WORD_START], self.lengths[WORD_START], folded.text, folded.origin
        hits, resume, size = [], 0, len(text)
        for i in folded.starts:
            if i < resume:
                continue
            for length in lengths.get(text[i], ()):
                entry = keys.get(text[i:i + length]) if i + length <= size else None
                if entry is not None:
                    hits.append(Hit(origin[i], origin[i + length - 1] + 1, entry))
                    resume = i + length
                    break
        return hits

    def _scan_whole_words(self, folded: Folded) -> list[Hit]:
        # Only the few word ends within the longest key's reach are tried, longest first.
        keys, lengths, text, origin = self.keys[WHOLE_WORD], self.lengths[WHOLE_WORD], folded.text, folded.origin
        ends = folded.ends
        hits, resume = [], 0
        for i in folded.starts:
            candidates = lengths.get(text[i]) if i >= resume else None
            if candidates is None:
                continue
            j = bisect.bisect_right(ends, i + candidates[0]) - 1
            while j >= 0 and ends[j] > i:
                entry = keys.get(text[i:ends[j]])
                if entry is not None:
                    hits.append(Hit(origin[i], origin[ends[j] - 1] + 1, entry))
                    resume = ends[j]
                    break
                j -= 1
        return hits
