"""WordPress WXR export: RSS whose `<item>`s (posts, pages) hold `<wp:comment>` elements.

WXR versions 1.0 to 1.2 differ only in the `wp:` namespace URI; any `http://wordpress.org/export/`
namespace is read. A comment's content is what the reader typed, with the little HTML WordPress
allows, and its line breaks are real (WordPress adds the `<p>`s when it displays it). Approved `1`
is public, `0` pending, `spam` and `trash` are skipped, and so are pingbacks and trackbacks. The
author's e-mail, website and IP address are in the file and never read (G5).
"""
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from .plaintext import html_to_text, line_to_text
from .records import ImportFileError, Skip, SourceComment, SourceThread, State, utc
from .xmlstream import elements, inner_markup, local, namespace

WXR_NAMESPACE = "http://wordpress.org/export/"
ITEM_FIELDS = {"title", "link", "post_id", "post_date_gmt", "comment_status"}
NO_DATE = "0000-00-00 00:00:00"


def _is_wp(element) -> bool:
    return namespace(element.tag).startswith(WXR_NAMESPACE)


class WordPressReader:
    format = "wordpress"

    def __init__(self, path: Path, *, convert: bool = True):
        self.path = path
        self.convert = convert
        self.items = 0
        self.source = "wordpress"
        self._root_checked = False
        self._site = ""
        self._item: dict[str, str] = {}
        self._thread: SourceThread | None = None

    def comments(self) -> Iterator[SourceComment]:
        for element in elements(self.path, wanted=self._observe):
            if local(element.tag) == "item":
                self._item, self._thread = {}, None
                continue
            self.items += 1
            yield self._comment(element)

    def _observe(self, element) -> bool:
        """Collect channel and item fields as they end; want items and their comments."""
        if not self._root_checked:
            self._check_root(element)
        name, parent = local(element.tag), element.getparent()
        parent_name = local(parent.tag) if parent is not None else ""
        if parent_name == "item":
            if name == "comment" and _is_wp(element):
                return True
            if name in ITEM_FIELDS and (name in ("title", "link") or _is_wp(element)):
                self._item[name] = (element.text or "").strip()
            return False
        if parent_name == "channel":
            if name == "item":
                self.items += 1
                return True
            if (name == "base_site_url" and _is_wp(element)) or (name == "link" and not self._site):
                self._site = (element.text or "").strip()
                self.source = f"wordpress:{self._site}" if self._site else "wordpress"
        return False

    def _check_root(self, element) -> None:
        root = element
        while root.getparent() is not None:
            root = root.getparent()
        if local(root.tag) != "rss":
            raise ImportFileError(f"not a WordPress export (WXR): the root element is <{local(root.tag)}>, not <rss>",
                                  line=root.sourceline)
        self._root_checked = True

    def _current_thread(self) -> SourceThread:
        if self._thread is None:
            item = self._item
            post_id = item.get("post_id") or item.get("link", "")
            self._thread = SourceThread(
                id=post_id, ident=item.get("post_id", ""), url=item.get("link", ""),
                title=line_to_text(item.get("title", "")) or item.get("link", ""),
                created_at=_date(item.get("post_date_gmt", ""), line=None, required=False),
                closed=item.get("comment_status") == "closed")
        return self._thread

    def _comment(self, element) -> SourceComment:
        fields = {local(child.tag): child for child in element if _is_wp(child)}
        line = element.sourceline
        comment_id = _text(fields.get("comment_id"))
        if not comment_id:
            raise ImportFileError("<wp:comment> without <wp:comment_id>", line=line)
        created_at = (_date(_text(fields.get("comment_date_gmt")), line=line, required=False)
                      or _date(_text(fields.get("comment_date")), line=line, required=True))
        approved = _text(fields.get("comment_approved")).lower()
        if _text(fields.get("comment_type")).lower() in ("pingback", "trackback"):
            state = Skip.PINGBACK
        elif approved == "1":
            state = State.APPROVED
        elif approved == "spam":
            state = Skip.SPAM
        elif approved in ("trash", "post-trashed"):
            state = Skip.DELETED
        else:
            state = State.PENDING  # "0", and anything unknown: a moderator decides (G1)
        parent = _text(fields.get("comment_parent"))
        body = author = ""
        if self.convert:
            body = html_to_text(inner_markup(fields["comment_content"]), newlines=True) \
                if "comment_content" in fields else ""
            author = line_to_text(_text(fields.get("comment_author")))
        return SourceComment(
            id=comment_id, thread=self._current_thread() if self.convert else None,
            parent_id=parent if parent not in ("", "0") else None, author=author,
            created_at=created_at, body=body, state=state, line=line)


def _text(element) -> str:
    return (element.text or "").strip() if element is not None else ""


def _date(value: str, *, line: int | None, required: bool) -> datetime | None:
    if not value or value == NO_DATE:
        if required:
            raise ImportFileError("<wp:comment> without a date (comment_date_gmt or comment_date)", line=line)
        return None
    try:
        return utc(datetime.strptime(value, "%Y-%m-%d %H:%M:%S"))
    except ValueError:
        if required or line is not None:
            raise ImportFileError(f"date {value[:40]!r} is not YYYY-MM-DD HH:MM:SS", line=line) from None
        return None
