"""What moderators see of scoring: risk labels, highlighted spans, the risk order, the signal filter, re-scoring.

Assessments are written directly, as scoring would, so these tests do not depend on the detectors.
"""
import json
import re
from datetime import timedelta

import lxml.html
import pytest

from voxpop.comments.models import Comment
from voxpop.comments.services import comment_submit
from voxpop.desks.selectors import house_rule_get
from voxpop.scoring import services as scoring_services
from voxpop.scoring.models import Assessment, SignalHit
from voxpop.scoring.services import HELD_PRIORITY
from voxpop.scoring.signals import Signal
from voxpop.stories.models import Story
from voxpop.workspace.highlight import highlight, signal_spans

pytestmark = pytest.mark.usefixtures("frozen_clock")

PHONE = "0301 555 1234"


def phone_signal(body: str, phone: str = PHONE) -> dict:
    """A phone signal at the (code point) position of `phone` in `body`."""
    start = body.index(phone)
    return {"name": "phone", "label": "Phone number", "spans": [[start, start + len(phone)]], "personal": True}


def assess(comment, *, risk=None, signals=(), held=False, language="en", now=None):
    """Record an assessment of the comment's current revision and its queue priority, as scoring does."""
    Assessment.objects.create(revision=comment.current_revision, language=language, risk=risk,
                              signals=list(signals), held=held, scored_at=now or comment.created_at)
    Comment.objects.filter(pk=comment.pk).update(priority=(risk or 0.0) + (HELD_PRIORITY if held else 0.0))
    SignalHit.objects.bulk_create([SignalHit(comment=comment, name=s["name"]) for s in signals])
    return comment


@pytest.fixture
def post(story, now):
    """A reader comment on `story`, `ago` before now."""
    def make(body="A reader's comment.", *, ago=timedelta(minutes=5)):
        return comment_submit(story=story, body=body, display_name="", parent_id=None, submission_key=None,
                              commenter_key="reader-key", now=now - ago).comment
    return make


@pytest.fixture
def page(client, signed_in, moderator):
    """GET a workspace page as the English-desk moderator; returns the parsed page."""
    signed_in(moderator)

    def get(url):
        response = client.get(url)
        assert response.status_code == 200
        return lxml.html.fromstring(response.content)
    return get


def ids(doc) -> list[int]:
    return [int(li.get("data-comment")) for li in doc.xpath('//li[contains(@class, "mw-item")]')]


def item(doc, comment):
    return doc.xpath(f'//li[@id="c{comment.pk}"]')[0]


def marks(fragment: str) -> list[tuple[str, str, str]]:
    doc = lxml.html.fragment_fromstring(fragment, create_parent="div")
    return [(m.get("data-start"), m.get("data-end"), m.text_content()) for m in doc.xpath("//mark")]


# Highlighting


def test_highlight_escapes_the_text_around_and_inside_spans():
    """Markup in the body stays text, inside and outside the marks (G2)."""
    body = '<script>alert(1)</script> call <b>0301 555 1234</b> & "quote"'
    start = body.index("<b>")
    html = highlight(body, [{"name": "phone", "label": "Phone <number>", "spans": [[start, start + 20]]}])

    assert "<script>" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert '<mark class="mw-sig mw-sig-phone" data-start="%d" data-end="%d" title="Phone &lt;number&gt;">' \
           "&lt;b&gt;0301 555 1234&lt;/b&gt;</mark>" % (start, start + 20) in html
    assert html.endswith("&amp; &quot;quote&quot;")
    assert lxml.html.fragment_fromstring(html, create_parent="div").text_content() == body


def test_highlight_offsets_are_code_points():
    """An emoji and a Tibetan stack before the span do not shift it: offsets count code points."""
    body = f"😀🇰🇷 བོད། call {PHONE} now"
    html = highlight(body, [phone_signal(body)])

    [(start, end, text)] = marks(html)
    assert text == PHONE
    assert (int(start), int(end)) == (body.index(PHONE), body.index(PHONE) + len(PHONE))


def test_overlapping_spans_merge_and_spans_are_clamped():
    """Overlapping spans of two signals become one mark naming both; spans past the end are cut at it."""
    body = "see example.com/0301 today"
    signals = [{"name": "link", "label": "Link", "spans": [[4, 20]]},
               {"name": "phone", "label": "Phone number", "spans": [[16, 20], [21, 999], [-5, 0], [9, 3], ["x", 1]]}]

    html = highlight(body, signals)

    assert marks(html) == [("4", "20", "example.com/0301"), ("21", "26", "today")]
    assert 'class="mw-sig mw-sig-link mw-sig-phone"' in html and 'title="Link, Phone number"' in html
    assert [(s.start, s.end) for s in signal_spans(signals, len(body))] == [(4, 20), (21, 26)]


def test_signal_names_cannot_break_out_of_the_class_attribute():
    """A signal name is reduced to a safe class name; its label is escaped in the title."""
    html = highlight("abc", [{"name": 'x" onclick="evil()', "label": '"><img src=x>', "spans": [[0, 1]]}])

    assert "<img" not in html
    [mark] = lxml.html.fragment_fromstring(html, create_parent="div").xpath("//mark")
    assert mark.get("class") == "mw-sig mw-sig-x-onclick-evil" and mark.get("onclick") is None
    assert mark.get("title") == '"><img src=x>'


