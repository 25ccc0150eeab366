"""What desk editors and admins do in the workspace, through the API: story settings, house rules,
word lists, protected names and the dashboard's figures.

As in the workspace, a plain moderator gets 403 on all of these, and another desk's stories and
rule sets are 404. Every write goes through the service the workspace calls (with its audit rows),
against the `version` the caller read: if another editor changed the same thing meanwhile, nothing
is applied and the answer is 409, so two editors never silently overwrite each other.
"""
from datetime import datetime, timedelta, timezone

from django import forms
from django.db import IntegrityError
from django.utils.dateparse import parse_datetime

from voxpop.accounts.models import User
from voxpop.comments.forms import clean_reader_text
from voxpop.comments.models import Comment
from voxpop.common import clock, text
from voxpop.desks.models import Desk, HouseRule
from voxpop.desks.services import house_rules_set
from voxpop.moderation import stats
from voxpop.scoring.editorial import (MAX_ENTRIES, MAX_ENTRY_CHARS, ProtectedNameRefused, WordListsChanged,
                                      protected_name_add, protected_name_remove, protected_names, word_entries,
                                      word_lists_current, word_lists_set, word_lists_version)
from voxpop.scoring.models import WordList
from voxpop.stories.models import Story, StorySettingChange
from voxpop.stories.services import StorySettingsChanged, story_settings_update

from .errors import ApiError, not_found
from .pagination import list_page
from .representations import rule_json, timestamp
from .request import authenticated_user, json_object, optional_int
from .views import _json, api_view

EDITORS = (User.Role.EDITOR, User.Role.ADMIN)
# The workspace's limits (voxpop.workspace.editorial), so both refuse the same input.
CLOSE_AFTER_MAX_DAYS = 3650
RULE_MAX_CHARS = 1000
MAX_RULES = 99
SETTINGS_FIELDS = {"version", "state", "closes_at", "close_after_days", "sensitive"}


def _editor(request) -> User:
    user = authenticated_user(request)
    if user.role not in EDITORS:
        raise ApiError(403, "forbidden", "Only desk editors and admins may do this.")
    return user


def _story_or_404(user: User, key: str) -> Story:
    story = Story.objects.select_related("desk").filter(key=key, desk_id__in=user.desk_ids()).first()
    if story is None:
        raise not_found("story in your desks")
    return story


def _languages(desk: Desk, *models) -> list[str]:
    """The desk's languages, then any other language it has rows of `models` in (as the workspace lists them)."""
    languages = list(desk.languages)
    for model in models:
        for language in model.objects.filter(desk=desk).values_list("language", flat=True).distinct():
            if language not in languages:
                languages.append(language)
    return languages


def _desk_language_or_404(user: User, desk_key: str, language: str, *models) -> Desk:
    desk = Desk.objects.filter(key=desk_key, pk__in=user.desk_ids()).first()
    if desk is None or language not in _languages(desk, *models):
        raise not_found("desk language in your desks")
    return desk


def _unknown_fields(data: dict, known: set[str]) -> None:
    unknown = sorted(set(data) - known)
    if unknown:
        raise ApiError(422, "unknown_field", f"Unknown field '{unknown[0]}'.", unknown[0])


def _version(data: dict) -> str:
    version = data.get("version")
    if not isinstance(version, str):
        raise ApiError(422, "required", "'version' is required: the `version` you read before this change.",
                       "version")
    return version


# Story settings


def _settings_version(story: Story) -> str:
    closes_at = story.closes_at.isoformat() if story.closes_at else ""
    return f"{story.state}|{closes_at}|{int(story.sensitive)}"


def _settings_json(story: Story) -> dict:
    changes = StorySettingChange.objects.filter(story=story).select_related("actor").order_by("-changed_at", "-pk")
    return {
        "story": story.key, "state": story.state, "closes_at": timestamp(story.closes_at),
        "sensitive": story.sensitive, "version": _settings_version(story),
        "pending": story.comments.filter(status=Comment.Status.PENDING).count(),
        "changes": [{"field": c.field, "old": c.old, "new": c.new, "actor": c.actor.username if c.actor_id else None,
                     "changed_at": timestamp(c.changed_at)} for c in changes[:200]],
    }


@api_view("GET", "PATCH")
def story_settings(request, key):
    user = _editor(request)
    story = _story_or_404(user, key)
    if request.method == "GET":
        return _json(_settings_json(story))
    data = json_object(request)
    _unknown_fields(data, SETTINGS_FIELDS)
    if _version(data) != _settings_version(story):
        raise ApiError(409, "settings_changed", "The story's settings changed since you read them. Read them "
                       "again and resend.", "version")
    now = clock.now()
    state, closes_at = _commenting(story, data, now)
    sensitive = data.get("sensitive", story.sensitive)
    if not isinstance(sensitive, bool):
        raise ApiError(422, "invalid", "'sensitive' must be true or false.", "sensitive")
    try:
        story_settings_update(story=story, actor=user, state=state, closes_at=closes_at, sensitive=sensitive, now=now)
    except StorySettingsChanged:
        raise ApiError(409, "settings_changed", "The story's settings changed while you saved. Read them again "
                       "and resend.", "version") from None
    return _json(_settings_json(_story_or_404(user, key)))


