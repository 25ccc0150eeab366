"""`voxpop import disqus`: a Disqus XML export becomes stories and comments."""
from datetime import datetime, timezone

import pytest

from voxpop.comments.models import Comment
from voxpop.moderation.models import ModerationDecision
from voxpop.stories.models import Story
from voxpop.transfer.models import ImportedItem

from .conftest import stored_anywhere
from .files import disqus_file, disqus_post, disqus_thread

HARBOUR = disqus_thread(10, ident="article-4471", link="https://news.example/2024/05/harbour-buses/",
                        title="Night buses &amp; ferries")


@pytest.fixture
def export(tmp_path):
    return disqus_file(
        tmp_path / "disqus.xml", HARBOUR,
        disqus_thread(11, link="https://news.example/2024/05/island-library/", title="Island library", closed=True),
        disqus_post(100, thread=10, author="Alice", message="<p>The night bus is <b>my</b> only way home.</p>"),
        disqus_post(101, thread=10, author="Bob", parent=100, created="2024-05-01T10:00:00Z",
                    message="<p>Mine too.<br>Every night.</p>"),
        disqus_post(102, thread=10, author="Carol", parent=101, created="2024-05-01T11:00:00Z",
                    message="<p>A reply to a reply</p>"),
        disqus_post(103, thread=10, spam=True, message="<p>cheap pills</p>"),
        disqus_post(104, thread=10, deleted=True, message="<p>gone</p>"),
        disqus_post(105, thread=11, approved=False, message="<p>Waiting for a moderator</p>"),
        disqus_post(106, thread=999, message="<p>orphan</p>"),
    )


def test_threads_become_stories_with_desk_and_language(run_import, export, english_desk):
    """Each thread is a story keyed by its URL path, on the given desk, in the desk's language."""
    assert run_import("disqus", export).code == 0

    story = Story.objects.get(key="2024-05-harbour-buses")
    assert (story.title, story.url, story.desk, story.language) == (
        "Night buses & ferries", "https://news.example/2024/05/harbour-buses/", english_desk, "en")
    assert story.published_at == datetime(2024, 5, 1, 8, tzinfo=timezone.utc)
    assert Story.objects.get(key="2024-05-island-library").state == Story.State.CLOSED


def test_approved_comments_are_published_with_a_system_decision(run_import, export, english_desk):
    """An approved comment is published at its original time, with a system decision saying where it came from."""
    run_import("disqus", export)

    alice = Comment.objects.get(display_name="Alice")
    assert alice.status == Comment.Status.APPROVED
    assert alice.created_at == alice.published_at == datetime(2024, 5, 1, 9, tzinfo=timezone.utc)
    assert alice.current_revision.number == 1
    assert alice.current_revision.body == "The night bus is my only way home."
    decision = ModerationDecision.objects.get(comment=alice)
    assert (decision.actor, decision.action, decision.from_status, decision.to_status, decision.note) == (
        None, "approve", "pending", "approved", "imported from disqus: approved")
    assert decision.revision == alice.current_revision
    assert decision.decided_at == alice.created_at


def test_unapproved_comment_waits_in_the_queue(run_import, export, english_desk):
    """isApproved false is pending: no publication time and no decision."""
    run_import("disqus", export)

    waiting = Comment.objects.get(revisions__body="Waiting for a moderator")
    assert waiting.status == Comment.Status.PENDING and waiting.published_at is None
    assert waiting.desk == english_desk
    assert not ModerationDecision.objects.filter(comment=waiting).exists()


def test_spam_deleted_and_orphans_are_skipped_and_counted(run_import, export, english_desk):
    """Spam, deleted posts and posts of an absent thread are not imported; the summary says why."""
    result = run_import("disqus", export)

    assert Comment.objects.count() == 4
    assert "comments imported: 4 (3 published, 1 pending)" in result.out
    assert "1  spam" in result.out
    assert "1  deleted or trashed in the old system" in result.out
    assert "1  its thread is not in the file" in result.out


def test_replies_keep_their_parent_one_level_deep(run_import, export, english_desk):
    """A reply hangs under its parent; a reply to a reply under the top-level comment."""
    run_import("disqus", export)

    alice = Comment.objects.get(display_name="Alice")
    assert Comment.objects.get(display_name="Bob").parent == alice
    assert Comment.objects.get(display_name="Carol").parent == alice


