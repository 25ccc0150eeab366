"""`voxpop export` writes everything as JSON lines; `voxpop import voxpop` reads it back losslessly."""
import io
import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import make_moderator
from voxpop.accounts.models import ApiToken, User
from voxpop.comments.models import Comment
from voxpop.desks.models import Desk, HouseRule
from voxpop.moderation.models import CommenterRestriction, ModerationDecision
from voxpop.moderation.retention import comment_withdraw
from voxpop.moderation.services import (comment_approve, comment_edit, comment_reject, comment_undo,
                                        restriction_create, restriction_revoke)
from voxpop.scoring.editorial import protected_name_add, protected_name_remove, word_lists_set, word_lists_version
from voxpop.scoring.models import Assessment
from voxpop.scoring.services import comment_score
from voxpop.stories.models import Story
from voxpop.stories.services import story_settings_update
from voxpop.transfer.export import everything_export
from voxpop.transfer.restore import everything_import
from voxpop.transfer.records import ImportFileError

from .files import disqus_file, disqus_post, disqus_thread

MINUTE = timedelta(minutes=1)


def rule(desk, number):
    return HouseRule.objects.current().get(desk=desk, number=number)


@pytest.fixture
def newsroom(story, korean_story, english_desk, korean_desk, moderator, now, submit, token_for, run_import, tmp_path):
    """A newsroom that has used every feature the export covers."""
    editor = make_moderator("edith", [english_desk, korean_desk], role=User.Role.EDITOR)
    token_for(moderator)
    story_settings_update(story=story, actor=editor, state=Story.State.OPEN, closes_at=now + timedelta(days=3),
                          sensitive=True, now=now)
    protected_name_add(story=story, name="Jane Source", editor=editor, now=now)
    removed = protected_name_add(story=story, name="Old Name", editor=editor, now=now)
    protected_name_remove(story=story, name_id=removed.pk, editor=editor, now=now + MINUTE)
    word_lists_set(desk=english_desk, language="en", entries={"banned": ["scum"], "suspect": ["idiot"]},
                   seen=word_lists_version({"banned": None, "suspect": None}), editor=editor, now=now)

    first = submit(story, body="The night bus is my only way home.", display_name="Ana")
    comment_approve(comment_id=first.pk, revision_id=first.current_revision_id, moderator=moderator, now=now)
    reply = submit(story, body="Mine too.", display_name="민준", parent_id=first.pk, key="idem-1", at=now + MINUTE)
    comment_approve(comment_id=reply.pk, revision_id=reply.current_revision_id, moderator=moderator, now=now + MINUTE)
    rude = submit(story, body="You are all idiots", at=now + 2 * MINUTE)
    comment_reject(comment_id=rude.pk, revision_id=rude.current_revision_id, moderator=moderator,
                   rule=rule(english_desk, 1), note="insult", now=now + 2 * MINUTE)
    phone = submit(story, body="Call me on 020 7946 0123", at=now + 3 * MINUTE)
    comment_edit(comment_id=phone.pk, revision_id=phone.current_revision_id, moderator=moderator,
                 body="Call me on [removed]", rule=rule(english_desk, 2), note="phone", approve=True,
                 now=now + 3 * MINUTE)
    undone = submit(story, body="Approved by mistake", at=now + 4 * MINUTE)
    comment_approve(comment_id=undone.pk, revision_id=undone.current_revision_id, moderator=moderator,
                    now=now + 4 * MINUTE)
    comment_undo(moderator=moderator, now=now + 5 * MINUTE)
    gone = submit(story, body="I regret this", at=now + 6 * MINUTE)
    comment_withdraw(comment_id=gone.pk, now=now + 7 * MINUTE)
    scored = submit(korean_story, body="자세한 내용은 https://spam.example 참고", at=now + 8 * MINUTE)
    comment_score(comment=scored, now=now + 8 * MINUTE)

    restriction_create(commenter_key="reader-key", desk=english_desk, kind=CommenterRestriction.Kind.HOLD,
                       reason="watch", expires_at=None, moderator=moderator, now=now)
    ban = restriction_create(commenter_key="flooder-key", desk=english_desk, kind=CommenterRestriction.Kind.BAN,
                             reason="flood", expires_at=now + timedelta(days=7), moderator=moderator, now=now)
    restriction_revoke(restriction_id=ban.pk, moderator=moderator, now=now + MINUTE)

    old = disqus_file(tmp_path / "old.xml",
                      disqus_thread(10, link="https://news.example/2019/old/", title="Old"),
                      disqus_post(100, thread=10, message="<p>From 2019</p>", author="Veteran",
                                  created="2019-03-01T10:00:00Z"),
                      disqus_post(102, thread=10, message="<p>Early reply</p>", parent=101,
                                  created="2019-03-01T10:30:00Z"),
                      disqus_post(101, thread=10, message="<p>Parent after its reply</p>", parent=100,
                                  created="2019-03-01T10:20:00Z"),
                      # A reply written before its top-level parent: the parent gets the larger id.
                      disqus_post(103, thread=10, message="<p>Reply first</p>", parent=104,
                                  created="2019-03-02T10:00:00Z"),
                      disqus_post(104, thread=10, message="<p>Top-level later</p>", created="2019-03-02T09:00:00Z"))
    assert run_import("disqus", old).code == 0
    return {"editor": editor}


