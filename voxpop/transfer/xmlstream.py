"""Reading an export file of any size element by element, and refusing hostile XML.

`elements` parses with lxml's `iterparse` and hands out each record element (a Disqus `<post>`,
a WordPress `<wp:comment>`) when it ends; the caller reads it and the stream then clears it and
drops what came before, so memory stays that of one record however large the file.

Disqus and WordPress exports never carry a document type declaration, and a DTD is what
entity-expansion attacks ("billion laughs") and external entities (XXE: `<!ENTITY x SYSTEM
"file:///etc/passwd">`) need. So a file with `<!DOCTYPE` is refused before any of it is parsed, and
the parser is also told never to expand entities, load a DTD or touch the network, and to keep
libxml2's limits on depth and on the size of one text.
"""
import codecs
import re
from collections.abc import Iterator
from pathlib import Path

from lxml import etree

from .records import ImportFileError

PROLOG_BYTES = 64 * 1024
# What may stand before the root element without being a DTD: the XML declaration, comments,
# processing instructions and whitespace.
_PROLOG_ITEM = re.compile(r"\s*(?:<\?.*?\?>|<!--.*?-->)", re.DOTALL)


def refuse_dtd(path: Path) -> None:
    """Refuse a file whose prolog declares a DTD, before the parser reads it."""
    with open(path, "rb") as f:
        head = f.read(PROLOG_BYTES)
    text = _decode_head(head)
    pos = 0
    while True:
        match = _PROLOG_ITEM.match(text, pos)
        if not match:
            break
        pos = match.end()
    rest = text[pos:].lstrip()
    if rest.startswith("<!DOCTYPE") or rest.startswith("<!doctype"):
        line = text.count("\n", 0, text.index("<!", pos)) + 1
        raise ImportFileError(
            "the file declares a DTD (<!DOCTYPE ...>). Export files never do, and DTDs carry entity "
            "expansion and external entity attacks, so it is refused.", line=line)


def _decode_head(head: bytes) -> str:
    for bom, codec in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                       (codecs.BOM_UTF16_BE, "utf-16-be")):
        if head.startswith(bom):
            return head[len(bom):].decode(codec, errors="replace")
    return head.decode("utf-8", errors="replace")


def elements(path: Path, *, wanted) -> Iterator[etree._Element]:
    """Yield each element for which `wanted(element)` is true, at its end; cleared after use.

    `wanted` sees every element as it ends, children before parents. Anything the caller keeps
    must be copied out before asking for the next element.
    """
    refuse_dtd(path)
    parser_events = etree.iterparse(
        str(path), events=("end",), resolve_entities=False, no_network=True, load_dtd=False,
        huge_tree=False, remove_comments=True, remove_pis=True)
    root = None
    try:
        for _, element in parser_events:
            if root is None:
                tree = element.getroottree()
                root = tree.getroot()
                if tree.docinfo.internalDTD is not None or tree.docinfo.externalDTD is not None:
                    raise ImportFileError("the file declares a DTD, which export files never do; refused.")
            if wanted(element):
                yield element
                _release(element)
            elif element.getparent() is root:
                _release(element)  # top-level elements nobody wanted (categories, channel fields)
    except etree.XMLSyntaxError as error:
        message, line = _reason(error, str(path))
        raise ImportFileError(f"the file is not well-formed XML: {message}", line=line) from None
    if root is None:
        raise ImportFileError("the file holds no XML element")


def _release(element: etree._Element) -> None:
    """Free an element that has been read, and the siblings before it."""
    element.clear(keep_tail=False)
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]


def _reason(error: etree.XMLSyntaxError, filename: str) -> tuple[str, int | None]:
    """libxml2's first fatal error in this file and its line.

    The exception's own message is sometimes a generic one ("no element found"); its log may also
    hold entries of earlier parses in the same thread, hence the file name.
    """
    for entry in error.error_log:
        if entry.level_name in ("FATAL", "ERROR") and entry.filename == filename:
            return entry.message.strip(), entry.line or None
    message = re.sub(r", line \d+, column \d+.*$", "", str(error.msg or error)).strip()
    return message, error.lineno or None


def local(tag) -> str:
    """An element's name without its namespace ("{http://disqus.com}post" -> "post")."""
    if not isinstance(tag, str):
        return ""
    return tag.rpartition("}")[2]


def namespace(tag) -> str:
    if not isinstance(tag, str) or not tag.startswith("{"):
        return ""
    return tag[1:].partition("}")[0]


def inner_markup(element: etree._Element) -> str:
    """The content of an element as markup text: its text, or (unescaped HTML in the XML) its children too."""
    if len(element) == 0:
        return element.text or ""
    parts = [element.text or ""]
    for child in element:
        parts.append(etree.tostring(child, encoding="unicode", method="html", with_tail=True))
    return "".join(parts)
