"""Story settings and house rules in the workspace: editors and admins only, their own desks only."""
from datetime import timedelta

import lxml.html
import pytest

from tests.conftest import make_moderator
from tests.workspace.conftest import form_values
from voxpop.accounts.models import User
from voxpop.desks.models import HouseRule
from voxpop.moderation.services import comment_reject
from voxpop.stories.models import Story, StorySettingChange
from voxpop.stories.services import story_upsert

pytestmark = pytest.mark.usefixtures("frozen_clock")

STORIES = "/moderation/stories/"
STORY = "/moderation/stories/harbour-buses/"
RULES = "/moderation/rules/english/en/"


def save_settings(client, **changes):
    data = form_values(client, STORY)
    data.pop("sensitive", None)
    data.update({k: v for k, v in changes.items() if v is not None})
    return client.post(STORY, data)


def save_rules(client, url=RULES, **changes):
    return client.post(url, {**form_values(client, url), **changes})


def rules_in_force(desk, language="en") -> list[tuple[int, str]]:
    return list(HouseRule.objects.current().filter(desk=desk, language=language)
                .order_by("number").values_list("number", "text"))


def text_of(response) -> str:
    """The page's text with every element's text separated by one space."""
    return " ".join(" ".join(lxml.html.fromstring(response.content).itertext()).split())


@pytest.mark.parametrize("url", [STORIES, STORY, RULES])
def test_moderator_is_refused(signed_in, moderator, story, url):
    """A plain moderator gets 403 on the story list, a story's settings and the house rules."""
    assert signed_in(moderator).get(url).status_code == 403


@pytest.mark.parametrize("url", [STORY, RULES])
def test_editor_of_another_desk_gets_404(signed_in, korean_editor, story, url):
    """Another desk's story and rules do not exist for an editor, for reading or saving."""
    client = signed_in(korean_editor)

    assert client.get(url).status_code == 404
    assert client.post(url, {"commenting": "closed", "rule_1": "Changed."}).status_code == 404
    story.refresh_from_db()
    assert story.state == Story.State.OPEN
    assert HouseRule.objects.filter(text="Changed.").count() == 0


def test_story_list_shows_only_own_desks(as_editor, story, korean_story, submit):
    """The list shows the editor's desk's stories with their pending count, never another desk's."""
    submit(story)
    submit(story)

    page = text_of(as_editor.get(STORIES))

    assert "Night buses stay" in page and "섬마을 도서관" not in page
    assert "2 pending comments on harbour-buses" in as_editor.get(STORIES).content.decode()


def test_story_list_is_newest_first_and_filters_by_desk(signed_in, english_desk, korean_desk, story, korean_story,
                                                        now):
    """An admin sees all desks' stories newest first and can narrow them to one desk."""
    admin = signed_in(make_moderator("ada", [], role=User.Role.ADMIN))
    story_upsert(key="older", fields={"title": "Older story", "url": "https://news.example/older", "language": "en",
                                      "desk": english_desk, "published_at": now - timedelta(days=2)}, now=now)

    page = text_of(admin.get(STORIES))
    assert page.index("섬마을 도서관") < page.index("Night buses stay") < page.index("Older story")
    assert "섬마을 도서관" not in text_of(admin.get(STORIES + "?desk=english"))


def test_closing_a_story_refuses_new_comments(as_editor, story):
    """After "closed now" the reader API answers 409 to a new comment."""
    assert save_settings(as_editor, commenting="closed").status_code == 302

    response = as_editor.post(f"/api/v1/stories/{story.key}/comments", {"body": "Too late?"},
                              content_type="application/json")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "story_closed"


def test_close_after_days_counts_from_saving(as_editor, story, now):
    """"Close after 7 days" keeps the story open and sets its closing time 7 days from now."""
    save_settings(as_editor, commenting="close_after", days="7")

    story.refresh_from_db()
    assert (story.state, story.closes_at) == (Story.State.OPEN, now + timedelta(days=7))


def test_reopening_clears_the_closing_time(as_editor, story, now):
    """"Open" removes a closing time set earlier."""
    story_upsert(key=story.key, fields={"closes_at": now + timedelta(days=1)}, now=now)

    save_settings(as_editor, commenting="open")

    story.refresh_from_db()
    assert (story.state, story.closes_at) == (Story.State.OPEN, None)


def test_sensitive_flag_is_saved(as_editor, story):
    """Ticking "sensitive story" saves the flag."""
    save_settings(as_editor, sensitive="on")

    story.refresh_from_db()
    assert story.sensitive is True


def test_each_change_is_audited(as_editor, editor, story, now):
    """One audit row per changed field, with who, when, before and after; unchanged fields write none."""
    save_settings(as_editor, commenting="close_after", days="3", sensitive="on")

    rows = {c.field: (c.actor, c.changed_at, c.old, c.new) for c in StorySettingChange.objects.filter(story=story)}
    assert rows == {
        "closes_at": (editor, now, "", (now + timedelta(days=3)).isoformat()),
        "sensitive": (editor, now, "false", "true"),
    }


def test_story_page_shows_message_and_history(as_editor, story):
    """After saving, the page says what was saved and lists the change with the editor's name."""
    response = save_settings(as_editor, commenting="closed")

    page = text_of(as_editor.get(response.url))
    assert "Saved. Commenting: closed" in page
    assert "edna Commenting open closed" in page


