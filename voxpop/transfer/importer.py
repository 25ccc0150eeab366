"""Writing an old system's comments into Voxpop (`voxpop import disqus|wordpress|isso FILE`).

A reader (disqus.py, wordpress.py, isso.py) turns the file into SourceComment records; here they
become stories and comments:

- each thread is a Story, found or created by a key derived from its URL path (`--story-key path`,
  the default) or from the site's own id for it (`--story-key id`); an existing story with that key
  is used as it is, and new ones get the desk and language given on the command line;
- each comment is a Comment with revision 1 holding its plain text (plaintext.py, G2), the author's
  name as display name, the original time, and its parent (replies to replies attach to the
  top-level comment, as `comment_submit` does);
- approved comments are published at their original time with a system decision (actor None,
  "imported from disqus: approved") dated then too, so the dashboard's recent figures are not
  flooded; pending ones wait in the desk's queue; spam, deleted and the like are skipped and
  counted by reason.

Nothing else comes across: no e-mail, address or website (G5), no commenter key (the old system
had none Voxpop could use). Imports send no webhooks and run no scoring: they are history, not news.

Comments are written in batches of BATCH, each batch one transaction. Every imported comment is
recorded in ImportedItem under the old system's id, so a second run skips what the first wrote: an
import that stopped (an error, Ctrl-C) is finished by running it again. A reply read before its
parent is written as a top-level comment and attached at the end of the run (or of the next one).
"""
import functools
import hashlib
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import unquote, urljoin, urlsplit

from django.db import transaction
from django.db.models import OuterRef, Subquery

from voxpop.comments.limits import DISPLAY_NAME_MAX_CHARS
from voxpop.comments.models import Comment, CommentRevision
from voxpop.common import text as common_text
from voxpop.desks.models import Desk
from voxpop.moderation.models import ModerationDecision
from voxpop.moderation.retention import retention_days
from voxpop.stories.models import Story

from .models import ImportedItem
from .plaintext import storable
from .progress import Progress
from .records import Skip, SourceComment, SourceThread, State

BATCH = 1000
LOOKUP_CHUNK = 500
KEY_MAX_CHARS = 200
_KEY_SEPARATORS = re.compile(r"[\s/\\?#%]+")
_DASHES = re.compile(r"-{2,}")


@dataclass
class ImportSummary:
    format: str
    source: str
    items: int = 0
    approved: int = 0
    pending: int = 0
    already: int = 0
    skipped: Counter = field(default_factory=Counter)
    stories_created: int = 0
    stories_reused: int = 0
    linked_late: int = 0      # replies read before their parent, attached at the end
    top_level: int = 0        # replies whose parent was not imported (skipped or absent): top-level
    old_pending: int = 0      # pending and older than the retention period
    retention_days: int = 0
    seconds: float = 0.0

    @property
    def imported(self) -> int:
        return self.approved + self.pending

    def report(self) -> str:
        rate = f", {self.imported / self.seconds:,.0f} comments/s" if self.seconds > 0 and self.imported else ""
        lines = [
            f"Imported from {self.format} (source {self.source!r}) in {self.seconds:,.1f} s{rate}:",
            f"  {self.items:,} items read",
            f"  stories: {self.stories_created:,} created, {self.stories_reused:,} existing used",
            f"  comments imported: {self.imported:,} ({self.approved:,} published, {self.pending:,} pending)",
            f"  already imported by an earlier run: {self.already:,}",
            f"  skipped: {sum(self.skipped.values()):,}",
        ]
        lines += [f"    {count:>9,}  {reason}" for reason, count in sorted(self.skipped.items(), key=lambda i: (-i[1], i[0]))]
        if self.linked_late:
            lines.append(f"  replies read before their parent, attached at the end: {self.linked_late:,}")
        if self.top_level:
            lines.append(f"  replies to a comment that was not imported, kept as top-level comments: {self.top_level:,}")
        if self.old_pending:
            lines.append(f"  note: {self.old_pending:,} pending comments are older than the retention period "
                         f"({self.retention_days} days): `voxpop purge` expires them at its next run unless a "
                         f"moderator decides them first.")
        return "\n".join(lines)


