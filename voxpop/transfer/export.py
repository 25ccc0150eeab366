"""`voxpop export`: the newsroom's data as JSON lines, which `voxpop import voxpop` reads back.

One JSON object per line, each with a "type", in this order (every reference points to a line
above it, except a reply's parent, which may come later):

    voxpop            the header: {"version": 1, "commenter_keys": true|false}
    desk              key, name, languages
    house_rule        id, desk, language, number, text, created_at, retired_at (every version)
    user              username, role, desks, is_active, date_joined
    word_list         desk, language, kind, words, updated_at, updated_by
    story             key, title, url, language, desk, published_at, state, closes_at, sensitive, ...
    story_setting_change, protected_name, protected_name_change
    restriction       holds and bans (only with --include-commenter-keys: they name a commenter key)
    comment           id, story, parent, status, display_name, language, desk, times, signals,
                      revisions (every one, each with its scoring assessment), current_revision,
                      imported_from, commenter_key (only with --include-commenter-keys)
    decision          id, comment, revision (its number), actor, action, from/to status, rule, note,
                      decided_at, undoes

References use natural keys (desk key, story key, username) or the ids of this file: comments,
decisions and house rules are numbered 1, 2, 3, ... in database order, so a database restored from
the file exports the very same bytes.

Left out on purpose: password hashes, TOTP secrets, API token digests, sessions, sign-in throttling
rows, webhook endpoints (their signing secrets) and deliveries, near-duplicate hash bands and
trained classifier models (both rebuilt: `voxpop retrain`), and, unless --include-commenter-keys is
given, the pseudonymous commenter keys (linkable across comments) with the holds and bans on them.

The file holds every comment's text, pending and rejected ones included: like the database, it is
for the newsroom's own machines.

The whole export reads one consistent snapshot of the database (a repeatable-read transaction on
PostgreSQL, a read transaction on SQLite), so it can run while the site takes comments.
"""
import json
from array import array
from bisect import bisect_left
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TextIO

from django.db import connection, transaction
from django.db.models import Prefetch

from voxpop.accounts.models import User
from voxpop.comments.models import Comment, CommentRevision
from voxpop.desks.models import Desk, HouseRule
from voxpop.moderation.models import CommenterRestriction, ModerationDecision
from voxpop.scoring.models import ProtectedName, ProtectedNameChange, WordList
from voxpop.stories.models import Story, StorySettingChange

from .progress import Progress

FORMAT_VERSION = 1
CHUNK = 2000


