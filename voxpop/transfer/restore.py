"""`voxpop import voxpop FILE`: a `voxpop export` file back into an empty database.

Everything the export wrote comes back as it was, under new database ids: references in the file
are natural keys (desk key, story key, username) or the file's own numbering, which the restored
database reproduces, so exporting it again gives the same bytes. Moderators come back without a
password or TOTP device (the export never holds them): `voxpop createmoderator NAME --password ...`
gives each new ones. Webhook endpoints, API tokens, classifier models (`voxpop retrain`) and the
near-duplicate bands are not in the file.

The restore is one transaction: a file with an error anywhere (reported with its line number)
leaves the database as empty as it was. It refuses a database that already has desks, stories or
comments, so running it twice adds nothing.
"""
import hashlib
import json
from array import array
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction

from voxpop.accounts.models import User
from voxpop.comments.models import Comment, CommentRevision
from voxpop.desks.models import Desk, HouseRule
from voxpop.moderation.models import CommenterRestriction, ModerationDecision
from voxpop.scoring.models import Assessment, ProtectedName, ProtectedNameChange, SignalHit, WordList
from voxpop.stories.models import Story, StorySettingChange

from .export import FORMAT_VERSION
from .models import ImportedItem
from .progress import Progress
from .records import ImportFileError

BATCH = 1000
ORDER = ["voxpop", "desk", "house_rule", "user", "word_list", "story", "story_setting_change", "protected_name",
         "protected_name_change", "restriction", "comment", "decision"]


class _Fields:
    """Typed access to one line's fields; anything missing or of the wrong type is an error at that line."""

    def __init__(self, obj: dict, line: int):
        self.obj, self.line = obj, line

    def error(self, message: str) -> ImportFileError:
        return ImportFileError(message, line=self.line)

    def get(self, name: str, kinds, *, null: bool = False):
        if name not in self.obj:
            raise self.error(f"no {name!r} where it is required")
        value = self.obj[name]
        if value is None and null:
            return None
        if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in _as_tuple(kinds)):
            raise self.error(f"{name!r} has the wrong type ({type(value).__name__})")
        return value

    def text(self, name: str, *, null: bool = False) -> str | None:
        return self.get(name, str, null=null)

    def number(self, name: str, *, null: bool = False) -> int | None:
        return self.get(name, int, null=null)

    def time(self, name: str, *, null: bool = False) -> datetime | None:
        value = self.text(name, null=null)
        if value is None:
            return None
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            raise self.error(f"{name!r} is not an ISO 8601 time") from None
        if parsed.tzinfo is None:
            raise self.error(f"{name!r} has no time zone")
        return parsed

    def choice(self, name: str, choices) -> str:
        value = self.text(name)
        if value not in choices:
            raise self.error(f"{name!r} is not one of {', '.join(choices)}")
        return value


def _as_tuple(kinds) -> tuple:
    return kinds if isinstance(kinds, tuple) else (kinds,)


def database_is_empty() -> bool:
    return not (Desk.objects.exists() or Story.objects.exists() or Comment.objects.exists())


def everything_import(*, lines: Iterable[bytes], progress: Progress | None = None) -> Counter:
    """Restore a `voxpop export` file; returns how many lines of each type were read."""
    if not database_is_empty():
        raise ImportFileError("`voxpop import voxpop` restores into an empty database, and this one already has "
                              "desks, stories or comments (run `voxpop migrate` on a new database first)")
    restorer = _Restorer(progress)
    with transaction.atomic():
        for number, raw in enumerate(lines, start=1):
            restorer.take(raw, number)
        restorer.finish()
    if progress:
        progress.finish(done=restorer.read)
    return restorer.counts


@dataclass
class _PendingRevision:
    revision: CommentRevision
    assessment: Assessment | None
    current: bool


@dataclass
class _PendingComment:
    comment: Comment
    parent: int | None          # the parent's id in the file, when it comes earlier
    revisions: list[_PendingRevision]
    imported: ImportedItem | None
    signals: list[str]


