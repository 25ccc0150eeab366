"""The desk editors' dashboard: its numbers (selectors called with `now=`) and the page that draws them."""
from datetime import timedelta

import pytest
from django.urls import reverse
from lxml import html

from tests.conftest import make_moderator
from voxpop.accounts.models import User
from voxpop.desks.selectors import house_rule_get
from voxpop.moderation import stats
from voxpop.moderation.services import comment_approve, comment_edit, comment_reject, comment_undo

URL = reverse("workspace:dashboard")

pytestmark = pytest.mark.usefixtures("frozen_clock")


@pytest.fixture
def editor(english_desk):
    return make_moderator("edith", [english_desk], role=User.Role.EDITOR)


@pytest.fixture
def admin(english_desk, korean_desk):
    return make_moderator("ada", [], role=User.Role.ADMIN)


@pytest.fixture
def rule(english_desk):
    def get(number):
        return house_rule_get(desk=english_desk, language="en", number=number)
    return get


def approve(comment, moderator, at):
    comment_approve(comment_id=comment.pk, revision_id=comment.current_revision_id, moderator=moderator, now=at)


def reject(comment, moderator, at, rule=None):
    comment_reject(comment_id=comment.pk, revision_id=comment.current_revision_id, moderator=moderator, rule=rule,
                   note="", now=at)


def times_of(desk, moderator, now):
    return next(t for t in stats.decision_time_list_by_desk(moderator=moderator, now=now) if t.desk == desk)


def test_median_and_90th_percentile_of_waits(story, submit, moderator, editor, english_desk, now):
    """Waits of 1 to 10 minutes give a median of 5.5 min and a 90th percentile of 9.1 min."""
    created = now - timedelta(hours=3)
    for minutes in range(1, 11):
        approve(submit(story, body=f"comment {minutes}", at=created), moderator, created + timedelta(minutes=minutes))

    times = times_of(english_desk, editor, now)

    assert times.decided == 10
    assert times.median == timedelta(minutes=5, seconds=30)
    assert times.p90 == timedelta(minutes=9, seconds=6)


def test_only_first_human_decision_counts(story, submit, moderator, editor, english_desk, rule, now):
    """An approval undone and replaced by a rejection is timed at the approval."""
    created = now - timedelta(hours=1)
    comment = submit(story, at=created)
    approve(comment, moderator, created + timedelta(minutes=2))
    comment_undo(moderator=moderator, now=created + timedelta(minutes=3))
    reject(comment, moderator, created + timedelta(minutes=30), rule=rule(1))

    times = times_of(english_desk, editor, now)

    assert (times.decided, times.median, times.p90) == (1, timedelta(minutes=2), timedelta(minutes=2))


def test_system_rejection_is_not_timed(story, submit, editor, english_desk, now):
    """A ban's automatic rejection is not a moderator's decision and has no time to decision."""
    reject(submit(story, at=now - timedelta(minutes=5)), None, now - timedelta(minutes=5))

    times = times_of(english_desk, editor, now)

    assert (times.decided, times.median, times.p90) == (0, None, None)


def test_decisions_older_than_7_days_are_excluded(story, submit, moderator, editor, english_desk, now):
    """Only comments first decided within the last 7 days are timed."""
    old = submit(story, body="old", at=now - timedelta(days=8, hours=1))
    approve(old, moderator, now - timedelta(days=8))
    recent = submit(story, body="recent", at=now - timedelta(hours=1))
    approve(recent, moderator, now - timedelta(minutes=20))

    times = times_of(english_desk, editor, now)

    assert (times.decided, times.median) == (1, timedelta(minutes=40))


def test_redecision_does_not_bring_an_old_comment_back(story, submit, moderator, editor, english_desk, rule, now):
    """A comment first decided 8 days ago and decided again today is not timed again."""
    comment = submit(story, at=now - timedelta(days=9))
    approve(comment, moderator, now - timedelta(days=8))
    comment_undo(moderator=moderator, now=now - timedelta(hours=2))
    reject(comment, moderator, now - timedelta(hours=1), rule=rule(1))

    assert times_of(english_desk, editor, now).decided == 0


def test_decisions_per_rule(story, submit, moderator, editor, rule, now):
    """Rejections and edits are counted per cited rule, with the rule's number and wording."""
    at = now - timedelta(hours=1)
    reject(submit(story, body="a", at=at), moderator, at, rule=rule(1))
    reject(submit(story, body="b", at=at), moderator, at, rule=rule(1))
    edited = submit(story, body="c", at=at)
    comment_edit(comment_id=edited.pk, revision_id=edited.current_revision_id, moderator=moderator, body="[masked]",
                 rule=rule(2), note="", approve=True, now=at)
    approve(submit(story, body="d", at=at), moderator, at)

    counts = stats.decision_count_list_by_rule(moderator=editor, now=now)

    assert [(c.rule.number, c.rule.text, c.rejected, c.edited, c.total) for c in counts] == [
        (1, "Be civil.", 2, 0, 2), (2, "No personal data.", 0, 1, 1)]


def test_rule_counts_leave_out_undone_and_old_decisions(story, submit, moderator, editor, rule, now):
    """A rejection that was undone, or made more than 7 days ago, is not counted under its rule."""
    reject(submit(story, body="old", at=now - timedelta(days=9)), moderator, now - timedelta(days=8), rule=rule(1))
    reject(submit(story, body="undone", at=now - timedelta(hours=1)), moderator, now - timedelta(minutes=30),
           rule=rule(1))
    comment_undo(moderator=moderator, now=now - timedelta(minutes=29))

    assert stats.decision_count_list_by_rule(moderator=editor, now=now) == []


