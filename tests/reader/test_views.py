"""Reader pages over HTTP: the thread at /stories/{key}/comments/, its no-JavaScript form, and receipts."""
import re
import time
from datetime import timedelta
from urllib.parse import urlencode

import lxml.html
import pytest
from django.contrib.staticfiles import finders
from django.core import signing

from voxpop.comments.models import Comment
from voxpop.comments.selectors import THREAD_PAGE_SIZE
from voxpop.comments.services import receipt_token
from voxpop.reader.views import FORM_MAX_AGE, new_form_token
from voxpop.common import clock
from voxpop.desks.models import HouseRule
from voxpop.moderation.services import comment_approve, comment_edit, comment_reject
from voxpop.stories.services import story_upsert

THREAD = "/stories/harbour-buses/comments/"


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch, now):
    monkeypatch.setattr(clock, "now", lambda: now)


@pytest.fixture
def published(story, submit, moderator, now):
    """Submit and approve a comment on `story`, published at now + `minutes`."""
    def make(body="A reader's comment.", minutes=0, **kwargs):
        comment = submit(story, body=body, **kwargs)
        comment_approve(comment_id=comment.pk, revision_id=comment.current_revision_id, moderator=moderator,
                        now=now + timedelta(minutes=minutes))
        return comment
    return make


@pytest.fixture
def send(client, story):
    """POST the reader form as a browser does (urlencoded), with a fresh form token unless given."""
    def post(body="", url=THREAD, **fields):
        data = {"token": new_form_token(), "body": body, "display_name": "", "website": "", **fields}
        return client.post(url, urlencode(data), content_type="application/x-www-form-urlencoded")
    return post


def html(response):
    return lxml.html.fromstring(response.content)


def bodies(response):
    return [div.text_content() for div in html(response).xpath('//div[contains(@class, "vp-body")]')]


def only_own_scripts(response) -> bool:
    """No script but Voxpop's own static files, none inline: reader text never becomes a script."""
    scripts = html(response).xpath("//script")
    return all(s.get("src", "").startswith("/static/voxpop/") and not (s.text or "").strip() for s in scripts)


def textarea(response):
    return html(response).xpath('//textarea[@name="body"]')[0].text or ""


def errors(response):
    return html(response).xpath('string(//div[@id="vp-form-errors"])')


def rule(story, number):
    return HouseRule.objects.current().get(desk=story.desk, number=number)


# What readers see (G1, G6)

def test_thread_shows_published_comments_only(client, story, submit, published, moderator, now):
    """G1/G6: pending and rejected comments never appear on the thread page."""
    published("Published words")
    submit(story, body="Pending words")
    rejected = submit(story, body="Rejected words")
    comment_reject(comment_id=rejected.pk, revision_id=rejected.current_revision_id, moderator=moderator,
                   rule=rule(story, 1), note="", now=now)

    response = client.get(THREAD)

    assert response.status_code == 200
    assert bodies(response) == ["Published words"]
    assert "Pending words" not in response.content.decode()
    assert "Rejected words" not in response.content.decode()
    assert "1 comment" in html(response).xpath('string(//h2[@id="vp-comments-heading"])')


def test_empty_thread_says_so(client, story):
    """A thread with nothing published says so and still offers the form."""
    response = client.get(THREAD)

    assert "No comments have been published yet." in response.content.decode()
    assert html(response).xpath('//form//textarea[@name="body"]')


def test_unknown_story_thread_is_404(client, story):
    """A story key that is not registered is a 404."""
    assert client.get("/stories/no-such-story/comments/").status_code == 404


def test_thread_page_sets_no_cookie_and_loads_nothing_from_elsewhere(client, story, published):
    """G5: reading needs no cookie and every resource the page loads comes from the same origin."""
    published()

    response = client.get(THREAD)

    assert not response.cookies
    urls = html(response).xpath("//script/@src | //link/@href | //img/@src | //iframe/@src")
    assert urls and all((url.startswith("/") and not url.startswith("//")) or url.startswith("data:") for url in urls)
    assert "frame-ancestors 'self'" in response["Content-Security-Policy"]


