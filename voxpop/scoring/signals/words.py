"""Signals: banned and suspect words from the desk's word lists for the comment's language.

The lists are those of the desk the comment is routed to, in the comment's language; when the desk
has no list of that kind for the language (or its primary subtag: `zh` for `zh-Hant`), the list of
the desk's first language applies. How an entry matches depends on its script: see `matching`.

Each process keeps one ready `Matcher` per list, rebuilt when the list's `version` changes (every
save), so a 10,000-entry list is folded and indexed once, not at every comment.
"""
from collections import OrderedDict
from threading import Lock
from uuid import UUID

from voxpop.scoring.models import WordList

from .base import Context, Signal
from .matching import Hit, Matcher, folded_body

LABEL_WORDS = 3  # matched entries named in the label; the rest are counted
CACHE_SIZE = 256  # lists kept ready per process

SIGNALS = {
    WordList.Kind.BANNED: ("banned_word", "Banned word", 0.6),
    WordList.Kind.SUSPECT: ("suspect_word", "Suspect word", 0.3),
}

_matchers: OrderedDict[int, tuple[UUID, Matcher]] = OrderedDict()
_lock = Lock()


def detect(context: Context) -> list[Signal]:
    lists = word_lists_for(desk=context.desk, language=context.language)
    if not lists:
        return []
    folded = folded_body(context)
    signals = []
    for kind in (WordList.Kind.BANNED, WordList.Kind.SUSPECT):
        if kind not in lists:
            continue
        hits = matcher_for(*lists[kind]).find(folded)
        if hits:
            name, label, weight = SIGNALS[kind]
            signals.append(Signal(name=name, label=_label(label, hits), weight=weight,
                                  spans=tuple((hit.start, hit.end) for hit in hits)))
    return signals


def word_lists_for(*, desk, language: str) -> dict[str, tuple[int, UUID]]:
    """kind -> (list id, version) of the lists that apply to `language` in `desk`."""
    candidates = [language, language.split("-")[0]] + list(desk.languages[:1])
    rows = WordList.objects.filter(desk=desk, language__in=set(candidates)).values_list(
        "kind", "language", "id", "version")
    found = {(kind, lang): (pk, version) for kind, lang, pk, version in rows}
    lists = {}
    for kind in (WordList.Kind.BANNED, WordList.Kind.SUSPECT):
        match = next((found[(kind, lang)] for lang in candidates if (kind, lang) in found), None)
        if match:
            lists[kind] = match
    return lists


def matcher_for(list_id: int, version: UUID) -> Matcher:
    """The list's ready matcher, built from the database only when the list changed since."""
    with _lock:
        cached = _matchers.get(list_id)
        if cached and cached[0] == version:
            _matchers.move_to_end(list_id)
            return cached[1]
    row = WordList.objects.filter(pk=list_id).values_list("words", "version").first()
    if row is None:
        return Matcher([])
    words, stored_version = row
    matcher = Matcher(WordList(words=words).entries())
    with _lock:
        _matchers[list_id] = (stored_version, matcher)
        _matchers.move_to_end(list_id)
        while len(_matchers) > CACHE_SIZE:
            _matchers.popitem(last=False)
    return matcher


def _label(label: str, hits: list[Hit]) -> str:
    entries = list(dict.fromkeys(hit.entry for hit in hits))
    named = ", ".join(entries[:LABEL_WORDS])
    more = len(entries) - LABEL_WORDS
    plural = "s" if len(entries) > 1 else ""
    return f"{label}{plural}: {named}" + (f" and {more} more" if more > 0 else "")