def _commenting(story: Story, data: dict, now: datetime) -> tuple[str, datetime | None]:
    """(state, closes_at) from the body; closing now clears any closing time, as in the workspace."""
    state = data.get("state", story.state)
    if state not in Story.State.values:
        raise ApiError(422, "invalid", "'state' must be open or closed.", "state")
    if "closes_at" in data and "close_after_days" in data:
        raise ApiError(422, "invalid", "Send 'closes_at' or 'close_after_days', not both.", "close_after_days")
    closes_at = story.closes_at
    if "close_after_days" in data:
        days = optional_int(data, "close_after_days")
        if days is None or not 1 <= days <= CLOSE_AFTER_MAX_DAYS:
            raise ApiError(422, "invalid", f"'close_after_days' must be from 1 to {CLOSE_AFTER_MAX_DAYS}.",
                           "close_after_days")
        closes_at = now + timedelta(days=days)
    elif "closes_at" in data:
        closes_at = _moment(data["closes_at"], "closes_at")
    if state == Story.State.CLOSED:
        if closes_at is not None and ("closes_at" in data or "close_after_days" in data):
            raise ApiError(422, "invalid", "A closed story has no closing time: leave it out, or open the story.",
                           "closes_at")
        closes_at = None
    return state, closes_at


def _moment(value, field: str) -> datetime | None:
    if value is None:
        return None
    try:
        moment = parse_datetime(value) if isinstance(value, str) and value.isprintable() else None
    except ValueError:  # well-formed but impossible, e.g. 30 February
        moment = None
    if moment is None:
        raise ApiError(422, "invalid", f"'{field}' must be an ISO 8601 time, e.g. 2026-11-09T18:00:00Z, or null.",
                       field)
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


# House rules


def _rules_version(rules: list[HouseRule]) -> str:
    return ",".join(str(rule.pk) for rule in rules)


def _rules_json(desk: Desk, language: str) -> dict:
    current = list(HouseRule.objects.current().filter(desk=desk, language=language).order_by("number"))
    retired = HouseRule.objects.filter(desk=desk, language=language, retired_at__isnull=False)
    return {
        "desk": desk.key, "language": language, "version": _rules_version(current),
        "rules": [{"id": r.pk, **rule_json(r), "created_at": timestamp(r.created_at)} for r in current],
        "retired": [{"id": r.pk, **rule_json(r), "created_at": timestamp(r.created_at),
                     "retired_at": timestamp(r.retired_at)}
                    for r in retired.order_by("number", "-retired_at", "-pk")[:500]],
    }


@api_view("GET", "PUT")
def rules(request, desk, language):
    user = _editor(request)
    desk = _desk_language_or_404(user, desk, language, HouseRule)
    if request.method == "GET":
        return _json(_rules_json(desk, language))
    data = json_object(request)
    _unknown_fields(data, {"version", "rules"})
    version = _version(data)
    texts = data.get("rules")
    if not isinstance(texts, list) or len(texts) > MAX_RULES:
        raise ApiError(422, "invalid", f"'rules' must be a list of at most {MAX_RULES} texts, in order.", "rules")
    cleaned = []
    for number, value in enumerate(texts, start=1):
        if not isinstance(value, str):
            raise ApiError(422, "invalid", f"Rule {number} must be a string.", "rules")
        try:
            rule = clean_reader_text(value, max_chars=RULE_MAX_CHARS,
                                     too_long=lambda n, m: f"Rule {number} is {n} characters long; the limit is {m}.")
        except forms.ValidationError as error:
            raise ApiError(422, error.code or "invalid", f"Rule {number}: {error.messages[0]}", "rules") from None
        if not rule:
            raise ApiError(422, "invalid", f"Rule {number} is empty: leave it out of the list instead.", "rules")
        cleaned.append(rule)
    current = list(HouseRule.objects.current().filter(desk=desk, language=language).order_by("number"))
    if version != _rules_version(current):
        raise ApiError(409, "rules_changed", "The house rules changed since you read them. Read them again and "
                       "resend.", "version")
    try:
        house_rules_set(desk=desk, language=language, texts=cleaned, now=clock.now())
    except IntegrityError:  # another editor's save of the same rules won the race for a rule number
        raise ApiError(409, "rules_changed", "Another editor saved these house rules at the same moment. Read "
                       "them again and resend.", "version") from None
    return _json(_rules_json(desk, language))


# Word lists


def _words_json(desk: Desk, language: str) -> dict:
    current = word_lists_current(desk=desk, language=language)
    return {"desk": desk.key, "language": language, "version": word_lists_version(current),
            **{kind: current[kind].entries() if current[kind] else [] for kind in current}}


