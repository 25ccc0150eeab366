"""Export files in the old systems' real formats, written by the tests themselves."""
import sqlite3
from pathlib import Path
from xml.sax.saxutils import escape

DISQUS_HEAD = """<?xml version="1.0" encoding="utf-8"?>
<disqus xmlns="http://disqus.com"
        xmlns:dsq="http://disqus.com/disqus-internals"
        xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
        xsi:schemaLocation="http://disqus.com/api/schemas/1.0/disqus.xsd
                            http://disqus.com/api/schemas/1.0/disqus-internals.xsd">
  <category dsq:id="1">
    <forum>harbournews</forum>
    <title>General</title>
    <isDefault>true</isDefault>
  </category>
"""


def disqus_thread(dsq_id, *, link, title, ident="", created="2024-05-01T08:00:00Z", closed=False) -> str:
    return f"""  <thread dsq:id="{dsq_id}">
    <id>{escape(ident)}</id>
    <forum>harbournews</forum>
    <category dsq:id="1"/>
    <link>{escape(link)}</link>
    <title>{escape(title)}</title>
    <message/>
    <createdAt>{created}</createdAt>
    <author>
      <email>editor@harbournews.example</email>
      <name>Editor</name>
      <isAnonymous>false</isAnonymous>
      <username>editor</username>
    </author>
    <ipAddress>192.0.2.1</ipAddress>
    <isClosed>{'true' if closed else 'false'}</isClosed>
    <isDeleted>false</isDeleted>
  </thread>
"""


def disqus_post(dsq_id, *, thread, message, author="Reader", created="2024-05-01T09:00:00Z", parent=None,
                deleted=False, spam=False, approved=None, email="reader@mail.example", ip="198.51.100.7") -> str:
    parent_line = f'\n    <parent dsq:id="{parent}"/>' if parent else ""
    approved_line = f"\n    <isApproved>{'true' if approved else 'false'}</isApproved>" if approved is not None else ""
    return f"""  <post dsq:id="{dsq_id}">
    <id/>
    <message><![CDATA[{message}]]></message>
    <createdAt>{created}</createdAt>
    <isDeleted>{'true' if deleted else 'false'}</isDeleted>
    <isSpam>{'true' if spam else 'false'}</isSpam>{approved_line}
    <author>
      <email>{email}</email>
      <name>{escape(author)}</name>
      <isAnonymous>true</isAnonymous>
    </author>
    <ipAddress>{ip}</ipAddress>
    <thread dsq:id="{thread}"/>{parent_line}
  </post>
"""


def disqus_file(path: Path, *parts: str) -> Path:
    path.write_text(DISQUS_HEAD + "".join(parts) + "</disqus>\n", encoding="utf-8")
    return path


WXR_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"
     xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
     xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:wfw="http://wellformedweb.org/CommentAPI/"
     xmlns:dc="http://purl.org/dc/elements/1.1/"
     xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
  <title>Harbour News</title>
  <link>https://blog.harbour.example</link>
  <description>Local news</description>
  <pubDate>Mon, 06 May 2024 10:00:00 +0000</pubDate>
  <language>en-US</language>
  <wp:wxr_version>1.2</wp:wxr_version>
  <wp:base_site_url>https://blog.harbour.example</wp:base_site_url>
  <wp:base_blog_url>https://blog.harbour.example</wp:base_blog_url>
  <wp:author><wp:author_id>1</wp:author_id><wp:author_login><![CDATA[admin]]></wp:author_login></wp:author>
