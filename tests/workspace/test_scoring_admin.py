"""Word lists and protected names in the workspace: editors and admins only, their own desks only."""
from urllib.parse import urlencode

import lxml.html
import pytest
from django.test import Client

from tests.conftest import make_moderator
from tests.workspace.conftest import form_values
from voxpop.accounts.models import User
from voxpop.scoring.editorial import MAX_ENTRIES
from voxpop.scoring.models import ProtectedName, ProtectedNameChange, WordList
from voxpop.workspace import scoring_admin

pytestmark = pytest.mark.usefixtures("frozen_clock")

WORDS = "/moderation/words/english/en/"
PROTECTED = "/moderation/stories/harbour-buses/protected/"


def post_form(client, url: str, data: dict):
    """POST as a browser sends a form without enctype: URL-encoded."""
    return client.post(url, urlencode(data), content_type="application/x-www-form-urlencoded")


def save_words(client, **changes):
    return post_form(client, WORDS, {**form_values(client, WORDS), **changes})


def entries(kind: str) -> list[str]:
    return WordList.objects.get(kind=kind).entries()


def text_of(response) -> str:
    return " ".join(" ".join(lxml.html.fromstring(response.content).itertext()).split())


def error_of(response, kind: str) -> str:
    return lxml.html.fromstring(response.content).get_element_by_id(f"words-{kind}-error").text_content()


def textarea(response, kind: str) -> str:
    return lxml.html.fromstring(response.content).get_element_by_id(f"words-{kind}").text_content()


@pytest.mark.parametrize("url", [WORDS, PROTECTED])
def test_moderator_is_refused(signed_in, moderator, story, url):
    """A plain moderator gets 403 on the word lists and the protected names, reading or saving."""
    client = signed_in(moderator)

    assert client.get(url).status_code == 403
    assert client.post(url, {"banned": "x", "action": "add", "name": "Jane Doe"}).status_code == 403


@pytest.mark.parametrize("url", [WORDS, PROTECTED])
def test_editor_of_another_desk_gets_404(signed_in, korean_editor, story, url):
    """Another desk's lists and stories do not exist for an editor, for reading or saving."""
    client = signed_in(korean_editor)

    assert client.get(url).status_code == 404
    assert client.post(url, {"banned": "x", "action": "add", "name": "Jane Doe"}).status_code == 404
    assert not WordList.objects.exists() and not ProtectedName.objects.exists()


def test_unknown_desk_language_is_404(as_editor, english_desk):
    """A language the desk neither moderates nor has lists or rules in is 404."""
    assert as_editor.get("/moderation/words/english/fr/").status_code == 404


def test_signed_out_is_sent_to_sign_in(client, story):
    """Without signing in, the pages redirect to the sign-in page."""
    response = client.get(WORDS)

    assert response.status_code == 302 and response["Location"].startswith("/moderation/sign-in/")


def test_editor_saves_both_lists(as_editor, editor, english_desk):
    """Both lists are saved one entry per line, with who saved them, and the page says what changed."""
    response = save_words(as_editor, banned="idiot\n\n  moron  \nIDIOT", suspect="go back to\nliar")

    assert response.status_code == 302 and response["Location"] == WORDS
    assert entries("banned") == ["idiot", "moron"] and entries("suspect") == ["go back to", "liar"]
    assert WordList.objects.get(kind="banned").updated_by == editor
    page = as_editor.get(WORDS)
    assert ("Word lists in en saved. Banned words: 2 entries (2 added, 0 removed); "
            "Suspect words: 2 entries (2 added, 0 removed).") in text_of(page)
    assert textarea(page, "banned") == "idiot\nmoron"


def test_saving_unchanged_lists_says_nothing_changed(as_editor, english_desk):
    """Saving the lists as they are changes nothing and says so."""
    save_words(as_editor, banned="idiot")

    save_words(as_editor)

    assert "Nothing changed: these were already the word lists in en." in text_of(as_editor.get(WORDS))


def test_too_long_entry_names_its_line_and_keeps_the_text(as_editor):
    """An entry over 200 characters is refused with its line number; nothing is saved, the text stays."""
    typed = "idiot\n" + "x" * 201 + "\nmoron"

    response = save_words(as_editor, banned=typed, suspect="liar")

    assert response.status_code == 422
    assert error_of(response, "banned") == ("Line 2 of the banned words is 201 characters long; an entry can be at "
                                            "most 200 characters. Shorten it or split it into several lines.")
    assert textarea(response, "banned") == typed and textarea(response, "suspect") == "liar"
    assert not WordList.objects.exists()


def test_invisible_characters_are_refused_by_line(as_editor):
    """Control characters are refused with the lines that hold them."""
    response = save_words(as_editor, suspect="liar\nbad\x07word\nok\nx\x1by")

    assert response.status_code == 422
    assert error_of(response, "suspect").startswith("Lines 2, 4 of the suspect words: The text contains invisible")


def test_too_many_entries_are_refused(as_editor):
    """A list of 20,001 entries is refused with the count and how many to remove (the post is ~250 KB)."""
    typed = "\n".join(f"word{n}" for n in range(MAX_ENTRIES + 1))

    response = save_words(as_editor, suspect=typed)

    assert response.status_code == 422
    assert error_of(response, "suspect") == ("The suspect words have 20,001 entries; a list can have at most 20,000. "
                                             "Remove 1 and save again.")
    assert textarea(response, "suspect") == typed


