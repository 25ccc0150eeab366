"""Story settings and house rules, for desk editors and admins.

An editor sees only the stories and rules of their own desks; another desk's are 404, as in the
queue, so keys cannot be probed. A settings change goes through `story_settings_update`, which
writes one audit row per changed field; house rules go through `house_rules_set`, which never
rewrites a rule in place, so every decision keeps the wording it cited.

"Close after N days" counts from the moment the editor saves, not from publication: counted from
publication, the same choice on an old story would close it at once, and some stories have no
publication time at all.

Both forms carry what the editor saw (`seen`): if another editor or the CMS changed the settings or
the rules meanwhile, nothing is applied and the page shows the current state (409), with the
editor's own input kept so they can look and save again.
"""
from datetime import datetime, timedelta

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.formats import number_format
from django.views.decorators.http import require_GET, require_http_methods

from voxpop.comments.forms import clean_reader_text
from voxpop.comments.models import Comment
from voxpop.common import clock
from voxpop.desks.models import Desk, HouseRule
from voxpop.desks.services import house_rules_set
from voxpop.stories.models import Story, StorySettingChange
from voxpop.stories.services import StorySettingsChanged, story_settings_update

from .auth import EDITORS, workspace_view

STORIES_PAGE_SIZE = 50
CLOSE_AFTER_MAX_DAYS = 3650
RULE_MAX_CHARS = 1000
MAX_RULES = 99


def _utc(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def commenting_label(story: Story, now: datetime) -> str:
    """The story's commenting state as an editor reads it at a glance (lower case, to fit in a sentence)."""
    if story.state == Story.State.CLOSED:
        return "closed"
    if story.closes_at is None:
        return "open"
    if story.closes_at <= now:
        return f"closed since {_utc(story.closes_at)}"
    return f"open, closes at {_utc(story.closes_at)}"


def _seen(story: Story) -> str:
    """The settings the form was filled in against, to detect a change made meanwhile."""
    closes_at = story.closes_at.isoformat() if story.closes_at else ""
    return f"{story.state}|{closes_at}|{int(story.sensitive)}"


class StorySettingsForm(forms.Form):
    commenting = forms.ChoiceField(widget=forms.RadioSelect, label="Commenting",
                                   error_messages={"required": "Choose whether commenting is open or closed.",
                                                   "invalid_choice": "Choose one of the commenting options."})
    days = forms.IntegerField(
        min_value=1, max_value=CLOSE_AFTER_MAX_DAYS, required=False, label="Days from now",
        error_messages={"invalid": "Give the number of days as a whole number, such as 7.",
                        "min_value": f"Give a number of days from 1 to {CLOSE_AFTER_MAX_DAYS}.",
                        "max_value": f"Give a number of days from 1 to {CLOSE_AFTER_MAX_DAYS}."})
    sensitive = forms.BooleanField(required=False, label="Sensitive story")
    seen = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, story: Story, now: datetime, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("open", "Open, with no closing time"), ("closed", "Closed now"),
                   ("close_after", "Open, then closed after a number of days counted from now (from saving)")]
        if story.state == Story.State.OPEN and story.closes_at:
            choices.insert(0, ("keep", f"Keep as it is: {commenting_label(story, now)}"))
        self.fields["commenting"].choices = choices

    @staticmethod
    def initial_for(story: Story) -> dict:
        if story.state == Story.State.CLOSED:
            commenting = "closed"
        else:
            commenting = "keep" if story.closes_at else "open"
        return {"commenting": commenting, "sensitive": story.sensitive, "seen": _seen(story)}

    def clean(self):
        data = super().clean()
        if data.get("commenting") == "close_after" and not data.get("days") and "days" not in self.errors:
            self.add_error("days", f"Give the number of days (1 to {CLOSE_AFTER_MAX_DAYS}) after which "
                                   "commenting closes.")
        return data

    def settings_for(self, story: Story, now: datetime) -> tuple[str, datetime | None]:
        """(state, closes_at) as chosen; closing now clears any closing time, so one state shows."""
        choice = self.cleaned_data["commenting"]
        if choice == "keep":
            return story.state, story.closes_at
        if choice == "closed":
            return Story.State.CLOSED, None
        if choice == "close_after":
            return Story.State.OPEN, now + timedelta(days=self.cleaned_data["days"])
        return Story.State.OPEN, None


def _rule_too_long(label: str):
    def message(count: int, limit: int) -> str:
        return (f"{label} is {number_format(count, force_grouping=True)} characters long; a house rule can be "
                f"at most {number_format(limit, force_grouping=True)} characters. Please shorten it.")
    return message


