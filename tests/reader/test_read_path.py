"""The cached read path (voxpop.reader.fastpath): a thread read is served without Django or the
database once rendered, changes at the next publication, and never caches anything per reader."""
import threading
import time
from urllib.parse import urlencode

import lxml.html
import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from voxpop.comments.models import Comment
from voxpop.common import thread_cache
from voxpop.desks.services import house_rules_set
from voxpop.embed import cors
from voxpop.embed.services import site_create
from voxpop.moderation.services import comment_approve, comment_edit
from voxpop.reader import fastpath
from voxpop.reader.form_token import form_token_read
from voxpop.stories.services import story_upsert

THREAD = "/stories/harbour-buses/comments/"


@pytest.fixture(autouse=True)
def fresh_cache(settings):
    """Every test starts with an empty thread cache of its own (a new key prefix in a shared Redis)."""
    settings.CACHES = {**settings.CACHES,
                       "threads": {**settings.CACHES["threads"], "KEY_PREFIX": f"test-{time.monotonic_ns()}"}}


@pytest.fixture(autouse=True)
def keep_test_connection():
    """As Django's test client does: the test's transaction must outlive each request."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


class Counting:
    """Django's WSGI application, counting the requests that reach it."""

    def __init__(self, delay: float = 0.0):
        self.django, self.calls, self.delay = WSGIHandler(), 0, delay

    def __call__(self, environ, start_response):
        self.calls += 1
        time.sleep(self.delay)
        return self.django(environ, start_response)


def get(app, path=THREAD, **headers):
    environ = RequestFactory().get(path, **headers).environ
    status, sent = [], []
    body = b"".join(app(environ, lambda s, h, exc_info=None: (status.append(s), sent.extend(h))))
    return int(status[0].split()[0]), dict(sent), body


def published(story, submit, moderator, now, body):
    comment = submit(story, body=body)
    comment_approve(comment_id=comment.pk, revision_id=comment.current_revision_id, moderator=moderator, now=now)
    return comment


def test_second_read_makes_no_database_query_and_does_not_reach_django(story, submit, moderator, now):
    """A cache hit is answered by the read path alone: zero queries, Django not called."""
    published(story, submit, moderator, now, "Bus 7 was late again.")
    app = fastpath.ThreadReadPath(inner := Counting())
    first = get(app)

    with CaptureQueriesContext(connection) as queries:
        second = get(app)

    assert len(queries) == 0 and inner.calls == 1
    assert (first[0], second[0]) == (200, 200)
    assert "Bus 7 was late again." in second[2].decode()
    assert second[1]["Cache-Control"] == "public, max-age=10, stale-while-revalidate=30"
    assert second[1]["ETag"] == first[1]["ETag"]
    assert second[1]["Content-Security-Policy"] == first[1]["Content-Security-Policy"]


def test_another_worker_serves_the_rendering_of_the_first(story):
    """Workers share renderings through the cache: a second worker's first read is a hit too."""
    get(fastpath.ThreadReadPath(Counting()))
    other = fastpath.ThreadReadPath(inner := Counting())

    with CaptureQueriesContext(connection) as queries:
        status, _, _ = get(other)

    assert (status, len(queries), inner.calls) == (200, 0, 0)


def test_matching_if_none_match_gets_304_without_a_body(story):
    """A browser or proxy holding the current version gets 304 Not Modified."""
    app = fastpath.ThreadReadPath(Counting())
    _, headers, _ = get(app)

    status, again, body = get(app, HTTP_IF_NONE_MATCH=headers["ETag"])

    assert (status, body) == (304, b"")
    assert again["ETag"] == headers["ETag"]
    assert get(app, HTTP_IF_NONE_MATCH='W/"something-else"')[0] == 200


def test_cached_page_holds_no_per_reader_token(story):
    """The stored bytes carry a placeholder; each answer gets the current, valid form token."""
    app = fastpath.ThreadReadPath(Counting())
    _, headers, body = get(app)
    entry = thread_cache.entry_get("harbour-buses", "page:1:oldest")

    [token] = lxml.html.fromstring(body).xpath('//input[@name="token"]/@value')
    assert fastpath.TOKEN_PLACEHOLDER.encode() in entry.body
    assert token.encode() not in entry.body
    assert form_token_read(token) is not None
    assert "Set-Cookie" not in headers


def test_approval_changes_the_thread_at_once(story, submit, moderator, now, django_capture_on_commit_callbacks):
    """After a moderator publishes a comment, the next read shows it: the story's generation moved."""
    app = fastpath.ThreadReadPath(inner := Counting())
    before = get(app)
    comment = submit(story, body="Please add a night line.")

    with django_capture_on_commit_callbacks(execute=True):
        comment_approve(comment_id=comment.pk, revision_id=comment.current_revision_id, moderator=moderator, now=now)
    after = get(app)

    assert "Please add a night line." not in before[2].decode()
    assert "Please add a night line." in after[2].decode()
    assert after[1]["ETag"] != before[1]["ETag"] and inner.calls == 2


