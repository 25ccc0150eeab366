"""Signal: a name an editor marked as protected on the story (a source, a victim, a minor).

Matched case-insensitively after NFKC, every occurrence. A name with Han, kana or Hangul (or another
script written without spaces) matches with or without the spaces and middle dots between its
parts (김 민수 / 김민수, 阿卜杜勒·艾力 / 阿卜杜勒・艾力 / 阿卜杜勒艾力), anywhere in the text, since
particles attach to Korean names; other names match as whole words, a space or a middle dot
between their parts being interchangeable.
"""
from voxpop.scoring.models import ProtectedName

from .base import Context, Signal
from .matching import SUBSTRING, WHOLE_WORD, Matcher, fold, folded_body, is_cjk, is_spaceless

LABEL_NAMES = 3


def name_mode(key: str) -> str:
    return SUBSTRING if any(is_cjk(ch) or is_spaceless(ch) for ch in key) else WHOLE_WORD


def name_key(name: str) -> str:
    """What a name matches as: two names with the same key find the same text."""
    key = fold(name)
    return key.replace(" ", "") if name_mode(key) == SUBSTRING else key


def detect(context: Context) -> list[Signal]:
    names = list(ProtectedName.objects.filter(story=context.story).values_list("name", flat=True))
    if not names:
        return []
    hits = Matcher(names, mode=name_mode).find(folded_body(context))
    if not hits:
        return []
    found = list(dict.fromkeys(hit.entry for hit in hits))
    more = len(found) - LABEL_NAMES
    label = ("Protected names: " if len(found) > 1 else "Protected name: ") + ", ".join(found[:LABEL_NAMES])
    return [Signal(name="protected_name", label=label + (f" and {more} more" if more > 0 else ""),
                   spans=tuple((hit.start, hit.end) for hit in hits), weight=0.5, personal=True)]