class HouseRulesForm(forms.Form):
    """The numbered rules of one desk language, one textarea each, plus an empty one to add a rule."""

    seen = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, count: int, **kwargs):
        super().__init__(*args, **kwargs)
        for number in range(1, count + 1):
            self.fields[f"rule_{number}"] = forms.CharField(label=f"Rule {number}", required=False, strip=False,
                                                            widget=forms.Textarea)
        self.fields["rule_new"] = forms.CharField(label="New rule", required=False, strip=False,
                                                  widget=forms.Textarea)
        self.count = count

    def clean(self):
        data = super().clean()
        for name, field in self.fields.items():
            if name.startswith("rule_") and name not in self.errors:
                try:
                    data[name] = clean_reader_text(data.get(name) or "", max_chars=RULE_MAX_CHARS,
                                                   too_long=_rule_too_long(field.label))
                except forms.ValidationError as error:
                    self.add_error(name, error)
        if not self.errors and len(self.texts()) > MAX_RULES:
            raise forms.ValidationError(f"A desk can have at most {MAX_RULES} rules in one language.")
        return data

    def texts(self) -> list[str]:
        """The rules in order, the emptied ones left out (the rules after them move up a number)."""
        names = [f"rule_{number}" for number in range(1, self.count + 1)] + ["rule_new"]
        return [self.cleaned_data[name] for name in names if self.cleaned_data.get(name)]

    @staticmethod
    def count_posted(data) -> int:
        """How many numbered rule fields the editor's page had (the rules at the time they opened it)."""
        count = 0
        while count < MAX_RULES and f"rule_{count + 1}" in data:
            count += 1
        return count


def _desks_of(request: HttpRequest) -> QuerySet[Desk]:
    return Desk.objects.filter(pk__in=request.user.desk_ids())


def _story_list(*, desk_ids: set[int]) -> QuerySet[Story]:
    """Stories of these desks, newest first (by publication, else by registration), with their backlog."""
    return (Story.objects.filter(desk_id__in=desk_ids).select_related("desk")
            .annotate(pending=Count("comments", filter=Q(comments__status=Comment.Status.PENDING)),
                      newest=Coalesce("published_at", "created_at"))
            .order_by("-newest", "-pk"))


def _rule_languages(desk: Desk) -> list[str]:
    """The desk's languages, then any other language it has rules in."""
    languages = list(desk.languages)
    for language in HouseRule.objects.filter(desk=desk).values_list("language", flat=True).distinct():
        if language not in languages:
            languages.append(language)
    return languages


@require_GET
@workspace_view(*EDITORS)
def stories(request: HttpRequest) -> HttpResponse:
    desks = list(_desks_of(request))
    desk = next((d for d in desks if d.key == request.GET.get("desk")), None)
    page = Paginator(_story_list(desk_ids={desk.pk} if desk else {d.pk for d in desks}),
                     STORIES_PAGE_SIZE).get_page(request.GET.get("page"))
    now = clock.now()
    return render(request, "workspace/stories.html", {
        "nav": "stories", "page": page, "desks": desks, "desk": desk,
        "rows": [{"story": s, "commenting": commenting_label(s, now), "open": s.state_at(now) == Story.State.OPEN}
                 for s in page.object_list],
        "rule_links": [{"desk": d, "languages": _rule_languages(d)} for d in ([desk] if desk else desks)],
    })


def _story_or_404(request: HttpRequest, key: str) -> Story:
    story = Story.objects.select_related("desk").filter(key=key, desk_id__in=request.user.desk_ids()).first()
    if story is None:
        raise Http404("No such story in your desks.")
    return story


@require_http_methods(["GET", "POST"])
@workspace_view(*EDITORS)
def story(request: HttpRequest, key: str) -> HttpResponse:
    story = _story_or_404(request, key)
    now = clock.now()
    if request.method == "GET":
        return _render_story(request, story, StorySettingsForm(initial=StorySettingsForm.initial_for(story),
                                                               story=story, now=now), now)
    if request.POST.get("seen", "").strip() != _seen(story):
        return _story_conflict(request, story, now)
    form = StorySettingsForm(request.POST, story=story, now=now)
    if not form.is_valid():
        return _render_story(request, story, form, now, status=422)
    state, closes_at = form.settings_for(story, now)
    try:
        changes = story_settings_update(story=story, actor=request.user, state=state, closes_at=closes_at,
                                        sensitive=form.cleaned_data["sensitive"], now=now)
    except StorySettingsChanged:
        return _story_conflict(request, _story_or_404(request, key), now)
    if changes:
        messages.success(request, f"Saved. Commenting: {commenting_label(story, now)}; sensitive story: "
                                  f"{'on' if story.sensitive else 'off'}. The change is in the history below.")
    else:
        messages.info(request, "Nothing changed: these were already the story's settings.")
    return redirect("workspace:story", key=story.key)


