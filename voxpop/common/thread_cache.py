"""The published thread, rendered once per publication and then served from the cache.

A story's thread changes only when a moderator publishes, edits or takes down one of its comments,
or an editor changes the story or its house rules. Each of those bumps a *generation*: a random
value kept in the shared cache (Redis in production, files under VOXPOP_DATA_DIR otherwise), one
per story plus one for the whole site. A rendered page is stored with the generations it was
rendered under and is good exactly as long as they are current, so a hit needs no database query
and every worker on every host sees an invalidation at once.

Bumps run after the transaction commits (`transaction.on_commit`), so no reader can re-render the
old thread from a database that has not seen the change yet. If the cache is unreachable at that
moment, entries still expire after ENTRY_SECONDS.
"""
import hashlib
import logging
import secrets
from dataclasses import dataclass

from pathlib import Path

from django.core.cache import caches
from django.db import transaction

from voxpop.common import change_board


log = logging.getLogger(__name__)

CACHE_ALIAS = "threads"
ENTRY_SECONDS = 300          # the longest a page outlives a bump the cache missed
LOCK_SECONDS = 10            # a renderer that died frees its lock after this


def _deployment() -> str:
    """Changes when the templates or translations that render a thread change, so that pages cached
    by the previous release (the file cache outlives restarts) are never served by this one. From
    the files' contents, so that every app host of one release agrees."""
    package = Path(__file__).resolve().parent.parent  # voxpop/
    files = sorted([*package.glob("*/templates/**/*.html"), *package.glob("locale/*/LC_MESSAGES/*.mo")])
    digest = hashlib.blake2b(digest_size=6)
    for path in files:
        digest.update(str(path.relative_to(package)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


PREFIX = f"thread:{_deployment()}"
# Generations are shared by every release, so a bump reaches hosts in the middle of an upgrade too.
SITE_GENERATION = "thread:gen:site"


@dataclass(frozen=True)
class Entry:
    """A rendered response: what the workers send on a hit."""
    generations: tuple[str, str]
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes
    etag: str
    expires_at: float            # Unix time: ENTRY_SECONDS after rendering, or the story's closing time

    def current(self, generations: tuple[str, str], now: float) -> bool:
        return self.generations == generations and now < self.expires_at


def _cache():
    return caches[CACHE_ALIAS]


def _story_part(story_key: str) -> str:
    # Story keys are whatever the CMS uses; a digest keeps cache keys short and plain.
    return hashlib.blake2b(story_key.encode(), digest_size=12).hexdigest()


def _story_generation_key(story_key: str) -> str:
    return f"thread:gen:story:{_story_part(story_key)}"


def entry_key(story_key: str, variant: str) -> str:
    return f"{PREFIX}:page:{_story_part(story_key)}:{variant}"


def lock_key(story_key: str, variant: str) -> str:
    return f"{PREFIX}:lock:{_story_part(story_key)}:{variant}"


def generations_read(story_key: str) -> tuple[str, str]:
    """The current (story, site) generations; a missing one (never set, or evicted) is set anew."""
    keys = [_story_generation_key(story_key), SITE_GENERATION]
    found = _cache().get_many(keys)
    for key in keys:
        if key not in found:
            _cache().add(key, secrets.token_hex(8), timeout=None)
            found[key] = _cache().get(key)
    return found[keys[0]], found[keys[1]]


def entry_get(story_key: str, variant: str) -> Entry | None:
    entry = _cache().get(entry_key(story_key, variant))
    return entry if isinstance(entry, Entry) else None


def entry_set(story_key: str, variant: str, entry: Entry, *, now: float) -> None:
    _cache().set(entry_key(story_key, variant), entry, timeout=max(1, int(entry.expires_at - now) + 1))


def render_lock(story_key: str, variant: str) -> bool:
    """True for the one caller that should render this page now (single flight)."""
    return _cache().add(lock_key(story_key, variant), 1, timeout=LOCK_SECONDS)


def render_unlock(story_key: str, variant: str) -> None:
    _cache().delete(lock_key(story_key, variant))


def etag_for(body: bytes) -> str:
    # Weak: the form token in the page is filled in per second, the thread itself is the same.
    return f'W/"{hashlib.blake2b(body, digest_size=12).hexdigest()}"'


def thread_changed(*, story_key: str) -> None:
    """The published thread of this story changed: every cached page of it is stale after commit."""
    transaction.on_commit(lambda: _bump(_story_generation_key(story_key)))


def threads_changed_everywhere() -> None:
    """Something every thread shows changed (house rules): all cached pages are stale after commit."""
    transaction.on_commit(lambda: _bump(SITE_GENERATION))


def change_marks(story_key: str) -> bytes | None:
    """This host's marks of the story's and the site's generations (voxpop.common.change_board):
    they change with every bump made on this host. None if the board cannot be used."""
    try:
        return change_board.mark_read(_story_generation_key(story_key)) + change_board.mark_read(SITE_GENERATION)
    except OSError:
        log.warning("thread cache: change board unavailable", exc_info=True)
        return None


def _bump(key: str) -> None:
    # The shared generation first, then this host's mark: a worker that sees the new mark finds the
    # new generation when it looks.
    try:
        _cache().set(key, secrets.token_hex(8), timeout=None)
    except Exception:  # a cache outage must not fail the decision that already committed
        log.exception("thread cache: could not bump %s; cached pages expire within %d s", key, ENTRY_SECONDS)
    try:
        change_board.mark_change(key)
    except OSError:
        log.exception("thread cache: could not mark %s on the change board", key)