# Plain text (G2) and bidirectional isolation

def test_markup_in_body_is_shown_as_text(client, published):
    """G2: a body with HTML and Markdown is escaped, never interpreted."""
    published("<script>alert(1)</script> **bold**")

    response = client.get(THREAD)

    content = response.content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; **bold**" in content
    assert only_own_scripts(response)
    assert not html(response).xpath("//strong | //div[contains(@class, 'vp-body')]/*")
    assert bodies(response) == ["<script>alert(1)</script> **bold**"]


def test_markup_in_display_name_is_shown_as_text(client, published):
    """G2: a display name like <b>x</b> is escaped and creates no <b> element."""
    published(display_name="<b>x</b>")

    response = client.get(THREAD)

    assert "&lt;b&gt;x&lt;/b&gt;" in response.content.decode()
    assert not html(response).xpath("//b")
    assert html(response).xpath('string(//bdi[@class="vp-name"])') == "<b>x</b>"


def test_line_breaks_are_kept(client, published):
    """G2: line breaks reach the page as typed and the stylesheet preserves them."""
    published("first line\n\nthird line")

    response = client.get(THREAD)

    assert bodies(response) == ["first line\n\nthird line"]
    with open(finders.find("voxpop/reader.css")) as css:
        assert re.search(r"\.vp-body\s*\{[^}]*white-space:\s*pre-wrap", css.read())


def test_names_and_bodies_are_isolated_for_bidi(client, published):
    """Names are in <bdi> and bodies have dir="auto", so right-to-left text cannot reorder the page."""
    published("ياخشى\u200f kitap", display_name="ئابدۇللا")

    article = html(client.get(THREAD)).xpath('//article[contains(@class, "vp-comment")]')[0]

    assert article.xpath('string(.//bdi[@class="vp-name"])') == "ئابدۇللا"
    assert article.xpath('.//div[contains(@class, "vp-body")]/@dir') == ["auto"]


def test_comment_without_name_is_anonymous(client, published):
    """A comment sent without a display name is labelled Anonymous."""
    published()

    assert html(client.get(THREAD)).xpath('string(//bdi[@class="vp-name"])') == "Anonymous"


# Order, pages, replies, edits

def test_thread_is_oldest_first_by_default(client, published):
    """Comments are listed by publication time, oldest first."""
    published("second", minutes=2)
    published("first", minutes=1)
    published("third", minutes=3)

    assert bodies(client.get(THREAD)) == ["first", "second", "third"]


def test_order_newest_lists_newest_first(client, published):
    """?order=newest reverses the order and links back to oldest first."""
    published("second", minutes=2)
    published("first", minutes=1)
    published("third", minutes=3)

    response = client.get(THREAD + "?order=newest")

    assert bodies(response) == ["third", "second", "first"]
    assert html(response).xpath('//p[@class="vp-order"]/a/@href') == [THREAD + "?order=oldest#vp-comments-heading"]


def test_more_than_a_page_of_comments_links_to_page_two(client, published):
    """Past 50 top-level comments the thread is paginated with a link to the next page."""
    for i in range(THREAD_PAGE_SIZE + 1):
        published(f"comment {i}", minutes=i)

    first = client.get(THREAD)
    second = client.get(THREAD + "?page=2")

    assert len(bodies(first)) == THREAD_PAGE_SIZE
    assert html(first).xpath('//nav[@class="vp-pages"]/a[@rel="next"]/@href') == [THREAD + "?page=2#vp-comments-heading"]
    assert bodies(second) == [f"comment {THREAD_PAGE_SIZE}"]
    assert html(second).xpath('//nav[@class="vp-pages"]/a[@rel="prev"]/@href') == [THREAD + "?page=1#vp-comments-heading"]


