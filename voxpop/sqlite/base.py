"""Django's SQLite backend, with the database's writers taking turns promptly.

SQLite lets one writer at a time into a database file; the others wait in its busy handler,
which sleeps in growing steps of up to 100 ms between tries. Under a burst of comments a writer
can keep missing its turn and wait a second or more while the lock was free most of that time.
Here each transaction first takes an advisory lock on a file beside the database (`flock`, so it
holds between processes and threads, and ends with the process), trying every millisecond, then
begins as Django would (`BEGIN IMMEDIATE`). The lock is given back at commit or rollback. If it
cannot be had within the connection's timeout, the transaction goes ahead and SQLite's own
locking decides, as without this backend.
"""
import fcntl
import os
import time

from django.db.backends.sqlite3 import base

RETRY_SECONDS = 0.001


class DatabaseWrapper(base.DatabaseWrapper):
    _writer_fd: int | None = None

    def _start_transaction_under_autocommit(self):
        self._writer_lock()
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._writer_unlock()
            raise

    def _commit(self):
        try:
            return super()._commit()
        finally:
            self._writer_unlock()

    def _rollback(self):
        try:
            return super()._rollback()
        finally:
            self._writer_unlock()

    def _close(self):
        try:
            return super()._close()
        finally:
            self._writer_unlock()

    def _writer_lock(self) -> None:
        if self._writer_fd is not None or self.is_in_memory_db():
            return
        fd = os.open(f"{self.settings_dict['NAME']}-writer", os.O_RDWR | os.O_CREAT, 0o600)
        deadline = time.monotonic() + float(self.settings_dict["OPTIONS"].get("timeout", 5))
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                self._writer_fd = fd
                return
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    os.close(fd)  # SQLite's busy handler takes over from here
                    return
                time.sleep(RETRY_SECONDS)

    def _writer_unlock(self) -> None:
        fd, self._writer_fd = self._writer_fd, None
        if fd is not None:
            os.close(fd)  # closing the descriptor releases its flock