def test_large_list_is_saved(as_editor):
    """10,000 Chinese entries (far over the site's 64 KiB form limit once encoded) are saved."""
    typed = "\n".join(chr(0x4E00 + n // 100) + chr(0x4E00 + n % 100) + "词" for n in range(10_000))

    response = save_words(as_editor, banned=typed)

    assert response.status_code == 302
    assert len(entries("banned")) == 10_000


def test_post_over_the_size_limit_is_refused(as_editor, monkeypatch):
    """A post larger than the words form accepts is refused (413) with the saved lists shown; nothing changes."""
    save_words(as_editor, banned="idiot")
    monkeypatch.setattr(scoring_admin, "WORDS_POST_MAX_BYTES", 1000)

    response = save_words(as_editor, banned="x\n" * 1000)

    assert response.status_code == 413
    assert "larger than" in text_of(response) and textarea(response, "banned") == "idiot"
    assert entries("banned") == ["idiot"]


def test_words_post_checks_csrf(signed_in, editor, english_desk):
    """The words form reads its own body but still refuses a post without the CSRF token."""
    client = signed_in(editor)
    strict = Client(enforce_csrf_checks=True)
    strict.cookies = client.cookies

    assert post_form(strict, WORDS, {"banned": "idiot", "seen": "|"}).status_code == 403
    assert not WordList.objects.exists()
    doc = lxml.html.fromstring(strict.get(WORDS).content)
    token = doc.xpath("//input[@name='csrfmiddlewaretoken']/@value")[0]
    assert post_form(strict, WORDS, {"banned": "idiot", "seen": "|", "csrfmiddlewaretoken": token}).status_code == 302


def test_concurrent_save_is_a_conflict(signed_in, editor, english_desk):
    """If another editor saved after the page was opened, nothing is saved (409) and the typed text stays."""
    first = signed_in(editor)
    opened = form_values(first, WORDS)
    save_words(first, banned="idiot")

    response = post_form(first, WORDS, {**opened, "banned": "moron"})

    assert response.status_code == 409
    assert entries("banned") == ["idiot"]
    assert "another editor saved these word lists" in text_of(response)
    assert textarea(response, "banned") == "moron"
    assert post_form(first, WORDS, form_values_from(response)).status_code == 302
    assert entries("banned") == ["moron"]


def form_values_from(response) -> dict:
    form = next(f for f in lxml.html.fromstring(response.content).forms if f.action == WORDS)
    return {name: value for name, value in form.form_values() if name != "csrfmiddlewaretoken"}


def test_admin_edits_any_desks_lists(signed_in, english_desk, korean_desk):
    """An admin reaches every desk's lists."""
    admin = signed_in(make_moderator("ada", [], role=User.Role.ADMIN))

    assert admin.get("/moderation/words/korean/ko/").status_code == 200


def test_rules_page_links_to_the_word_lists(as_editor, english_desk):
    """The house rules of a desk language link to its word lists."""
    doc = lxml.html.fromstring(as_editor.get("/moderation/rules/english/en/").content)

    assert WORDS in doc.xpath("//a/@href")


def test_story_page_links_to_protected_names(as_editor, story):
    """A story's settings page links to its protected names."""
    doc = lxml.html.fromstring(as_editor.get("/moderation/stories/harbour-buses/").content)

    assert PROTECTED in doc.xpath("//a/@href")


def test_editor_adds_and_removes_a_protected_name(as_editor, editor, story, now):
    """Adding and removing a name is recorded with who and when, and shown in the page's history."""
    response = as_editor.post(PROTECTED, {"action": "add", "name": "김 민수"})
    assert response.status_code == 302
    name = ProtectedName.objects.get(story=story)
    assert (name.name, name.created_by, name.created_at) == ("김 민수", editor, now)

    as_editor.post(PROTECTED, {"action": "remove", "name_id": name.pk})

    assert not ProtectedName.objects.exists()
    assert list(ProtectedNameChange.objects.order_by("pk").values_list("action", "actor")) == [
        ("add", editor.pk), ("remove", editor.pk)]
    page = text_of(as_editor.get(PROTECTED))
    assert "“김 민수” is no longer protected on this story." in page
    assert "No protected names on this story." in page
    assert "edna Removed 김 민수" in page and "edna Added 김 민수" in page


def test_refused_name_keeps_the_typed_text(as_editor, story):
    """A name already covered is refused with the reason (422) and the field keeps what was typed."""
    as_editor.post(PROTECTED, {"action": "add", "name": "阿卜杜勒·艾力"})

    response = as_editor.post(PROTECTED, {"action": "add", "name": "阿卜杜勒艾力"})

    assert response.status_code == 422
    assert "“阿卜杜勒·艾力” is already protected on this story; it also covers “阿卜杜勒艾力”." in text_of(response)
    field = lxml.html.fromstring(response.content).get_element_by_id("protected-name")
    assert field.get("value") == "阿卜杜勒艾力"


def test_names_are_escaped(as_editor, story):
    """A name with markup is shown as text, never as HTML."""
    as_editor.post(PROTECTED, {"action": "add", "name": "<b>Kim</b>"})

    body = as_editor.get(PROTECTED).content.decode()

    assert "<b>Kim</b>" not in body and "&lt;b&gt;Kim&lt;/b&gt;" in body


def test_removing_a_name_already_removed(as_editor, story):
    """Removing a name another editor removed first changes nothing and says so."""
    as_editor.post(PROTECTED, {"action": "add", "name": "Jane Doe"})
    name_id = ProtectedName.objects.get().pk
    as_editor.post(PROTECTED, {"action": "remove", "name_id": name_id})

    response = as_editor.post(PROTECTED, {"action": "remove", "name_id": name_id}, follow=True)

    assert "That name was no longer protected on this story: nothing changed." in text_of(response)
    assert ProtectedNameChange.objects.filter(action="remove").count() == 1
