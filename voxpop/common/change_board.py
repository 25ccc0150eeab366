"""A board in shared memory where this host's processes mark which threads changed.

The read path (voxpop.reader.fastpath) may answer from a worker's own copy of a thread for a
moment without asking the shared cache whether it is still current (VOXPOP_THREAD_TRUST_SECONDS).
So that a publication on this host is seen by the very next read on any worker of it, whoever
bumps a thread's generation also writes a fresh random mark in that thread's slot here; a worker
trusts its copy only while the marks it saw are unchanged. Publications on other app hosts reach
it when the trust period ends.

The board is a file of SLOTS eight-byte slots under VOXPOP_DATA_DIR, mapped into memory by each
process. Two threads sharing a slot only cost an extra look at the shared cache; two writers at
once both change the slot, which is all a reader needs.
"""
import hashlib
import mmap
import os
import secrets
import threading

from django.conf import settings

SLOTS = 65536
SLOT_BYTES = 8

_board: mmap.mmap | None = None
_board_pid = 0
_board_lock = threading.Lock()


def mark_read(key: str) -> bytes:
    """The current mark of this key's slot (eight bytes; zero until someone changed it)."""
    board = _mapped()
    offset = _offset(key)
    return board[offset:offset + SLOT_BYTES]


def mark_change(key: str) -> None:
    board = _mapped()
    offset = _offset(key)
    board[offset:offset + SLOT_BYTES] = secrets.token_bytes(SLOT_BYTES)


def _offset(key: str) -> int:
    digest = hashlib.blake2b(key.encode(), digest_size=4).digest()
    return int.from_bytes(digest, "big") % SLOTS * SLOT_BYTES


def _mapped() -> mmap.mmap:
    """This process's mapping of the board, made on first use (after the server forked it)."""
    global _board, _board_pid
    if _board is not None and _board_pid == os.getpid():
        return _board
    with _board_lock:
        if _board is None or _board_pid != os.getpid():
            path = settings.DATA_DIR / "run" / "thread-changes"
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
            try:
                if os.fstat(fd).st_size < SLOTS * SLOT_BYTES:
                    os.ftruncate(fd, SLOTS * SLOT_BYTES)
                _board = mmap.mmap(fd, SLOTS * SLOT_BYTES)
            finally:
                os.close(fd)
            _board_pid = os.getpid()
    return _board
