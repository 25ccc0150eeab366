"""`voxpop webhooks add` and `voxpop webhooks deliver`, called as an operator would."""
from datetime import timedelta

import pytest
from django.utils import timezone

from voxpop.cli import main
from voxpop.common import clock
from voxpop.moderation.services import comment_approve
from voxpop.webhooks.models import Delivery, Endpoint
from voxpop.webhooks.signing import signature_verify


def test_add_prints_only_the_secret_on_standard_output(db, capsys):
    """The secret alone on stdout (for a script to capture), the endpoint's details on stderr."""
    assert main(["webhooks", "add", "https://cms.example/hooks", "--event", "comment.published",
                 "--event", "story.created"]) == 0

    out, err = capsys.readouterr()
    endpoint = Endpoint.objects.get()
    assert out.strip() == endpoint.secret and "\n" not in out.strip()
    assert endpoint.events == ["comment.published", "story.created"]
    assert "https://cms.example/hooks" in err and endpoint.secret not in err


def test_add_without_events_subscribes_to_all(db, capsys):
    """No --event: every event."""
    assert main(["webhooks", "add", "https://cms.example/hooks"]) == 0

    assert len(Endpoint.objects.get().events) == 5


def test_add_refuses_a_private_address(db, capsys):
    """SSRF: a loopback URL is refused with the reason, and nothing is stored."""
    assert main(["webhooks", "add", "http://127.0.0.1:8000/hooks"]) == 1

    assert "private network" in capsys.readouterr().err
    assert not Endpoint.objects.exists()


def test_add_refuses_an_unknown_event(db, capsys):
    """--event takes only the documented event names."""
    with pytest.raises(SystemExit):
        main(["webhooks", "add", "https://cms.example/hooks", "--event", "comment.pending"])
    assert not Endpoint.objects.exists()


def test_deliver_once_sends_what_is_due_and_exits(receiver, story, submit, moderator, capsys):
    """One pass: the due delivery reaches the receiver, signed at the real time, and the command exits."""
    assert main(["webhooks", "add", receiver.url, "--event", "comment.published"]) == 0
    secret = capsys.readouterr().out.strip()
    now = timezone.now()
    comment = submit(story, at=now)
    comment_approve(comment_id=comment.pk, revision_id=comment.current_revision_id, moderator=moderator, now=now)

    assert main(["webhooks", "deliver", "--once"]) == 0

    assert "1 delivered" in capsys.readouterr().out
    [request] = receiver.requests
    assert signature_verify(secret=secret, header=request.headers["Voxpop-Signature"], body=request.body)
    assert Delivery.objects.get().state == "delivered"


def test_list_shows_endpoints_without_secrets(db, capsys):
    """`voxpop webhooks list`: id, state, URL, events and counts; never the secret."""
    main(["webhooks", "add", "https://cms.example/hooks"])
    secret = capsys.readouterr().out.strip()

    assert main(["webhooks", "list"]) == 0

    out = capsys.readouterr().out
    assert "https://cms.example/hooks" in out and "active" in out and secret not in out


def test_webhooks_commands_have_help(capsys):
    """`voxpop webhooks --help` names its commands; each answers --help."""
    for argv in (["webhooks", "--help"], ["webhooks", "deliver", "--help"], ["webhooks", "add", "--help"]):
        with pytest.raises(SystemExit) as exit_:
            main(argv)
        assert exit_.value.code == 0
    assert "--once" in capsys.readouterr().out


def test_purge_deletes_old_finished_deliveries_only(endpoint_for, story, submit, moderator, now, capsys,
                                                    monkeypatch):
    """`voxpop purge` deletes delivered and superseded records after 30 days; queued and dead ones stay."""
    endpoint_for("https://cms.example/hooks")
    for _ in range(4):
        comment = submit(story)
        comment_approve(comment_id=comment.pk, revision_id=comment.current_revision_id, moderator=moderator, now=now)
    delivered, superseded, dead, queued = Delivery.objects.order_by("pk")
    Delivery.objects.filter(pk=delivered.pk).update(delivered_at=now, next_attempt_at=None, payload={})
    Delivery.objects.filter(pk=superseded.pk).update(superseded_at=now, next_attempt_at=None, payload={})
    Delivery.objects.filter(pk=dead.pk).update(dead=True, next_attempt_at=None)
    monkeypatch.setattr(clock, "now", lambda: now + timedelta(days=31))

    assert main(["purge"]) == 0

    assert "Webhooks: 2 delivered or superseded" in capsys.readouterr().out
    assert set(Delivery.objects.values_list("pk", flat=True)) == {dead.pk, queued.pk}
