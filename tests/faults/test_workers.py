"""App workers killed with SIGKILL in the middle of writes."""
import os
import signal

import pytest

from .conftest import POSTGRES_JOB, WORKERS
from .harness import Client, STORY, nothing_lost, run_load, sqlite_connect, wait_for


@pytest.fixture(scope="module")
def server(request):
    """The job's own stack: PostgreSQL and Redis in the PostgreSQL job, SQLite in the SQLite job."""
    return request.getfixturevalue("stack").server if POSTGRES_JOB else request.getfixturevalue("sqlite_server")


@pytest.fixture(scope="module")
def connect(request, server):
    if POSTGRES_JOB:
        return request.getfixturevalue("stack").connect
    return lambda: _closing(sqlite_connect(server.data_dir))


class _closing:
    """sqlite3's own context manager commits but does not close; psycopg's closes."""

    def __init__(self, connection):
        self.connection = connection

    def __enter__(self):
        return self.connection

    def __exit__(self, *exc):
        self.connection.close()


@pytest.fixture(scope="module")
def killed_workers(server, connect):
    def kill_every_worker():
        for pid in server.worker_pids():
            os.kill(pid, signal.SIGKILL)

    record = run_load(server, seconds=6, faults=[(1.5, kill_every_worker), (3.5, kill_every_worker)])
    with connect() as connection:
        return record, nothing_lost(connection, record)


def test_killed_workers_lose_no_acknowledged_comment(killed_workers):
    """Workers killed twice mid-write lose no acknowledged comment or approval; nothing is public undecided."""
    record, problems = killed_workers
    assert record.acks and record.approvals, record.summary()
    assert problems == []


def test_killed_workers_are_replaced(server, killed_workers):
    """After its workers are killed, the server has all its workers again and takes submissions."""
    wait_for("replacement workers", lambda: len(server.worker_pids()) == WORKERS, timeout=20)
    answer = Client(server.base).post_json(f"/api/v1/stories/{STORY}/comments", {"body": "After the kill."})
    assert answer.status == 202


def test_killed_worker_cuts_connections_but_answers_no_5xx(killed_workers):
    """A killed worker drops its connections (clients retry them); no request gets a 5xx answer."""
    record, _ = killed_workers
    assert record.server_errors == []
