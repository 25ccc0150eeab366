"""Broken and hostile export files are refused with a clear error, and nothing is imported."""
import pytest

from voxpop.comments.models import Comment
from voxpop.stories.models import Story

from .conftest import stored_anywhere
from .files import DISQUS_HEAD, WXR_HEAD, disqus_file, disqus_post, disqus_thread, isso_database

THREAD = disqus_thread(10, link="https://news.example/a/", title="A")
GOOD_POSTS = "".join(disqus_post(100 + i, thread=10, message=f"<p>comment {i}</p>") for i in range(5))

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE disqus [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">
""" + THREAD + disqus_post(100, thread=10, message="&lol9;").replace("<![CDATA[&lol9;]]>", "&lol9;") + "</disqus>\n"


def test_malformed_xml_is_refused_with_its_line(run_import, tmp_path, english_desk):
    """A file cut off or broken midway is an error naming the line; no comment of it is imported."""
    broken = DISQUS_HEAD + THREAD + GOOD_POSTS + "  <post dsq:id=\"999\">\n    <message>unclosed\n  </post>\n</disqus>\n"
    path = tmp_path / "broken.xml"
    path.write_text(broken)
    line = broken.count("\n", 0, broken.index("  </post>\n</disqus>")) + 1

    result = run_import("disqus", path)

    assert result.code == 1
    assert "not well-formed XML" in result.err and f"line {line}" in result.err
    assert not Comment.objects.exists() and not Story.objects.exists()


def test_truncated_file_is_refused(run_import, tmp_path, english_desk):
    """A download that stopped halfway is refused before anything is written."""
    full = disqus_file(tmp_path / "full.xml", THREAD, GOOD_POSTS).read_text()
    path = tmp_path / "half.xml"
    path.write_text(full[: len(full) // 2])

    result = run_import("disqus", path)

    assert result.code == 1 and "line" in result.err
    assert not Comment.objects.exists()


def test_billion_laughs_is_refused(run_import, tmp_path, english_desk):
    """An entity expansion bomb is refused at its DTD, without expanding anything."""
    path = tmp_path / "bomb.xml"
    path.write_text(BILLION_LAUGHS)

    result = run_import("disqus", path)

    assert result.code == 1
    assert "DTD" in result.err and "line 2" in result.err
    assert not Comment.objects.exists()


def test_external_entity_is_never_read(run_import, tmp_path, english_desk):
    """XXE: an entity pointing at a local file is refused, and the file's content is stored nowhere."""
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-SOURCE-NAME")
    xml = ('<?xml version="1.0"?>\n'
           f'<!DOCTYPE disqus [ <!ENTITY xxe SYSTEM "{secret.as_uri()}"> ]>\n'
           '<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">\n' + THREAD +
           disqus_post(100, thread=10, message="x", author="Eve").replace("<name>Eve</name>", "<name>&xxe;</name>") +
           "</disqus>\n")
    path = tmp_path / "xxe.xml"
    path.write_text(xml)

    result = run_import("disqus", path)

    assert result.code == 1 and "DTD" in result.err
    assert stored_anywhere("TOP-SECRET") == []


def test_dtd_hidden_after_comments_is_refused(run_import, tmp_path, english_desk):
    """A DOCTYPE behind comments and processing instructions in the prolog is found all the same."""
    xml = ('<?xml version="1.0"?>\n<!-- a comment -->\n<?pi x?>\n<!DOCTYPE x [ <!ENTITY a "b"> ]>\n'
           '<disqus xmlns="http://disqus.com"></disqus>\n')
    path = tmp_path / "dtd.xml"
    path.write_text(xml)

    result = run_import("disqus", path)

    assert result.code == 1 and "DTD" in result.err and "line 4" in result.err


def test_undeclared_entity_is_an_error(run_import, tmp_path, english_desk):
    """An HTML entity written as XML (&nbsp; outside CDATA) is an error with its line, not a guess."""
    post = disqus_post(100, thread=10, message="x").replace("<![CDATA[x]]>", "a&nbsp;b")
    path = disqus_file(tmp_path / "d.xml", THREAD, post)

    result = run_import("disqus", path)

    assert result.code == 1 and "nbsp" in result.err and "line" in result.err


def test_deeply_nested_xml_is_refused(run_import, tmp_path, english_desk):
    """Elements nested thousands deep (not in CDATA) stop at the parser's depth limit with an error."""
    post = disqus_post(100, thread=10, message="x").replace(
        "<![CDATA[x]]>", "<b>" * 5000 + "deep" + "</b>" * 5000)
    path = disqus_file(tmp_path / "deep.xml", THREAD, post)

    result = run_import("disqus", path)

    assert result.code == 1 and "line" in result.err
    assert not Comment.objects.exists()


def test_deeply_nested_html_in_a_message_is_read(run_import, tmp_path, english_desk):
    """HTML nested thousands deep inside a message's CDATA is plain text after import."""
    path = disqus_file(tmp_path / "d.xml", THREAD,
                       disqus_post(100, thread=10, message="<div>" * 20000 + "still here" + "</div>" * 20000))

    assert run_import("disqus", path).code == 0
    assert Comment.objects.get().current_revision.body == "still here"


def test_unescaped_html_in_a_message_is_read(run_import, tmp_path, english_desk):
    """A message whose HTML is written as XML elements (no CDATA) is still read as text."""
    post = disqus_post(100, thread=10, message="x").replace(
        "<![CDATA[x]]>", "<p>First</p><p>Second <a href=\"https://x.example/\">link</a></p>")
    path = disqus_file(tmp_path / "d.xml", THREAD, post)

    assert run_import("disqus", path).code == 0
    assert Comment.objects.get().current_revision.body == "First\n\nSecond link (https://x.example/)"


def test_bad_date_is_an_error_with_its_line(run_import, tmp_path, english_desk):
    """A post whose createdAt is not a time is refused with the line, before anything is written."""
    path = disqus_file(tmp_path / "d.xml", THREAD, GOOD_POSTS,
                       disqus_post(900, thread=10, message="x", created="yesterday"))

    result = run_import("disqus", path)

    assert result.code == 1 and "'yesterday' is not an ISO 8601 time" in result.err and "line" in result.err
    assert not Comment.objects.exists()


def test_wrong_format_is_refused(run_import, tmp_path, english_desk):
    """A WordPress file given as Disqus (and the reverse) is refused by name."""
    wxr = tmp_path / "wp.xml"
    wxr.write_text(WXR_HEAD + "</channel></rss>")
    disqus = disqus_file(tmp_path / "d.xml", THREAD, GOOD_POSTS)

    as_disqus = run_import("disqus", wxr)
    as_wordpress = run_import("wordpress", disqus)

    assert as_disqus.code == 1 and "not a Disqus export" in as_disqus.err
    assert as_wordpress.code == 1 and "not a WordPress export" in as_wordpress.err


def test_not_xml_at_all_is_refused(run_import, tmp_path, english_desk):
    """Binary junk is an error, not a crash."""
    path = tmp_path / "junk.xml"
    path.write_bytes(b"\x00\x01PK\x03\x04 not xml")

    result = run_import("disqus", path)

    assert result.code == 1 and "voxpop:" in result.err


@pytest.mark.parametrize("content", [b"", b"SQLite format 3\x00" + b"\x00" * 100, b"plain text"])
def test_not_an_isso_database_is_refused(run_import, tmp_path, english_desk, content):
    """A file that is not an SQLite database, or one without Isso's tables, is refused."""
    path = tmp_path / "comments.db"
    path.write_bytes(content)

    result = run_import("isso", path, base_url="https://news.example/")

    assert result.code == 1 and "voxpop:" in result.err
    assert not Comment.objects.exists()


def test_isso_database_missing_columns_is_refused(run_import, tmp_path, english_desk):
    """A database with a `comments` table of another shape is named as not Isso's."""
    import sqlite3

    path = tmp_path / "other.db"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE threads (id INTEGER PRIMARY KEY, uri VARCHAR, title VARCHAR)")
    db.execute("CREATE TABLE comments (id INTEGER PRIMARY KEY, body TEXT)")
    db.commit()
    db.close()

    result = run_import("isso", path, base_url="https://news.example/")

    assert result.code == 1 and "not an Isso database" in result.err


def test_missing_file_is_an_error(run_import, tmp_path, english_desk):
    """A path that does not exist is a one-line error."""
    result = run_import("disqus", tmp_path / "nope.xml")

    assert result.code == 1 and "no such file" in result.err


def test_isso_rows_with_hostile_text(run_import, tmp_path, english_desk):
    """Isso Markdown carrying HTML and scripts is stored as text without markup."""
    path = isso_database(tmp_path / "c.db", threads=[(1, "/a/", "A")], comments=[
        {"tid": 1, "id": 1, "created": 1714550400.0,
         "text": "Hi <script>alert(1)</script>**there** <img src=x onerror=y>\n\n<script>\nsteal()\n</script>"}])

    run_import("isso", path, base_url="https://news.example/")

    assert Comment.objects.get().current_revision.body == "Hi there"
