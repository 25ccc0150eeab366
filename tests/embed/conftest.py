"""A site that embeds Voxpop: the English desk's CMS at https://news.example."""
import pytest

from voxpop.embed.services import site_create

ORIGIN = "https://news.example"


@pytest.fixture
def site(english_desk, now):
    return site_create(name="harbour-times", origins=[ORIGIN], desk_keys=[english_desk.key], now=now)
