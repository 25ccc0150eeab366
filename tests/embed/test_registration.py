"""A CMS template alone opens comments on a new story, with parameters signed by the site's secret."""
from datetime import timedelta

import pytest

from voxpop.embed.registration import story_for_embed
from voxpop.embed.services import site_create
from voxpop.embed.signing import registration_message, registration_sign
from voxpop.stories.models import Story
from voxpop.webhooks.models import Delivery
from voxpop.webhooks.services import endpoint_create


def signed(site, *, key="ferry-strike", now, secret=None, **changes):
    """The query parameters a CMS template puts on the embed URL of story `key`, as request.GET gives them."""
    fields = {"site": site.name, "key": key, "title": "Ferry workers strike", "url": "https://news.example/ferry",
              "language": "en", "desk": "english", "expires": str(int((now + timedelta(days=7)).timestamp()))}
    params = {name: value for name, value in fields.items() if name != "key"}
    params["signature"] = registration_sign(secret=secret or site.secret, fields=fields)
    params.update(changes)
    return params


def test_valid_signature_creates_the_story(site, now):
    """An unknown key with a valid signature becomes a story with the signed title, url, language and desk."""
    story = story_for_embed(key="ferry-strike", params=signed(site, now=now), now=now)

    assert story == Story.objects.get(key="ferry-strike")
    assert (story.title, story.url, story.language, story.desk.key) == (
        "Ferry workers strike", "https://news.example/ferry", "en", "english")
    assert story.published_at == now and story.state_at(now) == Story.State.OPEN


def test_registration_sends_the_story_created_webhook(site, now):
    """A story opened by an embed is announced like one created through the API."""
    endpoint_create(url="https://cms.example/hooks", events=["story.created"], now=now)

    story_for_embed(key="ferry-strike", params=signed(site, now=now), now=now)

    assert Delivery.objects.filter(event="story.created").count() == 1


def test_expired_signature_is_refused(site, now):
    """Past its expiry, a signature registers nothing: the key stays unknown (the page answers 404)."""
    params = signed(site, now=now - timedelta(days=8))

    assert story_for_embed(key="ferry-strike", params=params, now=now) is None
    assert not Story.objects.filter(key="ferry-strike").exists()


@pytest.mark.parametrize("field,value", [("title", "Ferry workers strike!"), ("desk", "korean"),
                                         ("expires", "9999999999"), ("url", "https://evil.example/ferry")])
def test_tampered_parameter_is_refused(site, now, korean_desk, field, value):
    """Changing any signed parameter after signing voids the signature."""
    params = signed(site, now=now, **{field: value})

    assert story_for_embed(key="ferry-strike", params=params, now=now) is None
    assert not Story.objects.exists()


def test_signature_for_another_key_is_refused(site, now):
    """A signature is for one key: reusing it on another key registers nothing."""
    params = signed(site, key="ferry-strike", now=now)

    assert story_for_embed(key="other-story", params=params, now=now) is None


def test_signature_of_another_site_is_refused(site, english_desk, now):
    """Parameters naming one site but signed with another site's secret are refused."""
    other = site_create(name="other-paper", origins=["https://other.example"], desk_keys=["english"], now=now)

    params = signed(site, now=now, secret=other.secret)

    assert story_for_embed(key="ferry-strike", params=params, now=now) is None


def test_site_cannot_open_stories_on_a_desk_not_its_own(site, korean_desk, now):
    """A validly signed story on a desk the site was not given stays unregistered."""
    params = signed(site, now=now, desk="korean", language="ko")
    params["signature"] = registration_sign(secret=site.secret, fields={**params, "key": "ferry-strike"})

    assert story_for_embed(key="ferry-strike", params=params, now=now) is None


def test_unsigned_unknown_story_is_none(site, now):
    """Without a signature an unknown key is unknown, as before."""
    assert story_for_embed(key="ferry-strike", params={"title": "Ferry workers strike"}, now=now) is None


def test_known_story_is_returned_and_never_changed_by_parameters(story, site, now):
    """A registered story comes back as it is, whatever the embed parameters say (even unsigned ones)."""
    found = story_for_embed(key=story.key, params={"title": "Rewritten", "signature": "0" * 64}, now=now)

    assert found == story
    story.refresh_from_db()
    assert story.title == "Night buses stay"


def test_message_refuses_line_breaks():
    """A line break inside a field would let two different field sets sign the same message."""
    fields = {"site": "s", "key": "k", "title": "a\nb", "url": "u", "language": "en", "desk": "d", "expires": "1"}

    with pytest.raises(ValueError):
        registration_message(fields)


def test_signed_page_registers_the_story_through_the_thread_page(client, site, now):
    """The embed URL with signed parameters opens the thread of a story Voxpop did not know."""
    params = signed(site, now=now)
    params["expires"] = str(int(now.timestamp()) + 10**8)  # the page runs on today's clock, not `now`
    params["signature"] = registration_sign(secret=site.secret, fields={**params, "key": "ferry-strike"})

    assert client.get("/stories/ferry-strike/comments/").status_code == 404
    response = client.get("/stories/ferry-strike/comments/", params)

    assert response.status_code == 200, "the reader view must call voxpop.embed.registration.story_for_embed"
    assert Story.objects.filter(key="ferry-strike").exists()