def test_replies_are_listed_under_their_parent(client, published):
    """A published reply is shown nested under its top-level comment, not as a top-level comment."""
    top = published("top", minutes=1)
    other = published("other", minutes=2)
    reply = published("reply", minutes=3, parent_id=top.pk)

    page = html(client.get(THREAD))

    assert page.xpath('//ol[@class="vp-comments"]/li/article/@id') == [f"c{top.pk}", f"c{other.pk}"]
    assert page.xpath(f'//li[article[@id="c{top.pk}"]]/ol[@class="vp-replies"]//article/@id') == [f"c{reply.pk}"]


def test_edited_comment_says_edited_by_a_moderator_with_the_rule(client, story, submit, moderator, now):
    """After a moderator's edit readers see the edited text and the house rule applied."""
    comment = submit(story, body="Call me on 010-1234-5678")
    comment_edit(comment_id=comment.pk, revision_id=comment.current_revision_id, moderator=moderator,
                 body="Call me on [removed]", rule=rule(story, 2), note="phone", approve=True, now=now)

    response = client.get(THREAD)

    assert bodies(response) == ["Call me on [removed]"]
    edited = html(response).xpath('string(//p[@class="vp-edited"])')
    assert "Edited by a moderator under house rule 2:" in edited
    assert "No personal data." in edited
    assert "010-1234-5678" not in response.content.decode()


def test_unedited_comment_has_no_edit_note(client, published):
    """A comment no moderator changed carries no edit note."""
    published()

    assert not html(client.get(THREAD)).xpath('//p[@class="vp-edited"]')


def test_reply_link_preselects_the_parent(client, published):
    """?reply_to= on a published comment fills the hidden parent field and says who is answered."""
    top = published(display_name="Min")

    page = html(client.get(THREAD + f"?reply_to={top.pk}"))

    assert page.xpath('//input[@name="parent"]/@value') == [str(top.pk)]
    assert page.xpath('string(//p[@class="vp-replying"]/bdi)') == "Min"


def test_reply_to_pending_comment_is_ignored(client, pending_comment):
    """?reply_to= naming an unpublished comment leaves the form a plain new comment."""
    page = html(client.get(THREAD + f"?reply_to={pending_comment.pk}"))

    assert not page.xpath('//input[@name="parent"]/@value')
    assert not page.xpath('//p[@class="vp-replying"]')


# The form without JavaScript (G4 and "never lose the text")

def test_form_token_comes_from_the_page(client, story):
    """The page's form carries the signed token a post needs."""
    [token] = html(client.get(THREAD)).xpath('//form//input[@name="token"]/@value')

    assert token


def test_valid_post_redirects_to_the_receipt(client, send, story):
    """A valid post stores a pending comment and answers 303 to the author's receipt page."""
    response = send("I ride the 2 a.m. bus.", display_name="Min")

    assert response.status_code == 303
    comment = Comment.objects.get()
    assert response["Location"] == f"/receipts/{receipt_token(comment)}/?new=1#vp-receipt"
    assert (comment.status, comment.display_name, comment.current_revision.body) == (
        "pending", "Min", "I ride the 2 a.m. bus.")
    receipt = client.get(response["Location"])
    assert "Thank you: your comment has been received." in receipt.content.decode()
    assert "I ride the 2 a.m. bus." in receipt.content.decode()


def test_same_form_posted_twice_makes_one_comment(send):
    """G4: a double click sends the same form token twice and makes one comment, one receipt."""
    token = new_form_token()

    first = send("Double click.", token=token)
    second = send("Double click.", token=token)

    assert (first.status_code, second.status_code) == (303, 303)
    assert first["Location"] == second["Location"]
    assert Comment.objects.count() == 1


def test_one_page_token_with_other_text_makes_another_comment(send):
    """The token is shared by every reader of the page (it is cached): other text is another comment."""
    token = new_form_token()
    send("First text.", token=token)

    response = send("Other text.", token=token)

    assert response.status_code == 303
    assert sorted(c.current_revision.body for c in Comment.objects.all()) == ["First text.", "Other text."]


