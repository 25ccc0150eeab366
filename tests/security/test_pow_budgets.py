"""Two per-source budgets (voxpop.common.ratelimit): submissions with a valid proof-of-work get the
ordinary one; without one (JavaScript off, a script that skips it) a stricter one as well. Through the
form and the API, in the shared store (Redis in the PostgreSQL job) and in the local fallback."""
import uuid
from datetime import timedelta
from urllib.parse import urlencode

import lxml.html
import pytest

from tests.security.test_pow import find_nonce
from voxpop.comments.models import Comment
from voxpop.common import clock, ratelimit
from voxpop.common.pow import proof_verify
from voxpop.reader.form_token import form_token_read, new_form_token

THREAD = "/stories/harbour-buses/comments/"
API = "/api/v1/stories/harbour-buses/comments"
ADDRESS = "203.0.113.7"
BITS = 8


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch, now):
    monkeypatch.setattr(clock, "now", lambda: now)


@pytest.fixture(autouse=True)
def fresh_counters(settings):
    """Counters and proof claims of this test only, in whatever store the run uses."""
    settings.CACHES = {**settings.CACHES,
                       "ratelimit": {**settings.CACHES["ratelimit"], "KEY_PREFIX": f"test-{uuid.uuid4().hex}"}}
    settings.VOXPOP_POW_BITS = BITS
    ratelimit.local_state_reset()
    yield
    ratelimit.local_state_reset()


@pytest.fixture
def budgets(settings):
    def set_budgets(source=((1000, 60),), unproven=((1000, 60),), story=((1000, 60),)):
        settings.VOXPOP_RATE_LIMITS = {"source": tuple(source), "source_unproven": tuple(unproven),
                                       "story": tuple(story), "global": ((1000, 60),)}
    return set_budgets


@pytest.fixture
def form(client, story):
    """Post the reader form as a browser would: `proven=True` is the page's script having done the work."""
    def post(body="A comment.", *, proven=False, wrong_proof=False, address=ADDRESS):
        token = new_form_token()
        data = {"token": token, "body": body, "display_name": "", "website": "",
                "idempotency_key": uuid.uuid4().hex}
        if proven:
            data["pow"] = find_nonce(token, body)
        elif wrong_proof:  # a nonce whose hash starts with a one bit: surely no proof
            data["pow"] = find_nonce(token, body, exactly=0)
        return client.post(THREAD, urlencode(data), content_type="application/x-www-form-urlencoded",
                           REMOTE_ADDR=address)
    return post


def test_unproven_form_hits_its_budget_while_a_proven_reader_still_posts(form, budgets):
    """Behind one address, posts without a proof stop at the stricter budget; a browser that did the work does not."""
    budgets(source=[(10, 60)], unproven=[(2, 60)])

    unproven = [form(f"No JavaScript {i}.").status_code for i in range(3)]
    proven = [form(f"With JavaScript {i}.", proven=True).status_code for i in range(3)]

    assert unproven == [303, 303, 429]
    assert proven == [303, 303, 303]
    assert Comment.objects.count() == 5


def test_proven_posts_still_meet_the_source_budget(form, budgets):
    """A proof buys the ordinary per-source budget, not an unlimited one."""
    budgets(source=[(2, 60)], unproven=[(1, 60)])

    statuses = [form(f"Proven {i}.", proven=True).status_code for i in range(3)]

    assert statuses == [303, 303, 429]


def test_unproven_posts_count_against_the_source_budget_too(form, budgets):
    """What the stricter budget lets through is also part of the source's ordinary budget."""
    budgets(source=[(3, 60)], unproven=[(2, 60)])
    form("Unproven 1."), form("Unproven 2.")

    assert form("Proven 1.", proven=True).status_code == 303
    assert form("Proven 2.", proven=True).status_code == 429


def test_wrong_proof_is_no_error_only_the_stricter_budget(form, budgets):
    """A wrong nonce is treated like none: the comment is taken while the stricter budget lasts."""
    budgets(unproven=[(1, 60)])

    assert form("Wrong proof 1.", wrong_proof=True).status_code == 303
    response = form("Wrong proof 2.", wrong_proof=True)

    assert response.status_code == 429
    assert "please wait 60 seconds" in response.content.decode()