def export_text(**options) -> str:
    out = io.StringIO()
    everything_export(out=out, **options)
    return out.getvalue()


def lines_of(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines()]


def test_every_kind_of_data_is_exported(newsroom):
    """Desks, rules, users, word lists, stories and their audits, comments and decisions each have lines."""
    kinds = {line["type"] for line in lines_of(export_text())}

    assert kinds == {"voxpop", "desk", "house_rule", "user", "word_list", "story", "story_setting_change",
                     "protected_name", "protected_name_change", "comment", "decision"}


def test_comments_carry_every_revision(newsroom):
    """An edited comment has its reader's original and the moderator's revision, with rule and editor."""
    phone = next(c for c in lines_of(export_text()) if c["type"] == "comment"
                 and c["revisions"][0]["body"] == "Call me on 020 7946 0123")

    assert [r["body"] for r in phone["revisions"]] == ["Call me on 020 7946 0123", "Call me on [removed]"]
    assert phone["revisions"][1]["editor"] == "erin" and phone["revisions"][1]["rule"] is not None
    assert phone["current_revision"] == 2 and phone["status"] == "approved"


def test_no_secrets_are_exported(newsroom, moderator):
    """No password hash, TOTP secret, API token digest or e-mail of a moderator is in the file."""
    text = export_text(include_commenter_keys=True)

    moderator.refresh_from_db()
    assert moderator.password and moderator.password not in text
    for device in TOTPDevice.objects.all():
        assert device.key not in text
    for digest in ApiToken.objects.values_list("digest", flat=True):
        assert digest not in text
    assert "password" not in text and "digest" not in text


def test_commenter_keys_only_on_request(newsroom):
    """Commenter keys, and the holds and bans naming them, are exported only with include_commenter_keys."""
    without = export_text()
    with_keys = export_text(include_commenter_keys=True)

    assert "reader-key" not in without and "flooder-key" not in without
    assert not any(line["type"] == "restriction" for line in lines_of(without))
    restrictions = [line for line in lines_of(with_keys) if line["type"] == "restriction"]
    assert {r["commenter_key"] for r in restrictions} == {"reader-key", "flooder-key"}
    assert lines_of(with_keys)[0] == {"type": "voxpop", "version": 1, "commenter_keys": True}


