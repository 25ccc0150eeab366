"""Sites: their origins are exact origins, and `voxpop site` manages them as an operator would."""
from urllib.parse import parse_qsl

import pytest

from voxpop.cli import main
from voxpop.embed.models import Site
from voxpop.embed.registration import story_for_embed
from voxpop.embed.services import SiteRefused, origin_normalize
from voxpop.stories.models import Story


@pytest.mark.parametrize("given,origin", [
    ("https://News.Example/", "https://news.example"),
    ("https://news.example:443", "https://news.example"),
    ("http://localhost:8080", "http://localhost:8080"),
    ("https://bücher.example", "https://xn--bcher-kva.example"),
    ("http://[::1]:9000", "http://[::1]:9000"),
])
def test_origins_are_stored_as_browsers_send_them(given, origin):
    """Case, default ports, a bare slash and Unicode host names become the `Origin` header's form."""
    assert origin_normalize(given) == origin


@pytest.mark.parametrize("given", ["news.example", "https://news.example/section", "https://*.news.example",
                                   "ftp://news.example", "https://user@news.example", "null", "*",
                                   "https://news.example?x=1", "https://news.example:99999"])
def test_anything_but_an_origin_is_refused(given):
    """A path, wildcard, user name, other scheme or bad port is refused: the value becomes a CSP source."""
    with pytest.raises(SiteRefused):
        origin_normalize(given)


def test_add_prints_only_the_secret(english_desk, capsys):
    """`voxpop site add` stores the normalized origins and desks and prints the secret alone on stdout."""
    assert main(["site", "add", "harbour-times", "--origin", "https://News.Example/", "--desk", "english"]) == 0

    out, err = capsys.readouterr()
    site = Site.objects.get()
    assert out.strip() == site.secret and len(site.secret) >= 40
    assert site.origins == ["https://news.example"] and [d.key for d in site.desks.all()] == ["english"]
    assert site.secret not in err


def test_add_refuses_a_bad_origin_and_stores_nothing(english_desk, capsys):
    """A refused origin is named on stderr, with exit status 1."""
    assert main(["site", "add", "harbour-times", "--origin", "https://news.example/path"]) == 1

    assert "has more than an origin" in capsys.readouterr().err
    assert not Site.objects.exists()


def test_sign_prints_parameters_that_register_the_story(english_desk, capsys, now):
    """The query string `voxpop site sign` prints is what story_for_embed accepts."""
    main(["site", "add", "harbour-times", "--origin", "https://news.example", "--desk", "english"])
    capsys.readouterr()

    assert main(["site", "sign", "harbour-times", "--key", "ferry-strike", "--title", "Ferry workers strike",
                 "--url", "https://news.example/ferry", "--language", "en", "--desk", "english"]) == 0

    params = dict(parse_qsl(capsys.readouterr().out.strip()))
    story = story_for_embed(key="ferry-strike", params=params, now=now)
    assert story == Story.objects.get(key="ferry-strike")


def test_rotated_secret_voids_earlier_signatures(english_desk, capsys, now):
    """After `voxpop site rotate-secret`, parameters signed with the old secret register nothing."""
    main(["site", "add", "harbour-times", "--origin", "https://news.example", "--desk", "english"])
    main(["site", "sign", "harbour-times", "--key", "ferry-strike", "--title", "T", "--url", "https://news.example/f",
          "--language", "en", "--desk", "english"])
    params = dict(parse_qsl(capsys.readouterr().out.strip().splitlines()[-1]))

    assert main(["site", "rotate-secret", "harbour-times"]) == 0

    assert story_for_embed(key="ferry-strike", params=params, now=now) is None