@api_view("GET", "PUT")
def words(request, desk, language):
    user = _editor(request)
    desk = _desk_language_or_404(user, desk, language, HouseRule, WordList)
    if request.method == "GET":
        return _json(_words_json(desk, language))
    data = json_object(request)
    _unknown_fields(data, {"version", *WordList.Kind.values})
    version = _version(data)
    current = word_lists_current(desk=desk, language=language)
    entries = {}
    for kind, saved in current.items():
        if kind not in data:
            entries[kind] = saved.entries() if saved else []  # a list left out stays as it is
            continue
        entries[kind] = _word_list(data[kind], kind)
    try:
        word_lists_set(desk=desk, language=language, entries=entries, seen=version, editor=user, now=clock.now())
    except WordListsChanged:
        raise ApiError(409, "words_changed", "The word lists changed since you read them. Read them again and "
                       "resend.", "version") from None
    return _json(_words_json(desk, language))


def _word_list(value, kind: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(entry, str) for entry in value):
        raise ApiError(422, "invalid", f"'{kind}' must be a list of strings.", kind)
    for number, entry in enumerate(value, start=1):
        if "\n" in entry or "\r" in entry or text.refusal(text.normalize(entry).replace("\t", " ")):
            raise ApiError(422, "invalid", f"Entry {number} of '{kind}' has a line break or characters that are "
                           "not valid text.", kind)
        if len(" ".join(entry.split())) > MAX_ENTRY_CHARS:
            raise ApiError(422, "too_long", f"Entry {number} of '{kind}' is longer than {MAX_ENTRY_CHARS} "
                           "characters.", kind)
    entries = word_entries("\n".join(value))
    for entry in entries:  # normalizing (NFC) can lengthen an entry
        if len(entry) > MAX_ENTRY_CHARS:
            raise ApiError(422, "too_long", f"An entry of '{kind}' is longer than {MAX_ENTRY_CHARS} characters once "
                           "normalized.", kind)
    if len(entries) > MAX_ENTRIES:
        raise ApiError(422, "too_many", f"'{kind}' has {len(entries)} entries; a list can have at most "
                       f"{MAX_ENTRIES}.", kind)
    return entries


# Protected names


@api_view("GET", "POST")
def protected_name_list(request, key):
    user = _editor(request)
    story = _story_or_404(user, key)
    if request.method == "POST":
        data = json_object(request)
        name = data.get("name")
        if not isinstance(name, str):
            raise ApiError(422, "required", "'name' is required: the name to protect on this story.", "name")
        try:
            added = protected_name_add(story=story, name=name, editor=user, now=clock.now())
        except ProtectedNameRefused as refused:
            raise ApiError(422, "refused", refused.reason, "name") from None
        return _json(_name_json(added), status=201)
    names = sorted(protected_names(story=story), key=lambda n: n.pk, reverse=True)
    page = list_page(request, names, key=lambda n: (n.pk,), types=(int,))
    return _json({"names": [_name_json(n) for n in page.items], "next": page.next})


def _name_json(name) -> dict:
    return {"id": name.pk, "name": name.name, "created_at": timestamp(name.created_at),
            "created_by": name.created_by.username if name.created_by_id else None}


@api_view("DELETE")
def protected_name_detail(request, key, name_id):
    user = _editor(request)
    story = _story_or_404(user, key)
    removed = protected_name_remove(story=story, name_id=name_id, editor=user, now=clock.now())
    if removed is None:
        raise not_found("protected name on this story")
    return _json({"id": name_id, "name": removed})


# The dashboard


def _seconds(value: timedelta | None) -> float | None:
    return round(value.total_seconds(), 3) if value is not None else None


@api_view("GET")
def dashboard(request):
    """The figures of the workspace dashboard, for the caller's desks (or one of them, `desk`)."""
    user = _editor(request)
    now = clock.now()
    desks = stats.desk_list_for(moderator=user)
    key = request.GET.get("desk", "")
    desk = next((d for d in desks if d.key == key), None)
    if key and desk is None:
        raise ApiError(404, "not_found", "No such desk in your desks.", "desk")
    times = {t.desk.pk: t for t in stats.decision_time_list_by_desk(moderator=user, now=now)}
    outcomes = {o.desk.pk: o for o in stats.outcome_list_by_desk(moderator=user, now=now)}
    wanted = {desk.pk} if desk else {d.pk for d in desks}
    return _json({
        "generated_at": timestamp(now),
        "desks": [{
            "desk": b.desk.key, "name": b.desk.name, "pending": b.pending,
            "oldest_waiting_seconds": _seconds(b.oldest_waiting), "decided": times[b.desk.pk].decided,
            "median_seconds": _seconds(times[b.desk.pk].median), "p90_seconds": _seconds(times[b.desk.pk].p90),
            "approved": outcomes[b.desk.pk].approved, "rejected": outcomes[b.desk.pk].rejected,
        } for b in stats.backlog_list_by_desk(moderator=user, now=now) if b.desk.pk in wanted],
        "rules": [{"desk": r.desk.key, "language": r.rule.language, **rule_json(r.rule), "rejected": r.rejected,
                   "edited": r.edited}
                  for r in stats.decision_count_list_by_rule(moderator=user, now=now) if r.desk.pk in wanted],
        "hours": [{"start": timestamp(h.start.astimezone(timezone.utc)), "comments": h.comments}
                  for h in stats.comment_count_list_per_hour(moderator=user, now=now, desk=desk)],
    })