def test_edit_of_a_published_comment_replaces_the_cached_text(story, submit, moderator, now,
                                                             django_capture_on_commit_callbacks):
    """A moderator's redaction of a published comment is what the next reader sees."""
    rule = house_rules_set(desk=story.desk, language="en", texts=["No personal data."], now=now)[0]
    comment = published(story, submit, moderator, now, "Call me on 010-1234-5678.")
    app = fastpath.ThreadReadPath(Counting())
    assert "010-1234-5678" in get(app)[2].decode()

    with django_capture_on_commit_callbacks(execute=True):
        comment_edit(comment_id=comment.pk, revision_id=comment.current_revision_id, moderator=moderator,
                     body="Call me on [removed].", rule=rule, note="", approve=False, now=now)

    assert "010-1234-5678" not in get(app)[2].decode()


def test_closing_the_story_removes_the_form_from_the_cached_page(story, now, django_capture_on_commit_callbacks):
    """The CMS closing comments through the story API changes the cached page too."""
    app = fastpath.ThreadReadPath(Counting())
    assert lxml.html.fromstring(get(app)[2]).xpath('//textarea[@name="body"]')

    with django_capture_on_commit_callbacks(execute=True):
        story_upsert(key=story.key, fields={"state": "closed"}, now=now)

    assert not lxml.html.fromstring(get(app)[2]).xpath('//textarea[@name="body"]')


def test_pages_orders_fragment_and_json_are_cached_apart(story, submit, moderator, now):
    """Each page, order and form of the thread is its own entry; all of them hit the second time."""
    published(story, submit, moderator, now, "One.")
    app = fastpath.ThreadReadPath(inner := Counting())
    paths = [THREAD, THREAD + "?order=newest", THREAD + "fragment", "/api/v1/stories/harbour-buses/comments"]
    first = [get(app, p) for p in paths]
    calls = inner.calls

    again = [get(app, p) for p in paths]

    assert calls == 4 and inner.calls == 4
    assert again[3][2] == first[3][2] and again[3][1]["Content-Type"] == "application/json"
    assert "One." in again[3][2].decode()
    assert not lxml.html.fromstring(again[2][2]).xpath("//html/head")


def test_reply_links_and_unusual_queries_go_to_django(story):
    """A reply form (`reply_to`) and a `limit` are rendered per request, never stored."""
    app = fastpath.ThreadReadPath(inner := Counting())

    for _ in range(2):
        get(app, THREAD + "?reply_to=1")
        get(app, "/api/v1/stories/harbour-buses/comments?limit=5")

    assert inner.calls == 4


def test_unknown_story_is_a_404_and_not_stored(db):
    """A miss for a story that does not exist stays a 404, rendered each time."""
    app = fastpath.ThreadReadPath(inner := Counting())

    assert get(app, "/stories/no-such-story/comments/")[0] == 404
    assert get(app, "/stories/no-such-story/comments/")[0] == 404
    assert inner.calls == 2


def test_house_rule_change_reaches_every_cached_thread(story, now, django_capture_on_commit_callbacks):
    """The rules under the form are on every page, so a change of rules invalidates every thread."""
    app = fastpath.ThreadReadPath(Counting())
    get(app)

    with django_capture_on_commit_callbacks(execute=True):
        house_rules_set(desk=story.desk, language="en", texts=["Be kind to drivers."], now=now)

    assert "Be kind to drivers." in get(app)[2].decode()


def test_unreachable_cache_falls_back_to_rendering(story, settings):
    """With the cache server gone, threads are still served, from the database."""
    settings.CACHES = {**settings.CACHES, "threads": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:9/0",
        "OPTIONS": {"socket_timeout": 0.1, "socket_connect_timeout": 0.1}}}
    app = fastpath.ThreadReadPath(inner := Counting())

    assert get(app)[0] == 200 and get(app)[0] == 200
    assert inner.calls == 2


@pytest.mark.django_db(transaction=True)
def test_burst_of_misses_renders_once(english_desk, now):
    """Twenty readers arriving together at an uncached thread cause one rendering (single flight)."""
    story_upsert(key="harbour-buses", fields={"title": "Harbour buses", "url": "https://example.org/b",
                                              "language": "en", "desk": english_desk}, now=now)
    app = fastpath.ThreadReadPath(inner := Counting(delay=0.3))
    results = []

    def read():
        results.append(get(app)[0])
        connection.close()

    readers = [threading.Thread(target=read) for _ in range(20)]
    for reader in readers:
        reader.start()
    for reader in readers:
        reader.join()

    assert results == [200] * 20
    assert inner.calls == 1


