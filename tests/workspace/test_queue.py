"""The queue page: which comments a moderator sees, in what order, with which counts and flags."""
from datetime import timedelta

import lxml.html
import pytest

from tests.conftest import make_moderator
from voxpop.accounts.models import User
from voxpop.moderation import selectors
from voxpop.comments.models import Comment
from voxpop.comments.services import comment_submit
from voxpop.desks.selectors import house_rule_get
from voxpop.moderation.services import comment_approve, comment_edit, comment_reject, restriction_create
from voxpop.stories.services import story_upsert
from voxpop.workspace.views import QUEUE_PAGE_SIZE

pytestmark = pytest.mark.usefixtures("frozen_clock")


@pytest.fixture
def post(story, now):
    """A reader comment on `story` (or `on`), `ago` before now, from commenter `key`."""
    def make(body="A reader's comment.", *, on=None, ago=timedelta(minutes=5), key="reader-key", name=""):
        return comment_submit(story=on or story, body=body, display_name=name, parent_id=None, submission_key=None,
                              commenter_key=key, now=now - ago).comment
    return make


@pytest.fixture
def queue(client, signed_in, moderator):
    """GET the queue as the English-desk moderator; returns the parsed page."""
    signed_in(moderator)

    def get(query=""):
        response = client.get(f"/moderation/{query}")
        assert response.status_code == 200
        return lxml.html.fromstring(response.content)
    return get


def ids(page) -> list[int]:
    return [int(li.get("data-comment")) for li in page.xpath('//li[contains(@class, "mw-item")]')]


def item(page, comment):
    return page.xpath(f'//li[@id="c{comment.pk}"]')[0]


def counts(page) -> dict[str, int]:
    tabs = [a.text_content().split() for a in page.xpath('//nav[@class="mw-tabs"]/a')]
    return {name.lower(): int(n) for name, n in tabs}


def test_pending_oldest_first(queue, post):
    """The default queue lists pending comments by time received, the longest waiting first."""
    middle = post(ago=timedelta(hours=2))
    newest = post(ago=timedelta(minutes=1))
    oldest = post(ago=timedelta(hours=5))

    assert ids(queue()) == [oldest.pk, middle.pk, newest.pk]


def test_pending_newest_first_on_request(queue, post):
    """order=newest reverses the pending queue."""
    older, newer = post(ago=timedelta(hours=2)), post(ago=timedelta(hours=1))

    assert ids(queue("?order=newest")) == [newer.pk, older.pk]


def test_only_pending_comments_in_the_pending_queue(queue, post, moderator, now):
    """Approved comments leave the pending queue."""
    done, waiting = post(), post()
    comment_approve(comment_id=done.pk, revision_id=done.current_revision_id, moderator=moderator, now=now)

    assert ids(queue()) == [waiting.pk]


def test_counts_per_status(queue, post, moderator, english_desk, now):
    """Each queue tab shows how many comments it holds."""
    a, r, *_ = [post() for _ in range(5)]
    comment_approve(comment_id=a.pk, revision_id=a.current_revision_id, moderator=moderator, now=now)
    comment_reject(comment_id=r.pk, revision_id=r.current_revision_id, moderator=moderator, note="", now=now,
                   rule=house_rule_get(desk=english_desk, language="en", number=1))

    assert counts(queue()) == {"pending": 3, "approved": 1, "rejected": 1}


def test_decided_counts_stop_at_the_cap(queue, post, moderator, monkeypatch, now):
    """Approved and rejected only grow, so past the cap the tab says "N+" instead of counting them all."""
    monkeypatch.setattr(selectors, "COUNT_CAP", 2)
    for comment in [post() for _ in range(3)]:
        comment_approve(comment_id=comment.pk, revision_id=comment.current_revision_id, moderator=moderator, now=now)
    post()

    tabs = [a.text_content().split() for a in queue().xpath('//nav[@class="mw-tabs"]/a')]

    assert tabs == [["Pending", "1"], ["Approved", "2+"], ["Rejected", "0"]]


