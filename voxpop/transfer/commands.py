"""`voxpop import` and `voxpop export`, as the command line calls them (voxpop.cli)."""
import io
import os
import sys
from pathlib import Path
from typing import TextIO

from voxpop.common import clock
from voxpop.common.thread_cache import threads_changed_everywhere
from voxpop.desks.models import Desk

from .disqus import DisqusReader
from .export import everything_export
from .importer import comments_import
from .isso import IssoReader
from .progress import Progress
from .records import ImportFileError
from .restore import database_is_empty, everything_import
from .wordpress import WordPressReader

READERS = {"disqus": DisqusReader, "wordpress": WordPressReader, "isso": IssoReader}
FORMATS = [*READERS, "voxpop"]


def import_run(*, fmt: str, path: str, desk_key: str | None, language: str | None, base_url: str | None,
               key_from: str, as_pending: bool, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    stdout, stderr = stdout or sys.stdout, stderr or sys.stderr
    file = Path(path)
    if not file.is_file():
        print(f"voxpop: no such file: {path}", file=stderr)
        return 1
    try:
        if fmt == "voxpop":
            return _restore(file, stdout=stdout, stderr=stderr)
        if not desk_key:
            print(f"voxpop: importing {fmt} needs --desk KEY: the desk whose queue and stories the comments join",
                  file=stderr)
            return 1
        desk = Desk.objects.filter(key=desk_key).first()
        if desk is None:
            print(f"voxpop: no desk with key: {desk_key}", file=stderr)
            return 1
        language = language or (desk.languages[0] if desk.languages else None)
        if not language:
            print(f"voxpop: desk {desk_key} has no languages; give --language TAG", file=stderr)
            return 1
        reader_class = READERS[fmt]
        # First pass: the whole file must be readable before anything is written.
        checker = reader_class(file, convert=False)
        check = Progress(label=f"checking {file.name}", unit="comments", stream=stderr)
        count = 0
        for _ in checker.comments():
            count += 1
            check.update(read=checker.items, done=count)
        check.finish(read=checker.items, done=count)
        reader = reader_class(file)
        progress = Progress(label=f"importing {file.name}", unit="comments imported", stream=stderr,
                            total=checker.items)
        if fmt == "isso" and base_url:
            # Isso's ids are per database: the site they belong to tells two databases apart.
            source = lambda: f"isso:{base_url.rstrip('/')}"  # noqa: E731
        else:
            source = lambda: reader.source  # noqa: E731 - WordPress learns its site from the file's header
        summary = comments_import(
            comments=reader.comments(), fmt=fmt, source=source, desk=desk, language=language,
            key_from=key_from, base_url=base_url, as_pending=as_pending, now=clock.now(), progress=progress,
            items=lambda: reader.items)
    except ImportFileError as error:
        print(f"voxpop: {path}, {error}", file=stderr)
        return 1
    threads_changed_everywhere()  # imported comments may be published: cached threads must show them
    print(summary.report(), file=stdout)
    return 0


def _restore(file: Path, *, stdout: TextIO, stderr: TextIO) -> int:
    if not database_is_empty():
        print("voxpop: `voxpop import voxpop` restores into an empty database, and this one already has desks, "
              "stories or comments", file=stderr)
        return 1
    progress = Progress(label=f"restoring {file.name}", unit="lines", stream=stderr)
    with open(file, "rb") as lines:
        counts = everything_import(lines=lines, progress=progress)
    threads_changed_everywhere()
    parts = ", ".join(f"{count:,} {kind}" for kind, count in counts.items() if kind != "voxpop")
    print(f"Restored from {file}: {parts}.", file=stdout)
    if counts["user"]:
        print("Moderators have no password or second factor yet: give each one with "
              "`voxpop createmoderator NAME --password ...`.", file=stdout)
    print("Then train the classifiers again with `voxpop retrain`.", file=stdout)
    return 0


def export_run(*, path: str | None, include_commenter_keys: bool, stdout: TextIO | None = None,
               stderr: TextIO | None = None) -> int:
    stdout, stderr = stdout or sys.stdout, stderr or sys.stderr
    progress = Progress(label="exporting", unit="lines written", stream=stderr)
    if not path or path == "-":
        if hasattr(stdout, "buffer"):  # UTF-8 whatever the locale says
            stdout.flush()
            out = io.TextIOWrapper(stdout.buffer, encoding="utf-8", newline="\n")
            summary = everything_export(out=out, include_commenter_keys=include_commenter_keys, progress=progress)
            out.flush()
            out.detach()
        else:
            summary = everything_export(out=stdout, include_commenter_keys=include_commenter_keys, progress=progress)
        print(f"Exported {summary.report()}.", file=stderr)
        return 0
    try:
        # Every comment's text, pending and rejected included: readable by the owner only.
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.fchmod(descriptor, 0o600)  # an existing file keeps its mode otherwise
    except OSError as error:
        print(f"voxpop: cannot write {path}: {error.strerror}", file=stderr)
        return 1
    with open(descriptor, "w", encoding="utf-8", newline="\n") as out:
        summary = everything_export(out=out, include_commenter_keys=include_commenter_keys, progress=progress)
    print(f"Exported to {path}: {summary.report()}.", file=stderr)
    return 0
