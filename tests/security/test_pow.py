"""Proof-of-work verification (voxpop.common.pow): the puzzle as documented, bound to the token and
the text, with enough zero bits, on a token that is still good."""
import hashlib
import time

import pytest

from voxpop.common.pow import PROOF_MAX_AGE, proof_verify
from voxpop.reader.form_token import FormToken, form_token_read, new_form_token

BITS = 8


@pytest.fixture(autouse=True)
def few_bits(settings):
    settings.VOXPOP_POW_BITS = BITS


def zero_bits(token: str, body: str, nonce: str) -> int:
    """Leading zero bits of the documented hash, computed here independently of the module."""
    body_hash = hashlib.sha256(body.encode("utf-8")).hexdigest()
    digest = hashlib.sha256(f"{token}\n{body_hash}\n{nonce}".encode()).digest()
    value = int.from_bytes(digest, "big")
    return 256 - value.bit_length()


def find_nonce(token: str, body: str, *, exactly: int | None = None, at_least: int = BITS, shape: str = "{}",
               failing_for: tuple[str, str] | None = None) -> str:
    """The first nonce of `shape` (a format for a decimal number) whose hash has `exactly` (or at least
    `at_least`) leading zero bits and, with `failing_for` (another token and body), fewer than BITS there:
    each test's nonce does what the test says, never by a 1-in-256 chance."""
    for n in range(10_000_000):
        nonce = shape.format(n)
        bits = zero_bits(token, body, nonce)
        if not ((bits == exactly) if exactly is not None else (bits >= at_least)):
            continue
        if failing_for is None or zero_bits(*failing_for, nonce) < BITS:
            return nonce
    raise AssertionError("no nonce found")


@pytest.fixture
def token() -> FormToken:
    return form_token_read(new_form_token())


def test_right_nonce_is_a_proof(token):
    """A nonce that gives the documented hash enough leading zero bits is accepted."""
    body = "The night bus is my only way home."
    nonce = find_nonce(token.value, body)

    proof = proof_verify(token=token, body=body, nonce=nonce, now=time.time())

    assert proof is not None
    assert proof.valid_for > PROOF_MAX_AGE - 60


def test_wrong_nonce_is_not_a_proof(token):
    """A nonce whose hash starts with a one bit proves nothing."""
    body = "The night bus is my only way home."

    assert proof_verify(token=token, body=body, nonce=find_nonce(token.value, body, exactly=0), now=time.time()) is None


def test_missing_or_malformed_nonce_is_not_a_proof(token):
    """No nonce, or one that solves the puzzle but is over-long or has spaces or non-ASCII characters,
    is simply no proof."""
    assert proof_verify(token=token, body="Text.", nonce="", now=time.time()) is None
    for shape in ("1" * 64 + "{}", "12 {}", "１２{}", "12\n{}"):
        nonce = find_nonce(token.value, "Text.", shape=shape)
        assert proof_verify(token=token, body="Text.", nonce=nonce, now=time.time()) is None, shape


def test_proof_for_one_body_does_not_prove_another(token):
    """The proof is bound to the text: the same nonce for other text is refused."""
    nonce = find_nonce(token.value, "Buy cheap watches", failing_for=(token.value, "Buy cheap watches!"))

    assert proof_verify(token=token, body="Buy cheap watches!", nonce=nonce, now=time.time()) is None


def test_proof_for_one_token_does_not_prove_another(token):
    """The proof is bound to the page's token: a stamp of another second needs its own work."""
    body = "Same text, another page."
    other = FormToken(value=token.value + "x", issued_at=token.issued_at)
    nonce = find_nonce(token.value, body, failing_for=(other.value, body))

    assert proof_verify(token=other, body=body, nonce=nonce, now=time.time()) is None


def test_too_few_zero_bits_is_not_a_proof(token, settings):
    """A hash with exactly 8 zero bits passes at 8 bits and fails when 9 are asked for."""
    body = "여기 버스 노선이 계속 유지되면 좋겠습니다."
    nonce = find_nonce(token.value, body, exactly=8)
    assert proof_verify(token=token, body=body, nonce=nonce, now=time.time()) is not None

    settings.VOXPOP_POW_BITS = 9

    assert proof_verify(token=token, body=body, nonce=nonce, now=time.time()) is None


def test_browser_line_breaks_prove_the_same_text(token):
    """A browser hashes the textarea with \\n and sends \\r\\n: both read as the same text."""
    nonce = find_nonce(token.value, "First line.\nSecond line.")

    assert proof_verify(token=token, body="First line.\r\nSecond line.", nonce=nonce, now=time.time()) is not None


def test_expired_token_is_not_a_proof(token):
    """A proof on a token older than the form's life is refused, however right the nonce."""
    body = "Written long ago."
    nonce = find_nonce(token.value, body)

    assert proof_verify(token=token, body=body, nonce=nonce, now=token.issued_at + PROOF_MAX_AGE - 1) is not None
    assert proof_verify(token=token, body=body, nonce=nonce, now=token.issued_at + PROOF_MAX_AGE + 1) is None


def test_token_from_the_future_is_not_a_proof(token):
    """A token stamped well after `now` (another clock, a forgery attempt) proves nothing."""
    body = "From the future."
    nonce = find_nonce(token.value, body)

    assert proof_verify(token=token, body=body, nonce=nonce, now=token.issued_at - 3600) is None


def test_unsigned_token_is_not_a_proof():
    """Without a token this server signed (form_token_read gives None) there is no proof."""
    body = "Forged stamp."
    forged = "form:1vZt3K:not-a-signature"
    nonce = find_nonce(forged, body)

    assert form_token_read(forged) is None
    assert proof_verify(token=form_token_read(forged), body=body, nonce=nonce, now=time.time()) is None
