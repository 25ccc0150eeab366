"""The hostile-input corpus in `voxpop export`: every accepted case is written verbatim, one JSON
object per line, and comes back unchanged through `voxpop import voxpop`."""
import io
import json

import pytest
from django.core.management import call_command
from django.db import connection

from voxpop.comments.models import Comment
from voxpop.comments.services import comment_submit
from voxpop.transfer.export import everything_export
from voxpop.transfer.restore import everything_import

from .conftest import BENIGN_BODY
from .corpus import ACCEPTED_CASES


def export_text() -> str:
    out = io.StringIO()
    everything_export(out=out)
    text = out.getvalue()
    text.encode("utf-8")  # strict: a lone surrogate would fail here
    return text


def lines_of(text: str) -> list[dict]:
    """JSON lines split as the importer splits them: on \\n only (U+2028, U+0085 ... are text)."""
    assert text.endswith("\n")
    return [json.loads(line) for line in text[:-1].split("\n")]


def submitted(story, case, now):
    body = case.stored if case.field == "body" else BENIGN_BODY
    name = case.stored if case.field == "display_name" else ""
    comment = comment_submit(story=story, body=body, display_name=name, parent_id=None, submission_key=None,
                             commenter_key="reader-key", now=now).comment
    return comment, body, name


@pytest.mark.parametrize("case", ACCEPTED_CASES, ids=str)
def test_export_writes_the_case_verbatim(case, story, approve, now):
    """The approved comment's text and name are in the export exactly as stored, on one line."""
    comment, body, name = submitted(story, case, now)
    approve(comment)

    [line] = [obj for obj in lines_of(export_text()) if obj["type"] == "comment"]

    assert line["display_name"] == name
    assert [r["body"] for r in line["revisions"]] == [body]


def test_corpus_survives_export_and_import(story, approve, now):
    """Every accepted case, exported, restored into an empty database and exported again: same bytes."""
    for case in ACCEPTED_CASES:
        approve(submitted(story, case, now)[0])
    expected = {(c.pk, c.display_name, c.current_revision.body) for c in Comment.objects.select_related(
        "current_revision")}
    first = export_text()

    if connection.vendor == "postgresql":  # TRUNCATE refuses to run with deferred FK checks pending
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    call_command("flush", interactive=False, verbosity=0)
    everything_import(lines=io.BytesIO(first.encode("utf-8")))

    assert export_text() == first
    restored = {(c.display_name, c.current_revision.body) for c in Comment.objects.select_related("current_revision")}
    assert restored == {(name, body) for _, name, body in expected}
