"""Rate limits on reader submissions: per source, per story and for the whole site (PRODUCT.md 3.4).

Both submission paths, the no-JavaScript form and the JSON API, call `submission_admit` with the
source's rate-limit key (a keyed hash from voxpop.common.privacy, never the address) just before
storing a comment. Each scope has one or more budgets, "N per window", counted in fixed windows:

- source (VOXPOP_RATE_LIMIT_SOURCE, default 10/minute,60/hour): generous, because one address can
  be a Tor exit or a carrier's NAT with many readers behind it. Its job is to stop one machine
  from flooding, not to ration a reader.
- source_unproven (VOXPOP_RATE_LIMIT_SOURCE_UNPROVEN, default 3/minute,20/hour): a submission
  without a valid proof-of-work (voxpop.common.pow: JavaScript off, or a script that skips it) is
  counted against this stricter budget first, then against the source budget like any other. A
  proven one is not counted here, so a flood without proofs, once refused, leaves the readers
  whose browsers did the work on the same address their whole source budget.
- story (VOXPOP_RATE_LIMIT_STORY, default 120/minute) and global (VOXPOP_RATE_LIMIT_GLOBAL,
  default 600/minute): they protect the moderators and the database from floods spread over many
  addresses, and keep a flood on one story from using up the whole site's budget. Proven or not.

The source is counted first and the shared budgets only for a source within its own, so a few
noisy sources never spend everyone's budget by being refused. A refused submission costs nothing:
its counts are taken back, so a reader waiting out a flood on their story is not charged for it.
A proof admits one comment: the first submission that brings it claims it in the same store, and
a later one with the same proof counts as unproven (a refused submission gives its claim back).
With proof-of-work off (VOXPOP_POW_BITS=0), or with no source_unproven budget configured, every
submission is counted as proven.

Counters live in the cache alias "ratelimit": Redis, shared by every process and host, when
REDIS_URL is set (with a short socket timeout); local memory, per process, otherwise. When that
store fails or hangs, each process counts in its own memory for a few seconds against a quarter
of every budget, then tries the store again: stricter, never unlimited, never an error page.
"""
import logging
import math
import threading
import time
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache

from voxpop.common.pow import Proof, proof_enabled

logger = logging.getLogger(__name__)

CACHE_ALIAS = "ratelimit"
SCOPES = ("source", "story", "global")  # every submission, in this order
UNPROVEN = "source_unproven"            # before them, a submission without a proof-of-work
DEFAULT_BUDGETS = {"source": ((10, 60), (60, 3600)), "source_unproven": ((3, 60), (20, 3600)),
                   "story": ((120, 60),), "global": ((600, 60),)}
# Without the shared store each process counts alone; a quarter of each budget keeps a host with up
# to four processes (the default for two cores) within the budget it would have had with Redis.
FALLBACK_SHARE = 4
STORE_RETRY_SECONDS = 5  # after a store failure, how long each process counts alone before trying it again


@dataclass(frozen=True)
class Budget:
    limit: int
    seconds: int


class RateLimited(Exception):
    """Over a budget: `retry_after` is the whole seconds until the window that refused ends."""

    def __init__(self, *, retry_after: int, scope: str):
        super().__init__(f"rate limited ({scope}) for {retry_after} s")
        self.retry_after = retry_after
        self.scope = scope


def budgets() -> dict[str, tuple[Budget, ...]]:
    """VOXPOP_RATE_LIMITS: {scope: ((limit, seconds), ...)}, parsed in voxpop.settings.base. The
    unproven scope is there only when configured: without it nothing is counted as unproven."""
    configured = getattr(settings, "VOXPOP_RATE_LIMITS", DEFAULT_BUDGETS)
    scopes = SCOPES + ((UNPROVEN,) if UNPROVEN in configured else ())
    return {scope: tuple(Budget(limit, seconds) for limit, seconds in configured.get(scope, DEFAULT_BUDGETS[scope]))
            for scope in scopes}


