"""Reader text as stored: Unicode NFC, trimmed, line breaks as \\n; nothing else is changed (G2).

Text that cannot be stored or shown faithfully is refused with a reason instead of being altered:
NUL and other control characters, unpaired surrogates, and Unicode noncharacters.
"""
import unicodedata

ALLOWED_CONTROLS = {"\n", "\t"}


class TextRefused(ValueError):
    """The text holds characters Voxpop will not store; `reason` says which, for the reader."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def normalize(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text).strip()


def refusal(text: str) -> str | None:
    """The first reason `text` cannot be stored, or None."""
    for ch in text:
        category = unicodedata.category(ch)
        if category == "Cc" and ch not in ALLOWED_CONTROLS:
            return "control"
        if category == "Cs":
            return "surrogate"
        if category == "Cn" and _is_noncharacter(ch):
            return "noncharacter"
    return None


def _is_noncharacter(ch: str) -> bool:
    cp = ord(ch)
    return 0xFDD0 <= cp <= 0xFDEF or (cp & 0xFFFE) == 0xFFFE
