"""The fault scenarios of tests/faults, long: a minute of load around each fault, with figures.

    .venv/bin/python bench/faults/run.py            (or: make bench-faults)
    .venv/bin/python bench/faults/run.py --seconds 20 --scenario redis-hung

Each scenario starts a fresh private stack (a throwaway PostgreSQL cluster and redis-server on free
loopback ports, `voxpop serve` with three workers; SQLite on a 64 MB tmpfs for the full-disk case),
runs the load of tests/faults/harness.py (reader threads submitting through the API and the form,
retrying unanswered submissions with the same key or token, a moderator approving, a reader of the
published thread) for --seconds, injects its fault a third of the way in, repairs it two thirds of
the way in, and then checks "nothing lost" against the database. The machine's own PostgreSQL and
Redis are never touched; the full-disk case needs root (mount).

Prints one line per scenario and writes everything to bench/results/faults-<date>.json. Exits 1
when anything acknowledged was lost or stored twice, or an approved comment has no approval.
"""
import argparse
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.faults.harness import (Client, ModeratorBrowser, PrivatePostgres, PrivateRedis,  # noqa: E402
                                  Server, STORY, disk_fill, nothing_lost, run_load, sqlite_connect, temp_dir)

WORKERS = 3


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


class PostgresStack:
    def __init__(self):
        self.postgres = PrivatePostgres().create()
        self.redis = PrivateRedis(temp_dir("voxpop-bench-faults-redis-")).start()
        self.app_dir = temp_dir("voxpop-bench-faults-app-")
        self.server = Server(self.app_dir, database_url=self.postgres.url, redis_url=self.redis.url,
                             workers=WORKERS).prepare().start()

    def check(self, record) -> list[str]:
        with self.postgres.connect() as connection:
            return nothing_lost(connection, record)

    def close(self) -> None:
        self.server.stop()
        self.redis.stop()
        self.postgres.destroy()
        shutil.rmtree(self.redis.root, ignore_errors=True)
        shutil.rmtree(self.app_dir, ignore_errors=True)


def kill_workers(server: Server) -> None:
    for pid in server.worker_pids():
        os.kill(pid, signal.SIGKILL)


def postgres_kill(stack) -> None:
    stack.postgres.kill()
    time.sleep(1)
    stack.postgres.start()


SCENARIOS = {
    # name: (fault at a third, repair at two thirds)
    "postgres-restart": (lambda s: s.postgres.stop("fast"), lambda s: s.postgres.start()),
    "postgres-kill": (lambda s: postgres_kill(s), None),
    "redis-stop": (lambda s: s.redis.stop(), lambda s: s.redis.start()),
    "redis-hung": (lambda s: s.redis.pause(), lambda s: s.redis.resume()),
    "worker-kill": (lambda s: kill_workers(s.server), lambda s: kill_workers(s.server)),
}


def run_scenario(name: str, seconds: float) -> dict:
    fault, repair = SCENARIOS[name]
    stack = PostgresStack()
    try:
        browser = ModeratorBrowser(stack.server.base, source="127.30.0.1")
        browser.sign_in(stack.server)
        marks = {}

        def inject():
            marks["fault"] = time.monotonic()
            fault(stack)

        def mend():
            if repair:
                repair(stack)
            marks["repaired"] = time.monotonic()
            marks["signed_in"] = browser.signed_in()

        record = run_load(stack.server, seconds=seconds, faults=[(seconds / 3, inject), (2 * seconds / 3, mend)])
        problems = stack.check(record)
        return {"scenario": name, "seconds": seconds, **record.summary(), "problems": problems,
                "acknowledged_after_repair": record.acknowledged_after(marks["repaired"]),
                "moderator_signed_in_after": marks["signed_in"] and browser.signed_in(),
                "server_error_samples": record.server_errors[:5], "no_answer_samples": record.no_answers[:5]}
    finally:
        stack.close()


def run_full_disk(seconds: float) -> dict:
    if os.geteuid() != 0:
        return {"scenario": "sqlite-full-disk", "skipped": "needs root to mount a tmpfs"}
    mount = temp_dir("voxpop-bench-faults-full-")
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", str(mount)], check=True)
    server = None
    try:
        server = Server(mount, workers=WORKERS).prepare().start()

        def fill():
            disk_fill(mount)

        marks = {}

        def free():
            (mount / "filler").unlink()
            marks["repaired"] = time.monotonic()

        record = run_load(server, seconds=seconds, faults=[(seconds / 3, fill), (2 * seconds / 3, free)])
        probe = Client(server.base).post_json(f"/api/v1/stories/{STORY}/comments", {"body": "after the full disk"})
        connection = sqlite_connect(server.data_dir)
        try:
            problems = nothing_lost(connection, record)
        finally:
            connection.close()
        return {"scenario": "sqlite-full-disk", "seconds": seconds, **record.summary(), "problems": problems,
                "acknowledged_after_repair": record.acknowledged_after(marks["repaired"]),
                "submission_after_repair": probe.status,
                "server_error_samples": record.server_errors[:5], "no_answer_samples": record.no_answers[:5]}
    finally:
        if server:
            server.stop()
            server.log.unlink(missing_ok=True)
        subprocess.run(["umount", str(mount)], check=False)
        os.rmdir(mount)


def main(argv: list[str] | None = None) -> int:
    names = [*SCENARIOS, "sqlite-full-disk"]
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60, help="load per scenario (default 60)")
    parser.add_argument("--scenario", action="append", choices=names, help="run only these (repeatable)")
    parser.add_argument("--output", type=Path, default=None, help="default bench/results/faults-<date>.json")
    args = parser.parse_args(argv)
    results = []
    for name in args.scenario or names:
        log(f"{name}: {args.seconds:.0f} s of load, fault at {args.seconds / 3:.0f} s, "
            f"repair at {2 * args.seconds / 3:.0f} s")
        result = run_full_disk(args.seconds) if name == "sqlite-full-disk" else run_scenario(name, args.seconds)
        results.append(result)
        log(f"{name}: " + json.dumps({k: v for k, v in result.items()
                                       if k not in ("server_error_samples", "no_answer_samples")}))
    output = args.output or ROOT / "bench" / "results" / f"faults-{datetime.now().date().isoformat()}.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps({
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": {"cores": os.cpu_count(), "python": platform.python_version(), "loadavg": os.getloadavg()},
        "workers": WORKERS, "results": results}, indent=2) + "\n")
    log(f"results written to {output.relative_to(ROOT) if output.is_relative_to(ROOT) else output}")
    lost = [r["scenario"] for r in results if r.get("problems")]
    for name in lost:
        log(f"FAILED: {name} lost or doubled something")
    return 1 if lost else 0


if __name__ == "__main__":
    sys.exit(main())