def test_answer_to_a_post_is_never_stored(client, story):
    """A refused post's page holds the reader's text: `private, no-store`, whatever the status."""
    data = urlencode({"token": "bad", "body": "My private draft.", "display_name": "", "website": ""})
    response = client.post(THREAD, data, content_type="application/x-www-form-urlencoded")

    assert response.status_code == 422
    assert response["Cache-Control"] == "private, no-store"
    assert Comment.objects.count() == 0


def test_cors_is_decided_per_request_not_stored(story, now):
    """A cached thread gets Access-Control-Allow-Origin only for a listed site's origin, per request."""
    site_create(name="Harbour Times", origins=["https://harbour.example"], desk_keys=[story.desk.key], now=now)
    cors._memo = (0.0, frozenset())  # the read path's five-second memo of the origins
    app = fastpath.ThreadReadPath(inner := Counting())
    listed = {"HTTP_ORIGIN": "https://harbour.example"}

    first = get(app, THREAD + "fragment", **listed)
    other = get(app, THREAD + "fragment", HTTP_ORIGIN="https://elsewhere.example")
    again = get(app, THREAD + "fragment", **listed)

    assert first[1]["Access-Control-Allow-Origin"] == "https://harbour.example"
    assert "Access-Control-Allow-Origin" not in other[1]
    assert again[1]["Access-Control-Allow-Origin"] == "https://harbour.example"
    assert inner.calls == 1


def test_fragment_links_and_form_point_back_to_voxpop(story, settings):
    """Included in a CMS page, the fragment's form and links must reach Voxpop, not the CMS."""
    settings.VOXPOP_PUBLIC_URL = "https://comments.example"
    _, _, body = get(fastpath.ThreadReadPath(Counting()), THREAD + "fragment")

    [action] = lxml.html.fromstring(body).xpath("//form/@action")
    assert action == "https://comments.example" + THREAD + "#vp-form"


def test_publication_on_this_host_is_seen_at_once_within_the_trust_period(
        story, submit, moderator, now, settings, django_capture_on_commit_callbacks):
    """A worker trusting its copy still sees at once what a worker of the same host published."""
    settings.VOXPOP_THREAD_TRUST_SECONDS = 60
    reader, other_worker = fastpath.ThreadReadPath(Counting()), fastpath.ThreadReadPath(Counting())
    get(reader)
    comment = submit(story, body="Seen at once.")

    with django_capture_on_commit_callbacks(execute=True):
        comment_approve(comment_id=comment.pk, revision_id=comment.current_revision_id, moderator=moderator, now=now)

    assert "Seen at once." in get(reader)[2].decode()
    assert "Seen at once." in get(other_worker)[2].decode()


def test_worker_trusts_its_copy_against_other_hosts_for_the_trust_period(story, submit, moderator, now, settings,
                                                                         monkeypatch):
    """A publication on another app host (a new generation in the shared cache, no mark on this host's
    board) reaches a worker when its trust period ends; until then it asks the shared cache nothing."""
    settings.VOXPOP_THREAD_TRUST_SECONDS = 5
    clock_now = [1000.0]
    monkeypatch.setattr(fastpath.time, "monotonic", lambda: clock_now[0])
    app = fastpath.ThreadReadPath(Counting())
    get(app)
    comment = submit(story, body="From another host.")
    comment_approve(comment_id=comment.pk, revision_id=comment.current_revision_id, moderator=moderator, now=now)
    thread_cache._cache().set(thread_cache._story_generation_key(story.key), "other-host")  # no board mark

    reads = []
    monkeypatch.setattr(thread_cache, "generations_read",
                        (lambda real: lambda key: reads.append(key) or real(key))(thread_cache.generations_read))
    clock_now[0] += 4
    within = get(app)
    clock_now[0] += 2
    after = get(app)

    assert "From another host." not in within[2].decode() and "From another host." in after[2].decode()
    assert reads == ["harbour-buses"]


def test_fragment_reply_link_gives_a_reply_form_in_the_story_language(story, submit, moderator, now):
    """A reply link inside an included thread loads a form that replies, marked with the story's language."""
    parent = published(story, submit, moderator, now, "Which bus?")
    _, _, body = get(fastpath.ThreadReadPath(Counting()), f"{THREAD}fragment?reply_to={parent.pk}")
    page = lxml.html.fromstring(body)

    assert page.xpath('//input[@name="parent"]/@value') == [str(parent.pk)]
    assert page.xpath('//section[@id="vp-form"]/@lang') == [story.language]
