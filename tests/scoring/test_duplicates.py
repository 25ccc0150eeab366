"""Duplicates: the same or nearly the same text in the last 7 days, on any story, from any commenter."""
from datetime import timedelta

import pytest

from voxpop.scoring.models import DuplicateBand
from voxpop.scoring.signals import duplicates
from voxpop.stories.services import story_upsert

from .signal_context import comment_by, context_for

PARAGRAPH = ("The council voted last night to cut the harbour night buses from March, and nobody asked the "
             "people who work late shifts at the hospital and the fish market how they will get home. "
             "Write to your councillor before the budget meeting on Thursday.")
EDITED = PARAGRAPH.replace("last night", "yesterday").replace("Thursday", "Friday").replace("fish", "Fish")
UNRELATED = ("The new library on the island opens on Saturday with a reading room for children, a small cafe, "
             "and free wifi; the ferry timetable has been changed so that families can visit in the afternoon.")
KOREAN = ("시의회가 어젯밤 3월부터 항구 심야버스를 없애기로 했습니다. 병원과 수산시장에서 늦게까지 일하는 "
          "사람들이 어떻게 집에 가야 하는지 아무도 묻지 않았습니다. 목요일 예산 회의 전에 의원에게 편지를 쓰세요.")
CHINESE = ("市议会昨晚投票决定从三月起取消港口夜班巴士，却没有人问过在医院和鱼市场上夜班的人要怎么回家。"
           "请在星期四预算会议之前写信给你的议员。")
KOREAN_OTHER = "섬마을에 새 도서관이 토요일에 문을 엽니다. 어린이 열람실과 작은 카페가 있고 배 시간표도 바뀌었습니다."
CHINESE_OTHER = "岛上的新图书馆星期六开放，有儿童阅览室和一间小咖啡馆，渡轮时刻表也改了，方便家庭下午去参观。"


@pytest.fixture
def other_story(english_desk, now):
    return story_upsert(key="ferry-fares", fields={"title": "Ferry fares rise", "url": "https://news.example/ferry",
                                                   "language": "en", "desk": english_desk}, now=now)[0]


@pytest.fixture
def score(now):
    """`score(story, body, key=..., at=...)`: submit a comment and run the detector as scoring would."""
    def run(story, body, key="reader-key", at=None):
        comment = comment_by(story, body=body, key=key, at=at or now)
        found = duplicates.detect(context_for(comment, now=at or now))
        return found[0] if found else None
    return run


def test_first_comment_is_not_a_duplicate(story, score):
    """With nothing sent before, a comment is no duplicate."""
    assert score(story, PARAGRAPH) is None


def test_small_edits_are_a_near_duplicate(story, score):
    """A copy with a few words changed is found; the span is the whole body."""
    score(story, PARAGRAPH, key="a")

    signal = score(story, EDITED, key="b")

    assert signal.name == "duplicate" and signal.weight == 0.4
    assert signal.label == "1 near-duplicate in the last 7 days, on this story"
    assert signal.spans == ((0, len(EDITED)),)


def test_unrelated_text_is_not_a_duplicate(story, score):
    """A different comment on the same subject matter is not flagged."""
    score(story, PARAGRAPH, key="a")

    assert score(story, UNRELATED, key="b") is None


@pytest.mark.parametrize("text, other", [(KOREAN, KOREAN_OTHER), (CHINESE, CHINESE_OTHER)], ids=["korean", "chinese"])
def test_near_duplicates_in_korean_and_chinese(story, score, text, other):
    """Character pieces need no word segmentation: a lightly edited copy is found, another text is not."""
    score(story, text, key="a")
    edited = text.replace("목요일", "금요일").replace("星期四", "星期五")

    assert score(story, edited, key="b") is not None
    assert score(story, other, key="c") is None


def test_flood_across_stories_is_counted(story, other_story, score):
    """One text on two stories from several commenter keys: the label counts copies and stories."""
    score(story, PARAGRAPH, key="a")
    score(other_story, PARAGRAPH, key="b")
    score(other_story, EDITED, key="c")

    signal = score(story, PARAGRAPH, key="d")

    assert signal.label == "3 near-duplicates in the last 7 days, on 2 stories"


def test_copies_only_on_another_story(story, other_story, score):
    """When the copies are all on another story, the label says so."""
    score(other_story, PARAGRAPH, key="a")

    assert score(story, PARAGRAPH, key="b").label == "1 near-duplicate in the last 7 days, on 1 other story"


def test_exact_short_duplicate_from_the_same_commenter(story, score):
    """A short text sent again by the same commenter is an exact duplicate."""
    score(story, "Keep the buses!")

    assert score(story, "keep the  BUSES!") is not None


def test_short_texts_match_only_exactly(story, score):
    """Under 20 characters only an exact copy counts: a one-word change is not a duplicate."""
    score(story, "Keep the buses!", key="a")

    assert score(story, "Keep the ferries!", key="b") is None


def test_copies_older_than_seven_days_are_ignored(story, score, now):
    """A copy sent 8 days ago is outside the flood window."""
    score(story, PARAGRAPH, key="a", at=now - timedelta(days=8))

    assert score(story, PARAGRAPH, key="b") is None
    assert score(story, EDITED, key="c", at=now + timedelta(days=6)).label.startswith("1 near-duplicate")


def test_scoring_again_stores_no_band_twice(story, score, now):
    """A comment scored twice (after an edit that changed nothing) keeps one row per band."""
    comment = comment_by(story, body=PARAGRAPH, at=now)
    duplicates.detect(context_for(comment, now=now))
    duplicates.detect(context_for(comment, now=now))

    assert DuplicateBand.objects.filter(comment=comment).count() == duplicates.BANDS
    assert duplicates.detect(context_for(comment, now=now)) == []


def test_purge_deletes_bands_older_than_thirty_days(story, score, now):
    """Bands of comments over 30 days old are deleted; recent ones stay."""
    score(story, PARAGRAPH, key="a", at=now - timedelta(days=31))
    score(story, UNRELATED, key="b", at=now - timedelta(days=29))

    assert duplicates.duplicate_bands_purge(now=now) == duplicates.BANDS
    assert DuplicateBand.objects.count() == duplicates.BANDS


def test_bands_are_signed_64_bit(story):
    """Band hashes fit a signed 64-bit column, 16 for a long text and 1 for a short one."""
    bands = duplicates.bands_of(PARAGRAPH)

    assert len(bands) == 16 and all(-2**63 <= band < 2**63 for band in bands)
    assert len(duplicates.bands_of("Keep the buses!")) == 1


def test_a_common_short_reply_from_others_is_no_flood(story, score):
    """ "Agreed." from two other readers is ordinary; the same words a fourth time are a flood."""
    score(story, "Agreed.", key="a")
    score(story, "Agreed.", key="b")

    assert score(story, "Agreed.", key="c") is None
    assert score(story, "agreed.", key="d").name == "duplicate"
