"""What editors teach scoring: banned and suspect words per desk language, protected names per story.

Both only change how comments scored from then on are flagged; scoring never publishes or rejects
(G1). Word lists are saved whole, against the version the editor saw (`word_lists_version`), so two
editors saving at once never silently drop each other's words. Each protected name added or removed
writes a `ProtectedNameChange` row naming the editor.

Every save gives the list a new `version`: each app process keeps the list prepared for matching and
rebuilds it when the version changes.
"""
from dataclasses import dataclass
import uuid
from datetime import datetime

from django.db import IntegrityError, transaction

from voxpop.accounts.models import User
from voxpop.common import text
from voxpop.desks.models import Desk
from voxpop.stories.models import Story

from .models import ProtectedName, ProtectedNameChange, WordList
from .signals.matching import fold
from .signals.protected import name_key

MAX_ENTRIES = 20_000
MAX_ENTRY_CHARS = 200
MAX_PROTECTED_NAMES = 200
MIN_NAME_CHARS = 2
MAX_NAME_CHARS = 200
KINDS = (WordList.Kind.BANNED, WordList.Kind.SUSPECT)


class WordListsChanged(Exception):
    """Another editor saved this desk language's word lists after the editor opened them."""


class ProtectedNameRefused(ValueError):
    """The name cannot be added; `reason` says why, for the editor."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class WordListSaved:
    kind: str
    total: int
    added: int
    removed: int

    @property
    def changed(self) -> bool:
        return bool(self.added or self.removed)


def word_entries(words: str) -> list[str]:
    """The entries of a list as the editor typed it: one per line, trimmed, blank lines and repeats left out.

    Two lines that match the same text (`Idiot` and `idiot`, `ＦＯＯ` and `foo`) are one entry; the first is kept.
    """
    entries, seen = [], set()
    for line in text.normalize(words).splitlines():
        entry = " ".join(line.split())
        key = fold(entry)
        if key and key not in seen:
            seen.add(key)
            entries.append(entry)
    return entries


def word_lists_current(*, desk: Desk, language: str) -> dict[str, WordList | None]:
    found = {wl.kind: wl for wl in WordList.objects.filter(desk=desk, language=language).select_related("updated_by")}
    return {kind: found.get(kind) for kind in KINDS}


def word_lists_version(lists: dict[str, WordList | None]) -> str:
    """The lists' versions as one token, for the form to carry back."""
    return "|".join(str(lists[kind].version) if lists[kind] else "" for kind in KINDS)


@transaction.atomic
def word_lists_set(*, desk: Desk, language: str, entries: dict[str, list[str]], seen: str, editor: User,
                   now: datetime) -> list[WordListSaved]:
    """Make `entries` (kind -> entries, as from `word_entries`) the desk's lists in `language`.

    Raises WordListsChanged if the lists are no longer the version `seen`; nothing is saved then.
    A list whose entries did not change is left as it is.
    """
    current = {wl.kind: wl for wl in WordList.objects.select_for_update().filter(desk=desk, language=language)}
    if word_lists_version({kind: current.get(kind) for kind in KINDS}) != seen:
        raise WordListsChanged
    result = []
    for kind in KINDS:
        new = entries.get(kind, [])
        if len(new) > MAX_ENTRIES or any(len(entry) > MAX_ENTRY_CHARS for entry in new):
            raise ValueError(f"a word list holds at most {MAX_ENTRIES} entries of {MAX_ENTRY_CHARS} characters")
        row = current.get(kind)
        old = row.entries() if row else []
        result.append(WordListSaved(kind=kind, total=len(new), added=len(set(new) - set(old)),
                                    removed=len(set(old) - set(new))))
        if new == old:
            continue
        words = "\n".join(new)
        if row is None:
            try:
                with transaction.atomic():
                    WordList.objects.create(desk=desk, language=language, kind=kind, words=words, updated_at=now,
                                            updated_by=editor)
            except IntegrityError:  # created by another editor since the lists were read
                raise WordListsChanged from None
            continue
        # Compare-and-set: SQLite ignores select_for_update, so the WHERE is the guard.
        if not WordList.objects.filter(pk=row.pk, version=row.version).update(
                words=words, version=uuid.uuid4(), updated_at=now, updated_by=editor):
            raise WordListsChanged
    return result


def protected_names(*, story: Story) -> list[ProtectedName]:
    return list(ProtectedName.objects.filter(story=story).select_related("created_by").order_by("name", "pk"))


@transaction.atomic
def protected_name_add(*, story: Story, name: str, editor: User, now: datetime) -> ProtectedName:
    """Protect `name` on the story; ProtectedNameRefused if it is empty, too long, or already protected."""
    name = " ".join(text.normalize(name).split())
    if text.refusal(name):
        raise ProtectedNameRefused("The name contains invisible or broken characters. Please retype it.")
    if len(fold(name)) < MIN_NAME_CHARS:
        raise ProtectedNameRefused(f"Give a name of at least {MIN_NAME_CHARS} characters.")
    if len(name) > MAX_NAME_CHARS:
        raise ProtectedNameRefused(f"The name is {len(name)} characters long; a protected name can be at most "
                                   f"{MAX_NAME_CHARS} characters.")
    existing = list(ProtectedName.objects.filter(story=story).values_list("name", flat=True))
    same = next((other for other in existing if name_key(other) == name_key(name)), None)
    if same is not None:
        raise ProtectedNameRefused(f"“{same}” is already protected on this story; it also covers “{name}”."
                                   if same != name else f"“{name}” is already protected on this story.")
    if len(existing) >= MAX_PROTECTED_NAMES:
        raise ProtectedNameRefused(f"A story can have at most {MAX_PROTECTED_NAMES} protected names. "
                                   "Remove one before adding another.")
    try:
        with transaction.atomic():
            protected = ProtectedName.objects.create(story=story, name=name, created_at=now, created_by=editor)
    except IntegrityError:  # another editor added it at the same moment
        raise ProtectedNameRefused(f"“{name}” is already protected on this story.") from None
    ProtectedNameChange.objects.create(story=story, name=name, action=ProtectedNameChange.Action.ADD, actor=editor,
                                       changed_at=now)
    return protected


@transaction.atomic
def protected_name_remove(*, story: Story, name_id: int, editor: User, now: datetime) -> str | None:
    """Stop protecting one name of the story; the name removed, or None if it was no longer there."""
    protected = ProtectedName.objects.filter(pk=name_id, story=story).first()
    if protected is None or not ProtectedName.objects.filter(pk=protected.pk).delete()[0]:
        return None
    ProtectedNameChange.objects.create(story=story, name=protected.name, action=ProtectedNameChange.Action.REMOVE,
                                       actor=editor, changed_at=now)
    return protected.name