def _story_conflict(request: HttpRequest, story: Story, now: datetime) -> HttpResponse:
    """The settings changed since the editor opened the page: show them, keep the editor's choices."""
    form = StorySettingsForm(initial=StorySettingsForm.initial_for(story), story=story, now=now)
    choice = request.POST.get("commenting")
    form.initial.update({
        "commenting": choice if choice in dict(form.fields["commenting"].choices) else form.initial["commenting"],
        "days": request.POST.get("days", "")[:10], "sensitive": bool(request.POST.get("sensitive")),
    })
    return _render_story(request, story, form, now, status=409, conflict=True)


def _render_story(request, story, form, now, status=200, conflict=False) -> HttpResponse:
    return render(request, "workspace/story.html", {
        "nav": "stories", "story": story, "form": form, "conflict": conflict,
        "commenting": commenting_label(story, now),
        "pending": story.comments.filter(status=Comment.Status.PENDING).count(),
        "changes": list(StorySettingChange.objects.filter(story=story).select_related("actor")),
        "max_days": CLOSE_AFTER_MAX_DAYS,
    }, status=status)


def _desk_language_or_404(request: HttpRequest, desk_key: str, language: str) -> Desk:
    desk = _desks_of(request).filter(key=desk_key).first()
    if desk is None or language not in _rule_languages(desk):
        raise Http404("No such desk language in your desks.")
    return desk


def _current_rules(desk: Desk, language: str) -> list[HouseRule]:
    return list(HouseRule.objects.current().filter(desk=desk, language=language).order_by("number"))


def _seen_rules(rules: list[HouseRule]) -> str:
    return ",".join(str(rule.pk) for rule in rules)


@require_http_methods(["GET", "POST"])
@workspace_view(*EDITORS)
def rules(request: HttpRequest, desk: str, language: str) -> HttpResponse:
    desk = _desk_language_or_404(request, desk, language)
    current = _current_rules(desk, language)
    if request.method == "GET":
        form = HouseRulesForm(initial={"seen": _seen_rules(current),
                                       **{f"rule_{r.number}": r.text for r in current}}, count=len(current))
        return _render_rules(request, desk, language, form, current)
    form = HouseRulesForm(request.POST, count=HouseRulesForm.count_posted(request.POST))
    if not form.is_valid():
        return _render_rules(request, desk, language, form, current, status=422)
    if form.cleaned_data["seen"] != _seen_rules(current):
        return _rules_conflict(request, desk, language, current)
    before = [r.text for r in current]
    try:
        after = [r.text for r in house_rules_set(desk=desk, language=language, texts=form.texts(), now=clock.now())]
    except IntegrityError:
        # Another editor's save of the same rules won the race for a rule number.
        return _rules_conflict(request, desk, language, _current_rules(desk, language))
    messages.success(request, _rules_saved(before, after, language))
    return redirect("workspace:rules", desk=desk.key, language=language)


def _rules_saved(before: list[str], after: list[str], language: str) -> str:
    reworded = sum(1 for old, new in zip(before, after) if old != new)
    added, removed = max(0, len(after) - len(before)), max(0, len(before) - len(after))
    if not (reworded or added or removed):
        return f"Nothing changed: these were already the house rules in {language}."
    return (f"House rules in {language} saved: {reworded} reworded, {added} added, {removed} removed. "
            "Earlier versions stay listed below, and decisions keep the wording they cited.")


def _rules_conflict(request: HttpRequest, desk: Desk, language: str, current: list[HouseRule]) -> HttpResponse:
    data = request.POST.copy()
    data["seen"] = _seen_rules(current)
    form = HouseRulesForm(data, count=HouseRulesForm.count_posted(data))
    return _render_rules(request, desk, language, form, current, status=409, conflict=True)


def _render_rules(request, desk, language, form, current, status=200, conflict=False) -> HttpResponse:
    by_number = {rule.number: rule for rule in current}
    return render(request, "workspace/rules.html", {
        "nav": "stories", "desk": desk, "language": language, "languages": _rule_languages(desk),
        "form": form, "conflict": conflict, "current": current, "max_chars": RULE_MAX_CHARS,
        "fields": [{"number": n, "field": form[f"rule_{n}"], "rule": None if conflict else by_number.get(n)}
                   for n in range(1, form.count + 1)],
        "retired": list(HouseRule.objects.filter(desk=desk, language=language, retired_at__isnull=False)
                        .order_by("number", "-retired_at", "-pk")),
    }, status=status)
