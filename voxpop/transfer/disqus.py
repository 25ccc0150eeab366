"""Disqus XML export: `<disqus>` holding `<category>`, `<thread dsq:id>` and `<post dsq:id>` elements.

A post's message is HTML; it names its thread and, for a reply, its parent by `dsq:id`. Deleted
and spam posts are skipped; `isApproved` false (when present) is pending; the rest was public.
The author's e-mail and IP address are in the file and never read (G5).
"""
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from .plaintext import html_to_text, line_to_text
from .records import ImportFileError, Skip, SourceComment, SourceThread, State, utc
from .xmlstream import elements, inner_markup, local

DSQ_ID = "{http://disqus.com/disqus-internals}id"


class DisqusReader:
    format = "disqus"

    def __init__(self, path: Path, *, convert: bool = True):
        self.path = path
        self.convert = convert
        self.items = 0
        self.source = "disqus"  # Disqus ids are unique across every forum
        self._threads: dict[str, SourceThread] = {}

    def comments(self) -> Iterator[SourceComment]:
        for element in elements(self.path, wanted=_top_level):
            self.items += 1
            if self.items == 1:
                _check_root(element)
            kind = local(element.tag)
            if kind == "thread":
                thread = _thread(element)
                if self.convert:
                    self._threads[thread.id] = thread
            elif kind == "post":
                yield self._post(element)

    def _post(self, element) -> SourceComment:
        fields = _children(element)
        post_id = _dsq_id(element, "post")
        created_at = _date(fields.get("createdAt"), "post", required=True, line=element.sourceline)
        thread_ref = fields.get("thread")
        if thread_ref is None or not thread_ref.get(DSQ_ID):
            raise ImportFileError(f"post {post_id} names no thread (<thread dsq:id=...>)", line=element.sourceline)
        parent_ref = fields.get("parent")
        author = _children(fields["author"]).get("name") if "author" in fields else None
        if _flag(fields.get("isSpam")):
            state = Skip.SPAM
        elif _flag(fields.get("isDeleted")):
            state = Skip.DELETED
        elif "isApproved" in fields and not _flag(fields["isApproved"]):
            state = State.PENDING
        else:
            state = State.APPROVED
        thread = self._threads.get(thread_ref.get(DSQ_ID)) if self.convert else None
        if self.convert and thread is None and state in (State.APPROVED, State.PENDING):
            state = Skip.NO_THREAD
        body = ""
        if self.convert and "message" in fields:
            body = html_to_text(inner_markup(fields["message"]))
        return SourceComment(
            id=post_id, thread=thread,
            parent_id=(parent_ref.get(DSQ_ID) or None) if parent_ref is not None else None,
            author=line_to_text(author.text or "") if self.convert and author is not None else "",
            created_at=created_at, body=body, state=state, line=element.sourceline)


def _top_level(element) -> bool:
    parent = element.getparent()
    return parent is not None and parent.getparent() is None


def _check_root(element) -> None:
    root = element.getparent()
    if local(root.tag) != "disqus":
        raise ImportFileError(f"not a Disqus export: the root element is <{local(root.tag)}>, not <disqus>",
                              line=root.sourceline)


def _thread(element) -> SourceThread:
    fields = _children(element)
    thread_id = _dsq_id(element, "thread")
    url = _text(fields.get("link"))
    return SourceThread(
        id=thread_id, ident=_text(fields.get("id")), url=url,
        title=line_to_text(_text(fields.get("title"))) or url,
        created_at=_date(fields.get("createdAt"), "thread", required=False, line=element.sourceline),
        closed=_flag(fields.get("isClosed")))


def _children(element) -> dict:
    """The element's children by name without namespace (the first of each name)."""
    found = {}
    for child in element:
        found.setdefault(local(child.tag), child)
    return found


def _dsq_id(element, kind: str) -> str:
    value = (element.get(DSQ_ID) or "").strip()
    if not value:
        raise ImportFileError(f"<{kind}> without a dsq:id attribute", line=element.sourceline)
    return value


def _text(element) -> str:
    return (element.text or "").strip() if element is not None else ""


def _flag(element) -> bool:
    return _text(element).lower() == "true"


def _date(element, kind: str, *, required: bool, line: int | None) -> datetime | None:
    value = _text(element)
    if not value:
        if required:
            raise ImportFileError(f"<{kind}> without <createdAt>", line=line)
        return None
    try:
        return utc(datetime.fromisoformat(value))
    except ValueError:
        raise ImportFileError(f"createdAt {value[:40]!r} is not an ISO 8601 time",
                              line=element.sourceline) from None
