"""Reader text as stored: Unicode NFC, trimmed, line breaks as \\n; nothing else is changed (G2).

Text that cannot be stored or shown faithfully is refused with a reason instead of being altered:
NUL and other control characters, unpaired surrogates, and Unicode noncharacters. So is text built to
deface a page or hide from moderators rather than to be read: a letter buried under more combining
marks than any script stacks ("Zalgo"), a long run of invisible format characters (zero-width spaces
and joiners, bidi controls, tag characters), or text with nothing visible in it at all. Bidi controls
on their own are kept: the pages isolate every comment, so they cannot reorder anything around it.
"""
import unicodedata

ALLOWED_CONTROLS = {"\n", "\t"}
# Real orthographies put at most about six marks on one letter (Tibetan stacks, Burmese syllables);
# Zalgo text piles dozens to thousands, spilling over the lines around it.
MAX_MARKS_IN_A_ROW = 10
# Format characters (category Cf) come one or two at a time in real text; the longest ordinary run
# is the tag sequence of a subdivision flag such as Scotland's (six).
MAX_INVISIBLE_IN_A_ROW = 8
# Letters that draw as empty space: the Hangul fillers and the blank Braille pattern.
BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")


class TextRefused(ValueError):
    """The text holds characters Voxpop will not store; `reason` says which, for the reader."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def normalize(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text).strip()


def refusal(text: str) -> str | None:
    """The first reason `text` cannot be stored, or None.

    Marks and format characters are counted in runs between two other characters; each is
    transparent to the other's count, so interleaving them (a mark, a zero-width space, a mark, ...)
    does not reset either.
    """
    marks = invisible = 0
    visible = False
    for ch in text:
        category = unicodedata.category(ch)
        if category == "Cc" and ch not in ALLOWED_CONTROLS:
            return "control"
        if category == "Cs":
            return "surrogate"
        if category == "Cn" and _is_noncharacter(ch):
            return "noncharacter"
        if category[0] == "M":
            marks += 1
            if marks > MAX_MARKS_IN_A_ROW:
                return "combining"
        elif category == "Cf":
            invisible += 1
            if invisible > MAX_INVISIBLE_IN_A_ROW:
                return "invisible"
        else:
            marks = invisible = 0
            visible = visible or not (ch.isspace() or category[0] == "Z" or ch in BLANK_LETTERS)
    if not visible and text.strip():  # spaces alone are left to the caller: empty after trimming
        return "blank"
    return None


def _is_noncharacter(ch: str) -> bool:
    cp = ord(ch)
    return 0xFDD0 <= cp <= 0xFDEF or (cp & 0xFFFE) == 0xFFFE
