"""Routing to the desk of the comment's language, and a moderator's re-routing with its audit row."""
import django_otp
import pytest
from django.db.models import QuerySet
from django.urls import reverse

from tests.conftest import make_moderator
from voxpop.comments.models import Comment
from voxpop.common import clock
from voxpop.desks.models import Desk
from voxpop.moderation.models import ModerationDecision
from voxpop.moderation.services import StaleDecision, comment_reroute
from voxpop.scoring.language import detect_language
from voxpop.scoring.routing import desk_for
from voxpop.stories.services import story_upsert

from .test_language import COMMENTS

DESK_LANGUAGES = {
    "korean": ["ko"], "mandarin": ["zh-Hans"], "taiwan": ["zh-Hant"], "cantonese": ["yue"], "tibetan": ["bo"],
    "uyghur": ["ug"], "burmese": ["my"], "vietnamese": ["vi"], "khmer": ["km"], "lao": ["lo"],
}


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch, now):
    monkeypatch.setattr(clock, "now", lambda: now)


@pytest.fixture
def newsroom(english_desk):
    """The English desk (the story's) and one desk per other language of ours, by key."""
    desks = {key: Desk.objects.create(key=key, name=key.title(), languages=languages)
             for key, languages in DESK_LANGUAGES.items()}
    return {"english": english_desk, **desks}


def story_on(desk):
    return story_upsert(key=f"story-{desk.key}", fields={
        "title": "A story", "url": f"https://news.example/{desk.key}", "language": desk.languages[0],
        "desk": desk}, now=clock.now())[0]


# Routing by detected language

@pytest.mark.parametrize("desk_key,language", [
    ("english", "en"), ("korean", "ko"), ("mandarin", "zh-Hans"), ("taiwan", "zh-Hant"), ("cantonese", "yue"),
    ("tibetan", "bo"), ("uyghur", "ug"), ("burmese", "my"), ("vietnamese", "vi"), ("khmer", "km"), ("lao", "lo"),
])
def test_each_language_goes_to_its_desk(newsroom, story, desk_key, language):
    """A comment in a desk's language, on an English story, is routed to that desk."""
    for text in COMMENTS[language]:
        assert desk_for(language=detect_language(text), story=story) == newsroom[desk_key], text


def test_undetermined_goes_to_the_story_desk(newsroom, story):
    """A comment too short to tell stays with the story's desk."""
    assert desk_for(language=detect_language("👍 ok"), story=story) == newsroom["english"]


def test_unclaimed_language_goes_to_the_story_desk(newsroom, story):
    """A language no desk lists (Russian here) stays with the story's desk."""
    assert desk_for(language=detect_language(COMMENTS["ru"][0]), story=story) == newsroom["english"]


def test_tie_prefers_the_story_desk(newsroom):
    """When two desks list the language, the story's desk wins even if the other is older."""
    second_korean = Desk.objects.create(key="korean-2", name="Korean two", languages=["ko", "en"])

    assert desk_for(language="ko", story=story_on(second_korean)) == second_korean


def test_tie_without_the_story_desk_takes_the_lowest_id(newsroom):
    """When several desks list the language and the story's is not one, the oldest desk wins."""
    Desk.objects.create(key="korean-2", name="Korean two", languages=["ko"])

    assert desk_for(language="ko", story=story_on(newsroom["tibetan"])) == newsroom["korean"]


def test_a_narrower_tag_falls_back_to_a_broader_desk(english_desk, story):
    """zh-Hant goes to a desk listing plain "zh" when no desk lists zh-Hant."""
    chinese = Desk.objects.create(key="chinese", name="Chinese", languages=["zh"])

    assert desk_for(language="zh-Hant", story=story) == chinese


def test_exact_tag_beats_a_broader_one(english_desk, story):
    """A desk listing zh-Hant gets zh-Hant before a desk listing plain "zh"."""
    Desk.objects.create(key="chinese", name="Chinese", languages=["zh"])
    taiwan = Desk.objects.create(key="taiwan", name="Taiwan", languages=["zh-Hant"])

    assert desk_for(language="zh-Hant", story=story) == taiwan


def test_cantonese_without_a_cantonese_desk_goes_to_traditional_chinese(english_desk, story):
    """Cantonese is written in Traditional characters: a zh-Hant desk is next best, before plain zh."""
    Desk.objects.create(key="chinese", name="Chinese", languages=["zh"])
    taiwan = Desk.objects.create(key="taiwan", name="Taiwan", languages=["zh-Hant"])

    assert desk_for(language="yue", story=story) == taiwan


def test_plain_chinese_goes_to_a_chinese_desk_preferring_the_story_desk(english_desk):
    """Undecided "zh" goes to a zh-Hans or zh-Hant desk, the story's one if it is among them."""
    Desk.objects.create(key="mandarin", name="Mandarin", languages=["zh-Hans"])
    taiwan = Desk.objects.create(key="taiwan", name="Taiwan", languages=["zh-Hant"])

    assert desk_for(language="zh", story=story_on(taiwan)) == taiwan
    assert desk_for(language="zh", story=story_on(english_desk)).key == "mandarin"


def test_desk_tags_compare_case_insensitively_and_regions_imply_scripts(english_desk, story):
    """A desk listing "ZH-tw" moderates zh-Hant comments."""
    taiwan = Desk.objects.create(key="taiwan", name="Taiwan", languages=["ZH-tw"])

    assert desk_for(language="zh-Hant", story=story) == taiwan


def test_a_desk_change_applies_to_the_next_comment(english_desk, story):
    """Desk languages are read per comment: an editor's change needs no restart."""
    korean = Desk.objects.create(key="korean", name="Korean", languages=[])
    assert desk_for(language="ko", story=story) == english_desk

    korean.languages = ["ko"]
    korean.save()

    assert desk_for(language="ko", story=story) == korean


