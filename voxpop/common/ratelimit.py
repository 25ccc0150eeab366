"""Rate limits on reader submissions: per source, per story and for the whole site (PRODUCT.md 3.4).

Both submission paths, the no-JavaScript form and the JSON API, call `submission_admit` with the
source's rate-limit key (a keyed hash from voxpop.common.privacy, never the address) just before
storing a comment. Each scope has one or more budgets, "N per window", counted in fixed windows:

- source (VOXPOP_RATE_LIMIT_SOURCE, default 10/minute,60/hour): generous, because one address can
  be a Tor exit or a carrier's NAT with many readers behind it. Its job is to stop one machine
  from flooding, not to ration a reader.
- story (VOXPOP_RATE_LIMIT_STORY, default 120/minute) and global (VOXPOP_RATE_LIMIT_GLOBAL,
  default 600/minute): they protect the moderators and the database from floods spread over many
  addresses, and keep a flood on one story from using up the whole site's budget.

The source is counted first and the shared budgets only for a source within its own, so a few
noisy sources never spend everyone's budget by being refused. A refused submission costs nothing:
its counts are taken back, so a reader waiting out a flood on their story is not charged for it.

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

logger = logging.getLogger(__name__)

CACHE_ALIAS = "ratelimit"
SCOPES = ("source", "story", "global")
DEFAULT_BUDGETS = {"source": ((10, 60), (60, 3600)), "story": ((120, 60),), "global": ((600, 60),)}
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
    """VOXPOP_RATE_LIMITS: {scope: ((limit, seconds), ...)}, parsed in voxpop.settings.base."""
    configured = getattr(settings, "VOXPOP_RATE_LIMITS", DEFAULT_BUDGETS)
    return {scope: tuple(Budget(limit, seconds) for limit, seconds in configured.get(scope, DEFAULT_BUDGETS[scope]))
            for scope in SCOPES}


def fallback_budgets() -> dict[str, tuple[Budget, ...]]:
    return {scope: tuple(Budget(max(1, b.limit // FALLBACK_SHARE), b.seconds) for b in scoped)
            for scope, scoped in budgets().items()}


def submission_admit(*, rate_key: str, story_id: int, now: datetime) -> None:
    """Count one submission from `rate_key` to story `story_id`, or raise RateLimited and count nothing."""
    global _store_failing, _store_retry_at
    counters = _counters(rate_key=rate_key, story_id=story_id, now=now.timestamp())
    if not _store_failing or time.monotonic() >= _store_retry_at:
        try:
            refused = _count_in_store(_store(), counters, budgets())
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
            return
    _raise_if(_local.count(counters, fallback_budgets()), fallback_budgets(), now.timestamp())


def _counters(*, rate_key: str, story_id: int, now: float) -> dict[str, list[str]]:
    """The counter of each budget in this window, e.g. rl:source:60:29349150:<key>, by scope."""
    counted = {"source": rate_key, "story": str(story_id), "global": "site"}
    return {scope: [f"rl:{scope}:{b.seconds}:{int(now // b.seconds)}:{counted[scope]}" for b in scoped]
            for scope, scoped in budgets().items()}


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


def _count_in_store(cache, counters, all_budgets) -> tuple[str, list[int]] | None:
    if isinstance(cache, RedisCache):
        return _count_in_redis(cache, counters, all_budgets)
    return _count_in_cache(cache, counters, all_budgets)


def _count_in_redis(cache: RedisCache, counters, all_budgets) -> tuple[str, list[int]] | None:
    global _script
    keys, sizes, limits = [], [], []
    for scope in SCOPES:
        sizes.append(len(counters[scope]))
        keys += [cache.make_and_validate_key(key) for key in counters[scope]]
        limits += [value for b in all_budgets[scope] for value in (b.limit, b.seconds)]
    client = cache._cache.get_client(write=True)  # the raw redis-py client, for the script
    if _script is None:
        _script = client.register_script(_REDIS_SCRIPT)
    answer = _script(keys=keys, args=sizes + limits, client=client)
    if answer[0] == 0:
        return None
    return SCOPES[answer[0] - 1], [i - 1 for i in answer[1:]]


def _count_in_cache(cache, counters, all_budgets) -> tuple[str, list[int]] | None:
    """Any other Django cache (local memory when REDIS_URL is unset): add, then incr, per counter."""
    done = []
    for scope in SCOPES:
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
        self._calls = 0

    def count(self, counters, all_budgets) -> tuple[str, list[int]] | None:
        now = time.monotonic()
        with self._lock:
            self._calls += 1
            if self._calls % 1000 == 0:
                self._counts = {k: v for k, v in self._counts.items() if v[1] > now}
            done = []
            for scope in SCOPES:
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


_local = _LocalCounters()
_store_failing = False
_store_retry_at = 0.0


def local_state_reset() -> None:
    """Forget this process's fallback counts and any store failure (for tests)."""
    global _store_failing, _store_retry_at
    _local.clear()
    _store_failing, _store_retry_at = False, 0.0