def test_approved_tab_lists_published_newest_first(queue, post, moderator, now):
    """status=approved lists approved comments, the most recently published first."""
    first, second, _still_pending = post(), post(), post()
    for comment, minutes in ((first, 1), (second, 2)):
        comment_approve(comment_id=comment.pk, revision_id=comment.current_revision_id, moderator=moderator,
                        now=now + timedelta(minutes=minutes))

    page = queue("?status=approved")

    assert ids(page) == [second.pk, first.pk]
    assert not page.xpath('//form[contains(@class, "mw-approve")]')


def test_rejected_tab_lists_rejected(queue, post, moderator, english_desk, now):
    """status=rejected lists the rejected comments only."""
    rejected, _ = post(), post()
    comment_reject(comment_id=rejected.pk, revision_id=rejected.current_revision_id, moderator=moderator, note="",
                   rule=house_rule_get(desk=english_desk, language="en", number=1), now=now)

    assert ids(queue("?status=rejected")) == [rejected.pk]


def test_unknown_status_shows_pending(queue, post):
    """A made-up status falls back to the pending queue rather than failing."""
    comment = post()

    assert ids(queue("?status=deleted")) == [comment.pk]


def test_filter_by_story(queue, post, english_desk, now):
    """story=<key> keeps only that story's comments."""
    ferry = story_upsert(key="ferry-fares", fields={
        "title": "Ferry fares rise", "url": "https://news.example/ferry-fares", "language": "en",
        "desk": english_desk, "published_at": now - timedelta(hours=1)}, now=now)[0]
    on_ferry, _ = post(on=ferry), post()

    assert ids(queue("?story=ferry-fares")) == [on_ferry.pk]


def test_filter_by_language(queue, post):
    """language=<tag> keeps only comments detected in that language."""
    english, chinese = post(), post("夜班巴士很重要。")
    Comment.objects.filter(pk=chinese.pk).update(language="zh-Hans")

    assert ids(queue("?language=zh-Hans")) == [chinese.pk]
    assert ids(queue("?language=en")) == [english.pk]


def test_search_in_comment_text(queue, post):
    """q= finds comments whose current text contains the words, ignoring case."""
    match, _ = post("The FERRY is always late."), post("Buses are fine.")

    assert ids(queue("?q=ferry")) == [match.pk]


def test_search_in_display_name(queue, post):
    """q= also finds comments by display name."""
    match, _ = post(name="Harbour Watcher"), post(name="Someone")

    assert ids(queue("?q=harbour+watcher")) == [match.pk]


def test_search_finds_edited_text_not_the_replaced_original(queue, post, moderator, english_desk, now):
    """Search looks at the current revision: a masked phone number is no longer found."""
    comment = post("Call me on 555-0100.")
    comment_edit(comment_id=comment.pk, revision_id=comment.current_revision_id, moderator=moderator,
                 body="Call me on [removed].", rule=house_rule_get(desk=english_desk, language="en", number=2),
                 note="", approve=False, now=now)

    assert ids(queue("?q=555-0100")) == []
    assert ids(queue("?q=removed")) == [comment.pk]


def test_filter_by_desk(client, signed_in, post, english_desk, korean_desk, korean_story):
    """desk=<key> narrows a multi-desk moderator's queue, and its counts, to that desk."""
    signed_in(make_moderator("polly", [english_desk, korean_desk]))
    english, korean = post(), post("도서관", on=korean_story)

    everything = lxml.html.fromstring(client.get("/moderation/").content)
    korean_only = lxml.html.fromstring(client.get("/moderation/?desk=korean").content)

    assert set(ids(everything)) == {english.pk, korean.pk}
    assert ids(korean_only) == [korean.pk]
    assert counts(korean_only)["pending"] == 1


def test_admin_can_filter_any_desk(client, signed_in, post, korean_story):
    """An admin's desk filter offers and applies every desk."""
    signed_in(make_moderator("ada", [], role=User.Role.ADMIN))
    post()
    korean = post("도서관", on=korean_story)

    assert ids(lxml.html.fromstring(client.get("/moderation/?desk=korean").content)) == [korean.pk]