def test_references_are_to_earlier_lines(newsroom):
    """Each reference names a desk, story, user, rule or decision written on an earlier line."""
    seen = {"desk": set(), "story": set(), "user": set(), "rule": set(), "comment": set(), "decision": set()}
    for line in lines_of(export_text()):
        kind = line["type"]
        if kind == "desk":
            seen["desk"].add(line["key"])
        elif kind == "house_rule":
            assert line["desk"] in seen["desk"]
            seen["rule"].add(line["id"])
        elif kind == "user":
            assert set(line["desks"]) <= seen["desk"]
            seen["user"].add(line["username"])
        elif kind == "story":
            assert line["desk"] in seen["desk"]
            seen["story"].add(line["key"])
        elif kind == "comment":
            assert line["story"] in seen["story"] and line["desk"] in seen["desk"]
            for revision in line["revisions"]:
                assert revision["editor"] in seen["user"] | {None}
                assert revision["rule"] in seen["rule"] | {None}
            seen["comment"].add(line["id"])
        elif kind == "decision":
            assert line["comment"] in seen["comment"] and line["actor"] in seen["user"] | {None}
            assert line["undoes"] in seen["decision"] | {None}
            seen["decision"].add(line["id"])


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("include_keys", [False, True])
def test_round_trip_gives_identical_output(newsroom, include_keys):
    """export -> import into an empty database -> export gives the same bytes."""
    first = export_text(include_commenter_keys=include_keys)
    comments = [line for line in lines_of(first) if line["type"] == "comment"]
    assert any(c["parent"] and c["parent"] > c["id"] for c in comments)  # a parent after its reply
    old_ids = set(Comment.objects.values_list("pk", flat=True))
    call_command("flush", interactive=False, verbosity=0)
    assert not Comment.objects.exists()

    everything_import(lines=io.BytesIO(first.encode("utf-8")))
    second = export_text(include_commenter_keys=include_keys)

    assert second == first
    assert Comment.objects.count() == len(old_ids)
    assert Assessment.objects.exists()
    assert Comment.objects.filter(parent__isnull=False).count() == 4
    assert Comment.objects.get(revisions__body="Reply first").parent.current_revision.body == "Top-level later"


@pytest.mark.django_db(transaction=True)
def test_restored_data_works(newsroom, now):
    """After a restore, threads, audit rows, users and an idempotent retry behave as before."""
    text = export_text(include_commenter_keys=True)
    call_command("flush", interactive=False, verbosity=0)
    everything_import(lines=io.BytesIO(text.encode("utf-8")))

    story = Story.objects.get(key="harbour-buses")
    first = Comment.objects.get(revisions__body="The night bus is my only way home.")
    assert first.status == "approved" and first.published_at == now
    assert Comment.objects.get(revisions__body="Mine too.").parent == first
    undo = ModerationDecision.objects.get(action="undo")
    assert undo.undoes.action == "approve"
    erin = User.objects.get(username="erin")
    assert not erin.has_usable_password() and list(erin.desks.values_list("key", flat=True)) == ["english"]
    assert story.sensitive and Desk.objects.count() == 2
    assert CommenterRestriction.objects.filter(commenter_key="flooder-key", revoked_by=erin).exists()
    assert HouseRule.objects.filter(desk__key="english").count() == 3


def test_restore_refuses_a_database_with_data(newsroom):
    """Importing an export into a database that already has stories is refused."""
    text = export_text()

    with pytest.raises(ImportFileError, match="empty database"):
        everything_import(lines=io.BytesIO(text.encode("utf-8")))


def test_restore_error_names_the_line_and_leaves_nothing(db):
    """A broken line stops the restore with its number, and nothing of the file stays."""
    lines = [
        {"type": "voxpop", "version": 1, "commenter_keys": False},
        {"type": "desk", "key": "english", "name": "English", "languages": ["en"]},
        {"type": "story", "key": "s", "title": "S", "url": "https://x.example/s", "language": "en",
         "desk": "nowhere", "published_at": None, "state": "open", "closes_at": None, "sensitive": False,
         "created_at": "2024-01-01T00:00:00Z", "updated_at": "2024-01-01T00:00:00Z"},
    ]
    data = "\n".join(json.dumps(line) for line in lines).encode("utf-8")

    with pytest.raises(ImportFileError, match=r"line 3: no desk 'nowhere'"):
        everything_import(lines=io.BytesIO(data))
    assert not Desk.objects.exists()


@pytest.mark.parametrize("content, message", [
    (b'{"type": "desk", "key": "x"}', "line 1: not a voxpop export"),
    (b'{"type": "voxpop", "version": 2}', "line 1: version 2"),
    (b'{"type": "voxpop", "version": 1}\nnot json', "line 2: not a JSON object"),
    (b'{"type": "voxpop", "version": 1}\n{"type": "teapot"}', "line 2: unknown type 'teapot'"),
    (b'{"type": "voxpop", "version": 1}\n{"type": "desk", "key": "x", "name": 5, "languages": []}',
     "line 2: 'name' has the wrong type"),
    (b"", "the file is empty"),
])
def test_restore_refuses_files_that_are_not_exports(db, content, message):
    """Files that are not a voxpop export, or of another version, are refused with a reason."""
    with pytest.raises(ImportFileError, match=message):
        everything_import(lines=io.BytesIO(content))
