"""Learning from decisions: which decisions label what, retraining, evaluation and the export."""
import json
import os
import stat
from datetime import timedelta

import pytest

from tests.conftest import approve, reject
from voxpop.cli import main
from voxpop.comments.models import Comment
from voxpop.desks.selectors import house_rule_get
from voxpop.moderation.models import ModerationDecision
from voxpop.moderation.services import comment_edit, comment_reject, comment_reopen, comment_undo
from voxpop.scoring import classifier, training
from voxpop.scoring.models import ClassifierModel
from voxpop.scoring.training import APPROVE, REJECT

from .corpus import decided_comments, interleaved, texts

MINUTE = timedelta(minutes=1)


@pytest.fixture(autouse=True)
def fresh_cache():
    classifier.cache_clear()
    yield
    classifier.cache_clear()


@pytest.fixture
def rule(english_desk):
    return house_rule_get(desk=english_desk, language="en", number=1)


def edit(comment, who, rule, at, body, approve=False):
    comment.refresh_from_db()
    return comment_edit(comment_id=comment.pk, revision_id=comment.current_revision_id, moderator=who, body=body,
                        rule=rule, note="", approve=approve, now=at)


def labelled():
    return [(e.text, e.label) for e in training.examples()]


def write_lines(path, items):
    path.write_text("".join(json.dumps(item, ensure_ascii=False) + "\n" for item in items), encoding="utf-8")
    return str(path)


def file_items(language, n, *, with_language=True):
    return [{"text": text, "label": "reject" if label else "approve", **({"language": language} if with_language
                                                                         else {})}
            for text, label in interleaved(language, n)]


# -- Labels from decisions ------------------------------------------------------------------------------

def test_approval_labels_the_approved_text_approve(story, submit, moderator, now):
    """An approved comment is an approve example with the text the moderator approved."""
    approve(submit(story, body="Thanks for covering the buses."), moderator, now)

    assert labelled() == [("Thanks for covering the buses.", APPROVE)]


def test_rejection_labels_the_rejected_text_reject(story, submit, moderator, rule, now):
    """A rejected comment is a reject example with the text the moderator rejected."""
    reject(submit(story, body="You idiot."), moderator, rule, now)

    assert labelled() == [("You idiot.", REJECT)]


def test_edit_and_approve_labels_the_readers_original_reject(story, submit, moderator, rule, now):
    """Edit-and-approve is a reject example with the reader's original text: it needed a moderator."""
    edit(submit(story, body="Call me on 010-1234-5678, idiot."), moderator, rule, now, body="[removed]",
         approve=True)

    assert labelled() == [("Call me on 010-1234-5678, idiot.", REJECT)]


def test_plain_edit_is_passed_over_for_the_decision_after_it(story, submit, moderator, rule, now):
    """A plain edit labels nothing; the approval after it labels the approved (edited) text."""
    comment = submit(story, body="Great piece, mail me at a@b.example")
    edit(comment, moderator, rule, now, body="Great piece, mail me at [removed]")
    assert labelled() == []

    approve(comment, moderator, now + MINUTE)
    assert labelled() == [("Great piece, mail me at [removed]", APPROVE)]


def test_undone_decision_labels_nothing_until_decided_again(story, submit, moderator, rule, now):
    """An undone decision is no label; the decision taken after the undo is."""
    comment = submit(story, body="Borderline remark.")
    reject(comment, moderator, rule, now)
    comment_undo(moderator=moderator, now=now + MINUTE)
    assert labelled() == []

    approve(comment, moderator, now + 2 * MINUTE)
    assert labelled() == [("Borderline remark.", APPROVE)]


def test_undone_edit_and_approve_labels_nothing(story, submit, moderator, rule, now):
    """Undoing an edit-and-approve leaves no label behind."""
    edit(submit(story, body="Original words."), moderator, rule, now, body="Edited words.", approve=True)
    comment_undo(moderator=moderator, now=now + MINUTE)

    assert labelled() == []