def story_key(thread: SourceThread, *, fmt: str, key_from: str) -> str:
    """The story key for a thread: its URL path ("2014/test/" -> "2014-test") or the site's id for it.

    Keys appear in URLs (`/stories/{key}/comments/`), so slashes, whitespace, `?`, `#` and `%`
    become dashes; an empty result falls back to "<format>-<thread id>".
    """
    raw = thread.ident if key_from == "id" else unquote(urlsplit(thread.url).path)
    raw = "".join(ch if ch.isprintable() else "-" for ch in raw)
    raw = _DASHES.sub("-", _KEY_SEPARATORS.sub("-", raw)).strip("-")
    if not raw:
        raw = f"{fmt}-{thread.id}"
    if len(raw) > KEY_MAX_CHARS:
        digest = hashlib.sha256(raw.encode("utf-8")).hexdigest()[:16]
        raw = f"{raw[:KEY_MAX_CHARS - 17]}-{digest}"
    return raw


def absolute_url(url: str, base_url: str | None) -> str | None:
    if url.lower().startswith(("http://", "https://")):
        return url
    if base_url and url:
        return urljoin(base_url, url)
    return None


def comments_import(*, comments: Iterable[SourceComment], fmt: str, source, desk: Desk, language: str,
                    key_from: str = "path", base_url: str | None = None, as_pending: bool = False,
                    now: datetime, progress: Progress | None = None, items=lambda: 0) -> ImportSummary:
    """Import `comments` (from a reader) into `desk`; returns what was imported and skipped.

    `source` is the label the old system's ids are recorded under, or a callable returning it (a
    reader learns it from the file's header, before the first comment). `items()` says how many
    items the reader has read, for the progress line.
    """
    writer = _Writer(fmt=fmt, desk=desk, language=language, key_from=key_from, base_url=base_url,
                     as_pending=as_pending, now=now)
    batch: list[SourceComment] = []
    for record in comments:
        if record.state not in (State.APPROVED, State.PENDING):
            writer.summary.skipped[record.state] += 1
        else:
            if not batch:
                writer.set_source(source() if callable(source) else source)
            batch.append(record)
            if len(batch) >= BATCH:
                writer.write(batch)
                batch = []
        if progress:
            progress.update(read=items(), done=writer.summary.imported)
    if batch:
        writer.write(batch)
    if writer.summary.source is None:
        writer.set_source(source() if callable(source) else source)
    writer.link_replies()
    writer.summary.items = items()
    if progress:
        progress.finish(read=items(), done=writer.summary.imported)
        writer.summary.seconds = progress.elapsed
    return writer.summary


@dataclass
class _Story:
    pk: int
    desk_id: int
    language: str