def fallback_budgets() -> dict[str, tuple[Budget, ...]]:
    return {scope: tuple(Budget(max(1, b.limit // FALLBACK_SHARE), b.seconds) for b in scoped)
            for scope, scoped in budgets().items()}


def submission_admit(*, rate_key: str, story_id: int, now: datetime, proof: Proof | None = None) -> bool:
    """Count one submission from `rate_key` to story `story_id`, or raise RateLimited and count nothing.

    `proof` is the submission's verified proof-of-work (voxpop.common.pow.proof_verify), if any.
    Returns whether the submission was counted as proven.
    """
    global _store_failing, _store_retry_at
    if not _store_failing or time.monotonic() >= _store_retry_at:
        try:
            proven, refused = _admit(_StoreCounting(_store()), budgets(), rate_key=rate_key, story_id=story_id,
                                     now=now.timestamp(), proof=proof)
        except Exception as error:  # any failure of the store: count locally rather than answer 500
            if not _store_failing:
                logger.warning("rate limit store unavailable (%s): counting in this process with a quarter "
                               "of each budget", type(error).__name__)
            _store_failing, _store_retry_at = True, time.monotonic() + STORE_RETRY_SECONDS
        else:
            if _store_failing:
                logger.warning("rate limit store available again")
                _store_failing = False
            _raise_if(refused, budgets(), now.timestamp())
            return proven
    proven, refused = _admit(_local, fallback_budgets(), rate_key=rate_key, story_id=story_id,
                             now=now.timestamp(), proof=proof)
    _raise_if(refused, fallback_budgets(), now.timestamp())
    return proven


def _admit(counting, all_budgets, *, rate_key: str, story_id: int, now: float,
           proof: Proof | None) -> tuple[bool, tuple[str, list[int]] | None]:
    """(proven, refused): claim the proof, then count against the budgets that apply to it."""
    if UNPROVEN not in all_budgets or not proof_enabled():
        proven, claimed = True, None
    else:
        claimed = proof.key if proof is not None and counting.claim(proof.key, proof.valid_for) else None
        proven = claimed is not None
    scopes = SCOPES if proven else (UNPROVEN, *SCOPES)
    counters = _counters(rate_key=rate_key, story_id=story_id, now=now, scopes=scopes, all_budgets=all_budgets)
    refused = counting.count(counters, all_budgets)
    if refused is not None and claimed is not None:
        counting.release(claimed)  # refused: the same proof may be sent again after the wait
    return proven, refused


def _counters(*, rate_key: str, story_id: int, now: float, scopes, all_budgets) -> dict[str, list[str]]:
    """The counter of each budget in this window, e.g. rl:source:60:29349150:<key>, by scope, in counting order."""
    counted = {"source": rate_key, UNPROVEN: rate_key, "story": str(story_id), "global": "site"}
    return {scope: [f"rl:{scope}:{b.seconds}:{int(now // b.seconds)}:{counted[scope]}" for b in all_budgets[scope]]
            for scope in scopes}


def _raise_if(refused: tuple[str, list[int]] | None, all_budgets, now: float) -> None:
    """`refused` is (scope, indexes of its budgets that are spent); the wait is until the last of them renews."""
    if refused is None:
        return
    scope, spent = refused
    retry_after = max(math.ceil((int(now // b.seconds) + 1) * b.seconds - now)
                      for b in (all_budgets[scope][i] for i in spent))
    raise RateLimited(retry_after=max(1, retry_after), scope=scope)


# Counting: scope by scope, each counter of a scope incremented; when a scope is over any of its
# budgets, every increment of this submission is taken back and the later scopes are not touched.

# Redis does it in one round trip, atomically, so concurrent processes never see half a submission.
# KEYS: the counters in scope order; ARGV: the number of counters of each scope, then each counter's
# limit and window seconds. Returns {0} or {scope number, indexes (1-based) of its spent budgets}.
_REDIS_SCRIPT = """
local pos, k, done = #ARGV - 2 * #KEYS + 1, 1, {}
for scope = 1, pos - 1 do
  local over = {}
  for i = 1, tonumber(ARGV[scope]) do
    local count = redis.call('INCR', KEYS[k])
    if count == 1 then redis.call('EXPIRE', KEYS[k], ARGV[pos + 1]) end
    done[#done + 1] = KEYS[k]
    if count > tonumber(ARGV[pos]) then over[#over + 1] = i end
    k, pos = k + 1, pos + 2
  end
  if #over > 0 then
    for _, key in ipairs(done) do redis.call('DECR', key) end
    return {scope, unpack(over)}
  end
end
return {0}
"""
_script = None


class _StoreCounting:
    """Counting and proof claims in the shared store: Redis, or another Django cache."""

    def __init__(self, cache):
        self.cache = cache

    def claim(self, key: str, seconds: int) -> bool:
        """Whether this proof is seen for the first time (an atomic SET NX in Redis)."""
        return self.cache.add(f"rl:proof:{key}", 1, timeout=seconds)

    def release(self, key: str) -> None:
        self.cache.delete(f"rl:proof:{key}")

    def count(self, counters, all_budgets) -> tuple[str, list[int]] | None:
        if isinstance(self.cache, RedisCache):
            return _count_in_redis(self.cache, counters, all_budgets)
        return _count_in_cache(self.cache, counters, all_budgets)


def _count_in_redis(cache: RedisCache, counters, all_budgets) -> tuple[str, list[int]] | None:
    global _script
    keys, sizes, limits = [], [], []
    for scope in counters:
        sizes.append(len(counters[scope]))
        keys += [cache.make_and_validate_key(key) for key in counters[scope]]
        limits += [value for b in all_budgets[scope] for value in (b.limit, b.seconds)]
    client = cache._cache.get_client(write=True)  # the raw redis-py client, for the script
    if _script is None:
        _script = client.register_script(_REDIS_SCRIPT)
    answer = _script(keys=keys, args=sizes + limits, client=client)
    if answer[0] == 0:
        return None
    return list(counters)[answer[0] - 1], [i - 1 for i in answer[1:]]


def _count_in_cache(cache, counters, all_budgets) -> tuple[str, list[int]] | None:
    """Any other Django cache (local memory when REDIS_URL is unset): add, then incr, per counter."""
    done = []
    for scope in counters:
        spent = []
        for i, (key, budget) in enumerate(zip(counters[scope], all_budgets[scope])):
            cache.add(key, 0, timeout=budget.seconds)
            try:
                count = cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.add(key, 1, timeout=budget.seconds)
                count = 1
            done.append(key)
            if count > budget.limit:
                spent.append(i)
        if spent:
            for key in done:
                try:
                    cache.decr(key)
                except ValueError:
                    pass
            return scope, spent
    return None


def _store():
    return caches[CACHE_ALIAS if CACHE_ALIAS in settings.CACHES else "default"]


class _LocalCounters:
    """This process's own counters, used while the shared store is down."""

    def __init__(self):
        self._lock = threading.Lock()
        self._counts: dict[str, list] = {}  # key -> [count, expires at (monotonic)]
        self._claims: dict[str, float] = {}  # proof key -> expires at (monotonic)
        self._calls = 0

    def claim(self, key: str, seconds: int) -> bool:
        now = time.monotonic()
        with self._lock:
            if self._claims.get(key, 0.0) > now:
                return False
            self._claims[key] = now + seconds
            return True

    def release(self, key: str) -> None:
        with self._lock:
            self._claims.pop(key, None)

    def count(self, counters, all_budgets) -> tuple[str, list[int]] | None:
        now = time.monotonic()
        with self._lock:
            self._calls += 1
            if self._calls % 1000 == 0:
                self._counts = {k: v for k, v in self._counts.items() if v[1] > now}
                self._claims = {k: v for k, v in self._claims.items() if v > now}
            done = []
            for scope in counters:
                spent = []
                for i, (key, budget) in enumerate(zip(counters[scope], all_budgets[scope])):
                    entry = self._counts.get(key)
                    if entry is None or entry[1] <= now:
                        entry = self._counts[key] = [0, now + budget.seconds]
                    entry[0] += 1
                    done.append(entry)
                    if entry[0] > budget.limit:
                        spent.append(i)
                if spent:
                    for entry in done:
                        entry[0] -= 1
                    return scope, spent
        return None

    def clear(self) -> None:
        with self._lock:
            self._counts.clear()
            self._claims.clear()


_local = _LocalCounters()
_store_failing = False
_store_retry_at = 0.0


def local_state_reset() -> None:
    """Forget this process's fallback counts and any store failure (for tests)."""
    global _store_failing, _store_retry_at
    _local.clear()
    _store_failing, _store_retry_at = False, 0.0
