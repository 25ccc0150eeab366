"""E-mail addresses, including the "name (at) example.com" spellings readers use to dodge filters.

Not RFC 5322: an ASCII local part and a dotted ASCII domain ending in a two-or-more-letter TLD.
The local part is ASCII on purpose: Korean and Chinese text often runs straight into an address
("메일은abc@example.com", "邮箱abc@example.com") and a Unicode local part would swallow those words.
"""
import re

from ..base import Context, Signal
from .spans import personal_signal

_LOCAL = r"[A-Za-z0-9_%+-]+(?:\.[A-Za-z0-9_%+-]+)*"
_AT = r"(?:@|＠|\s?[(\[]\s?(?:at|AT|골뱅이)\s?[)\]]\s?)"
_DOT = r"(?:\.|\s?[(\[]\s?(?:dot|DOT)\s?[)\]]\s?)"
_DOMAIN = rf"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{{0,61}}[A-Za-z0-9])?{_DOT})+[A-Za-z]{{2,24}}"
EMAIL = re.compile(rf"(?<![A-Za-z0-9._%+-]){_LOCAL}{_AT}{_DOMAIN}(?![A-Za-z0-9-])")


def detect(context: Context) -> list[Signal]:
    return personal_signal("email", "E-mail address", find(context.body))


def find(text: str) -> list[tuple[int, int]]:
    return [match.span() for match in EMAIL.finditer(text)]