# Re-routing by a moderator

def test_reroute_moves_the_comment_and_writes_an_audit_row(korean_desk, korean_moderator, story, submit, now):
    """The comment changes desk and language; the decision row keeps the status and says what moved."""
    comment = submit(story, body="A reader's comment.")

    decision = comment_reroute(comment_id=comment.pk, desk=korean_desk, language="KO", moderator=korean_moderator,
                               now=now)

    comment.refresh_from_db()
    assert (comment.desk, comment.language, comment.status) == (korean_desk, "ko", "pending")
    assert (decision.action, decision.actor, decision.from_status, decision.to_status, decision.revision_id,
            decision.note) == ("route", korean_moderator, "pending", "pending", comment.current_revision_id,
                               "desk english → korean, language en → ko")


def test_reroute_to_where_it_already_is_writes_nothing(moderator, story, submit, now):
    """Nothing moved, nothing recorded."""
    comment = submit(story)

    assert comment_reroute(comment_id=comment.pk, desk=story.desk, language="en", moderator=moderator,
                           now=now) is None
    assert not ModerationDecision.objects.exists()


def test_reroute_refuses_a_malformed_language(korean_desk, moderator, story, submit, now):
    """The language must be shaped like a BCP 47 tag."""
    comment = submit(story)

    with pytest.raises(ValueError):
        comment_reroute(comment_id=comment.pk, desk=korean_desk, language="Korean!", moderator=moderator, now=now)
    comment.refresh_from_db()
    assert comment.desk == story.desk


def test_reroute_that_lost_a_race_is_stale(korean_desk, moderator, story, submit, now, monkeypatch):
    """If the comment moved between reading and writing, the re-route is refused, not applied twice."""
    comment = submit(story)
    real_get = QuerySet.get

    def get_then_another_moderator_moves_it(self, *args, **kwargs):
        seen = real_get(self, *args, **kwargs)
        Comment.objects.filter(pk=seen.pk).update(language="und")
        return seen
    monkeypatch.setattr(QuerySet, "get", get_then_another_moderator_moves_it)

    with pytest.raises(StaleDecision):
        comment_reroute(comment_id=comment.pk, desk=korean_desk, language="ko", moderator=moderator, now=now)
    assert not ModerationDecision.objects.exists()


# End to end: submission through the API, the Korean desk's queue, and back through the workspace

def signed_in(client, user):
    device = next(django_otp.devices_for_user(user))
    client.force_login(user)
    session = client.session
    session[django_otp.DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def queue_of(client, user, token_for):
    response = client.get("/api/v1/moderation/queue", headers={"Authorization": f"Bearer {token_for(user)}"})
    assert response.status_code == 200
    return response.json()["comments"]


def test_korean_comment_on_an_english_story_reaches_the_korean_desk_and_can_be_sent_back(
        client, story, korean_desk, moderator, korean_moderator, token_for):
    """Submission routes by language; a Korean moderator re-routes it to the English desk with an audit row."""
    body = "야간 버스 노선이 줄어들면 새벽에 퇴근하는 사람들은 어떻게 하라는 건가요?"
    posted = client.post(f"/api/v1/stories/{story.key}/comments", {"body": body}, content_type="application/json")
    assert posted.status_code == 202
    comment_id = posted.json()["id"]

    [queued] = queue_of(client, korean_moderator, token_for)
    assert (queued["id"], queued["language"], queued["desk"]) == (comment_id, "ko", "korean")
    assert queue_of(client, moderator, token_for) == []

    response = signed_in(client, korean_moderator).post(
        reverse("workspace:route", args=[comment_id]), {"desk": "english", "language": "ko"})

    assert response.status_code == 302 and response["Location"] == reverse("workspace:queue")  # left their queue
    assert queue_of(client, korean_moderator, token_for) == []
    assert [c["id"] for c in queue_of(client, moderator, token_for)] == [comment_id]
    decision = ModerationDecision.objects.get(comment_id=comment_id)
    assert (decision.action, decision.actor, decision.from_status, decision.to_status, decision.note) == (
        "route", korean_moderator, "pending", "pending", "desk korean → english, language ko → ko")


def test_the_comment_page_offers_every_desk_for_routing(client, story, korean_desk, moderator, submit):
    """The route form lists all desks, not only the moderator's, with the detected language filled in."""
    comment = submit(story)

    page = signed_in(client, moderator).get(reverse("workspace:comment", args=[comment.pk])).content.decode()

    assert f'action="{reverse("workspace:route", args=[comment.pk])}"' in page
    assert '<option value="korean">' in page and '<option value="english" selected>' in page
    assert 'name="language" id="route-language" value="en"' in page


def test_route_with_a_malformed_language_moves_nothing(client, story, korean_desk, moderator, submit):
    """A language that is not a tag is refused with a message; the comment stays."""
    comment = submit(story)

    response = signed_in(client, moderator).post(reverse("workspace:route", args=[comment.pk]),
                                                 {"desk": "korean", "language": "Korean please"}, follow=True)

    assert "give a language tag" in response.content.decode()
    comment.refresh_from_db()
    assert comment.desk == story.desk and not ModerationDecision.objects.exists()


def test_route_of_another_desks_comment_is_404(client, story, korean_desk, submit):
    """A moderator cannot route a comment they cannot see."""
    comment = submit(story)
    outsider = make_moderator("kim", [korean_desk])

    response = signed_in(client, outsider).post(reverse("workspace:route", args=[comment.pk]),
                                                {"desk": "korean", "language": "ko"})

    assert response.status_code == 404
    assert not ModerationDecision.objects.exists()