# Labels on the queue and the comment page


def test_queue_shows_risk_no_model_and_unscored(page, post):
    """A scored comment shows its risk, one without a model for its language says so, an unscored one too."""
    risky = assess(post("You are all idiots."), risk=0.8234, language="en")
    no_model = assess(post("ཁྱེད་རང་ག་འདྲ་འདུག"), risk=None, language="bo")
    unscored = post("Not scored yet.")

    doc = page("/moderation/")

    assert item(doc, risky).xpath('.//*[contains(@class, "mw-risk")]')[0].text_content() == "risk 0.82"
    assert item(doc, no_model).xpath('.//*[contains(@class, "mw-risk")]')[0].text_content() == "no model yet"
    assert item(doc, unscored).xpath('.//*[contains(@class, "mw-risk")]')[0].text_content() == "unscored"
    assert "detected bo" in item(doc, no_model).xpath('.//*[@class="mw-lang"]')[0].text_content()


def test_queue_item_shows_signal_chips_and_highlighted_spans(page, post):
    """Each signal is a labelled chip; its spans are marked in the escaped body."""
    body = f"<i>Call</i> me 😀 on {PHONE}"
    comment = assess(post(body), signals=[phone_signal(body), {"name": "newcomer", "label": "First comment",
                                                               "spans": []}])

    li = item(page("/moderation/"), comment)

    assert [c.text_content() for c in li.xpath('.//li[contains(@class, "mw-chip")]')] == ["Phone number",
                                                                                       "First comment"]
    [mark] = li.xpath('.//div[@class="mw-body"]//mark')
    assert mark.text_content() == PHONE and mark.get("title") == "Phone number"
    assert li.xpath('.//div[@class="mw-body"]')[0].text_content() == body
    assert not li.xpath('.//div[@class="mw-body"]//i')


def test_comment_page_shows_risk_chips_and_marks(page, post):
    """The comment page shows the same risk label, chips and highlighted spans for the current revision."""
    body = f"Ring {PHONE}"
    comment = assess(post(body), risk=0.4, signals=[phone_signal(body)])

    doc = page(f"/moderation/comments/{comment.pk}/")

    assert doc.xpath('//*[contains(@class, "mw-risk")]')[0].text_content() == "risk 0.40"
    assert [m.text_content() for m in doc.xpath('//div[@id="current-text"]//mark')] == [PHONE]


# Queue order and filter


def test_risk_order_puts_held_then_higher_priority_first(page, post, now):
    """order=risk: held comments on top, then by priority, then oldest first; unscored last."""
    unscored = post("unscored", ago=timedelta(hours=9))
    low_old = assess(post("low, old", ago=timedelta(hours=8)), risk=0.1)
    high = assess(post("high", ago=timedelta(hours=1)), risk=0.9)
    body = f"held, newest, call {PHONE}"
    held = assess(post(body, ago=timedelta(minutes=1)), risk=0.05, signals=[phone_signal(body)], held=True)
    low_new = assess(post("low, new", ago=timedelta(hours=2)), risk=0.1)

    assert ids(page("/moderation/?order=risk")) == [held.pk, high.pk, low_old.pk, low_new.pk, unscored.pk]
    assert ids(page("/moderation/")) == [unscored.pk, low_old.pk, low_new.pk, high.pk, held.pk]


def test_oldest_first_keeps_time_order_and_flags_the_held_comment(page, post):
    """In the default order a held comment stays in its place, with a prominent sensitive-story flag."""
    first = post("first", ago=timedelta(hours=2))
    body = f"call {PHONE}"
    held = assess(post(body, ago=timedelta(hours=1)), signals=[phone_signal(body)], held=True)

    doc = page("/moderation/")

    assert ids(doc) == [first.pk, held.pk]
    assert "mw-sensitive" in item(doc, held).get("class")
    assert item(doc, held).xpath('.//*[contains(@class, "mw-sensitive-flag")]')[0].text_content() == \
        "Sensitive story: personal data"
    assert not item(doc, first).xpath('.//*[contains(@class, "mw-sensitive-flag")]')


def test_signal_filter_keeps_comments_with_that_signal(page, post):
    """signal=NAME lists only comments whose assessment has that signal; the select offers the names present."""
    body = f"call {PHONE}"
    phone = assess(post(body), signals=[phone_signal(body)])
    link = assess(post("see example.com"), signals=[{"name": "link", "label": "Link", "spans": [[4, 15]]}])
    post("nothing")

    doc = page("/moderation/?signal=phone")

    assert ids(doc) == [phone.pk]
    assert ids(page("/moderation/?signal=link&order=risk")) == [link.pk]
    options = doc.xpath('//select[@name="signal"]/option')
    assert [(o.get("value"), o.text_content()) for o in options] == [("", "Any"), ("link", "Link"),
                                                                     ("phone", "Phone number")]
    assert doc.xpath('//select[@name="signal"]/option[@selected]')[0].get("value") == "phone"
    assert doc.xpath('//select[@name="order"]/option[@value="risk"]')[0].text_content() == "Highest risk first"