def test_system_decisions_teach_nothing(story, submit, moderator, now):
    """A ban's system rejection is no label; a moderator's decision after reopening is."""
    comment = submit(story, body="Banned commenter, civil words.")
    comment_reject(comment_id=comment.pk, revision_id=comment.current_revision_id, moderator=None, rule=None,
                   note="banned", now=now)
    assert labelled() == []

    comment_reopen(comment_id=comment.pk, revision_id=comment.current_revision_id, moderator=moderator, note="",
                   now=now + MINUTE)
    approve(comment, moderator, now + 2 * MINUTE)
    assert labelled() == [("Banned commenter, civil words.", APPROVE)]


def test_only_the_first_decision_counts(story, submit, moderator, rule, now):
    """A correction published after approval does not change the label of the approval."""
    comment = submit(story, body="Fine comment.")
    approve(comment, moderator, now)
    edit(comment, moderator, rule, now + MINUTE, body="Fine comment, corrected.")

    assert labelled() == [("Fine comment.", APPROVE)]


def test_taken_down_comment_is_neither_learned_nor_exported(story, submit, moderator, now):
    """A comment its author withdrew (text blanked) is left out even though a moderator decided it."""
    comment = submit(story, body="Please forget me.")
    approve(comment, moderator, now)
    ModerationDecision.objects.create(comment=comment, revision=comment.current_revision, actor=None,
                                      action="withdraw", from_status="approved", to_status="approved",
                                      decided_at=now + MINUTE)

    assert labelled() == []


def test_examples_are_in_decision_order_with_the_comments_language(story, submit, moderator, rule, now):
    """Examples come oldest decision first, whatever the submission order, in the comment's language."""
    first, second = submit(story, body="Submitted first."), submit(story, body="먼저 결정된 댓글입니다.")
    Comment.objects.filter(pk=second.pk).update(language="ko")
    approve(second, moderator, now)
    reject(first, moderator, rule, now + MINUTE)

    found = list(training.examples())
    assert [(e.text, e.language, e.decided_at) for e in found] == [
        ("먼저 결정된 댓글입니다.", "ko", now), ("Submitted first.", "en", now + MINUTE)]
    assert [e.text for e in training.examples(since=now + MINUTE)] == ["Submitted first."]


# -- Retraining -----------------------------------------------------------------------------------------

def test_retrain_below_the_minimum_stores_no_model(story, moderator, now, capsys):
    """A language short of 30 decisions of each kind gets no model and says how far it is."""
    decided_comments(story=story, moderator=moderator, labelled=interleaved("en", 20), language="en", start=now)

    assert main(["retrain"]) == 0

    assert "no model yet: 20 approvals, 20 rejections (needs 30 of each)" in capsys.readouterr().out
    assert not ClassifierModel.objects.exists()
    assert classifier.risk_for(text="You idiot", language="en") == (None, "")


def test_retrain_prints_a_row_per_language(story, moderator, now, capsys):
    """retrain reports each language: the new model with its measured precision, recall and AUC, or why not."""
    decided_comments(story=story, moderator=moderator, labelled=interleaved("ko", 60), language="ko", start=now)
    decided_comments(story=story, moderator=moderator, labelled=interleaved("en", 5), language="en", start=now)

    assert main(["retrain"]) == 0

    out = capsys.readouterr().out
    assert "precision" in out and "ROC AUC" in out
    ko_line = next(line for line in out.splitlines() if line.startswith("ko "))
    model = ClassifierModel.objects.get(language="ko", active=True)
    assert model.version in ko_line and "(new)" in ko_line
    assert (model.approvals, model.rejections) == (60, 60)
    assert model.metrics["test"] == 24 and 0.0 <= model.metrics["roc_auc"] <= 1.0
    assert "no model yet: 5 approvals, 5 rejections" in next(line for line in out.splitlines()
                                                             if line.startswith("en "))


