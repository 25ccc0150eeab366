"""Seed a migrated Voxpop database with bench/compare/dataset.py's stories, every comment approved.

    VOXPOP_DATA_DIR=... [DATABASE_URL=...] .venv/bin/python bench/compare/seed_voxpop.py

Real approved comments, as the moderation path leaves them: each has its reader's revision 1, status
`approved` with `published_at`, and the `ModerationDecision` (approve, by a desk moderator) that
published it. They go in with `bulk_create` in one transaction (21,200 comments in a few seconds)
instead of 21,200 calls of `comment_approve`, which would measure the seeding, not the server.
Prints one JSON line: counts and seconds.
"""
import hashlib
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "voxpop.settings.base")

import django  # noqa: E402

django.setup()

from django.db import transaction  # noqa: E402

import dataset  # noqa: E402
from voxpop.accounts.services import moderator_save  # noqa: E402
from voxpop.comments.models import Comment, CommentRevision  # noqa: E402
from voxpop.desks.models import Desk  # noqa: E402
from voxpop.moderation.models import ModerationDecision  # noqa: E402
from voxpop.stories.models import Story  # noqa: E402

BATCH = 2000


def seed() -> dict:
    start = time.perf_counter()
    seeded = dataset.stories()
    with transaction.atomic():
        desk = Desk.objects.create(key="english", name="English", languages=["en"])
        moderator, _ = moderator_save(username="bench-moderator", password=None, role="moderator",
                                      desk_keys=[desk.key])
        first = seeded[0].comments[0].created
        Story.objects.bulk_create([
            Story(key=s.key, title=s.title, url=f"https://news.example.org{s.path}", language="en", desk=desk,
                  published_at=first, created_at=first, updated_at=first)
            for s in seeded])
        story_ids = dict(Story.objects.values_list("key", "pk"))
        comments, revisions, decisions = [], [], []
        comment_id = 0
        for story in seeded:
            for c in story.comments:
                comment_id += 1
                fingerprint = hashlib.sha256("\x00".join([c.body, c.author, ""]).encode()).hexdigest()
                comments.append(Comment(
                    id=comment_id, story_id=story_ids[story.key], status=Comment.Status.APPROVED,
                    current_revision_id=comment_id, display_name=c.author, language="en", desk=desk,
                    created_at=c.created, published_at=c.published, fingerprint=fingerprint,
                    commenter_key=hashlib.sha256(f"bench-reader-{comment_id % 5000}".encode()).hexdigest()))
                revisions.append(CommentRevision(id=comment_id, comment_id=comment_id, number=1, body=c.body,
                                                 created_at=c.created))
                decisions.append(ModerationDecision(
                    comment_id=comment_id, revision_id=comment_id, actor=moderator,
                    action=ModerationDecision.Action.APPROVE, from_status=Comment.Status.PENDING,
                    to_status=Comment.Status.APPROVED, decided_at=c.published))
        # Comment and revision point at each other; the foreign keys are checked at commit.
        Comment.objects.bulk_create(comments, batch_size=BATCH)
        CommentRevision.objects.bulk_create(revisions, batch_size=BATCH)
        ModerationDecision.objects.bulk_create(decisions, batch_size=BATCH)
    _sequences_reset()
    return {"stories": len(seeded), "comments": len(comments), "decisions": len(decisions),
            "seconds": round(time.perf_counter() - start, 1)}


def _sequences_reset() -> None:
    """PostgreSQL: the next comment and revision ids follow the explicit ones given above."""
    from django.core.management.color import no_style
    from django.db import connection

    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [Comment, CommentRevision]):
            cursor.execute(sql)


if __name__ == "__main__":
    print(json.dumps(seed()))
