"""What happens to a new comment right after it is committed: scoring, then a moderator's ban.

Both steps run after the commit that acknowledged the comment (G4): whatever fails here, the
comment is already safe and waits in a queue. The reader does not wait for them either: a web
request hands the comment to its process's intake thread (`comment_intake_soon`) and answers.
Scoring and screening only label, order and route the queue, and a comment is never public
before a moderator approves it, so a comment briefly unscored loses nothing; one whose intake was
lost with its process (killed, restarted) is taken up by the sweep, `comment_intake_missed`.

The intake thread writes derived data only (assessments, signal hits, routing), which the sweep
can always recompute, so its transactions do not wait for the disk (SQLite `synchronous=NORMAL`,
PostgreSQL `synchronous_commit=off`): the one write a reader waits for, the comment itself, keeps
full durability and needs the disk once.
"""
import logging
import queue
import threading
import time
from datetime import datetime, timedelta

from django.conf import settings
from django.db import close_old_connections, connection

from voxpop.comments.models import Comment
from voxpop.common import clock
from voxpop.moderation.services import comment_screen

from .services import comment_score

log = logging.getLogger(__name__)

QUEUE_MAX = 1000                       # beyond this the request pays for its own intake (back-pressure)
SWEEP_SECONDS = 60                     # how often each process looks for comments whose intake was lost
SWEEP_WINDOW = timedelta(hours=1)      # older unscored comments failed scoring for good: leave them
SWEEP_BATCH = 200

_queue: "queue.Queue[int]" = queue.Queue(maxsize=QUEUE_MAX)
_thread: threading.Thread | None = None
_thread_lock = threading.Lock()


def comment_intake(*, comment: Comment, now: datetime) -> None:
    comment_score(comment=comment, now=now)
    comment.refresh_from_db(fields=["desk", "language"])  # routing may have moved it to another desk
    comment_screen(comment=comment, now=now)


def comment_intake_soon(*, comment: Comment) -> None:
    """Score and screen this just-committed comment after the answer, in this process's intake
    thread; at once when VOXPOP_INTAKE_INLINE is set (tests, one-off commands) or the thread is
    behind by QUEUE_MAX comments."""
    if settings.VOXPOP_INTAKE_INLINE:
        comment_intake(comment=comment, now=clock.now())
        return
    intake_thread_start()
    try:
        _queue.put_nowait(comment.pk)
    except queue.Full:
        comment_intake(comment=comment, now=clock.now())


def comment_intake_missed(*, now: datetime) -> int:
    """Run the intake of recent pending comments that have none (their process died first); returns
    how many. Safe to run in several processes at once: scoring a revision again replaces its assessment."""
    missed = (Comment.objects.filter(status=Comment.Status.PENDING, purged_at__isnull=True,
                                     created_at__gte=now - SWEEP_WINDOW,
                                     created_at__lt=now - timedelta(seconds=SWEEP_SECONDS),
                                     current_revision__assessment__isnull=True)
              .select_related("story", "current_revision").order_by("pk")[:SWEEP_BATCH])
    count = 0
    for comment in missed:
        comment_intake(comment=comment, now=now)
        count += 1
    return count


def intake_wait(timeout: float = 10.0) -> bool:
    """Wait until this process's intake thread has caught up (tests, benchmarks); False on timeout."""
    deadline = time.monotonic() + timeout
    while _queue.unfinished_tasks and time.monotonic() < deadline:
        time.sleep(0.01)
    return not _queue.unfinished_tasks


def intake_thread_start() -> None:
    """Start this process's intake thread, which also sweeps every SWEEP_SECONDS; each server worker
    starts it when it loads the application (voxpop.wsgi), so comments a dead worker left unscored
    are swept up even if no new comment arrives. Never before the server forks its workers."""
    global _thread
    if settings.VOXPOP_INTAKE_INLINE:
        return
    if _thread is not None and _thread.is_alive():
        return
    with _thread_lock:
        if _thread is None or not _thread.is_alive():
            _thread = threading.Thread(target=_run, name="voxpop-intake", daemon=True)
            _thread.start()


def _run() -> None:
    swept_at = time.monotonic()
    while True:
        try:
            comment_id = _queue.get(timeout=SWEEP_SECONDS)
        except queue.Empty:
            comment_id = None
        try:
            close_old_connections()  # a database that restarted meanwhile gets a new connection
            _derived_writes_only()
            if comment_id is not None:
                comment = Comment.objects.select_related("story", "current_revision").filter(pk=comment_id).first()
                if comment is not None:
                    comment_intake(comment=comment, now=clock.now())
            if time.monotonic() - swept_at >= SWEEP_SECONDS:
                swept_at = time.monotonic()
                comment_intake_missed(now=clock.now())
        except Exception:  # the comment is committed and queued for moderators; the sweep retries
            log.exception("intake failed for comment %s", comment_id)
        finally:
            if comment_id is not None:
                _queue.task_done()


def _derived_writes_only() -> None:
    """This connection's commits need not reach the disk before returning (see the module docstring)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA synchronous=NORMAL")
        elif connection.vendor == "postgresql":
            cursor.execute("SET synchronous_commit TO off")
