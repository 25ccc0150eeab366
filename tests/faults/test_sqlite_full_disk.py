"""SQLite on a full filesystem: a clear answer that keeps the text, and recovery once space is freed.

The data dir is a small tmpfs mounted for this module (root only), filled to the last byte with a
file while the server runs, then freed again: the same server, never restarted, must take the
submissions it refused.
"""
import html
import os
import shutil
import subprocess

import pytest

from .conftest import POSTGRES_JOB, unavailable
from .harness import (Ack, Client, Record, STORY, TOKEN_FIELD, Server, disk_fill, nothing_lost, run_load,
                      sqlite_connect, temp_dir)

API = f"/api/v1/stories/{STORY}/comments"
FORM = f"/stories/{STORY}/comments/"
API_BODY = "Written while the disk was full."
FORM_BODY = "Typed while the disk was full <b>and</b> kept."


@pytest.fixture(scope="module")
def full_disk():
    """The scenario once; each test reads what it needs from its answers."""
    if POSTGRES_JOB:
        pytest.skip("runs in the SQLite job")
    if os.geteuid() != 0 or not shutil.which("mount"):
        unavailable("mounting a tmpfs for the full-disk case needs root")
    mount = temp_dir("voxpop-faults-full-")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=32m", "tmpfs", str(mount)], capture_output=True,
                          text=True)
    if done.returncode != 0:
        os.rmdir(mount)
        unavailable(f"cannot mount a tmpfs: {done.stderr.strip()}")
    server = None
    try:
        server = Server(mount, workers=2).prepare().start()
        before = run_load(server, seconds=2)
        client = Client(server.base, source="127.70.0.1")
        token = TOKEN_FIELD.search(client.send("GET", FORM).body).group(1)
        form = {"token": token, "body": FORM_BODY, "display_name": "Ana", "website": ""}

        disk_fill(mount)
        # SQLite reuses the space its WAL file already has, so the first writes may still succeed (and
        # are then durable): submit until the disk refuses one, each a separate submission.
        during = Record()
        for n in range(300):
            body = f"{API_BODY} ({n})"
            client.source = f"127.71.{n // 250}.{n % 250 + 1}"  # many readers: no source budget is reached
            answer = client.post_json(API, {"body": body}, {"Idempotency-Key": f"full-disk-{n}"})
            if answer.status != 202:
                break
            during.acks.append(Ack("api", int(answer.json()["id"]), body))
        client.source = "127.70.0.1"
        seen = {"api": answer, "form": client.post_form(FORM, form), "page": client.send("GET", FORM)}
        (mount / "filler").unlink()
        seen["form_again"] = client.post_form(FORM, form)
        client.source = f"127.71.{n // 250}.{n % 250 + 1}"
        seen["api_again"] = client.post_json(API, {"body": body}, {"Idempotency-Key": f"full-disk-{n}"})
        refused_body = body
        after = run_load(server, seconds=2)
        connection = sqlite_connect(server.data_dir)
        try:
            seen["lost"] = [problem for record in (before, during, after) for problem in nothing_lost(connection, record)]
            seen["stored"] = [connection.execute("SELECT COUNT(*) FROM comments_commentrevision WHERE body = ?",
                                                 (text,)).fetchone()[0] for text in (refused_body, FORM_BODY)]
        finally:
            connection.close()
        seen["acks"] = len(before.acks), len(after.acks)
        yield seen
    finally:
        if server:
            server.stop()
            server.log.unlink(missing_ok=True)
        subprocess.run(["umount", str(mount)], check=False)
        os.rmdir(mount)


def test_api_answers_503_json_on_a_full_disk(full_disk):
    """A submission that cannot be written answers 503 in the API's error shape, with Retry-After."""
    answer = full_disk["api"]
    assert answer.status == 503
    assert answer.json()["error"]["code"] == "unavailable"
    assert answer.headers["retry-after"].isdigit()


def test_form_keeps_the_text_on_a_full_disk(full_disk):
    """The form answers 503 with the reader's text and name back in a form that sends it again."""
    answer = full_disk["form"]
    assert answer.status == 503, answer.body[:300]
    assert html.escape(FORM_BODY, quote=False) in answer.body
    assert 'value="Ana"' in answer.body
    assert 'name="token"' in answer.body


def test_reading_on_a_full_disk_is_no_500(full_disk):
    """Reading the thread on a full disk answers the page or a 503, never a 500 page."""
    assert full_disk["page"].status in (200, 503)


def test_submissions_are_taken_again_once_space_is_freed(full_disk):
    """Freed space is enough: the same server takes the refused submissions again, without a restart."""
    assert full_disk["api_again"].status == 202
    assert full_disk["form_again"].status == 303
    assert full_disk["acks"][1] > 0


def test_full_disk_loses_and_doubles_nothing(full_disk):
    """Nothing acknowledged before or after is lost, and each resent submission is stored once."""
    assert full_disk["lost"] == []
    assert full_disk["stored"] == [1, 1]