def test_script_key_makes_a_resent_form_one_comment(send):
    """A script's `idempotency_key` identifies the submission, even if the text was changed meanwhile."""
    first = send("Sent once.", idempotency_key="k-1")
    second = send("Sent once.", idempotency_key="k-1")
    third = send("Edited before resending.", idempotency_key="k-1")

    assert (first.status_code, second.status_code) == (303, 303)
    assert first["Location"] == second["Location"]
    assert third.status_code == 422 and textarea(third) == "Edited before resending."
    assert Comment.objects.count() == 1


def test_empty_body_is_refused_with_the_name_kept(send):
    """An empty comment comes back 422 with the message and the typed name."""
    response = send("   ", display_name="Min")

    assert response.status_code == 422
    assert "Please write a comment before sending." in errors(response)
    assert html(response).xpath('//input[@name="display_name"]/@value') == ["Min"]
    assert not Comment.objects.exists()


def test_too_long_body_is_refused_with_the_text_kept(send):
    """An over-long comment comes back 422 naming the count and the limit, with all the text."""
    text = "long " * 601

    response = send(text)

    assert response.status_code == 422
    assert "Your comment is 3004 characters long; the limit is 3000." in errors(response)
    assert textarea(response) == text
    assert not Comment.objects.exists()


def test_filled_honeypot_is_refused_with_the_text_kept(send):
    """A filled `website` field is refused (422) and nothing is stored, but the text is not lost."""
    response = send("Looks human.", website="http://spam.example")

    assert response.status_code == 422
    assert "This field must stay empty." in errors(response)
    assert textarea(response) == "Looks human."
    assert html(response).xpath('//input[@name="website"]/@value') == [""]
    assert not Comment.objects.exists()


@pytest.mark.parametrize("token", ["", "forged", signing.dumps("nonce", salt="another.purpose")])
def test_bad_or_missing_form_token_is_refused_with_the_text_kept(send, token):
    """A missing or forged form token is 422 'out of date' with the text still in the textarea."""
    response = send("Kept after a bad token.", token=token)

    assert response.status_code == 422
    assert "This form is out of date." in errors(response)
    assert textarea(response) == "Kept after a bad token."
    assert not Comment.objects.exists()


def test_form_older_than_two_days_is_refused_with_the_text_kept(send, monkeypatch):
    """A form left open in a tab for days is 'out of date', and the text survives."""
    issued_at = time.time() - FORM_MAX_AGE - 60
    with monkeypatch.context() as m:
        m.setattr(signing.time, "time", lambda: issued_at)
        token = new_form_token()

    response = send("Written days ago.", token=token)

    assert response.status_code == 422
    assert "This form is out of date." in errors(response)
    assert textarea(response) == "Written days ago."
    assert not Comment.objects.exists()


def test_control_characters_are_refused_with_a_message(send):
    """Invisible control characters are refused with a message saying so, not a server error."""
    response = send("bell \x07 here")

    assert response.status_code == 422
    assert "invisible control characters" in errors(response)
    assert not Comment.objects.exists()


def test_markup_in_refused_text_is_escaped_in_the_textarea(send):
    """G2: text that tries to close the textarea is returned as text inside it."""
    text = "</textarea><script>alert(1)</script>" + "x" * 3000

    response = send(text)

    assert response.status_code == 422
    assert textarea(response) == text
    assert only_own_scripts(response)


def test_post_to_closed_story_is_409_with_the_text_kept(send, story, now):
    """A post to a story closed meanwhile is 409 with the message and the text to copy."""
    story_upsert(key=story.key, fields={"state": "closed"}, now=now)

    response = send("Written before it closed.")

    assert response.status_code == 409
    assert "Comments on this story are closed." in errors(response)
    assert textarea(response) == "Written before it closed."
    assert not Comment.objects.exists()


