"""Redis stopped, and hung with SIGSTOP, while readers submit, read and a moderator works."""
import random

import pytest

from .conftest import SOURCE_BUDGET, WORKERS
from .harness import Client, STORY, comment_body, nothing_lost, run_load

LOAD_SECONDS = 6
FAULT_AT, BACK_AT = 1.5, 4.5
FLOOD = 3 * SOURCE_BUDGET // 2  # one source sending more than its whole budget while Redis is out


def _outage(stack, *, down, up):
    """Load with Redis out from FAULT_AT to BACK_AT; in the middle, a signed-in moderator looks at
    the queue and one source floods."""
    moderator = stack.moderator()
    seen = {}

    def during():
        seen["signed_in"] = moderator.signed_in()
        flooder = Client(stack.server.base, source="127.50.0.1")
        seen["flood"] = [flooder.post_json(f"/api/v1/stories/{STORY}/comments", {"body": comment_body(rng)})
                         for rng in [random.Random(n) for n in range(FLOOD)]]

    record = run_load(stack.server, seconds=LOAD_SECONDS, faults=[(FAULT_AT, down), (FAULT_AT + 0.5, during),
                                                                  (BACK_AT, up)])
    seen["signed_in_after"] = moderator.signed_in()
    with stack.connect() as connection:
        problems = nothing_lost(connection, record)
    return record, problems, seen


@pytest.fixture(scope="module")
def stopped(stack):
    return _outage(stack, down=stack.redis.stop, up=stack.redis.start)


@pytest.fixture(scope="module")
def hung(stack):
    return _outage(stack, down=stack.redis.pause, up=stack.redis.resume)


@pytest.fixture(params=["stopped", "hung"])
def outage(request):
    return request.getfixturevalue(request.param)


def test_nothing_lost_while_redis_is_out(outage):
    """With Redis out, every acknowledged comment and approval is stored once; nothing is public undecided."""
    record, problems, _ = outage
    assert record.acks and record.approvals, record.summary()
    assert problems == []


def test_no_server_error_while_redis_is_out(outage):
    """With Redis out, readers, the API and the moderator get no 5xx answer at all."""
    record, _, seen = outage
    flood_errors = [a.status for a in seen["flood"] if a.status >= 500 or a.status == 0]
    assert record.server_errors == [] and flood_errors == [], (record.server_errors[:5], flood_errors)


def test_reading_and_submitting_go_on_while_redis_is_out(outage):
    """Redis is not needed to read threads or to submit: both keep being answered through the outage."""
    record, _, _ = outage
    reads = record.statuses_of("read")
    assert reads[200] > 0 and set(reads) <= {200, 304}, (reads, record.no_answers)
    assert record.statuses_of("api")[202] > 0


def test_moderator_stays_signed_in_through_redis_outage(outage):
    """A moderator signed in before Redis went out is still signed in during the outage and after it."""
    _, _, seen = outage
    assert seen["signed_in"] and seen["signed_in_after"]


def test_rate_limit_degrades_to_a_stricter_local_budget(outage):
    """Without Redis one source is still limited (429 with Retry-After), to at most a quarter of its budget per worker."""
    _, _, seen = outage
    accepted = [a for a in seen["flood"] if a.status == 202]
    refused = [a for a in seen["flood"] if a.status == 429]
    assert refused and all(a.headers.get("retry-after", "").isdigit() for a in refused)
    assert len(accepted) <= WORKERS * (SOURCE_BUDGET // 4)