def test_held_commenters_comments_are_flagged(queue, post, moderator, now):
    """A comment whose commenter is on hold is marked in the queue; others are not."""
    restriction_create(desk=moderator.desks.get(), commenter_key="held-key", kind="hold", reason="doxxing earlier", expires_at=None,
                       moderator=moderator, now=now - timedelta(days=1))
    held, free = post(key="held-key"), post(key="other-key")

    page = queue()

    assert "mw-held" in item(page, held).get("class")
    assert "commenter on hold" in item(page, held).text_content()
    assert "mw-held" not in item(page, free).get("class")
    assert "commenter on hold" not in item(page, free).text_content()


def test_expired_hold_no_longer_flags(queue, post, moderator, now):
    """A hold past its expiry no longer marks the commenter's comments."""
    restriction_create(desk=moderator.desks.get(), commenter_key="held-key", kind="hold", reason="cool-down", moderator=moderator,
                       expires_at=now - timedelta(minutes=1), now=now - timedelta(days=2))
    comment = post(key="held-key")

    assert "mw-held" not in item(queue(), comment).get("class")


MARKUP = '<script>alert("x")</script><b>bold</b> <a href="https://evil.example">click</a> &amp;\nsecond line'


def test_markup_in_comments_is_shown_as_text(queue, post):
    """Tags and entities a reader typed appear literally in the queue, never as markup (G2)."""
    comment = post(MARKUP, name="<i>Name</i>")

    page = queue()
    body = item(page, comment).xpath('.//div[@class="mw-body"]')[0]

    assert body.text_content() == MARKUP
    assert not body.xpath(".//*")
    assert not page.xpath('//script[contains(text(), "alert")]')
    assert "<i>Name</i>" in item(page, comment).text_content()


def test_markup_in_comments_is_shown_as_text_on_the_comment_page(client, signed_in, moderator, post):
    """The comment's own page shows the typed markup literally too (G2)."""
    comment = post(MARKUP)
    signed_in(moderator)

    page = lxml.html.fromstring(client.get(f"/moderation/comments/{comment.pk}/").content)

    bodies = page.xpath('//div[@class="mw-body"]')
    assert [b.text_content() for b in bodies] == [MARKUP, MARKUP]  # current text and revision 1
    assert not any(b.xpath(".//*") for b in bodies)
    assert page.xpath('//textarea[@name="body"]')[0].text.lstrip("\n") == MARKUP


def test_queue_pages(queue, post):
    """The queue shows one page at a time; the next page continues where the first ended."""
    comments = [post(ago=timedelta(minutes=100 - i)) for i in range(QUEUE_PAGE_SIZE + 2)]

    first, second = queue(), queue("?page=2")

    assert ids(first) == [c.pk for c in comments[:QUEUE_PAGE_SIZE]]
    assert ids(second) == [c.pk for c in comments[QUEUE_PAGE_SIZE:]]
    assert first.xpath('//a[@rel="next"]/@href')


def test_each_approve_form_points_to_the_next_comment(queue, post):
    """Approving from the queue returns to the following comment: each form carries its id."""
    first, second, third = post(ago=timedelta(hours=3)), post(ago=timedelta(hours=2)), post(ago=timedelta(hours=1))

    page = queue()

    assert item(page, first).xpath('.//form[contains(@class, "mw-approve")]//input[@name="after"]/@value') == [
        str(second.pk)]
    assert item(page, second).xpath('.//form[contains(@class, "mw-approve")]//input[@name="after"]/@value') == [
        str(third.pk)]
    assert not item(page, third).xpath('.//input[@name="after"]')


def test_empty_queue_says_so(queue, db):
    """With nothing pending the queue says there is nothing to do."""
    assert "No pending comments here." in queue().text_content()


def test_commenter_filter_lists_one_commenters_comments(queue, post):
    """commenter=<key> narrows the queue to one pseudonymous commenter, for a bulk decision on a flood."""
    flood = [post(key="flood-key") for _ in range(3)]
    other = post(key="other-key")

    page = queue("?commenter=flood-key")

    ids = [int(li.get("data-comment")) for li in page.xpath('//li[contains(@class, "mw-item")]')]
    assert ids == [c.pk for c in flood] and other.pk not in ids