class _Writer:
    def __init__(self, *, fmt, desk, language, key_from, base_url, as_pending, now):
        self.fmt, self.desk, self.language = fmt, desk, language
        self.key_from, self.base_url, self.as_pending, self.now = key_from, base_url, as_pending, now
        self.summary = ImportSummary(format=fmt, source=None, retention_days=retention_days())
        self.retention_cutoff = now - timedelta(days=self.summary.retention_days)
        self.note = f"imported from {fmt}: approved"
        self._stories: dict[str, _Story | str] = {}  # thread id -> story, or the reason its comments are skipped

    def set_source(self, source: str) -> None:
        if self.summary.source is None:
            self.summary.source = source

    @property
    def source(self) -> str:
        return self.summary.source

    def write(self, batch: list[SourceComment]) -> None:
        with transaction.atomic():
            self._write(batch)

    def _write(self, batch: list[SourceComment]) -> None:
        known = self._known({r.id for r in batch} | {r.parent_id for r in batch if r.parent_id})
        rows: list[tuple[SourceComment, Comment, Comment | None]] = []
        bodies: list[str] = []
        in_batch: dict[str, Comment] = {}
        for record in batch:
            if record.id in known or record.id in in_batch:
                self.summary.already += 1
                continue
            story = self._story(record.thread)
            if isinstance(story, str):
                self.summary.skipped[story] += 1
                continue
            body = storable(record.body)
            reason = _refused(body)
            if reason:
                self.summary.skipped[reason] += 1
                continue
            parent_pk, batch_parent = None, None
            if record.parent_id:
                found = known.get(record.parent_id)
                if found and found[2] == story.pk:
                    parent_pk = found[1] or found[0]
                elif record.parent_id in in_batch and in_batch[record.parent_id].story_id == story.pk:
                    batch_parent = in_batch[record.parent_id]
            approved = record.state == State.APPROVED and not self.as_pending
            name = storable(record.author)[:DISPLAY_NAME_MAX_CHARS].strip()
            comment = Comment(
                story_id=story.pk, parent_id=parent_pk, display_name=name,
                status=Comment.Status.APPROVED if approved else Comment.Status.PENDING,
                language=story.language, desk_id=story.desk_id, created_at=record.created_at,
                published_at=record.created_at if approved else None, commenter_key="", submission_key=None,
                # Never compared: only a submission key makes comment_submit look at it.
                fingerprint=hashlib.sha256(f"{body}\x00{name}\x00".encode("utf-8")).hexdigest())
            in_batch[record.id] = comment
            rows.append((record, comment, batch_parent))
            bodies.append(body)
        if not rows:
            return
        Comment.objects.bulk_create([comment for _, comment, _ in rows])
        replies: dict[int, list[int]] = {}
        for _, comment, batch_parent in rows:
            if batch_parent is not None:  # written just now, in file order: its own parent is settled
                comment.parent_id = batch_parent.parent_id or batch_parent.pk
                replies.setdefault(comment.parent_id, []).append(comment.pk)
        for parent_id, reply_ids in replies.items():  # one UPDATE per thread, not one per reply
            Comment.objects.filter(pk__in=reply_ids).update(parent_id=parent_id)
        revisions = CommentRevision.objects.bulk_create([
            CommentRevision(comment_id=comment.pk, number=1, body=body, created_at=comment.created_at)
            for (_, comment, _), body in zip(rows, bodies)])
        for (_, comment, _), revision in zip(rows, revisions):
            comment.current_revision_id = revision.pk
        Comment.objects.filter(pk__in=[comment.pk for _, comment, _ in rows]).update(current_revision=Subquery(
            CommentRevision.objects.filter(comment=OuterRef("pk"), number=1).values("pk")[:1]))
        ModerationDecision.objects.bulk_create([
            ModerationDecision(comment_id=comment.pk, revision_id=comment.current_revision_id, actor=None,
                               action=ModerationDecision.Action.APPROVE, from_status=Comment.Status.PENDING,
                               to_status=Comment.Status.APPROVED, note=self.note, decided_at=comment.created_at)
            for _, comment, _ in rows if comment.status == Comment.Status.APPROVED])
        ImportedItem.objects.bulk_create([
            ImportedItem(source=self.source, source_id=record.id, comment_id=comment.pk,
                         parent_source_id=record.parent_id or "")
            for record, comment, _ in rows])
        for _, comment, _ in rows:
            if comment.status == Comment.Status.APPROVED:
                self.summary.approved += 1
            else:
                self.summary.pending += 1
                if comment.created_at < self.retention_cutoff:
                    self.summary.old_pending += 1

    def _known(self, source_ids: set[str]) -> dict[str, tuple[int, int | None, int]]:
        """Already imported ids of this source: id -> (comment, its parent, its story)."""
        known = {}
        ordered = sorted(source_ids)
        for start in range(0, len(ordered), LOOKUP_CHUNK):
            rows = ImportedItem.objects.filter(source=self.source, source_id__in=ordered[start:start + LOOKUP_CHUNK])
            for source_id, comment_id, parent_id, story_id in rows.values_list(
                    "source_id", "comment_id", "comment__parent_id", "comment__story_id"):
                known[source_id] = (comment_id, parent_id, story_id)
        return known

    def _story(self, thread: SourceThread | None) -> _Story | str:
        if thread is None:
            return Skip.NO_THREAD
        found = self._stories.get(thread.id)
        if found is None:
            found = self._stories[thread.id] = self._story_get_or_create(thread)
        return found

    def _story_get_or_create(self, thread: SourceThread) -> _Story | str:
        url = absolute_url(thread.url, self.base_url)
        if url is None:
            return Skip.NO_URL
        key = story_key(thread, fmt=self.fmt, key_from=self.key_from)
        story = Story.objects.filter(key=key).only("pk", "desk_id", "language").first()
        if story is not None:
            self.summary.stories_reused += 1
        else:
            story = Story.objects.create(
                key=key, title=(thread.title or url)[:500], url=url[:2000], language=self.language, desk=self.desk,
                published_at=thread.created_at, state=Story.State.CLOSED if thread.closed else Story.State.OPEN,
                created_at=self.now, updated_at=self.now)
            self.summary.stories_created += 1
        return _Story(pk=story.pk, desk_id=story.desk_id, language=story.language)

    def link_replies(self) -> None:
        """Attach replies whose parent came later in the file (or in a later run), one level deep."""
        waiting = (ImportedItem.objects.filter(source=self.source, comment__parent__isnull=True)
                   .exclude(parent_source_id="").order_by("pk"))
        last = 0
        while True:
            chunk = list(waiting.filter(pk__gt=last).values_list(
                "pk", "comment_id", "parent_source_id", "comment__story_id")[:LOOKUP_CHUNK])
            if not chunk:
                break
            last = chunk[-1][0]
            parents = self._known({parent for _, _, parent, _ in chunk})
            with transaction.atomic():
                for _, comment_id, parent_source_id, story_id in chunk:
                    found = parents.get(parent_source_id)
                    root = (found[1] or found[0]) if found and found[2] == story_id else None
                    if root is None or root == comment_id:
                        self.summary.top_level += 1
                        continue
                    Comment.objects.filter(pk=comment_id).update(parent_id=root)
                    self.summary.linked_late += 1
        self._flatten()

    def _flatten(self) -> None:
        """A reply attached under a comment that was itself attached later moves up to the top-level one."""
        for _ in range(100):
            deep = list(Comment.objects.filter(imported__source=self.source, parent__parent__isnull=False)
                        .values_list("pk", "parent__parent_id")[:LOOKUP_CHUNK])
            if not deep:
                return
            with transaction.atomic():
                for pk, grandparent in deep:
                    Comment.objects.filter(pk=pk).update(parent_id=None if grandparent == pk else grandparent)


