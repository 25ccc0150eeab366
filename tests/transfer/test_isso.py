"""`voxpop import isso`: an Isso SQLite database (Isso's own schema) becomes stories and comments."""
from datetime import datetime, timezone

import pytest

from voxpop.comments.models import Comment
from voxpop.stories.models import Story

from .conftest import stored_anywhere
from .files import isso_database

MAY_1 = datetime(2024, 5, 1, 9, tzinfo=timezone.utc).timestamp()


@pytest.fixture
def database(tmp_path):
    return isso_database(
        tmp_path / "comments.db",
        threads=[(1, "/2024/05/night-buses/", "Night buses stay"), (2, "/island-library", "Island library")],
        comments=[
            {"tid": 1, "id": 1, "created": MAY_1, "mode": 1, "author": "Alice",
             "text": "The **night bus** is [my way](https://map.example/route) home.\nEvery day.",
             "remote_addr": "198.51.100.0", "email": "alice@mail.example", "website": "https://alice.example"},
            {"tid": 1, "id": 2, "parent": 1, "created": MAY_1 + 60, "mode": 1, "author": "Bob", "text": "Same"},
            {"tid": 1, "id": 3, "parent": 2, "created": MAY_1 + 120, "mode": 1, "author": None, "text": "Deeper"},
            {"tid": 2, "id": 4, "created": MAY_1 + 180, "mode": 2, "author": "Pat", "text": "Pending one"},
            {"tid": 2, "id": 5, "created": MAY_1 + 240, "mode": 4, "author": None, "text": ""},
            {"tid": 99, "id": 6, "created": MAY_1 + 300, "mode": 1, "author": "Lost", "text": "No thread"},
        ])


def test_threads_become_stories_under_the_base_url(run_import, database, english_desk):
    """A thread's uri is made absolute with --base-url and keyed by its path."""
    assert run_import("isso", database, base_url="https://news.example").code == 0

    story = Story.objects.get(key="2024-05-night-buses")
    assert story.url == "https://news.example/2024/05/night-buses/"
    assert story.title == "Night buses stay"
    assert Story.objects.filter(key="island-library").exists()


def test_without_base_url_the_threads_are_skipped(run_import, database, english_desk):
    """Isso has paths only: without --base-url no story can have a URL, and the summary says so."""
    result = run_import("isso", database)

    assert not Comment.objects.exists()
    assert "its thread has no absolute URL (give --base-url)" in result.out


def test_modes_and_markdown(run_import, database, english_desk):
    """Mode 1 is published, 2 pending, 4 (deleted) skipped; Markdown becomes plain text."""
    result = run_import("isso", database, base_url="https://news.example/")

    alice = Comment.objects.get(display_name="Alice")
    assert alice.status == "approved"
    assert alice.current_revision.body == "The night bus is my way (https://map.example/route) home.\nEvery day."
    assert alice.created_at == datetime(2024, 5, 1, 9, tzinfo=timezone.utc)
    assert Comment.objects.get(display_name="Pat").status == "pending"
    assert "1  deleted or trashed in the old system" in result.out
    assert "1  its thread is not in the file" in result.out


def test_replies_are_one_level(run_import, database, english_desk):
    """Isso's parent is kept, flattened to one level."""
    run_import("isso", database, base_url="https://news.example/")

    alice = Comment.objects.get(display_name="Alice")
    assert Comment.objects.get(display_name="Bob").parent == alice
    assert Comment.objects.get(revisions__body="Deeper").parent == alice


def test_no_address_email_or_website_is_stored(run_import, database, english_desk):
    """remote_addr, email and website are never read, let alone stored (G5)."""
    run_import("isso", database, base_url="https://news.example/")

    for needle in ("198.51.100.0", "alice@mail.example", "alice.example", "reader@mail.example"):
        assert stored_anywhere(needle) == []


def test_second_run_adds_nothing(run_import, database, english_desk):
    """Running it twice imports each comment once."""
    run_import("isso", database, base_url="https://news.example/")
    again = run_import("isso", database, base_url="https://news.example/")

    assert Comment.objects.count() == 4
    assert "already imported by an earlier run: 4" in again.out


def test_another_site_with_the_same_ids_is_imported(run_import, database, tmp_path, english_desk):
    """Isso ids count from 1 in every database: a second site's comments are not taken for the first's."""
    other = isso_database(tmp_path / "other.db", threads=[(1, "/other/", "Other")],
                          comments=[{"tid": 1, "id": 1, "created": MAY_1, "text": "Other site"}])
    run_import("isso", database, base_url="https://news.example/")
    run_import("isso", other, base_url="https://other.example/")

    assert Comment.objects.filter(revisions__body="Other site").exists()
    assert Comment.objects.count() == 5


def test_database_is_opened_read_only(run_import, database, english_desk):
    """The Isso database is left exactly as it was."""
    before = database.read_bytes()

    run_import("isso", database, base_url="https://news.example/")

    assert database.read_bytes() == before
