"""Fixtures of the fault tests: real `voxpop serve` processes on private PostgreSQL and Redis instances.

The PostgreSQL, Redis, worker-kill and idempotency scenarios belong to the PostgreSQL job
(VOXPOP_TEST_REQUIRE_DB=postgresql); the full-disk scenario and the idempotency scenario on SQLite
to the SQLite job. With CI=true, anything a scenario needs that this machine lacks (PostgreSQL
server binaries, redis-server, permission to mount a tmpfs) fails the test instead of skipping it.
"""
import os
import shutil

import pytest

from .harness import Missing, ModeratorBrowser, PrivatePostgres, PrivateRedis, Server, temp_dir

POSTGRES_JOB = os.environ.get("VOXPOP_TEST_REQUIRE_DB") == "postgresql"
CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
WORKERS = 3
# Fallback budgets are a quarter of these (voxpop.common.ratelimit): 10 a minute per process for one source.
SOURCE_BUDGET = 40


def unavailable(reason: str):
    """A missing prerequisite: a failure under CI, a skip on a developer's machine."""
    if CI:
        pytest.fail(f"CI=true and {reason}")
    pytest.skip(reason)


def postgres_job_only():
    if not POSTGRES_JOB:
        pytest.skip("runs in the PostgreSQL job (VOXPOP_TEST_REQUIRE_DB=postgresql)")


@pytest.fixture(scope="package")
def stack():
    """PostgreSQL, Redis and `voxpop serve` with several workers, all private to these tests."""
    postgres_job_only()
    try:
        postgres = PrivatePostgres()
        redis = PrivateRedis(temp_dir("voxpop-faults-redis-"))
    except Missing as error:
        unavailable(str(error))
    app_dir = temp_dir("voxpop-faults-app-")
    server = None
    try:
        postgres.create()
        redis.start()
        server = Server(app_dir, database_url=postgres.url, redis_url=redis.url, workers=WORKERS,
                        extra_env={"VOXPOP_RATE_LIMIT_SOURCE": f"{SOURCE_BUDGET}/minute"}).prepare().start()
        yield Stack(postgres, redis, server)
    finally:
        if server:
            server.stop()
            if not os.environ.get("VOXPOP_FAULTS_KEEP_LOGS"):
                server.log.unlink(missing_ok=True)
        redis.stop()
        postgres.destroy()
        shutil.rmtree(redis.root, ignore_errors=True)
        shutil.rmtree(app_dir, ignore_errors=True)


class Stack:
    def __init__(self, postgres: PrivatePostgres, redis: PrivateRedis, server: Server):
        self.postgres, self.redis, self.server = postgres, redis, server
        self._moderator = None

    def moderator(self) -> ModeratorBrowser:
        """One moderator, signed in once: a TOTP code is accepted only once."""
        if self._moderator is None:
            self._moderator = ModeratorBrowser(self.server.base, source="127.30.0.1")
            self._moderator.sign_in(self.server)
        return self._moderator

    def connect(self):
        return self.postgres.connect()


@pytest.fixture(scope="package")
def sqlite_server():
    """`voxpop serve` on SQLite, for the SQLite job."""
    if POSTGRES_JOB:
        pytest.skip("runs in the SQLite job")
    app_dir = temp_dir("voxpop-faults-sqlite-")
    server = Server(app_dir, workers=WORKERS).prepare().start()
    yield server
    server.stop()
    if not os.environ.get("VOXPOP_FAULTS_KEEP_LOGS"):
        server.log.unlink(missing_ok=True)
    shutil.rmtree(app_dir, ignore_errors=True)
