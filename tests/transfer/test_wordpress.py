"""`voxpop import wordpress`: a WordPress WXR export becomes stories and comments."""
import pytest

from voxpop.comments.models import Comment
from voxpop.moderation.models import ModerationDecision
from voxpop.stories.models import Story
from voxpop.transfer.models import ImportedItem

from .conftest import stored_anywhere
from .files import wxr_comment, wxr_file, wxr_item


@pytest.fixture
def export(tmp_path):
    return wxr_file(
        tmp_path / "wordpress.xml",
        wxr_item(18, link="https://blog.harbour.example/2024/05/night-buses/", title="Night buses &#8217;stay&#8217;",
                 comments=[
                     wxr_comment(2, author="Ohai", content="First line\nsecond line\n\n<strong>Bold</strong> claim"),
                     wxr_comment(3, author="Pending Pat", approved="0", content="Please check"),
                     wxr_comment(4, author="Spammer", approved="spam", content="pills"),
                     wxr_comment(5, author="Binned", approved="trash", content="old"),
                     wxr_comment(6, author="", approved="1", comment_type="pingback",
                                 content="[...] linked from elsewhere [...]"),
                     wxr_comment(7, author="Replier", parent=2, content="I agree"),
                     wxr_comment(8, author="Deep", parent=7, content="Me too"),
                 ]),
        wxr_item(20, link="https://blog.harbour.example/?p=20", title="Closed post", status="closed",
                 comments=[wxr_comment(9, author="Late", content="ok", date_gmt="2024-05-03 12:00:00")]),
        wxr_item(21, link="https://blog.harbour.example/no-comments/", title="No comments"),
    )


def test_items_with_comments_become_stories(run_import, export, english_desk):
    """Each post with importable comments is a story; one without comments is not."""
    assert run_import("wordpress", export).code == 0

    story = Story.objects.get(key="2024-05-night-buses")
    assert story.title == "Night buses ’stay’"
    assert story.url == "https://blog.harbour.example/2024/05/night-buses/"
    assert not Story.objects.filter(url__contains="no-comments").exists()


def test_post_without_a_path_is_keyed_by_its_id(run_import, export, english_desk):
    """A `?p=20` link has no path: the story key falls back to the post id; closed comments close it."""
    run_import("wordpress", export)

    story = Story.objects.get(key="wordpress-20")
    assert story.state == Story.State.CLOSED


def test_approval_states(run_import, export, english_desk):
    """1 is published, 0 pending; spam, trash and pingbacks are skipped with their reason."""
    result = run_import("wordpress", export)

    statuses = dict(Comment.objects.values_list("display_name", "status"))
    assert statuses == {"Ohai": "approved", "Pending Pat": "pending", "Replier": "approved", "Deep": "approved",
                        "Late": "approved"}
    assert "1  spam" in result.out
    assert "1  deleted or trashed in the old system" in result.out
    assert "1  pingback or trackback, not a reader's comment" in result.out
    assert ModerationDecision.objects.filter(note="imported from wordpress: approved").count() == 4


def test_line_breaks_are_kept_and_markup_removed(run_import, export, english_desk):
    """WordPress comment text keeps its line breaks; its few tags are removed."""
    run_import("wordpress", export)

    assert Comment.objects.get(display_name="Ohai").current_revision.body == \
        "First line\nsecond line\n\nBold claim"


def test_reply_structure_is_one_level(run_import, export, english_desk):
    """comment_parent is kept; a reply to a reply attaches to the top-level comment."""
    run_import("wordpress", export)

    top = Comment.objects.get(display_name="Ohai")
    assert Comment.objects.get(display_name="Replier").parent == top
    assert Comment.objects.get(display_name="Deep").parent == top


def test_source_names_the_site(run_import, export, english_desk):
    """WordPress ids are per site: they are recorded under the site's address."""
    result = run_import("wordpress", export)

    assert ImportedItem.objects.filter(source="wordpress:https://blog.harbour.example").count() == 5
    assert "source 'wordpress:https://blog.harbour.example'" in result.out


def test_second_run_adds_nothing(run_import, export, english_desk):
    """A second import of the same file adds no comment."""
    run_import("wordpress", export)
    again = run_import("wordpress", export)

    assert Comment.objects.count() == 5
    assert "already imported by an earlier run: 5" in again.out


def test_no_email_address_or_website_is_stored(run_import, export, english_desk):
    """comment_author_email, _IP and _url are never stored (G5)."""
    run_import("wordpress", export)

    for needle in ("reader@mail.example", "203.0.113.9", "reader.example"):
        assert stored_anywhere(needle) == []


def test_gmt_date_is_the_comment_time(run_import, export, english_desk):
    """comment_date_gmt is the creation time, in UTC."""
    run_import("wordpress", export)

    assert Comment.objects.get(display_name="Late").created_at.isoformat() == "2024-05-03T12:00:00+00:00"


def test_anonymous_author_has_no_display_name(run_import, tmp_path, english_desk):
    """An empty comment_author is an anonymous comment."""
    path = wxr_file(tmp_path / "w.xml", wxr_item(1, link="https://b.example/a/", title="A",
                                                 comments=[wxr_comment(1, author="", content="hello")]))
    run_import("wordpress", path)

    assert Comment.objects.get().display_name == ""