def test_retrain_replaces_the_active_model(story, moderator, now):
    """A second retrain makes a new active model and deactivates the one before, which risk_for drops."""
    decided_comments(story=story, moderator=moderator, labelled=interleaved("en", 40), language="en", start=now)
    first = training.retrain(now=now)[0].version
    assert classifier.risk_for(text="hello", language="en")[1] == first

    decided_comments(story=story, moderator=moderator, labelled=interleaved("en", 60)[80:], language="en",
                     start=now + timedelta(days=1))
    result = training.retrain(now=now + timedelta(days=1))[0]

    assert result.replaced == first and result.evaluation.n == 120
    assert list(ClassifierModel.objects.filter(language="en", active=True).values_list("version", flat=True)) == [
        result.version]
    assert ClassifierModel.objects.filter(language="en").count() == 2
    assert classifier.risk_for(text="hello", language="en")[1] == result.version


def test_retrain_short_of_data_keeps_the_active_model(story, moderator, now, capsys):
    """A language that falls below the minimum (rejections purged, say) keeps the model it had."""
    decided_comments(story=story, moderator=moderator, labelled=interleaved("en", 40), language="en", start=now)
    version = training.retrain(now=now)[0].version

    assert main(["retrain", "--min-per-class", "50"]) == 0

    assert f"kept {version}" in capsys.readouterr().out
    assert ClassifierModel.objects.get(active=True).version == version


def test_retrain_twice_in_one_second_keeps_versions_unique(story, moderator, now):
    """Two retrains at the same moment store two distinct versions."""
    decided_comments(story=story, moderator=moderator, labelled=interleaved("en", 30), language="en", start=now)

    versions = {training.retrain(now=now)[0].version, training.retrain(now=now)[0].version}

    assert len(versions) == 2


# -- Evaluation ------------------------------------------------------------------------------------------

def test_evaluate_prints_metrics_per_language(tmp_path, capsys):
    """evaluate reads a labelled file and prints n, precision, recall and ROC AUC per language and overall."""
    path = write_lines(tmp_path / "labelled.jsonl",
                       file_items("en", 60) + file_items("ko", 60) + file_items("zh-Hans", 60))

    assert main(["evaluate", path]) == 0

    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["language", "n", "approve", "reject", "train", "test", "precision", "recall",
                                "ROC", "AUC"]
    rows = {line.split()[0]: line.split()[1:] for line in lines[1:4]}
    assert set(rows) == {"en", "ko", "zh-Hans"}
    for cells in rows.values():
        n, approvals, rejections, train, test, precision, recall, auc = cells
        assert (n, approvals, rejections, train, test) == ("120", "60", "60", "96", "24")
        assert all(0.0 <= float(value) <= 1.0 for value in (precision, recall, auc))
    overall = next(line for line in lines if line.startswith("all languages"))
    assert overall.split()[2:7] == ["360", "180", "180", "288", "72"]


def test_evaluate_reports_a_language_with_one_kind_of_decision(tmp_path, capsys):
    """A language with approvals only is "not enough data", with its counts; the others are measured."""
    only_approvals = [{"text": t, "label": "approve", "language": "ug"} for t in texts("en", APPROVE)[:40]]
    path = write_lines(tmp_path / "labelled.jsonl", file_items("en", 40) + only_approvals)

    assert main(["evaluate", path]) == 0

    out = capsys.readouterr().out
    assert "not enough data: 40 approvals, 0 rejections (needs 30 of each)" in out
    en = next(line for line in out.splitlines() if line.startswith("en "))
    assert len(en.split()) == 9


def test_evaluate_names_the_malformed_line(tmp_path, capsys):
    """A line that is not a labelled comment stops evaluate with its line number."""
    path = tmp_path / "labelled.jsonl"
    path.write_text('{"text": "fine", "label": "approve"}\n\n{"text": "bad", "label": "maybe"}\n', encoding="utf-8")

    assert main(["evaluate", str(path)]) == 1

    assert "line 3" in capsys.readouterr().err


