"""The SQLite backend (voxpop.sqlite): writers take turns through a lock file beside the database,
and every transaction gives its turn back however it ends."""
import threading

import pytest
from django.db import connection, connections, transaction

from voxpop.desks.models import Desk

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite job's backend; PostgreSQL has its own locks"),
]


def test_concurrent_writers_all_commit_and_leave_the_turn_free(now):
    """Eight threads writing at once all commit; afterwards no connection still holds the turn."""
    errors = []

    def write(n):
        try:
            for i in range(10):
                with transaction.atomic():
                    Desk.objects.create(key=f"d{n}-{i}", name=f"Desk {n}-{i}", languages=["en"])
        except Exception as error:  # collected for the assertion below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert Desk.objects.filter(key__startswith="d").count() == 80
    assert connection._writer_fd is None


def test_rolled_back_transaction_gives_the_turn_back(now):
    """A transaction that fails still releases the turn, so the next writer is not held up."""
    with pytest.raises(RuntimeError), transaction.atomic():
        Desk.objects.create(key="gone", name="Gone", languages=["en"])
        assert connection._writer_fd is not None
        raise RuntimeError("abandoned")

    assert connection._writer_fd is None
    assert not Desk.objects.filter(key="gone").exists()