class _Restorer:
    def __init__(self, progress: Progress | None):
        self.progress = progress
        self.counts: Counter = Counter()
        self.read = 0
        self.stage = -1
        self.desks: dict[str, Desk] = {}
        self.users: dict[str, int] = {}
        self.stories: dict[str, int] = {}
        self.rules = array("q")      # file id - 1 -> pk
        self.comments = array("q")   # file id - 1 -> pk
        self.decisions = array("q")  # file id - 1 -> pk
        self.comment_batch: list[_PendingComment] = []
        self.decision_batch: list[tuple[_Fields, ModerationDecision, int]] = []
        self.forward_parents: list[tuple[int, int, int]] = []  # (line, comment id, parent id)

    def take(self, raw: bytes, line: int) -> None:
        self.read += 1
        if not raw.strip():
            raise ImportFileError("empty line", line=line)
        try:
            obj = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as error:
            raise ImportFileError(f"not a JSON object: {error}", line=line) from None
        if not isinstance(obj, dict) or not isinstance(obj.get("type"), str):
            raise ImportFileError('not a JSON object with a "type"', line=line)
        kind = obj["type"]
        if kind not in ORDER:
            raise ImportFileError(f"unknown type {kind!r}", line=line)
        stage = ORDER.index(kind)
        if stage < self.stage:
            raise ImportFileError(f"a {kind} line after {ORDER[self.stage]} lines: the file is out of order", line=line)
        if self.stage == -1 and kind != "voxpop":
            raise ImportFileError("not a voxpop export: the first line is not the voxpop header", line=line)
        if stage > self.stage:
            self._flush()
            self.stage = stage
        fields = _Fields(obj, line)
        getattr(self, f"_line_{kind}")(fields)
        self.counts[kind] += 1
        if self.progress:
            self.progress.update(done=self.read)

    def finish(self) -> None:
        if self.stage == -1:
            raise ImportFileError("the file is empty")
        self._flush()
        for line, comment_id, parent_id in self.forward_parents:
            if parent_id > len(self.comments):
                raise ImportFileError(f"comment {comment_id}: no comment {parent_id} in the file", line=line)
            Comment.objects.filter(pk=self.comments[comment_id - 1]).update(parent_id=self.comments[parent_id - 1])

    def _flush(self) -> None:
        if self.comment_batch:
            self._write_comments()
        if self.decision_batch:
            self._write_decisions()

    # -- lookups ---------------------------------------------------------------------------------

    def _rule(self, f: _Fields, value) -> int | None:
        if value is None:
            return None
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= len(self.rules):
            raise f.error(f"no house rule {value!r} above this line")
        return self.rules[value - 1]

    def _next_id(self, f: _Fields, ids: array, kind: str) -> int:
        number = f.number("id")
        if number != len(ids) + 1:
            raise f.error(f"{kind} id {number} where {len(ids) + 1} was expected (ids count 1, 2, 3, ...)")
        return number

    # -- one method per line type ----------------------------------------------------------------

    def _line_voxpop(self, f: _Fields) -> None:
        if f.number("version") != FORMAT_VERSION:
            raise f.error(f"version {f.obj['version']} of the export format; this Voxpop reads version "
                          f"{FORMAT_VERSION}")
        if self.counts["voxpop"]:
            raise f.error("a second header")

    def _line_desk(self, f: _Fields) -> None:
        key = f.text("key")
        if key in self.desks:
            raise f.error(f"desk {key!r} twice")
        self.desks[key] = Desk.objects.create(key=key, name=f.text("name"), languages=f.get("languages", list))

    def _desk_lookup(self, f: _Fields, name: str) -> Desk:
        key = f.text(name)
        if key not in self.desks:
            raise f.error(f"no desk {key!r} above this line")
        return self.desks[key]

    def _line_house_rule(self, f: _Fields) -> None:
        self._next_id(f, self.rules, "house_rule")
        rule = HouseRule.objects.create(
            desk=self._desk_lookup(f, "desk"), language=f.text("language"), number=f.number("number"),
            text=f.text("text"), created_at=f.time("created_at"), retired_at=f.time("retired_at", null=True))
        self.rules.append(rule.pk)

    def _line_user(self, f: _Fields) -> None:
        username = f.text("username")
        if username in self.users:
            raise f.error(f"user {username!r} twice")
        desk_keys = f.get("desks", list)
        desks = [self._desk_lookup(_Fields({"type": "user", "desk": key}, f.line), "desk") for key in desk_keys]
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username)
            user.set_unusable_password()
        user.role = f.choice("role", User.Role.values)
        user.is_active = f.get("is_active", bool)
        user.date_joined = f.time("date_joined")
        user.save()
        user.desks.set(desks)
        self.users[username] = user.pk

    def _user_lookup(self, f: _Fields, name: str, *, null: bool = False) -> int | None:
        username = f.text(name, null=null)
        if username is None:
            return None
        if username not in self.users:
            raise f.error(f"no user {username!r} above this line")
        return self.users[username]

    def _line_word_list(self, f: _Fields) -> None:
        WordList.objects.create(
            desk=self._desk_lookup(f, "desk"), language=f.text("language"),
            kind=f.choice("kind", WordList.Kind.values), words=f.text("words"), updated_at=f.time("updated_at"),
            updated_by_id=self._user_lookup(f, "updated_by", null=True))

    def _line_story(self, f: _Fields) -> None:
        key = f.text("key")
        if key in self.stories:
            raise f.error(f"story {key!r} twice")
        story = Story.objects.create(
            key=key, title=f.text("title"), url=f.text("url"), language=f.text("language"),
            desk=self._desk_lookup(f, "desk"), published_at=f.time("published_at", null=True),
            state=f.choice("state", Story.State.values), closes_at=f.time("closes_at", null=True),
            sensitive=f.get("sensitive", bool), created_at=f.time("created_at"), updated_at=f.time("updated_at"))
        self.stories[key] = story.pk

    def _story_lookup(self, f: _Fields) -> int:
        key = f.text("story")
        if key not in self.stories:
            raise f.error(f"no story {key!r} above this line")
        return self.stories[key]

    def _line_story_setting_change(self, f: _Fields) -> None:
        StorySettingChange.objects.create(
            story_id=self._story_lookup(f), actor_id=self._user_lookup(f, "actor"), changed_at=f.time("changed_at"),
            field=f.choice("field", StorySettingChange.Field.values), old=f.text("old"), new=f.text("new"))

    def _line_protected_name(self, f: _Fields) -> None:
        ProtectedName.objects.create(
            story_id=self._story_lookup(f), name=f.text("name"), created_at=f.time("created_at"),
            created_by_id=self._user_lookup(f, "created_by", null=True))

    def _line_protected_name_change(self, f: _Fields) -> None:
        ProtectedNameChange.objects.create(
            story_id=self._story_lookup(f), name=f.text("name"),
            action=f.choice("action", ProtectedNameChange.Action.values), actor_id=self._user_lookup(f, "actor"),
            changed_at=f.time("changed_at"))

    def _line_restriction(self, f: _Fields) -> None:
        CommenterRestriction.objects.create(
            commenter_key=f.text("commenter_key"), desk=self._desk_lookup(f, "desk"),
            kind=f.choice("kind", CommenterRestriction.Kind.values), reason=f.text("reason"),
            created_by_id=self._user_lookup(f, "created_by"), created_at=f.time("created_at"),
            expires_at=f.time("expires_at", null=True), revoked_by_id=self._user_lookup(f, "revoked_by", null=True),
            revoked_at=f.time("revoked_at", null=True))

    # -- comments and decisions, in batches ------------------------------------------------------

    def _line_comment(self, f: _Fields) -> None:
        number = f.number("id")
        expected = len(self.comments) + len(self.comment_batch) + 1
        if number != expected:
            raise f.error(f"comment id {number} where {expected} was expected (ids count 1, 2, 3, ...)")
        parent = f.number("parent", null=True)
        if parent is not None and (parent < 1 or parent == number):
            raise f.error(f"comment {number} has parent {parent}")
        current = f.number("current_revision", null=True)
        revisions = [self._revision(_Fields(item, f.line), current) for item in self._objects(f, "revisions")]
        if not revisions:
            raise f.error(f"comment {number} has no revision")
        if current is not None and current not in {r.revision.number for r in revisions}:
            raise f.error(f"comment {number}: current revision {current} is not among its revisions")
        imported = f.get("imported_from", dict, null=True)
        if imported is not None:
            i = _Fields(imported, f.line)
            imported = ImportedItem(source=i.text("source"), source_id=i.text("id"),
                                    parent_source_id=i.text("parent"))
        signals = f.get("signals", list)
        if not all(isinstance(name, str) for name in signals):
            raise f.error("'signals' holds something other than names")
        comment = Comment(
            story_id=self._story_lookup(f), status=f.choice("status", Comment.Status.values),
            display_name=f.text("display_name"), language=f.text("language"), desk=self._desk_lookup(f, "desk"),
            created_at=f.time("created_at"), published_at=f.time("published_at", null=True),
            purged_at=f.time("purged_at", null=True), priority=float(f.get("priority", (int, float))),
            submission_key=f.text("submission_key", null=True),
            commenter_key=f.text("commenter_key") if "commenter_key" in f.obj else "", fingerprint="")
        if parent is not None and parent > number:
            self.forward_parents.append((f.line, number, parent))
            parent = None
        self.comment_batch.append(_PendingComment(comment, parent, revisions, imported, signals))
        if len(self.comment_batch) >= BATCH:
            self._write_comments()

    def _objects(self, f: _Fields, name: str) -> list[dict]:
        items = f.get(name, list)
        if not all(isinstance(item, dict) for item in items):
            raise f.error(f"{name!r} holds something other than objects")
        return items

    def _revision(self, r: _Fields, current: int | None) -> "_PendingRevision":
        revision = CommentRevision(
            number=r.number("number"), body=r.text("body"), created_at=r.time("created_at"),
            editor_id=self._user_lookup(r, "editor", null=True), rule_id=self._rule(r, r.get("rule", int, null=True)),
            note=r.text("note"))
        assessment = r.get("assessment", dict, null=True)
        if assessment is not None:
            a = _Fields(assessment, r.line)
            assessment = Assessment(
                language=a.text("language"), risk=a.get("risk", (int, float), null=True),
                model_version=a.text("model_version"), signals=a.get("signals", list), held=a.get("held", bool),
                scored_at=a.time("scored_at"))
        return _PendingRevision(revision, assessment, revision.number == current)

    def _write_comments(self) -> None:
        batch, self.comment_batch = self.comment_batch, []
        first = len(self.comments) + 1
        for item in batch:  # parents in earlier batches; those in this one once it has ids
            if item.parent is not None and item.parent < first:
                item.comment.parent_id = self.comments[item.parent - 1]
        Comment.objects.bulk_create([item.comment for item in batch])
        self.comments.extend(item.comment.pk for item in batch)
        for item in batch:
            if item.parent is not None and item.parent >= first:
                item.comment.parent_id = self.comments[item.parent - 1]
            for pending in item.revisions:
                pending.revision.comment_id = item.comment.pk
        revisions = [pending for item in batch for pending in item.revisions]
        CommentRevision.objects.bulk_create([pending.revision for pending in revisions])
        for item in batch:
            comment = item.comment
            for pending in item.revisions:
                if pending.current:
                    comment.current_revision_id = pending.revision.pk
            if comment.purged_at is None:
                # As comment_submit computes it, with the new parent id (compared only for a submission key).
                original = next((p.revision.body for p in item.revisions if p.revision.number == 1), "")
                parts = "\x00".join([original, comment.display_name, str(comment.parent_id or "")])
                comment.fingerprint = hashlib.sha256(parts.encode("utf-8")).hexdigest()
        Comment.objects.bulk_update([item.comment for item in batch], ["parent", "current_revision", "fingerprint"],
                                    batch_size=250)
        for pending in revisions:
            if pending.assessment is not None:
                pending.assessment.revision_id = pending.revision.pk
        Assessment.objects.bulk_create([p.assessment for p in revisions if p.assessment is not None])
        SignalHit.objects.bulk_create([SignalHit(comment_id=item.comment.pk, name=name)
                                       for item in batch for name in item.signals])
        for item in batch:
            if item.imported is not None:
                item.imported.comment_id = item.comment.pk
        ImportedItem.objects.bulk_create([item.imported for item in batch if item.imported is not None])

    def _line_decision(self, f: _Fields) -> None:
        if self.comment_batch:
            self._write_comments()
        number = f.number("id")
        expected = len(self.decisions) + len(self.decision_batch) + 1
        if number != expected:
            raise f.error(f"decision id {number} where {expected} was expected (ids count 1, 2, 3, ...)")
        undoes = f.number("undoes", null=True)
        if undoes is not None and undoes > len(self.decisions):
            if undoes >= number:
                raise f.error(f"decision {number} undoes decision {undoes}, which is not above it")
            self._write_decisions()  # the undone decision is in this batch: write it first
        comment = f.number("comment")
        if not 1 <= comment <= len(self.comments):
            raise f.error(f"no comment {comment} in the file")
        statuses = Comment.Status.values
        decision = ModerationDecision(
            comment_id=self.comments[comment - 1], actor_id=self._user_lookup(f, "actor", null=True),
            action=f.choice("action", ModerationDecision.Action.values), from_status=f.choice("from_status", statuses),
            to_status=f.choice("to_status", statuses), rule_id=self._rule(f, f.obj.get("rule")), note=f.text("note"),
            decided_at=f.time("decided_at"), undoes_id=None if undoes is None else self.decisions[undoes - 1])
        self.decision_batch.append((f, decision, f.number("revision")))
        if len(self.decision_batch) >= BATCH:
            self._write_decisions()

    def _write_decisions(self) -> None:
        batch, self.decision_batch = self.decision_batch, []
        if not batch:
            return
        comment_ids = sorted({d.comment_id for _, d, _ in batch})
        revisions = {}
        for start in range(0, len(comment_ids), 500):
            for comment_id, number, pk in CommentRevision.objects.filter(
                    comment_id__in=comment_ids[start:start + 500]).values_list("comment_id", "number", "pk"):
                revisions[comment_id, number] = pk
        for f, decision, number in batch:
            revision = revisions.get((decision.comment_id, number))
            if revision is None:
                raise f.error(f"decision {f.obj['id']}: its comment has no revision {number}")
            decision.revision_id = revision
        ModerationDecision.objects.bulk_create([d for _, d, _ in batch])
        for _, decision, _ in batch:
            self.decisions.append(decision.pk)
