"""Word lists and protected names, for desk editors and admins.

As with story settings, an editor sees only their own desks: another desk's lists and stories are
404, and a plain moderator gets 403. The writes are `word_lists_set`, `protected_name_add` and
`protected_name_remove` (voxpop.scoring.editorial).

A desk language's banned and suspect words are two textareas, one entry per line, saved together
against the version the editor opened (409 with their text kept if another editor saved meanwhile).
Lists of thousands of entries are far larger than the site-wide 64 KiB limit on form posts
(a 10,000-entry Chinese list is ~300 KB once URL-encoded), so this one view reads its body itself,
up to WORDS_POST_MAX_BYTES, and then runs the CSRF check that the middleware would have run.
"""
from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import redirect, render
from django.utils.formats import number_format
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from voxpop.common import clock, text
from voxpop.comments.forms import REFUSALS
from voxpop.desks.models import Desk, HouseRule
from voxpop.scoring.editorial import (
    MAX_ENTRIES, MAX_ENTRY_CHARS, MAX_NAME_CHARS, ProtectedNameRefused, WordListsChanged, protected_name_add,
    protected_name_remove, protected_names, word_entries, word_lists_current, word_lists_set, word_lists_version,
)
from voxpop.scoring.models import ProtectedNameChange, WordList
from voxpop.stories.models import Story

from .auth import EDITORS, workspace_view

WORDS_POST_MAX_BYTES = 16 * 1024 * 1024
LINES_NAMED = 5  # line numbers named in one error; the rest are counted

KIND_LABELS = {WordList.Kind.BANNED: "banned words", WordList.Kind.SUSPECT: "suspect words"}


def _n(value: int) -> str:
    return number_format(value, force_grouping=True)


def _lines(numbers: list[int]) -> str:
    named = ", ".join(_n(n) for n in numbers[:LINES_NAMED])
    more = len(numbers) - LINES_NAMED
    return named + (f" and {_n(more)} more" if more > 0 else "")


class WordListsForm(forms.Form):
    banned = forms.CharField(label="Banned words", required=False, strip=False, widget=forms.Textarea)
    suspect = forms.CharField(label="Suspect words", required=False, strip=False, widget=forms.Textarea)
    seen = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean_banned(self):
        return self._entries(WordList.Kind.BANNED)

    def clean_suspect(self):
        return self._entries(WordList.Kind.SUSPECT)

    def _entries(self, kind: str) -> list[str]:
        """The field's entries, or a ValidationError naming the lines to change."""
        label = KIND_LABELS[kind]
        value = text.normalize(self.cleaned_data.get(kind) or "")
        lines = value.splitlines()
        refused = [(number, text.refusal(line)) for number, line in enumerate(lines, start=1) if text.refusal(line)]
        if refused:
            numbers = [number for number, _ in refused]
            where = f"Line {_n(numbers[0])}" if len(numbers) == 1 else f"Lines {_lines(numbers)}"
            raise forms.ValidationError(f"{where} of the {label}: {REFUSALS[refused[0][1]]}", code="refused")
        too_long = [(number, len(" ".join(line.split()))) for number, line in enumerate(lines, start=1)
                    if len(" ".join(line.split())) > MAX_ENTRY_CHARS]
        if too_long:
            if len(too_long) == 1:
                number, length = too_long[0]
                message = (f"Line {_n(number)} of the {label} is {_n(length)} characters long; an entry can be at "
                           f"most {MAX_ENTRY_CHARS} characters. Shorten it or split it into several lines.")
            else:
                longest = max(length for _, length in too_long)
                message = (f"Lines {_lines([number for number, _ in too_long])} of the {label} are longer than "
                           f"{MAX_ENTRY_CHARS} characters (the longest has {_n(longest)}); an entry can be at most "
                           f"{MAX_ENTRY_CHARS} characters. Shorten them or split them into several lines.")
            raise forms.ValidationError(message, code="too_long")
        entries = word_entries(value)
        if len(entries) > MAX_ENTRIES:
            raise forms.ValidationError(
                f"The {label} have {_n(len(entries))} entries; a list can have at most {_n(MAX_ENTRIES)}. "
                f"Remove {_n(len(entries) - MAX_ENTRIES)} and save again.", code="too_many")
        return entries


def _desks_of(request: HttpRequest):
    return Desk.objects.filter(pk__in=request.user.desk_ids())


def _word_languages(desk: Desk) -> list[str]:
    """The desk's languages, then any other language it has house rules or word lists in."""
    languages = list(desk.languages)
    for model in (HouseRule, WordList):
        for language in model.objects.filter(desk=desk).values_list("language", flat=True).distinct():
            if language not in languages:
                languages.append(language)
    return languages


def _desk_language_or_404(request: HttpRequest, desk_key: str, language: str) -> tuple[Desk, list[str]]:
    desk = _desks_of(request).filter(key=desk_key).first()
    languages = _word_languages(desk) if desk else []
    if language not in languages:
        raise Http404("No such desk language in your desks.")
    return desk, languages