def _refused(body: str) -> str | None:
    if not body:
        return Skip.EMPTY
    if not _may_be_refused(body):
        return None
    reason = common_text.refusal(body)
    return f"text Voxpop refuses to store ({reason})" if reason else None


def _may_be_refused(body: str) -> bool:
    """False when common.text.refusal certainly finds nothing, which a regex tells far faster.

    Controls, surrogates and noncharacters are gone already (plaintext.storable); what is left to
    refuse are long runs of combining marks or format characters, and text with nothing visible.
    Text with a common letter or digit and no two such characters in a row needs no closer look.
    """
    return bool(_marks_or_format().search(body)) or not _COMMON_VISIBLE.search(body)


# Letters and digits of common scripts (no marks among them): Latin, Greek, Cyrillic, Hebrew, Arabic,
# kana, CJK ideographs, Hangul syllables.
_COMMON_VISIBLE = re.compile(r"[0-9A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u0386-\u03ff\u0400-\u0482"
                             r"\u05d0-\u05ea\u0621-\u064a\u3041-\u3096\u30a1-\u30fa\u3400-\u4dbf\u4e00-\u9fff"
                             r"\uac00-\ud7a3]")


@functools.cache
def _marks_or_format() -> re.Pattern:
    """Two or more combining marks or format characters in a row."""
    # Planes 0 and 1 and the tags and variation selectors of plane 14 hold every mark and format character.
    code_points = [*range(0xD800), *range(0xE000, 0x20000), *range(0xE0000, 0xE1000)]
    ranges: list[list[int]] = []
    for cp in code_points:
        if unicodedata.category(chr(cp)) in ("Mn", "Mc", "Me", "Cf"):
            if ranges and ranges[-1][1] == cp - 1:
                ranges[-1][1] = cp
            else:
                ranges.append([cp, cp])
    members = "".join(re.escape(chr(a)) + (f"-{re.escape(chr(b))}" if b > a else "") for a, b in ranges)
    # The lookahead lets Latin text (none of it a mark; U+00AD is the one format character) skip the long class.
    return re.compile("(?=[^\x00-\u00ac\u00ae-\u02ff])[" + members + "]{2,}")
