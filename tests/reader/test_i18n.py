"""Reader pages speak the story's language: Korean, Simplified and Traditional Chinese, English,
and lay out right-to-left scripts right to left."""
from datetime import timedelta

import pytest

from voxpop.desks.models import Desk
from voxpop.moderation.services import comment_approve
from voxpop.stories.services import story_upsert


@pytest.fixture
def story_in(db, now):
    """Make a story in a BCP 47 language on a desk of its own."""
    def make(language: str, title: str):
        key = f"story-{language.lower()}"
        desk = Desk.objects.create(key=f"desk-{language.lower()}", name=f"{language} desk", languages=[language])
        return story_upsert(key=key, fields={
            "title": title, "url": f"https://news.example/{key}", "language": language,
            "desk": desk, "published_at": now - timedelta(hours=1),
        }, now=now)[0]
    return make


def thread_html(client, story) -> str:
    response = client.get(f"/stories/{story.key}/comments/")
    assert response.status_code == 200
    return response.content.decode()


def test_korean_thread_shows_korean_labels_and_anonymous(client, korean_story, korean_moderator, submit, now):
    """A published anonymous comment under a Korean story reads 익명, and the form speaks Korean."""
    comment = submit(korean_story, body="도서관이 남아서 다행입니다.")
    comment_approve(comment_id=comment.pk, revision_id=comment.current_revision_id,
                    moderator=korean_moderator, now=now)

    html = thread_html(client, korean_story)

    assert ">내 댓글</label>" in html
    assert ">표시할 이름(선택)</label>" in html
    assert '<bdi class="vp-name">익명</bdi>' in html
    assert "댓글 1개" in html
    assert "Anonymous" not in html and "Your comment" not in html


def test_korean_refusal_message_is_korean(client, korean_story):
    """An empty comment to a Korean story comes back with the reason in Korean."""
    response = client.post(f"/stories/{korean_story.key}/comments/", {"body": "  ", "token": ""})

    assert response.status_code == 422
    assert "보내기 전에 댓글을 써 주세요." in response.content.decode()


def test_traditional_chinese_story_shows_traditional_strings(client, story_in):
    """A zh-Hant story's page uses Traditional characters, not Simplified ones."""
    html = thread_html(client, story_in("zh-Hant", "離島圖書館"))

    assert "發表留言" in html and "送交審核" in html
    assert "发表评论" not in html and "提交审核" not in html


def test_simplified_chinese_story_shows_simplified_strings(client, story_in):
    """A zh-Hans story's page uses Simplified characters and Mainland wording."""
    html = thread_html(client, story_in("zh-Hans", "海岛图书馆"))

    assert "发表评论" in html and "提交审核" in html
    assert "發表留言" not in html and "送交審核" not in html


def test_english_story_shows_english_left_to_right(client, story):
    """An English story's page is English and laid out left to right."""
    html = thread_html(client, story)

    assert '<html lang="en" dir="ltr">' in html
    assert ">Your comment</label>" in html and "Send for moderation" in html


def test_uyghur_story_page_is_right_to_left(client, story_in):
    """A Uyghur story's page is marked lang="ug" and dir="rtl"."""
    html = thread_html(client, story_in("ug", "ئارال كۇتۇپخانىسى"))

    assert 'lang="ug"' in html
    assert 'dir="rtl"' in html