def test_a_proof_admits_one_comment(client, story, budgets):
    """The same solution sent with other idempotency keys (a bot's copies of one text) counts as unproven."""
    budgets(unproven=[(1, 60)])
    token = new_form_token()
    body = "Buy cheap watches at example.com"
    nonce = find_nonce(token, body)

    def post():
        data = {"token": token, "body": body, "display_name": "", "website": "", "pow": nonce,
                "idempotency_key": uuid.uuid4().hex}
        return client.post(THREAD, urlencode(data), content_type="application/x-www-form-urlencoded",
                           REMOTE_ADDR=ADDRESS)

    assert [post().status_code for _ in range(3)] == [303, 303, 429]  # proven, unproven, over the unproven budget


def test_refused_proven_submission_keeps_its_proof(story, budgets, now):
    """A proven comment refused by a shared budget may be sent again, still proven, once the window ends."""
    budgets(story=[(1, 60)])
    token = form_token_read(new_form_token())
    body = "Waiting out the flood."
    proof = proof_verify(token=token, body=body, nonce=find_nonce(token.value, body), now=token.issued_at)
    ratelimit.submission_admit(rate_key="other-source", story_id=story.pk, now=now)

    with pytest.raises(ratelimit.RateLimited) as refused:
        ratelimit.submission_admit(rate_key="reader", story_id=story.pk, now=now, proof=proof)

    assert refused.value.scope == "story"
    assert ratelimit.submission_admit(rate_key="reader", story_id=story.pk, now=now + timedelta(seconds=60),
                                      proof=proof) is True


def test_proof_of_work_off_gives_everyone_the_ordinary_budget(form, budgets, settings):
    """With VOXPOP_POW_BITS=0 nothing is asked of browsers and nobody is held to the stricter budget."""
    budgets(source=[(3, 60)], unproven=[(1, 60)])
    settings.VOXPOP_POW_BITS = 0

    assert [form(f"No proof {i}.").status_code for i in range(4)] == [303, 303, 303, 429]


def test_local_fallback_keeps_both_budgets(form, budgets, settings):
    """Redis unreachable: each process counts alone a quarter of each budget, the stricter one included."""
    budgets(source=[(40, 60)], unproven=[(8, 60)])
    settings.CACHES = {**settings.CACHES, "ratelimit": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:6390/0",
        "OPTIONS": {"socket_timeout": 0.25, "socket_connect_timeout": 0.25}}}  # nothing listens there

    unproven = [form(f"No JavaScript {i}.").status_code for i in range(3)]
    proven = form("With JavaScript.", proven=True).status_code

    assert unproven == [303, 303, 429]  # 8 // 4 = 2
    assert proven == 303


# The API: a token from GET /api/v1/proof-of-work, the proof in a header

def test_proof_of_work_route_gives_a_token_and_the_bits(client, db):
    """The challenge is the signed form token of this second, with the bits asked for now."""
    response = client.get("/api/v1/proof-of-work")

    assert response.status_code == 200
    data = response.json()
    assert form_token_read(data["token"]) is not None
    assert data["bits"] == BITS
    assert "public" in response["Cache-Control"]


def test_api_post_with_a_proof_gets_the_ordinary_budget(client, story, budgets):
    """Without the header an API client meets the stricter budget, and is told why; with a proof it gets through."""
    budgets(source=[(10, 60)], unproven=[(1, 60)])

    def post(body, header=None):
        headers = {"Proof-Of-Work": header} if header else {}
        return client.post(API, {"body": body}, content_type="application/json", REMOTE_ADDR=ADDRESS,
                           headers=headers)

    assert post("Unproven 1.").status_code == 202
    refused = post("Unproven 2.")
    token = client.get("/api/v1/proof-of-work").json()["token"]
    proven = post("Proven 1.", header=f"{token} {find_nonce(token, 'Proven 1.')}")

    assert refused.status_code == 429
    assert "without a valid Proof-Of-Work header" in refused.json()["error"]["message"]
    assert proven.status_code == 202
    assert post("Garbled.", header="no proof here at all").status_code == 429


# What the page gives the script

def test_korean_form_tells_the_script_the_bits_and_the_label_in_korean(client, korean_story):
    """The cached page holds only what every reader shares: the bits asked for and the translated label."""
    page = lxml.html.fromstring(client.get("/stories/island-library/comments/").content)

    [form] = page.xpath('//form[.//textarea[@name="body"]]')
    assert form.get("data-vp-pow-bits") == str(BITS)
    assert form.get("data-vp-checking") == "확인 중…"
    assert page.xpath('//script[@defer]/@src[contains(., "proof-of-work.js")]')
