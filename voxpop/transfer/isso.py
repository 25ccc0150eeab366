"""An Isso SQLite database: `threads(id, uri, title)` and `comments(tid, id, parent, created, mode, text, author, ...)`.

Isso keeps the reader's Markdown source as `text`; mode 1 is accepted, 2 pending, 4 deleted.
A thread's `uri` is the page's path, so the stories' URLs need --base-url. The database is opened
read-only and only the columns named here are read: never `email`, `website` or `remote_addr` (G5).
"""
import sqlite3
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

from .plaintext import line_to_text, markdown_to_text, one_line
from .records import ImportFileError, Skip, SourceComment, SourceThread, State

REQUIRED = {"threads": {"id", "uri", "title"}, "comments": {"tid", "id", "parent", "created", "mode", "text", "author"}}
QUERY = """
    SELECT c.id, c.tid, c.parent, c.created, c.mode, c.text, c.author, t.id, t.uri, t.title
    FROM comments AS c LEFT JOIN threads AS t ON t.id = c.tid
    ORDER BY c.id
"""
MODES = {1: State.APPROVED, 2: State.PENDING, 4: Skip.DELETED}


class IssoReader:
    format = "isso"

    def __init__(self, path: Path, *, convert: bool = True):
        self.path = path
        self.convert = convert
        self.items = 0
        self.source = "isso"
        self._threads: dict[int, SourceThread] = {}

    def comments(self) -> Iterator[SourceComment]:
        connection = self._open()
        try:
            self._check_schema(connection)
            for row in connection.execute(QUERY):
                self.items += 1
                yield self._comment(row)
        except sqlite3.DatabaseError as error:
            raise ImportFileError(f"cannot read the Isso database: {error}") from None
        finally:
            connection.close()

    def _open(self) -> sqlite3.Connection:
        if not self.path.is_file():
            raise ImportFileError(f"no such file: {self.path}")
        try:
            return sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True)
        except sqlite3.Error as error:
            raise ImportFileError(f"cannot open the Isso database: {error}") from None

    def _check_schema(self, connection: sqlite3.Connection) -> None:
        try:
            for table, columns in REQUIRED.items():
                found = {row[1] for row in connection.execute(f"PRAGMA table_info({table})")}
                if not found:
                    raise ImportFileError(f"not an Isso database: it has no table {table!r}")
                missing = columns - found
                if missing:
                    raise ImportFileError(f"not an Isso database: table {table!r} lacks {', '.join(sorted(missing))}")
        except sqlite3.DatabaseError as error:
            raise ImportFileError(f"not an SQLite database ({error})") from None

    def _comment(self, row) -> SourceComment:
        comment_id, _tid, parent, created, mode, text, author, thread_id, uri, title = row
        try:
            created_at = datetime.fromtimestamp(float(created), tz=timezone.utc)
        except (TypeError, ValueError, OverflowError, OSError):
            raise ImportFileError(f"comment {comment_id}: created {created!r} is not a Unix time") from None
        state = MODES.get(mode, State.PENDING)  # an unknown mode waits for a moderator (G1)
        thread = None
        if thread_id is None:
            if state in (State.APPROVED, State.PENDING):
                state = Skip.NO_THREAD
        elif self.convert:
            thread = self._threads.get(thread_id)
            if thread is None:
                thread = self._threads[thread_id] = SourceThread(
                    id=str(thread_id), ident=str(thread_id), url=uri or "",
                    title=line_to_text(title or "") or (uri or ""), created_at=None, closed=False)
        return SourceComment(
            id=str(comment_id), thread=thread, parent_id=str(parent) if parent is not None else None,
            author=one_line(author or "") if self.convert else "",  # Isso showed names as text
            created_at=created_at, body=markdown_to_text(text or "") if self.convert else "",
            state=state, line=None)
