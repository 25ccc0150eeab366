"""`voxpop import` and `voxpop export` on the command line."""
import io
import json
import stat

import pytest

from voxpop.cli import main
from voxpop.comments.models import Comment
from voxpop.transfer.progress import Progress

from .files import disqus_file, disqus_post, disqus_thread


@pytest.fixture
def disqus_export(tmp_path):
    return disqus_file(tmp_path / "disqus.xml", disqus_thread(1, link="https://news.example/a/", title="A"),
                       disqus_post(10, thread=1, message="<p>Hello</p>", author="Ana"))


@pytest.mark.parametrize("command", ["import", "export"])
def test_commands_have_help(command, capsys):
    """Both commands answer --help."""
    with pytest.raises(SystemExit) as exit_:
        main([command, "--help"])
    assert exit_.value.code == 0
    assert command in capsys.readouterr().out


def test_import_prints_a_summary(english_desk, disqus_export, capsys):
    """`voxpop import disqus FILE --desk KEY` imports and prints what it did."""
    assert main(["import", "disqus", str(disqus_export), "--desk", "english"]) == 0

    captured = capsys.readouterr()
    assert "comments imported: 1 (1 published, 0 pending)" in captured.out
    assert Comment.objects.get().display_name == "Ana"


def test_import_needs_a_desk(english_desk, disqus_export, capsys):
    """Without --desk the import says what is missing and writes nothing."""
    assert main(["import", "disqus", str(disqus_export)]) == 1

    assert "--desk" in capsys.readouterr().err
    assert not Comment.objects.exists()


def test_unknown_format_is_refused(capsys, tmp_path):
    """Only the four formats are accepted."""
    with pytest.raises(SystemExit) as exit_:
        main(["import", "blogger", str(tmp_path / "x.xml")])
    assert exit_.value.code == 2


def test_export_to_a_file_readable_by_its_owner_only(english_desk, disqus_export, tmp_path, capsys):
    """The export file holds comment text: it is created with mode 0600, and a summary goes to stderr."""
    main(["import", "disqus", str(disqus_export), "--desk", "english"])
    target = tmp_path / "export.jsonl"
    target.write_text("old")
    target.chmod(0o644)

    assert main(["export", str(target)]) == 0

    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    lines = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert lines[0]["type"] == "voxpop" and any(line["type"] == "comment" for line in lines)
    assert "1 comment" in capsys.readouterr().err


def test_export_to_standard_output(english_desk, capsys):
    """Without FILE the lines go to standard output and nothing else does."""
    assert main(["export"]) == 0

    captured = capsys.readouterr()
    assert [json.loads(line)["type"] for line in captured.out.splitlines()] == ["voxpop", "desk", "house_rule",
                                                                                "house_rule", "house_rule"]
    assert "Exported" in captured.err


def test_restore_into_a_database_with_data_is_refused(english_desk, tmp_path, capsys):
    """`voxpop import voxpop` on a database that has desks already is an error."""
    target = tmp_path / "export.jsonl"
    main(["export", str(target)])

    assert main(["import", "voxpop", str(target)]) == 1
    assert "empty database" in capsys.readouterr().err


def test_progress_line_is_throttled():
    """Into a log the progress line is written at most every ten seconds, and always at the end."""
    ticks = iter([0.0, 1.0, 5.0, 10.5, 11.0, 12.0])
    stream = io.StringIO()
    progress = Progress(label="importing", unit="comments imported", stream=stream, clock=lambda: next(ticks))

    progress.update(read=10, done=5)
    progress.update(read=20, done=10)
    progress.update(read=30, done=15)
    progress.finish(read=40, done=20)

    lines = stream.getvalue().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("importing: 30 items read, 15 comments imported")
    assert lines[1].startswith("importing: 40 items read, 20 comments imported")


def test_progress_on_a_terminal_redraws_one_line():
    """On a terminal the line is redrawn in place at most every half second."""
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    ticks = iter([0.0, 0.2, 0.6, 0.7, 0.8])
    stream = Terminal()
    progress = Progress(label="exporting", unit="lines written", stream=stream, clock=lambda: next(ticks))
    progress.update(done=1)
    progress.update(done=2)
    progress.finish(done=3)

    assert stream.getvalue().count("\r") == 2 and stream.getvalue().endswith("\n")
    assert "exporting: 3 lines written" in stream.getvalue()
