"""Shared fixtures: a newsroom with two desks, stories, moderators and their API tokens.

The suite runs on whatever DATABASE_URL and REDIS_URL name (SQLite and local memory when unset).
`VOXPOP_TEST_REQUIRE_DB=postgresql` makes a run refuse to pass on any other database, so the
PostgreSQL job cannot quietly test SQLite instead.
"""
import os
from datetime import datetime, timedelta, timezone

import pytest
from django.conf import settings

from voxpop.accounts.models import User
from voxpop.accounts.services import api_token_create, moderator_save
from voxpop.comments.services import comment_submit
from voxpop.desks.models import Desk
from voxpop.moderation.services import comment_approve, comment_reject
from voxpop.desks.services import house_rules_set
from voxpop.stories.services import story_upsert

NOW = datetime(2026, 11, 2, 9, 30, tzinfo=timezone.utc)


def pytest_sessionstart(session):
    required = os.environ.get("VOXPOP_TEST_REQUIRE_DB")
    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    if required and engine != required:
        pytest.exit(f"VOXPOP_TEST_REQUIRE_DB={required} but DATABASE_URL gives {engine}", returncode=3)


@pytest.fixture
def now():
    return NOW


@pytest.fixture
def english_desk(db, now):
    desk = Desk.objects.create(key="english", name="English desk", languages=["en"])
    house_rules_set(desk=desk, language="en", texts=["Be civil.", "No personal data.", "Stay on topic."], now=now)
    return desk


@pytest.fixture
def korean_desk(db, now):
    desk = Desk.objects.create(key="korean", name="한국어 데스크", languages=["ko"])
    house_rules_set(desk=desk, language="ko", texts=["예의를 지켜 주세요.", "개인정보를 올리지 마세요."], now=now)
    return desk


@pytest.fixture
def story(english_desk, now):
    return story_upsert(key="harbour-buses", fields={
        "title": "Night buses stay", "url": "https://news.example/harbour-buses", "language": "en",
        "desk": english_desk, "published_at": now - timedelta(hours=3),
    }, now=now)[0]


@pytest.fixture
def korean_story(korean_desk, now):
    return story_upsert(key="island-library", fields={
        "title": "섬마을 도서관", "url": "https://news.example/island-library", "language": "ko",
        "desk": korean_desk, "published_at": now - timedelta(hours=2),
    }, now=now)[0]


def approve(comment, moderator, at):
    """Approve the comment's current revision (re-read first: earlier steps may have changed it)."""
    comment.refresh_from_db()
    comment_approve(comment_id=comment.pk, revision_id=comment.current_revision_id, moderator=moderator, now=at)


def reject(comment, moderator, rule, at):
    """Reject the comment's current revision under `rule`."""
    comment.refresh_from_db()
    comment_reject(comment_id=comment.pk, revision_id=comment.current_revision_id, moderator=moderator, rule=rule,
                   note="", now=at)


def make_moderator(username: str, desks: list[Desk], role: str = User.Role.MODERATOR) -> User:
    return moderator_save(username=username, password="correct horse battery", role=role,
                          desk_keys=[d.key for d in desks])[0]


@pytest.fixture
def editor(english_desk):
    return make_moderator("edna", [english_desk], role=User.Role.EDITOR)


@pytest.fixture
def korean_editor(korean_desk):
    return make_moderator("jisoo", [korean_desk], role=User.Role.EDITOR)


@pytest.fixture
def moderator(english_desk):
    return make_moderator("erin", [english_desk])


@pytest.fixture
def other_moderator(english_desk):
    return make_moderator("omar", [english_desk])


@pytest.fixture
def korean_moderator(korean_desk):
    return make_moderator("minji", [korean_desk])


@pytest.fixture
def token_for(now):
    def make(user: User) -> str:
        return api_token_create(user=user, now=now)
    return make


@pytest.fixture
def submit(now):
    """Submit a reader comment to a story; returns the Comment."""
    def make(story, body="A reader's comment.", display_name="", parent_id=None, key=None, at=None):
        return comment_submit(story=story, body=body, display_name=display_name, parent_id=parent_id,
                              submission_key=key, commenter_key="reader-key", now=at or now).comment
    return make


@pytest.fixture
def pending_comment(story, submit):
    return submit(story, body="The night bus is my only way home.")