"""


def wxr_comment(comment_id, *, content, author="Reader", date_gmt="2024-05-02 10:00:00", approved="1", parent=0,
                comment_type="comment", email="reader@mail.example", ip="203.0.113.9",
                url="https://reader.example") -> str:
    return f"""    <wp:comment>
      <wp:comment_id>{comment_id}</wp:comment_id>
      <wp:comment_author><![CDATA[{author}]]></wp:comment_author>
      <wp:comment_author_email><![CDATA[{email}]]></wp:comment_author_email>
      <wp:comment_author_url>{url}</wp:comment_author_url>
      <wp:comment_author_IP><![CDATA[{ip}]]></wp:comment_author_IP>
      <wp:comment_date><![CDATA[{date_gmt}]]></wp:comment_date>
      <wp:comment_date_gmt><![CDATA[{date_gmt}]]></wp:comment_date_gmt>
      <wp:comment_content><![CDATA[{content}]]></wp:comment_content>
      <wp:comment_approved><![CDATA[{approved}]]></wp:comment_approved>
      <wp:comment_type><![CDATA[{comment_type}]]></wp:comment_type>
      <wp:comment_parent>{parent}</wp:comment_parent>
      <wp:comment_user_id>0</wp:comment_user_id>
      <wp:commentmeta><wp:meta_key><![CDATA[akismet_result]]></wp:meta_key><wp:meta_value><![CDATA[false]]></wp:meta_value></wp:commentmeta>
    </wp:comment>
"""


def wxr_item(post_id, *, link, title, comments=(), status="open", post_type="post") -> str:
    return f"""  <item>
    <title><![CDATA[{title}]]></title>
    <link>{escape(link)}</link>
    <pubDate>Wed, 01 May 2024 08:00:00 +0000</pubDate>
    <dc:creator><![CDATA[admin]]></dc:creator>
    <guid isPermaLink="false">https://blog.harbour.example/?p={post_id}</guid>
    <description></description>
    <content:encoded><![CDATA[<p>The article.</p>]]></content:encoded>
    <wp:post_id>{post_id}</wp:post_id>
    <wp:post_date><![CDATA[2024-05-01 08:00:00]]></wp:post_date>
    <wp:post_date_gmt><![CDATA[2024-05-01 08:00:00]]></wp:post_date_gmt>
    <wp:comment_status><![CDATA[{status}]]></wp:comment_status>
    <wp:ping_status><![CDATA[open]]></wp:ping_status>
    <wp:post_name><![CDATA[post-{post_id}]]></wp:post_name>
    <wp:status><![CDATA[publish]]></wp:status>
    <wp:post_parent>0</wp:post_parent>
    <wp:post_type><![CDATA[{post_type}]]></wp:post_type>
{''.join(comments)}  </item>
"""


def wxr_file(path: Path, *items: str) -> Path:
    path.write_text(WXR_HEAD + "".join(items) + "</channel>\n</rss>\n", encoding="utf-8")
    return path


# Isso's own schema (isso/db/threads.py, isso/db/comments.py, isso/db/preferences.py).
ISSO_SCHEMA = [
    "CREATE TABLE IF NOT EXISTS preferences (key VARCHAR PRIMARY KEY, value VARCHAR)",
    "CREATE TABLE IF NOT EXISTS threads (id INTEGER PRIMARY KEY, uri VARCHAR(256) UNIQUE, title VARCHAR(256))",
    "CREATE TABLE IF NOT EXISTS comments ("
    "    tid REFERENCES threads(id), id INTEGER PRIMARY KEY, parent INTEGER,"
    "    created FLOAT NOT NULL, modified FLOAT, mode INTEGER, remote_addr VARCHAR,"
    "    text VARCHAR, author VARCHAR, email VARCHAR, website VARCHAR,"
    "    likes INTEGER DEFAULT 0, dislikes INTEGER DEFAULT 0, voters BLOB NOT NULL,"
    "    notification INTEGER DEFAULT 0)",
]


def isso_database(path: Path, *, threads, comments) -> Path:
    """threads: [(id, uri, title)]; comments: [dict(tid, id, parent, created, mode, text, author, ...)]."""
    db = sqlite3.connect(path)
    for statement in ISSO_SCHEMA:
        db.execute(statement)
    db.executemany("INSERT INTO threads (id, uri, title) VALUES (?, ?, ?)", threads)
    for c in comments:
        row = {"parent": None, "modified": None, "mode": 1, "remote_addr": "198.51.100.0", "author": None,
               "email": "reader@mail.example", "website": "https://reader.example", "voters": b"\x00" * 256} | c
        db.execute("INSERT INTO comments (tid, id, parent, created, modified, mode, remote_addr, text, author, email,"
                   " website, voters) VALUES (:tid, :id, :parent, :created, :modified, :mode, :remote_addr, :text,"
                   " :author, :email, :website, :voters)", row)
    db.commit()
    db.close()
    return path
