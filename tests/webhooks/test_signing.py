"""The signature as the README tells receivers to check it: its own snippet, run against real deliveries."""
import hmac
import re
from pathlib import Path

import pytest

from voxpop.moderation.services import comment_approve
from voxpop.webhooks.delivery import deliver_due
from voxpop.webhooks.signing import signature_header, signature_verify

README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.fixture(scope="module")
def readme_verify():
    """`verify(secret, body, header, now=None)` exactly as the README's "Webhooks" section shows it."""
    section = README.read_text(encoding="utf-8").split("\n## Webhooks\n", 1)[1].split("\n## ", 1)[0]
    [code] = [block for block in re.findall(r"```python\n(.*?)```", section, re.S) if "def verify" in block]
    namespace = {}
    exec(compile(code, "README.md (Webhooks)", "exec"), namespace)  # noqa: S102 (our own documentation)
    return namespace["verify"]


@pytest.fixture
def delivered(hook, receiver, story, submit, moderator, now):
    """One real delivery to the local receiver: (secret, raw body, Voxpop-Signature header)."""
    comment = submit(story, body="Signed and sealed, 서명했습니다.")
    comment_approve(comment_id=comment.pk, revision_id=comment.current_revision_id, moderator=moderator, now=now)
    deliver_due(now=now)
    [request] = receiver.requests
    return hook.plain_secret, request.body, request.headers["Voxpop-Signature"]


def test_the_documented_check_accepts_a_real_delivery(readme_verify, delivered, now):
    """The README's verify() accepts the body and header a receiver got, at the time they were sent."""
    secret, body, header = delivered

    assert re.fullmatch(r"t=\d+,v1=[0-9a-f]{64}", header)
    assert readme_verify(secret, body, header, now=now.timestamp())


def test_a_changed_body_fails(readme_verify, delivered, now):
    """One changed byte of the body and the signature no longer verifies."""
    secret, body, header = delivered

    assert not readme_verify(secret, body.replace(b"Signed", b"Sighed"), header, now=now.timestamp())
    assert not signature_verify(secret=secret, header=header, body=body + b" ", now=now.timestamp())


def test_another_secret_fails(readme_verify, delivered, now):
    """Only the endpoint's own secret verifies its deliveries."""
    _, body, header = delivered

    assert not readme_verify("whsec_someone-else", body, header, now=now.timestamp())


def test_an_old_signature_fails_after_five_minutes(readme_verify, delivered, now):
    """A replay more than five minutes later is refused; within five minutes it is accepted."""
    secret, body, header = delivered

    assert readme_verify(secret, body, header, now=now.timestamp() + 300)
    assert not readme_verify(secret, body, header, now=now.timestamp() + 301)
    assert not signature_verify(secret=secret, header=header, body=body, now=now.timestamp() + 301)


def test_a_changed_timestamp_fails(readme_verify, delivered, now):
    """The timestamp is signed too: moving it forward to pass the tolerance breaks the signature."""
    secret, body, header = delivered
    t = int(header.split(",")[0][2:])

    assert not readme_verify(secret, body, header.replace(f"t={t}", f"t={t + 60}"), now=now.timestamp())


@pytest.mark.parametrize("header", ["", "t=1793611800", "v1=abc", "t=x,v1=abc", "t=1,t=2,v1=abc", "garbage"])
def test_malformed_headers_fail(readme_verify, header):
    """A header that is not t=...,v1=... is refused, not an exception."""
    assert not readme_verify("whsec_x", b"{}", header, now=1793611800)
    assert not signature_verify(secret="whsec_x", header=header, body=b"{}", now=1793611800)


def test_the_service_and_the_readme_agree():
    """The header Voxpop computes is the one the README's algorithm expects."""
    header = signature_header(secret="whsec_test", timestamp=1793611800, body=b'{"a":1}')

    assert signature_verify(secret="whsec_test", header=header, body=b'{"a":1}', now=1793611800)
    assert header == "t=1793611800,v1=" + hmac.new(b"whsec_test", b'1793611800.{"a":1}', "sha256").hexdigest()
