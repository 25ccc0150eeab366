"""Link signal: URLs, www. hosts, bare domains and app deep links, with their domains in the label."""
from datetime import datetime, timezone

import pytest

from voxpop.comments.models import Comment
from voxpop.desks.models import Desk
from voxpop.scoring.signals import Context
from voxpop.scoring.signals.links import detect
from voxpop.stories.models import Story

NOW = datetime(2026, 11, 2, 9, 30, tzinfo=timezone.utc)


def context(body: str, language: str = "en") -> Context:
    """A context built from unsaved instances: the detector reads them, never the database."""
    desk = Desk(key=f"desk-{language}", name=language, languages=[language])
    story = Story(key="s", title="t", url="https://news.example/s", language=language, desk=desk)
    comment = Comment(story=story, desk=desk, language=language)
    return Context(comment=comment, body=body, language=language, desk=desk, story=story, now=NOW)


def links(body: str) -> list[str]:
    signals = detect(context(body))
    return [body[start:end] for start, end in signals[0].spans] if signals else []


@pytest.mark.parametrize("body, link", [
    ("See https://example.com/a?b=1.", "https://example.com/a?b=1"),
    ("자세한 내용은 https://news.example.kr/123에서 보세요", "https://news.example.kr/123"),
    ("访问www.example.cn了解更多", "www.example.cn"),
    ("go to example.com, now", "example.com"),
    ("短链 bit.ly/abc123)", "bit.ly/abc123"),
    ("(see https://en.wikipedia.org/wiki/Foo_(bar))", "https://en.wikipedia.org/wiki/Foo_(bar)"),
    ("네이버 naver.co.kr 참고", "naver.co.kr"),
    ("join t.me/harbour_news", "t.me/harbour_news"),
    ("扫码 weixin://dl/chat?abc 加我", "weixin://dl/chat?abc"),
    ("tg://resolve?domain=harbour", "tg://resolve?domain=harbour"),
    ("Tor: http://abcdefghijklmnop.onion/x", "http://abcdefghijklmnop.onion/x"),
])
def test_link_is_found_without_trailing_punctuation_or_text(body, link):
    """The span covers the link and stops at punctuation and at the Korean or Chinese that follows."""
    assert links(body) == [link]


@pytest.mark.parametrize("body", [
    "Many cities, e.g. Seoul, run night buses.",
    "The report.pdf and data.json files, version 2.0.1.",
    "It was fine.It was not.",
    "The meeting is at 3.30pm, i.e. after lunch.",
    "Write to jane@example.com instead.",
    "Unzip archive.tar.gz first.",
])
def test_abbreviation_file_name_version_or_email_is_not_a_link(body):
    """"e.g.", file names, version numbers, a missing space and e-mail addresses are not links."""
    assert detect(context(body)) == []


def test_several_links_make_one_signal_labelled_with_their_domains():
    """All links go in one Signal; the label lists each domain once, without "www."."""
    body = "https://www.example.com/a, example.com/b 그리고 t.me/harbour_news"
    (signal,) = detect(context(body))
    assert [body[s:e] for s, e in signal.spans] == [
        "https://www.example.com/a", "example.com/b", "t.me/harbour_news"]
    assert signal.label == "Link: example.com, t.me"
    assert (signal.name, signal.weight, signal.personal) == ("link", 0.3, False)


def test_label_names_a_deep_link_by_its_scheme():
    """A deep link has no host worth naming; the label gives the app's scheme instead."""
    (signal,) = detect(context("加我 weixin://dl/chat?abc"))
    assert signal.label == "Link: weixin://"


def test_link_span_counts_code_points_after_an_emoji():
    """Spans are code-point offsets: an astral emoji before the link counts as one."""
    body = "🔗🔗 example.com"
    (signal,) = detect(context(body))
    assert signal.spans == ((3, 14),)


def test_link_that_does_not_parse_is_still_reported():
    """A malformed URL a reader typed is a link all the same; it must not break scoring."""
    (signal,) = detect(context("see http://[oops/path here"))
    assert signal.label == "Link: [oops"