def test_closed_story_page_has_no_form(client, story, now):
    """Once a story is closed its page says so and offers no form."""
    story_upsert(key=story.key, fields={"closes_at": now - timedelta(hours=1)}, now=now)

    response = client.get(THREAD)

    assert "Comments on this story are closed." in response.content.decode()
    assert not html(response).xpath("//form")


def test_form_reply_is_attached_to_its_parent(send, published):
    """A post with `parent` set to a published comment is stored as its reply."""
    top = published()

    assert send("A reply.", parent=top.pk).status_code == 303
    assert Comment.objects.get(current_revision__body="A reply.").parent_id == top.pk


def test_form_reply_to_a_reply_attaches_to_the_top_level_comment(send, published):
    """Replies nest one level on the form path too."""
    top = published("top")
    reply = published("reply", parent_id=top.pk)

    send("Reply to the reply.", parent=reply.pk)

    assert Comment.objects.get(current_revision__body="Reply to the reply.").parent_id == top.pk


def test_form_reply_to_unpublished_comment_keeps_the_text_as_a_new_comment(send, pending_comment):
    """A reply to a comment that is not published is 422, the text kept and the reply target dropped."""
    response = send("My reply.", parent=pending_comment.pk)

    assert response.status_code == 422
    assert "The comment you replied to is no longer available." in errors(response)
    assert textarea(response) == "My reply."
    assert html(response).xpath('//input[@name="parent"]/@value') in ([], [""])
    assert Comment.objects.count() == 1


@pytest.mark.parametrize("parent", ["abc", "\u00b2", "-1", "9" * 30])
def test_form_with_a_malformed_parent_is_refused_with_the_text_kept(send, parent):
    """A garbled hidden `parent` is a 422 with the text kept, never a server error."""
    response = send("My reply.", parent=parent)

    assert response.status_code == 422
    assert textarea(response) == "My reply."
    assert not Comment.objects.exists()


def test_form_post_sets_no_cookie(send):
    """G5: posting a comment needs no session and sets no cookie."""
    assert not send("No cookies, please.").cookies


# Receipt

def test_receipt_shows_the_pending_comment_and_its_status(client, pending_comment):
    """G6: the receipt shows the author their own pending text and that it awaits a moderator."""
    response = client.get(f"/receipts/{receipt_token(pending_comment)}/")

    assert response.status_code == 200
    assert "The night bus is my only way home." in response.content.decode()
    assert "waiting for a moderator" in html(response).xpath('string(//p[@class="vp-status"])')
    assert response["Cache-Control"] == "private, no-store"


def test_receipt_escapes_markup(client, story, submit):
    """G2: the receipt shows the author's markup as text."""
    comment = submit(story, body="<b>bold?</b>\nsecond line")

    response = client.get(f"/receipts/{receipt_token(comment)}/")

    assert not html(response).xpath("//b")
    assert html(response).xpath('string(//div[contains(@class, "vp-body")])') == "<b>bold?</b>\nsecond line"


def test_tampered_receipt_token_is_404(client, pending_comment):
    """A receipt token with a changed id or signature shows nothing."""
    pk, signature = receipt_token(pending_comment).split(":", 1)

    for token in (f"{int(pk) + 1}:{signature}", f"{pk}:{signature[:-1]}x", pk):
        response = client.get(f"/receipts/{token}/")
        assert response.status_code == 404
        assert "night bus" not in response.content.decode()


def test_oversized_form_post_is_413_with_a_message(client, story, settings):
    """A post past the request size limit cannot be read back, but says why and is not a 500."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    data = urlencode({"token": new_form_token(), "body": "x" * 5000})

    response = client.post(THREAD, data, content_type="application/x-www-form-urlencoded")

    assert response.status_code == 413
    assert "far longer than the limit" in errors(response)
    assert not Comment.objects.exists()


def test_closed_story_wins_over_other_errors(send, story, now):
    """On a closed story the reader learns it is closed, even if the form has other problems too."""
    story_upsert(key=story.key, fields={"state": "closed"}, now=now)

    response = send("")

    assert response.status_code == 409
    assert "Comments on this story are closed." in errors(response)