def test_close_after_without_days_keeps_choice(as_editor, story):
    """"Close after" without a number of days is refused with a message, the choice kept, nothing saved."""
    response = save_settings(as_editor, commenting="close_after", days="")

    assert response.status_code == 422
    assert "Give the number of days" in text_of(response)
    assert b'value="close_after" checked' in response.content
    assert not StorySettingChange.objects.exists()


def test_settings_changed_meanwhile_are_not_overwritten(as_editor, story, now):
    """A form opened before another change is refused (409), so the other change is not undone silently."""
    stale = form_values(as_editor, STORY)
    story_upsert(key=story.key, fields={"state": "closed"}, now=now)

    response = as_editor.post(STORY, {**stale, "sensitive": "on"})

    assert response.status_code == 409
    story.refresh_from_db()
    assert (story.state, story.sensitive) == (Story.State.CLOSED, False)


def test_rewording_a_rule_keeps_the_old_version(as_editor, english_desk, now):
    """A reworded rule is a new row; the old row is kept, retired, with its wording."""
    old = HouseRule.objects.current().get(desk=english_desk, number=1)

    save_rules(as_editor, rule_1="Be civil, also to other readers.")

    old.refresh_from_db()
    assert (old.text, old.retired_at) == ("Be civil.", now)
    assert rules_in_force(english_desk)[0] == (1, "Be civil, also to other readers.")


def test_decision_keeps_the_wording_it_cited(as_editor, english_desk, pending_comment, moderator, now):
    """A rejection under rule 1 still shows rule 1's old wording after the rule is reworded."""
    rule = HouseRule.objects.current().get(desk=english_desk, number=1)
    comment_reject(comment_id=pending_comment.pk, revision_id=pending_comment.current_revision_id,
                   moderator=moderator, rule=rule, note="", now=now)

    save_rules(as_editor, rule_1="Argue with ideas, not with people.")

    page = text_of(as_editor.get(f"/moderation/comments/{pending_comment.pk}/"))
    assert "1. Be civil." in page
    assert "Argue with ideas" not in page


def test_emptying_a_rule_removes_it(as_editor, english_desk):
    """An emptied rule is retired and the rules after it move up a number."""
    save_rules(as_editor, rule_2="")

    assert rules_in_force(english_desk) == [(1, "Be civil."), (2, "Stay on topic.")]


def test_new_rule_is_added_last(as_editor, english_desk):
    """Text in the empty field becomes the next rule number."""
    save_rules(as_editor, rule_new="No spam.")

    assert rules_in_force(english_desk)[-1] == (4, "No spam.")


def test_too_long_rule_is_refused_with_text_kept(as_editor, english_desk):
    """A rule over 1000 characters gets a message naming the limit; the typed text comes back; nothing saved."""
    long_text = "Be civil. " * 101

    response = save_rules(as_editor, rule_1=long_text)

    assert response.status_code == 422
    assert "Rule 1 is 1,009 characters long; a house rule can be at most 1,000 characters." in text_of(response)
    textarea = lxml.html.fromstring(response.content).get_element_by_id("rule_1")
    assert textarea.text == long_text
    assert rules_in_force(english_desk)[0] == (1, "Be civil.")


def test_retired_versions_are_listed_with_dates(as_editor, english_desk, now):
    """The rules page lists earlier wordings with the time they were in force."""
    save_rules(as_editor, rule_3="Stay on the story's topic.")

    page = text_of(as_editor.get(RULES))
    earlier = page[page.rindex("Earlier versions"):]
    assert f"3 Stay on topic. {now:%Y-%m-%d %H:%M} to {now:%Y-%m-%d %H:%M}" in earlier


def test_rule_text_is_shown_as_text(as_editor, english_desk):
    """Markup in a rule is stored verbatim and shown escaped."""
    save_rules(as_editor, rule_new="<b>No</b> links.")

    content = as_editor.get(RULES).content.decode()
    assert "&lt;b&gt;No&lt;/b&gt; links." in content and "<b>No</b>" not in content
    assert rules_in_force(english_desk)[-1] == (4, "<b>No</b> links.")


def test_rules_page_links_the_desks_languages(signed_in, korean_desk, now):
    """The rules page lists every language of the desk, each linking to its rules."""
    korean_desk.languages = ["ko", "en"]
    korean_desk.save()
    client = signed_in(make_moderator("jisoo", [korean_desk], role=User.Role.EDITOR))

    doc = lxml.html.fromstring(client.get("/moderation/rules/korean/ko/").content)

    hrefs = [a.get("href") for a in doc.xpath('//nav[@aria-label="Languages of this desk"]/a')]
    assert hrefs == ["/moderation/rules/korean/ko/", "/moderation/rules/korean/en/"]
    assert client.get("/moderation/rules/korean/en/").status_code == 200


def test_rules_changed_meanwhile_are_not_overwritten(as_editor, english_desk, now):
    """A rules form opened before another editor's save is refused (409) and keeps the typed text."""
    stale = form_values(as_editor, RULES)
    save_rules(as_editor, rule_new="No spam.")

    response = as_editor.post(RULES, {**stale, "rule_1": "Be kind."})

    assert response.status_code == 409
    assert "Be kind." in response.content.decode()
    assert rules_in_force(english_desk)[0] == (1, "Be civil.")
    assert rules_in_force(english_desk)[-1] == (4, "No spam.")


def test_settings_form_requires_csrf(as_editor, story):
    """A post without the CSRF token is refused."""
    as_editor.handler.enforce_csrf_checks = True

    assert as_editor.post(STORY, {"commenting": "closed", "seen": "open||0"}).status_code == 403
    story.refresh_from_db()
    assert story.state == Story.State.OPEN