def _read_large_form(request: HttpRequest) -> bool:
    """Parse a URL-encoded POST of up to WORDS_POST_MAX_BYTES into request.POST; False if it is larger."""
    if request.content_type != "application/x-www-form-urlencoded":
        return True  # Django's own parsing and limits apply
    if int(request.META.get("CONTENT_LENGTH") or 0) > WORDS_POST_MAX_BYTES:
        return False
    raw = request.read(WORDS_POST_MAX_BYTES + 1)
    if len(raw) > WORDS_POST_MAX_BYTES:
        return False
    request.POST = QueryDict(raw, encoding=request.encoding)
    return True


def _csrf_rejection(request: HttpRequest) -> HttpResponse | None:
    return CsrfViewMiddleware(lambda r: None).process_view(request, None, (), {})


@csrf_exempt  # checked in the view once the body is read: see the module's docstring
@require_http_methods(["GET", "POST"])
@workspace_view(*EDITORS)
def words(request: HttpRequest, desk: str, language: str) -> HttpResponse:
    desk, languages = _desk_language_or_404(request, desk, language)
    current = word_lists_current(desk=desk, language=language)
    if request.method == "GET":
        return _render_words(request, desk, language, languages, _saved_lists_form(current), current)
    if not _read_large_form(request):
        return _render_words(request, desk, language, languages, _saved_lists_form(current), current, status=413,
                             too_big=True)
    rejection = _csrf_rejection(request)
    if rejection:
        return rejection
    form = WordListsForm(request.POST)
    if not form.is_valid():
        return _render_words(request, desk, language, languages, form, current, status=422)
    try:
        saved = word_lists_set(desk=desk, language=language, seen=form.cleaned_data["seen"], editor=request.user,
                               entries={kind: form.cleaned_data[kind] for kind in current}, now=clock.now())
    except WordListsChanged:
        data = request.POST.copy()
        current = word_lists_current(desk=desk, language=language)
        data["seen"] = word_lists_version(current)
        return _render_words(request, desk, language, languages, WordListsForm(data), current, status=409,
                             conflict=True)
    messages.success(request, _words_saved(saved, language))
    return redirect("workspace:words", desk=desk.key, language=language)


def _saved_lists_form(current: dict[str, WordList | None]) -> WordListsForm:
    return WordListsForm(initial={"seen": word_lists_version(current),
                                  **{kind: "\n".join(wl.entries()) if wl else "" for kind, wl in current.items()}})


def _words_saved(saved, language: str) -> str:
    if not any(s.changed for s in saved):
        return f"Nothing changed: these were already the word lists in {language}."
    parts = []
    for s in saved:
        label = KIND_LABELS[s.kind].capitalize()
        if s.changed:
            parts.append(f"{label}: {_n(s.total)} entr{'y' if s.total == 1 else 'ies'} "
                         f"({_n(s.added)} added, {_n(s.removed)} removed)")
        else:
            parts.append(f"{label}: unchanged")
    return (f"Word lists in {language} saved. " + "; ".join(parts) + ". They apply to comments scored from now on.")


def _render_words(request, desk, language, languages, form, current, status=200, conflict=False, too_big=False):
    return render(request, "workspace/words.html", {
        "nav": "stories", "desk": desk, "language": language, "languages": languages, "form": form,
        "conflict": conflict, "too_big": too_big, "max_entries": MAX_ENTRIES, "max_chars": MAX_ENTRY_CHARS,
        "max_megabytes": WORDS_POST_MAX_BYTES // (1024 * 1024),
        "lists": [{"kind": kind, "field": form[kind], "label": KIND_LABELS[kind].capitalize(), "current": current[kind],
                   "count": len(current[kind].entries()) if current[kind] else 0} for kind in current],
    }, status=status)


def _story_or_404(request: HttpRequest, key: str) -> Story:
    story = Story.objects.select_related("desk").filter(key=key, desk_id__in=request.user.desk_ids()).first()
    if story is None:
        raise Http404("No such story in your desks.")
    return story


@require_http_methods(["GET", "POST"])
@workspace_view(*EDITORS)
def protected(request: HttpRequest, key: str) -> HttpResponse:
    story = _story_or_404(request, key)
    if request.method == "GET":
        return _render_protected(request, story)
    action = request.POST.get("action")
    now = clock.now()
    if action == "add":
        name = request.POST.get("name", "")
        try:
            added = protected_name_add(story=story, name=name, editor=request.user, now=now)
        except ProtectedNameRefused as refused:
            return _render_protected(request, story, typed=name[:MAX_NAME_CHARS * 2], error=refused.reason,
                                     status=422)
        messages.success(request, f"“{added.name}” is now protected on this story. Comments scored from now on "
                                  "that mention it are flagged.")
    elif action == "remove":
        try:
            name_id = int(request.POST.get("name_id", ""))
        except ValueError:
            name_id = 0
        removed = protected_name_remove(story=story, name_id=name_id, editor=request.user, now=now)
        if removed is None:
            messages.info(request, "That name was no longer protected on this story: nothing changed.")
        else:
            messages.success(request, f"“{removed}” is no longer protected on this story.")
    else:
        return _render_protected(request, story, error="Choose to add or remove a name.", status=400)
    return redirect("workspace:protected", key=story.key)


def _render_protected(request, story, typed="", error="", status=200):
    return render(request, "workspace/protected.html", {
        "nav": "stories", "story": story, "names": protected_names(story=story), "typed": typed, "error": error,
        "max_chars": MAX_NAME_CHARS,
        "changes": list(ProtectedNameChange.objects.filter(story=story).select_related("actor")[:200]),
    }, status=status)
