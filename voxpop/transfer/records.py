"""What every reader of an old system's export yields, whatever the format."""
from dataclasses import dataclass
from datetime import datetime, timezone


class ImportFileError(Exception):
    """The file cannot be imported: a message for the operator, with the line where known."""

    def __init__(self, message: str, *, line: int | None = None):
        super().__init__(f"line {line}: {message}" if line else message)
        self.line = line


class State:
    """What a source comment becomes. Anything else a reader reports is the reason it is skipped."""

    APPROVED = "approved"
    PENDING = "pending"


class Skip:
    """Reasons a source comment is not imported, as the summary prints them."""

    SPAM = "spam"
    DELETED = "deleted or trashed in the old system"
    PINGBACK = "pingback or trackback, not a reader's comment"
    EMPTY = "no text left once markup was removed"
    NO_THREAD = "its thread is not in the file"
    NO_URL = "its thread has no absolute URL (give --base-url)"


@dataclass(frozen=True)
class SourceThread:
    id: str                 # the old system's id of the thread (Disqus dsq:id, WordPress post id, Isso thread id)
    ident: str              # the site's own identifier, for --story-key id (Disqus <id>, WordPress post id)
    url: str
    title: str
    created_at: datetime | None
    closed: bool


@dataclass(frozen=True)
class SourceComment:
    id: str
    thread: SourceThread | None
    parent_id: str | None
    author: str
    created_at: datetime
    body: str               # plain text already (empty when the reader only checks the file)
    state: str              # State.APPROVED, State.PENDING, or a Skip reason
    line: int | None = None


def utc(value: datetime) -> datetime:
    """Times without a zone in old exports are UTC (Disqus `Z`, WordPress `*_gmt`, Isso's Unix time)."""
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)