def test_reply_before_its_parent_is_attached(run_import, tmp_path, english_desk):
    """A reply that comes before its parent in the file is attached once the parent is in."""
    path = disqus_file(tmp_path / "d.xml", HARBOUR,
                       disqus_post(201, thread=10, author="Early reply", parent=200, message="reply"),
                       disqus_post(200, thread=10, author="Parent", message="parent"))
    result = run_import("disqus", path)

    assert Comment.objects.get(display_name="Early reply").parent == Comment.objects.get(display_name="Parent")
    assert "attached at the end: 1" in result.out


def test_second_run_adds_nothing(run_import, export, english_desk):
    """Running the same import twice creates no duplicate stories, comments or decisions."""
    run_import("disqus", export)
    counts = (Story.objects.count(), Comment.objects.count(), ModerationDecision.objects.count())

    again = run_import("disqus", export)

    assert again.code == 0
    assert (Story.objects.count(), Comment.objects.count(), ModerationDecision.objects.count()) == counts
    assert "already imported by an earlier run: 4" in again.out
    assert ImportedItem.objects.filter(source="disqus").count() == 4


def test_existing_story_with_the_same_key_is_used(run_import, export, story, english_desk):
    """A story the CMS registered already is used as it is, not duplicated or changed."""
    story.key = "2024-05-harbour-buses"
    story.save()

    result = run_import("disqus", export)

    story.refresh_from_db()
    assert story.title == "Night buses stay"
    assert Comment.objects.filter(story=story).count() == 3
    assert "1 created, 1 existing used" in result.out


def test_story_key_from_the_site_identifier(run_import, export, english_desk):
    """--story-key id uses the identifier the site gave Disqus, falling back to the Disqus id."""
    run_import("disqus", export, key_from="id")

    assert set(Story.objects.values_list("key", flat=True)) == {"article-4471", "disqus-11"}


def test_no_email_or_address_is_stored(run_import, export, english_desk):
    """The authors' e-mail and IP addresses in the file are stored nowhere (G5)."""
    run_import("disqus", export)

    assert Comment.objects.exists()
    for needle in ("reader@mail.example", "198.51.100.7", "editor@harbournews.example", "192.0.2.1"):
        assert stored_anywhere(needle) == []


def test_html_in_comments_becomes_text(run_import, tmp_path, english_desk):
    """Scripts, event handlers and tags never reach the stored text (G2)."""
    message = ('<p>Hi <script>alert(document.cookie)</script><img src=x onerror="alert(1)">'
               '<a href="javascript:evil()">there</a> &lt;3</p>')
    path = disqus_file(tmp_path / "d.xml", HARBOUR, disqus_post(300, thread=10, message=message,
                                                                author="<b>Mallory</b>"))
    run_import("disqus", path)

    comment = Comment.objects.get()
    assert comment.current_revision.body == "Hi there <3"
    assert comment.display_name == "Mallory"


def test_long_names_are_trimmed(run_import, tmp_path, english_desk):
    """A display name longer than the reader form's limit is cut to it."""
    path = disqus_file(tmp_path / "d.xml", HARBOUR, disqus_post(300, thread=10, message="x", author="N" * 300))
    run_import("disqus", path)

    assert Comment.objects.get().display_name == "N" * 60


def test_as_pending_sends_everything_to_the_queue(run_import, export, english_desk):
    """--as-pending imports approved comments as pending, for moderators to read first."""
    run_import("disqus", export, as_pending=True)

    assert set(Comment.objects.values_list("status", flat=True)) == {"pending"}
    assert not ModerationDecision.objects.exists()


def test_language_can_be_given(run_import, export, english_desk):
    """--language sets the new stories' and comments' language."""
    run_import("disqus", export, language="en-GB")

    assert set(Comment.objects.values_list("language", flat=True)) == {"en-GB"}


def test_unknown_desk_is_refused(run_import, export, english_desk):
    """An unknown desk key is an error; nothing is imported."""
    result = run_import("disqus", export, desk="nowhere")

    assert result.code == 1 and "nowhere" in result.err
    assert not Comment.objects.exists()


def test_progress_and_summary(run_import, export, english_desk):
    """A progress line goes to standard error, the summary to standard output."""
    result = run_import("disqus", export)

    assert "importing disqus.xml:" in result.err and "comments imported" in result.err
    assert result.out.startswith("Imported from disqus")