def test_approve_and_reject_totals(story, submit, moderator, editor, english_desk, rule, now):
    """Approvals and rejections of the last 7 days are totalled per desk, automatic rejections included."""
    at = now - timedelta(hours=1)
    approve(submit(story, body="a", at=at), moderator, at)
    approve(submit(story, body="b", at=at), moderator, at)
    reject(submit(story, body="c", at=at), moderator, at, rule=rule(3))
    reject(submit(story, body="d", at=at), None, at)

    [outcome] = stats.outcome_list_by_desk(moderator=editor, now=now)

    assert (outcome.desk, outcome.approved, outcome.rejected) == (english_desk, 2, 2)


def test_comments_per_hour_buckets(story, submit, editor, now):
    """Comments fall into 48 clock-hour buckets ending with the current hour; older ones are left out."""
    first_hour = now.replace(minute=0) - timedelta(hours=47)
    for at in [now, now - timedelta(minutes=10), now - timedelta(hours=1), first_hour + timedelta(minutes=5),
               first_hour - timedelta(minutes=1)]:
        submit(story, body=f"at {at}", at=at)

    hours = stats.comment_count_list_per_hour(moderator=editor, now=now)

    assert len(hours) == 48
    assert (hours[0].start, hours[-1].start) == (first_hour, now.replace(minute=0))
    assert {h.start.hour: h.comments for h in hours if h.comments} == {first_hour.hour: 1, 8: 1, 9: 2}


def test_comments_per_hour_for_one_desk(story, korean_story, submit, admin, english_desk, now):
    """With a desk chosen, only that desk's comments are counted."""
    submit(story, body="en", at=now)
    submit(korean_story, body="ko", at=now)

    hours = stats.comment_count_list_per_hour(moderator=admin, now=now, desk=english_desk)

    assert sum(h.comments for h in hours) == 1


def test_backlog_per_desk(story, korean_story, submit, moderator, admin, english_desk, korean_desk, now):
    """Each desk shows its pending count and the age of its oldest pending comment, zero when empty."""
    submit(story, body="a", at=now - timedelta(hours=2, minutes=5))
    submit(story, body="b", at=now - timedelta(minutes=14))
    approve(submit(story, body="c", at=now - timedelta(hours=5)), moderator, now - timedelta(hours=4))
    reject(submit(korean_story, body="d", at=now - timedelta(hours=3)), None, now - timedelta(hours=3))

    backlog = stats.backlog_list_by_desk(moderator=admin, now=now)

    assert [(b.desk, b.pending, b.oldest_waiting) for b in backlog] == [
        (english_desk, 2, timedelta(hours=2, minutes=5)), (korean_desk, 0, None)]


def test_plain_moderator_is_refused(signed_in, moderator):
    """A moderator without the editor role gets 403 on the dashboard."""
    assert signed_in(moderator).get(URL).status_code == 403


def test_password_alone_does_not_open_the_dashboard(client, editor):
    """Without the second factor the editor is sent to sign in."""
    client.force_login(editor)

    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("workspace:sign-in"))


def test_editor_sees_only_their_desks(signed_in, editor, story, korean_story, submit, now):
    """An English-desk editor sees English numbers and nothing of the Korean desk, even when asking for it."""
    submit(story, body="en")
    submit(korean_story, body="ko")

    response = signed_in(editor).get(URL, {"desk": "korean"})

    assert response.status_code == 200
    assert [b.desk.key for b in response.context["backlog"]] == ["english"]
    assert response.context["backlog"][0].pending == 1
    assert sum(h.comments for h in response.context["hours"]) == 1
    assert "한국어" not in response.content.decode()


def test_admin_sees_every_desk(signed_in, admin, english_desk, korean_desk):
    """An admin's dashboard lists all desks."""
    response = signed_in(admin).get(URL)

    assert [b.desk for b in response.context["backlog"]] == [english_desk, korean_desk]


def test_page_draws_labelled_charts_and_tables(signed_in, editor, story, submit, moderator, rule, now):
    """The page has SVG charts with a title and description, and the same numbers in tables."""
    reject(submit(story, body="x", at=now - timedelta(minutes=30)), moderator, now - timedelta(minutes=16),
           rule=rule(1))
    submit(story, body="waiting", at=now - timedelta(minutes=20))

    response = signed_in(editor).get(URL)

    page = html.fromstring(response.content)
    charts = page.xpath("//svg[@role='img']")
    assert len(charts) == 4
    for chart in charts:
        title_id, desc_id = chart.get("aria-labelledby").split()
        assert chart.xpath(f".//title[@id='{title_id}']") and chart.xpath(f".//desc[@id='{desc_id}']")
    cells = [" ".join(row.xpath(".//th//text() | .//td//text()")) for row in page.xpath("//table//tbody/tr")]
    assert "English desk 1 20 min" in cells
    assert "English desk 1. Be civil. 1 0 1" in cells


def test_page_has_no_inline_script_or_style(signed_in, editor):
    """The page keeps to the CSP: no inline script and no style attributes."""
    page = html.fromstring(signed_in(editor).get(URL).content)

    assert not page.xpath("//script[not(@src)] | //*[@style] | //style")
