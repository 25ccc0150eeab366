"""The same submission (one Idempotency-Key) sent 2, 10 and 50 times at once."""
import os
import threading

import pytest

from .conftest import POSTGRES_JOB
from .harness import Client, STORY
from .test_workers import connect, server  # noqa: F401 - the job's server and database, as fixtures


@pytest.mark.parametrize("copies", [2, 10, 50])
def test_same_submission_sent_at_once_makes_one_comment(server, connect, copies):
    """The same submission sent N times concurrently makes one comment, and every answer carries its id."""
    key = f"concurrent-{copies}-{os.getpid()}"
    body = f"Sent {copies} times at once. [{key}]"
    start = threading.Barrier(copies)
    answers = [None] * copies

    def send(i):
        client = Client(server.base, source=f"127.60.0.{i % 250 + 1}", timeout=30)
        start.wait()
        answers[i] = client.post_json(f"/api/v1/stories/{STORY}/comments", {"body": body}, {"Idempotency-Key": key})

    threads = [threading.Thread(target=send, args=(i,)) for i in range(copies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert [a.status for a in answers] == [202] * copies, [a.body[:200] for a in answers if a.status != 202]
    assert len({a.json()["id"] for a in answers}) == 1
    with connect() as connection:
        cursor = connection.cursor()
        cursor.execute("SELECT COUNT(*) FROM comments_commentrevision WHERE body = " +
                       ("%s" if POSTGRES_JOB else "?"), (body,))
        assert cursor.fetchone()[0] == 1
