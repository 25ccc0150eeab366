"""Imported comments as plain text (G2): what the old system showed, with every bit of markup gone.

Old systems stored HTML (Disqus, WordPress) or Markdown (Isso). Voxpop never interprets markup, so
importing it as it is would show readers tags and asterisks; instead the text is rebuilt the way a
reader saw it: tags removed, entities decoded, paragraphs and `<br>` as line breaks, list items on
their own lines, a link as its visible text followed by the URL in parentheses when the two differ.
Content that was never visible (scripts, styles, embedded frames) is dropped.

The HTML is read with the standard library's streaming tokenizer: it builds no tree, so hostile
nesting thousands of tags deep costs nothing, and nothing is ever fetched or executed.
"""
import re
from html.parser import HTMLParser

import mistune

from voxpop.common import text as common_text

# Tags whose content a reader never saw as text.
INVISIBLE = frozenset({"script", "style", "template", "iframe", "object", "embed", "noscript", "svg", "math",
                       "head", "title", "textarea", "select", "button", "audio", "video", "canvas"})
# Block elements: a paragraph break (2) or a line break (1) before and after.
PARAGRAPH = frozenset({"p", "blockquote", "pre", "ul", "ol", "dl", "table", "h1", "h2", "h3", "h4", "h5", "h6",
                       "hr", "figure", "section", "article", "aside", "header", "footer", "address", "details"})
LINE = frozenset({"div", "li", "tr", "dt", "dd", "caption", "figcaption", "summary", "center"})
LINK_SCHEMES = ("http://", "https://")

_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")
_ANY_SPACE = re.compile(r"\s+")
_SPACE_AROUND_BREAK = re.compile(r" *\n *")
_MANY_BREAKS = re.compile(r"\n{3,}")
# What voxpop.common.text refuses outright: control characters other than \n and \t, surrogates,
# and the noncharacters (U+FDD0..U+FDEF and the last two code points of every plane).
_UNSTORABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef"
                         + "".join(f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}"
                                   for plane in range(17)) + "]")

_markdown = mistune.create_markdown(escape=False, plugins=["strikethrough", "url"])


def html_to_text(html: str, *, newlines: bool = False) -> str:
    """Plain text of an HTML fragment.

    `newlines`: a line break in the source is a line break in the text, as WordPress shows comments
    (it turns them into <br> and <p> when it displays them); otherwise whitespace collapses as in a
    browser (Disqus stores real HTML).
    """
    if "<" not in html and "&" not in html:
        return _tidy(html if newlines else _ANY_SPACE.sub(" ", html), newlines=newlines)
    parser = _TextParser(newlines=newlines)
    parser.feed(html)
    parser.close()
    return parser.text()


def markdown_to_text(source: str) -> str:
    """Plain text of Markdown as Isso rendered it (raw HTML in it included), keeping the reader's line breaks."""
    if not source.strip():
        return ""
    return html_to_text(_markdown(source), newlines=True)


def line_to_text(value: str) -> str:
    """A name or title on one line: markup and entities resolved, whitespace collapsed."""
    return one_line(html_to_text(value))


def one_line(value: str) -> str:
    """Text on one line, for names an old system already showed as text (Isso)."""
    return _ANY_SPACE.sub(" ", value).strip()


def storable(value: str) -> str:
    """NFC, trimmed, and without the characters Voxpop never stores (controls, surrogates, noncharacters)."""
    return _UNSTORABLE.sub("", common_text.normalize(value)).strip()


def _tidy(value: str, *, newlines: bool) -> str:
    if newlines:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = _SPACES.sub(" ", value)
    value = _SPACE_AROUND_BREAK.sub("\n", value)
    return _MANY_BREAKS.sub("\n\n", value).strip()


class _TextParser(HTMLParser):
    def __init__(self, *, newlines: bool):
        super().__init__(convert_charrefs=True)
        self.newlines = newlines
        self.parts: list[str] = []
        self.pending_break = 0   # newlines owed before the next text
        self.hidden = 0          # depth inside invisible elements
        self.pre = 0             # depth inside <pre>: whitespace kept
        self.links: list[tuple[str, int]] = []  # (href, index in parts where the link's text starts)

    def handle_starttag(self, tag, attrs):
        if tag in INVISIBLE:
            self.hidden += 1
            return
        if self.hidden:
            return
        if tag == "br":
            self.pending_break = min(self.pending_break + 1, 2)
        elif tag in PARAGRAPH:
            self._break(2)
            if tag == "pre":
                self.pre += 1
        elif tag in LINE:
            self._break(1)
            if tag == "li":
                self._emit("- ")
        elif tag == "a":
            self.links.append((dict(attrs).get("href") or "", len(self.parts)))
        elif tag == "img":
            alt = (dict(attrs).get("alt") or "").strip()
            if alt:
                self._emit(alt)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag == "a":
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag in INVISIBLE:
            self.hidden = max(self.hidden - 1, 0)
            return
        if self.hidden:
            return
        if tag in PARAGRAPH:
            self._break(2)
            if tag == "pre":
                self.pre = max(self.pre - 1, 0)
        elif tag in LINE:
            self._break(1)
        elif tag == "a" and self.links:
            self._close_link(*self.links.pop())

    def handle_data(self, data):
        if self.hidden or not data:
            return
        if self.pre:
            self._emit(data.replace("\r\n", "\n"))
            return
        if self.newlines:
            data = _SPACES.sub(" ", data.replace("\r\n", "\n").replace("\r", "\n"))
            if not data.strip(" \n") and (self.pending_break or not self.parts or self.parts[-1].endswith("\n")):
                return  # layout whitespace between block tags, not the reader's line breaks
        else:
            data = _ANY_SPACE.sub(" ", data)
        self._emit(data)

    def _break(self, newlines: int):
        self.pending_break = max(self.pending_break, newlines)

    def _emit(self, value: str):
        if self.pending_break:
            if self.parts:
                self.parts.append("\n" * self.pending_break)
            self.pending_break = 0
        self.parts.append(value)

    def _close_link(self, href: str, start: int):
        href = href.strip()
        if not href.lower().startswith(LINK_SCHEMES):
            return  # javascript:, data:, relative or no URL: the visible text alone
        shown = "".join(self.parts[start:]).strip()
        if not shown:
            self._emit(href)
        elif _shortened(shown, href):
            del self.parts[start:]
            self._emit(href)
        elif _bare(shown) != _bare(href):
            self._emit(f" ({href})")

    def text(self) -> str:
        while self.links:  # a link never closed still shows its URL
            self._close_link(*self.links.pop())
        return _tidy("".join(self.parts), newlines=True)


def _bare(url: str) -> str:
    return re.sub(r"^[a-z]+://", "", url.strip().lower()).removeprefix("www.").rstrip("/")


def _shortened(shown: str, href: str) -> bool:
    """The visible text is the URL cut short with "..." (as Disqus shows long links)."""
    cut = _bare(shown).rstrip(".…")
    return cut != _bare(shown) and len(cut) >= 8 and _bare(href).startswith(cut)
