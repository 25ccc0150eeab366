"""Seed Isso's SQLite database with bench/compare/dataset.py's stories, every comment published.

    bench/.isso-venv/bin/python bench/compare/seed_isso.py DBPATH

Runs in Isso's own virtual environment: Isso's `SQLite3` class creates its schema as on a first start
(tables, triggers, user_version), then threads and comments are inserted into that schema, `mode` 1
(published), with the voters Bloom filter Isso writes for a new comment. Prints one JSON line.
"""
import json
import sqlite3
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import dataset  # noqa: E402
from isso import config  # noqa: E402
from isso.db import SQLite3  # noqa: E402
from isso.utils import Bloomfilter  # noqa: E402

PUBLISHED = 1


def seed(dbpath: str) -> dict:
    start = time.perf_counter()
    conf = config.load(config.default_file())
    SQLite3(dbpath, conf)  # creates the schema exactly as Isso does on its first start
    seeded = dataset.stories()
    voters = memoryview(Bloomfilter(iterable=["127.0.0.0"]).array)
    with sqlite3.connect(dbpath) as con:
        con.executemany("INSERT INTO threads (id, uri, title) VALUES (?, ?, ?)",
                        [(i, s.path, s.title) for i, s in enumerate(seeded, start=1)])
        con.executemany(
            "INSERT INTO comments (tid, parent, created, modified, mode, remote_addr, text, author, email, "
            "website, likes, dislikes, voters, notification) VALUES (?, NULL, ?, NULL, ?, '127.0.0.0', ?, ?, "
            "NULL, NULL, 0, 0, ?, 0)",
            [(tid, c.created.timestamp(), PUBLISHED, c.body, c.author or None, voters)
             for tid, s in enumerate(seeded, start=1) for c in s.comments])
        count = con.execute("SELECT count(*) FROM comments").fetchone()[0]
    return {"stories": len(seeded), "comments": count, "seconds": round(time.perf_counter() - start, 1)}


if __name__ == "__main__":
    print(json.dumps(seed(sys.argv[1])))