def time_text(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def canonical(value):
    """JSON values with object keys sorted at every level (PostgreSQL's jsonb reorders them)."""
    if isinstance(value, dict):
        return {k: canonical(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [canonical(v) for v in value]
    return value


@dataclass
class ExportSummary:
    lines: Counter = field(default_factory=Counter)  # lines written per type
    restrictions_left_out: int = 0

    def report(self) -> str:
        parts = ", ".join(f"{count:,} {kind}" for kind, count in self.lines.items() if kind != "voxpop")
        text = f"{sum(self.lines.values()):,} lines: {parts or 'nothing but the header'}"
        if self.restrictions_left_out:
            text += (f"; {self.restrictions_left_out:,} holds and bans left out (they name commenter keys: "
                     f"give --include-commenter-keys)")
        return text


def everything_export(*, out: TextIO, include_commenter_keys: bool = False,
                      progress: Progress | None = None) -> ExportSummary:
    """Write every line to `out`; returns how many lines of each type were written."""
    with _snapshot():
        return _Exporter(out, include_commenter_keys, progress).run()


@contextmanager
def _snapshot():
    if connection.in_atomic_block:  # the caller's transaction (the tests') is the snapshot
        yield
        return
    if connection.vendor == "postgresql":
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield
    elif connection.vendor == "sqlite":
        # A deferred read transaction: a snapshot in WAL mode that blocks no writer. (Django's
        # atomic() would BEGIN IMMEDIATE here and hold the write lock for the whole export.)
        connection.ensure_connection()
        connection.connection.execute("BEGIN DEFERRED")
        try:
            yield
        finally:
            connection.connection.execute("ROLLBACK")
    else:
        yield


class _Exporter:
    def __init__(self, out: TextIO, include_keys: bool, progress: Progress | None):
        self.out, self.include_keys, self.progress = out, include_keys, progress
        self.summary = ExportSummary()
        self.lines = 0

    def write(self, obj: dict) -> None:
        self.out.write(json.dumps(obj, ensure_ascii=False, separators=(",", ":")))
        self.out.write("\n")
        self.summary.lines[obj["type"]] += 1
        self.lines += 1
        if self.progress:
            self.progress.update(done=self.lines)

    def run(self) -> ExportSummary:
        self.write({"type": "voxpop", "version": FORMAT_VERSION, "commenter_keys": self.include_keys})
        self.desks = dict(Desk.objects.values_list("pk", "key"))
        self.users = dict(User.objects.values_list("pk", "username"))
        for desk in Desk.objects.order_by("key"):
            self.write({"type": "desk", "key": desk.key, "name": desk.name, "languages": canonical(desk.languages)})
        self._rules()
        self._users()
        self._word_lists()
        self._stories()
        if self.include_keys:
            self._restrictions()
        else:
            self.summary.restrictions_left_out = CommenterRestriction.objects.count()
        self._comments()
        self._decisions()
        if self.progress:
            self.progress.finish(done=self.lines)
        return self.summary

    def _rules(self) -> None:
        self.rules = {}
        rules = HouseRule.objects.order_by("desk__key", "language", "number", "created_at", "pk")
        for number, rule in enumerate(rules.iterator(chunk_size=CHUNK), start=1):
            self.rules[rule.pk] = number
            self.write({"type": "house_rule", "id": number, "desk": self.desks[rule.desk_id],
                        "language": rule.language, "number": rule.number, "text": rule.text,
                        "created_at": time_text(rule.created_at), "retired_at": time_text(rule.retired_at)})

    def _users(self) -> None:
        users = User.objects.order_by("username").prefetch_related(Prefetch("desks", Desk.objects.order_by("key")))
        for user in users:
            self.write({"type": "user", "username": user.username, "role": user.role,
                        "desks": [d.key for d in user.desks.all()], "is_active": user.is_active,
                        "date_joined": time_text(user.date_joined)})

    def _word_lists(self) -> None:
        for wl in WordList.objects.order_by("desk__key", "language", "kind"):
            self.write({"type": "word_list", "desk": self.desks[wl.desk_id], "language": wl.language,
                        "kind": wl.kind, "words": wl.words, "updated_at": time_text(wl.updated_at),
                        "updated_by": self.users.get(wl.updated_by_id)})

    def _stories(self) -> None:
        self.stories = {}
        for story in Story.objects.order_by("key").iterator(chunk_size=CHUNK):
            self.stories[story.pk] = story.key
            self.write({"type": "story", "key": story.key, "title": story.title, "url": story.url,
                        "language": story.language, "desk": self.desks[story.desk_id],
                        "published_at": time_text(story.published_at), "state": story.state,
                        "closes_at": time_text(story.closes_at), "sensitive": story.sensitive,
                        "created_at": time_text(story.created_at), "updated_at": time_text(story.updated_at)})
        changes = StorySettingChange.objects.order_by("story__key", "changed_at", "pk")
        for change in changes.iterator(chunk_size=CHUNK):
            self.write({"type": "story_setting_change", "story": self.stories[change.story_id],
                        "actor": self.users[change.actor_id], "changed_at": time_text(change.changed_at),
                        "field": change.field, "old": change.old, "new": change.new})
        for name in ProtectedName.objects.order_by("story__key", "name").iterator(chunk_size=CHUNK):
            self.write({"type": "protected_name", "story": self.stories[name.story_id], "name": name.name,
                        "created_at": time_text(name.created_at), "created_by": self.users.get(name.created_by_id)})
        name_changes = ProtectedNameChange.objects.order_by("story__key", "changed_at", "pk")
        for change in name_changes.iterator(chunk_size=CHUNK):
            self.write({"type": "protected_name_change", "story": self.stories[change.story_id],
                        "name": change.name, "action": change.action, "actor": self.users[change.actor_id],
                        "changed_at": time_text(change.changed_at)})

    def _restrictions(self) -> None:
        for r in CommenterRestriction.objects.order_by("pk").iterator(chunk_size=CHUNK):
            self.write({"type": "restriction", "commenter_key": r.commenter_key, "desk": self.desks[r.desk_id],
                        "kind": r.kind, "reason": r.reason, "created_by": self.users[r.created_by_id],
                        "created_at": time_text(r.created_at), "expires_at": time_text(r.expires_at),
                        "revoked_by": self.users.get(r.revoked_by_id), "revoked_at": time_text(r.revoked_at)})

    def _comments(self) -> None:
        # Comment ids in the file are ranks in primary-key order: a parent may come after its reply.
        self.comment_pks = array("q", Comment.objects.order_by("pk").values_list("pk", flat=True)
                                 .iterator(chunk_size=10 * CHUNK))
        revisions = CommentRevision.objects.order_by("number").select_related("assessment")
        comments = (Comment.objects.order_by("pk").select_related("imported")
                    .prefetch_related(Prefetch("revisions", revisions), "signal_hits"))
        for comment in comments.iterator(chunk_size=CHUNK):
            obj = {"type": "comment", "id": self._comment_id(comment.pk), "story": self.stories[comment.story_id],
                   "parent": self._comment_id(comment.parent_id), "status": comment.status,
                   "display_name": comment.display_name, "language": comment.language,
                   "desk": self.desks[comment.desk_id], "created_at": time_text(comment.created_at),
                   "published_at": time_text(comment.published_at), "purged_at": time_text(comment.purged_at),
                   "priority": comment.priority, "submission_key": comment.submission_key,
                   "signals": sorted(hit.name for hit in comment.signal_hits.all()),
                   "revisions": [self._revision(r) for r in comment.revisions.all()],
                   "current_revision": None, "imported_from": None}
            for revision in comment.revisions.all():
                if revision.pk == comment.current_revision_id:
                    obj["current_revision"] = revision.number
            imported = getattr(comment, "imported", None)
            if imported is not None:
                obj["imported_from"] = {"source": imported.source, "id": imported.source_id,
                                        "parent": imported.parent_source_id}
            if self.include_keys:
                obj["commenter_key"] = comment.commenter_key
            self.write(obj)

    def _comment_id(self, pk: int | None) -> int | None:
        return None if pk is None else bisect_left(self.comment_pks, pk) + 1

    def _revision(self, revision: CommentRevision) -> dict:
        obj = {"number": revision.number, "body": revision.body, "created_at": time_text(revision.created_at),
               "editor": self.users.get(revision.editor_id), "rule": self.rules.get(revision.rule_id),
               "note": revision.note, "assessment": None}
        assessment = getattr(revision, "assessment", None)
        if assessment is not None:
            obj["assessment"] = {"language": assessment.language, "risk": assessment.risk,
                                 "model_version": assessment.model_version,
                                 "signals": canonical(assessment.signals), "held": assessment.held,
                                 "scored_at": time_text(assessment.scored_at)}
        return obj

    def _decisions(self) -> None:
        decision_pks = array("q", ModerationDecision.objects.order_by("pk").values_list("pk", flat=True)
                             .iterator(chunk_size=10 * CHUNK))
        rows = ModerationDecision.objects.order_by("pk").values_list(
            "pk", "comment_id", "revision__number", "actor_id", "action", "from_status", "to_status", "rule_id",
            "note", "decided_at", "undoes_id")
        for number, row in enumerate(rows.iterator(chunk_size=CHUNK), start=1):
            _, comment_id, revision, actor, action, from_status, to_status, rule, note, decided_at, undoes = row
            self.write({"type": "decision", "id": number, "comment": self._comment_id(comment_id),
                        "revision": revision, "actor": self.users.get(actor), "action": action,
                        "from_status": from_status, "to_status": to_status, "rule": self.rules.get(rule),
                        "note": note, "decided_at": time_text(decided_at),
                        "undoes": None if undoes is None else bisect_left(decision_pks, undoes) + 1})