# Sensitive story mode: the editor's spans


def test_held_comment_editor_carries_the_spans_in_code_points(page, post):
    """The editor of a held comment names the spans to mask, in code points, and that it is held."""
    body = f"😀 call {PHONE}"
    comment = assess(post(body), signals=[phone_signal(body)], held=True)

    [area] = page(f"/moderation/comments/{comment.pk}/").xpath('//textarea[@id="edit-body"]')

    assert json.loads(area.get("data-spans")) == [[7, 7 + len(PHONE)]]
    assert area.get("data-held") is not None


def test_held_comment_editor_offers_only_the_personal_data_to_mask(page, post):
    """On a held comment the editor pre-selects the phone number, not the link that comes before it."""
    body = f"see example.com or call {PHONE}"
    link = {"name": "link", "label": "Link", "spans": [[4, 15]], "personal": False}
    comment = assess(post(body), signals=[link, phone_signal(body)], held=True)

    [area] = page(f"/moderation/comments/{comment.pk}/").xpath('//textarea[@id="edit-body"]')

    start = body.index(PHONE)
    assert json.loads(area.get("data-spans")) == [[start, start + len(PHONE)]]


def test_editor_has_no_spans_without_signals(page, post):
    """Without spans the editor is the plain redaction helper."""
    comment = assess(post("Nothing here."), risk=0.1)

    [area] = page(f"/moderation/comments/{comment.pk}/").xpath('//textarea[@id="edit-body"]')

    assert area.get("data-spans") is None and area.get("data-held") is None


# Re-scoring after an edit


def fake_phone_detector(context) -> list[Signal]:
    """Stands in for the personal-data detector: any run of digits and spaces of 9 or more is a phone number."""
    return [Signal(name="phone", label="Phone number", personal=True,
                   spans=tuple((m.start(), m.end()) for m in re.finditer(r"\d[\d ]{7,}\d", context.body)))
            ] if re.search(r"\d[\d ]{7,}\d", context.body) else []


@pytest.fixture
def sensitive_story(story):
    Story.objects.filter(pk=story.pk).update(sensitive=True)
    story.refresh_from_db()
    return story


@pytest.fixture
def held_comment(sensitive_story, post, monkeypatch, now):
    monkeypatch.setattr(scoring_services, "DETECTORS", [fake_phone_detector])
    comment = post(f"Call the source on {PHONE}")
    scoring_services.comment_score(comment=comment, now=now)
    comment.refresh_from_db()
    assert comment.current_revision.assessment.held and comment.priority >= HELD_PRIORITY
    return comment


def test_masking_the_number_clears_the_hold_on_rescore(client, signed_in, moderator, held_comment, english_desk):
    """An edit that masks the phone number is scored afresh: its revision is not held and leaves the top."""
    rule = house_rule_get(desk=english_desk, language="en", number=2)
    signed_in(moderator).post(f"/moderation/comments/{held_comment.pk}/decide", {
        "action": "edit", "revision": held_comment.current_revision_id, "body": "Call the source on [removed]",
        "rule": rule.pk})

    held_comment.refresh_from_db()
    assessment = held_comment.current_revision.assessment
    assert held_comment.current_revision.number == 2
    assert (assessment.held, assessment.signals) == (False, [])
    assert held_comment.priority < HELD_PRIORITY
    assert not SignalHit.objects.filter(comment=held_comment).exists()


def test_an_edit_that_keeps_the_number_stays_held(client, signed_in, moderator, held_comment, english_desk):
    """The hold follows the new revision: an edit that leaves the number in keeps the comment held."""
    rule = house_rule_get(desk=english_desk, language="en", number=2)
    signed_in(moderator).post(f"/moderation/comments/{held_comment.pk}/decide", {
        "action": "edit", "revision": held_comment.current_revision_id, "body": f"Call them on {PHONE}",
        "rule": rule.pk})

    held_comment.refresh_from_db()
    assessment = held_comment.current_revision.assessment
    assert assessment.held and assessment.signals[0]["spans"] == [[13, 13 + len(PHONE)]]
    assert held_comment.priority >= HELD_PRIORITY


def test_undoing_the_masking_edit_restores_the_hold(client, signed_in, moderator, held_comment, english_desk):
    """Undo of the masking edit makes the original current again, and scoring holds it again."""
    rule = house_rule_get(desk=english_desk, language="en", number=2)
    as_moderator = signed_in(moderator)
    as_moderator.post(f"/moderation/comments/{held_comment.pk}/decide", {
        "action": "edit", "revision": held_comment.current_revision_id, "body": "Call the source on [removed]",
        "rule": rule.pk})
    as_moderator.post("/moderation/undo")

    held_comment.refresh_from_db()
    assert held_comment.current_revision.number == 1
    assert held_comment.priority >= HELD_PRIORITY
    assert SignalHit.objects.filter(comment=held_comment, name="phone").exists()