@pytest.mark.parametrize("content", [b'{"text": "x", "label": "approve"\n', b'["text", "label"]\n',
                                     b'{"label": "reject"}\n', b'\xff\xfe{"text"}\n'])
def test_evaluate_refuses_what_is_not_a_labelled_line(tmp_path, capsys, content):
    """Broken JSON, a non-object, a missing text and non-UTF-8 bytes are each reported on line 1."""
    path = tmp_path / "labelled.jsonl"
    path.write_bytes(content)

    assert main(["evaluate", str(path)]) == 1

    assert "line 1:" in capsys.readouterr().err


def test_evaluate_reports_an_unreadable_file(tmp_path, capsys):
    """A missing file is a clear error, not a traceback."""
    assert main(["evaluate", str(tmp_path / "missing.jsonl")]) == 1

    assert "cannot read" in capsys.readouterr().err


def test_evaluate_detects_a_missing_language_and_stores_nothing(tmp_path, capsys, monkeypatch):
    """Lines without a language get the detected one; evaluate never opens the database."""
    monkeypatch.setattr(training, "detect_language", 
                        lambda text: "ko" if any("가" <= ch <= "힣" for ch in text) else "en")
    path = write_lines(tmp_path / "labelled.jsonl", file_items("ko", 40, with_language=False))

    assert main(["evaluate", path]) == 0  # no `db` fixture: any query would fail the test

    assert next(line for line in capsys.readouterr().out.splitlines() if line.startswith("ko ")).split()[1] == "80"


# -- Export ----------------------------------------------------------------------------------------------

def test_export_then_evaluate_round_trip(story, korean_story, moderator, now, tmp_path, capsys):
    """export-decisions writes a private file of labelled lines that evaluate measures per language."""
    decided_comments(story=story, moderator=moderator, labelled=interleaved("en", 40), language="en", start=now)
    decided_comments(story=korean_story, moderator=moderator, labelled=interleaved("ko", 40), language="ko",
                     start=now + timedelta(seconds=30))
    path = tmp_path / "decisions.jsonl"

    assert main(["export-decisions", str(path)]) == 0
    assert "160 labelled comments" in capsys.readouterr().err
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600

    items = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert set(items[0]) == {"text", "label", "language", "decided_at"}
    assert [item["decided_at"] for item in items] == sorted(item["decided_at"] for item in items)
    assert main(["evaluate", str(path)]) == 0
    out = capsys.readouterr().out
    assert next(line for line in out.splitlines() if line.startswith("en ")).split()[1:4] == ["80", "40", "40"]
    assert next(line for line in out.splitlines() if line.startswith("ko ")).split()[1:4] == ["80", "40", "40"]


def test_export_to_standard_output_for_one_desk(story, korean_story, moderator, now, capsys):
    """Without a file the lines go to standard output; --desk keeps one desk's comments."""
    decided_comments(story=story, moderator=moderator, labelled=interleaved("en", 2), language="en", start=now)
    decided_comments(story=korean_story, moderator=moderator, labelled=interleaved("ko", 3), language="ko",
                     start=now)

    assert main(["export-decisions", "--desk", "korean"]) == 0

    items = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(items) == 6 and {item["language"] for item in items} == {"ko"}
    assert {item["label"] for item in items} == {"approve", "reject"}


def test_export_refuses_an_unknown_desk(db, capsys):
    """An unknown desk key is an error naming it."""
    assert main(["export-decisions", "--desk", "nowhere"]) == 1

    assert "nowhere" in capsys.readouterr().err


def test_export_help_warns_about_comment_text(capsys):
    """export-decisions --help says the file holds readers' text and is for the newsroom's own use."""
    with pytest.raises(SystemExit):
        main(["export-decisions", "--help"])

    out = " ".join(capsys.readouterr().out.split())
    assert "comment text" in out and "newsroom's own use" in out
