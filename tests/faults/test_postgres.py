"""PostgreSQL restarted, and killed with SIGKILL, while readers submit and a moderator approves."""
import time

import pytest

from .harness import Client, STORY, nothing_lost, run_load, wait_for

LOAD_SECONDS = 6
FAULT_AT = 2


def _after_fault(stack, fault):
    record = run_load(stack.server, seconds=LOAD_SECONDS, faults=[(FAULT_AT, fault)])
    with stack.connect() as connection:
        problems = nothing_lost(connection, record)
    return record, problems


@pytest.fixture(scope="module")
def restarted(stack):
    marks = {}

    def fault():
        stack.postgres.restart()
        marks["up"] = time.monotonic()
    record, problems = _after_fault(stack, fault)
    return record, problems, marks["up"]


@pytest.fixture(scope="module")
def killed(stack):
    marks = {}

    def fault():
        stack.postgres.kill()
        time.sleep(0.5)  # down for a moment, as after a crash
        stack.postgres.start()
        marks["up"] = time.monotonic()
    record, problems = _after_fault(stack, fault)
    return record, problems, marks["up"]


def test_restart_loses_no_acknowledged_comment_or_decision(restarted):
    """A PostgreSQL restart mid-load loses no acknowledged comment or approval and publishes nothing undecided."""
    record, problems, _ = restarted
    assert record.acks and record.approvals, record.summary()
    assert problems == []


def test_submissions_resume_after_restart(restarted):
    """Once PostgreSQL is back, submissions are acknowledged again without restarting Voxpop."""
    record, _, up = restarted
    assert record.acknowledged_after(up) > 0, record.summary()


def test_restart_answers_503_never_500(restarted):
    """While PostgreSQL restarts, a request that cannot be served answers 503 (retry), never a 500 page."""
    record, _, _ = restarted
    assert record.server_error_statuses() <= {503}, [e for e in record.server_errors if " 503:" not in e][:5]


def test_kill_loses_no_acknowledged_comment_or_decision(killed):
    """SIGKILL of the postmaster mid-load loses no acknowledged comment or approval (crash recovery)."""
    record, problems, _ = killed
    assert record.acks and record.approvals, record.summary()
    assert problems == []


def test_submissions_resume_after_kill(killed):
    """After PostgreSQL recovers from being killed, submissions are acknowledged again."""
    record, _, up = killed
    assert record.acknowledged_after(up) > 0, record.summary()


def test_kill_answers_503_never_500(killed):
    """While PostgreSQL is down after a crash, answers are 503, never a 500 page."""
    record, _, _ = killed
    assert record.server_error_statuses() <= {503}, [e for e in record.server_errors if " 503:" not in e][:5]


def test_a_retry_after_the_outage_gets_the_first_answer(stack):
    """A client resending with its Idempotency-Key after a lost answer gets the comment it already made."""
    client = Client(stack.server.base, source="127.40.0.1")
    first = client.post_json(f"/api/v1/stories/{STORY}/comments", {"body": "Sent twice around a restart."},
                             {"Idempotency-Key": "restart-retry"})
    assert first.status == 202, first.body
    stack.postgres.restart()
    wait_for("a submission after the restart", lambda: client.post_json(
        f"/api/v1/stories/{STORY}/comments", {"body": "Sent twice around a restart."},
        {"Idempotency-Key": "restart-retry"}).status == 202, timeout=20)
    again = client.post_json(f"/api/v1/stories/{STORY}/comments", {"body": "Sent twice around a restart."},
                             {"Idempotency-Key": "restart-retry"})
    assert again.json()["id"] == first.json()["id"]
