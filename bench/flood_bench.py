"""A bounded flood of reader submissions against the production server, with well-behaved readers beside it.

    .venv/bin/python bench/flood_bench.py          (or: make bench-flood)

What it does (bench/README.md has the figures and how to read them):

1. Makes a throwaway data dir with a SQLite database (`voxpop migrate`), one desk and ten stories,
   and empties Redis database 14 (BENCH_REDIS_URL), which holds the shared rate-limit counters.
2. Starts `voxpop serve` (production settings) on a free loopback port, with
   VOXPOP_TRUSTED_PROXIES=127.0.0.1/32 so the bench can speak for many source addresses on
   127.0.0.0/8 through X-Forwarded-For, as a reverse proxy would.
3. Floods it for 60 s at a fixed rate (default 300 submissions per second, open loop: a slow
   answer does not slow the flood), starting on a minute boundary so the run is one rate-limit window:
   - sprayers: 40 addresses in 127.1.0.0/16 posting to all ten stories (70 % of the flood);
   - a distributed flood: 250 addresses in 127.2.0.0/16 posting to the story "attacked" (30 %);
   90 % through the JSON API, 10 % through the no-JavaScript form (tokens fetched beforehand).
4. Beside it, two well-behaved readers post through the form every 7 s, each from its own address,
   reading the page first and waiting 3.5 s before sending, as a person would, with the proof-of-work
   the page's script computes (the flood's posts carry none, so they also meet the stricter budget of
   posts without a proof): one on a story the sprayers also hit ("calm"), one on the attacked story.
5. Reports accepted and refused (429) counts per group, 5xx and connection errors, the readers'
   outcomes, latency p50/p99, checks that every acknowledged comment is in the database (and
   nothing else is), and writes it all to bench/results/flood-<date>.json.

Exits 1 when any answer is a 5xx or a connection error, when the calm reader had anything refused,
or when the database does not hold exactly the acknowledged comments. Loopback only; stops by itself.
Never part of `make test`. Uses only the standard library plus what Voxpop itself installs.
"""
import argparse
import hashlib
import http.client
import itertools
import json
import os
import platform
import queue
import random
import re
import resource
import secrets
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlencode

from serverutil import server_stop, tail  # bench/serverutil.py, beside this file

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
VOXPOP = Path(sys.executable).parent / "voxpop"
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
ATTACKED = "attacked"
STORIES = [ATTACKED] + [f"story-{i}" for i in range(1, 10)]
CALM_STORY = "story-1"
TOKEN = re.compile(r'name="token" value="([^"]+)"')
POW_BITS = 15  # the server's VOXPOP_POW_BITS (its default)
WORDS = ("night bus harbour route driver council budget timetable winter station ferry fare school "
         "market bridge ticket late early crowded quiet service line stop weekend shift").split()


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60, help="length of the flood (default 60)")
    parser.add_argument("--rate", type=float, default=300, help="flood submissions per second (default 300)")
    parser.add_argument("--spray-sources", type=int, default=40, help="sprayer addresses (default 40)")
    parser.add_argument("--story-sources", type=int, default=250, help="addresses flooding one story (default 250)")
    parser.add_argument("--story-share", type=float, default=0.3, help="share of the flood on one story")
    parser.add_argument("--form-share", type=float, default=0.1, help="share of the flood through the form")
    parser.add_argument("--reader-every", type=float, default=7, help="seconds between a reader's comments")
    parser.add_argument("--workers", type=int, default=None, help="server worker processes (default: voxpop serve's)")
    parser.add_argument("--threads", type=int, default=128,
                        help="client threads sending the flood: enough that the server, not the client, sets the pace")
    parser.add_argument("--no-redis", action="store_true",
                        help="no REDIS_URL: each server process counts alone (the SQLite-only default)")
    parser.add_argument("--no-align", action="store_true", help="start at once instead of on a minute boundary")
    parser.add_argument("--server-env", action="append", default=[], metavar="NAME=VALUE",
                        help="extra environment for the server, e.g. VOXPOP_RATE_LIMIT_GLOBAL=300/minute "
                             "(investigation; the recorded figures use the defaults)")
    parser.add_argument("--output", type=Path, default=None,
                        help="results file (default bench/results/flood-<date>.json)")
    args = parser.parse_args(argv)

    data_dir = Path(tempfile.mkdtemp(prefix="voxpop-flood-"))
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE",
                                                            "VOXPOP_DEBUG")}
    env.update({
        "VOXPOP_DATA_DIR": str(data_dir), "VOXPOP_SECRET_KEY": secrets.token_urlsafe(50),
        "VOXPOP_ALLOWED_HOSTS": "127.0.0.1,localhost", "VOXPOP_SSL_REDIRECT": "0",
        "VOXPOP_TRUSTED_PROXIES": "127.0.0.1/32",
    })
    for name in ("VOXPOP_RATE_LIMIT_SOURCE", "VOXPOP_RATE_LIMIT_STORY", "VOXPOP_RATE_LIMIT_GLOBAL",
                 "VOXPOP_FORM_MIN_SECONDS", "VOXPOP_TRUSTED_PROXY_HEADER"):
        env.pop(name, None)  # the defaults are what this bench measures
    env.update(dict(item.split("=", 1) for item in args.server_env))
    if not args.no_redis:
        env["REDIS_URL"] = REDIS_URL
        redis_flush(REDIS_URL)

    result = {"date": datetime.now(timezone.utc).isoformat(timespec="seconds"), "machine": machine_info(),
              "config": {**{k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
                         "redis": None if args.no_redis else REDIS_URL,
                         "budgets": "defaults: source 10/minute,60/hour; story 120/minute; global 600/minute"}}
    subprocess.run([str(VOXPOP), "migrate"], env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    seed(env)
    log(f"data dir {data_dir}: migrated, {len(STORIES)} stories")

    port = free_port()
    base = f"127.0.0.1:{port}"
    server_log = data_dir / "server.log"
    command = [str(VOXPOP), "serve", "--host", "127.0.0.1", "--port", str(port)]
    if args.workers:
        command += ["--workers", str(args.workers)]
    with open(server_log, "wb") as log_file:
        # A session of its own, so stopping it ends exactly the gunicorn master and its workers.
        server = subprocess.Popen(command, env=env, cwd=ROOT, stdout=log_file, stderr=subprocess.STDOUT,
                                  start_new_session=True)
    try:
        server_wait(base, server, server_log)
        log(f"server up on http://{base}")
        result["run"] = run(base, args)
    finally:
        server_stop(server)
    result["server"] = server_log_summary(server_log)
    result["database"] = database_check(data_dir / "voxpop.sqlite3", result["run"])
    result["machine"]["loadavg_end"] = os.getloadavg()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    result["client_cpu_s"] = round(usage.ru_utime + usage.ru_stime, 1)
    failures = verdict(result)
    result["failures"] = failures
    report(result)
    output = args.output or BENCH_DIR / "results" / f"flood-{datetime.now().date().isoformat()}.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    log(f"results written to {output.relative_to(ROOT) if output.is_relative_to(ROOT) else output}")
    for failure in failures:
        log(f"FAILED: {failure}")
    return 1 if failures else 0


# --- setup ---------------------------------------------------------------------------------------

SEED = """
from datetime import timedelta
import django
django.setup()
from voxpop.common import clock
from voxpop.desks.models import Desk
from voxpop.desks.services import house_rules_set
from voxpop.stories.services import story_upsert
now = clock.now()
desk = Desk.objects.create(key="english", name="English desk", languages=["en"])
house_rules_set(desk=desk, language="en", texts=["Be civil.", "No personal data.", "Stay on topic."], now=now)
for key in %r:
    story_upsert(key=key, fields={"title": key, "url": "https://news.example/" + key, "language": "en",
                                  "desk": desk, "published_at": now - timedelta(hours=1)}, now=now)
"""


def seed(env: dict) -> None:
    subprocess.run([sys.executable, "-c", SEED % (STORIES,)],
                   env={**env, "DJANGO_SETTINGS_MODULE": "voxpop.settings.base"}, cwd=ROOT, check=True)


def redis_flush(url: str) -> None:
    import redis

    redis.Redis.from_url(url, socket_timeout=2).flushdb()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_wait(base: str, server: subprocess.Popen, log_path: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"server exited with {server.returncode}:\n{tail(log_path)}")
        try:
            connection = http.client.HTTPConnection(base, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"server not healthy after {timeout} s:\n{tail(log_path)}")


# --- HTTP ----------------------------------------------------------------------------------------

@dataclass
class Outcome:
    group: str
    path: str           # "api" or "form"
    status: int         # 0: no answer (connection error)
    seconds: float
    retry_after: int | None = None


class Client:
    """One keep-alive connection; a broken one is replaced, and its request counted as an error."""

    IDLE_SECONDS = 1.0  # gunicorn closes a keep-alive connection idle for 2 s; never send on one that old

    def __init__(self, base: str):
        self.base = base
        self.connection = None
        self.last_used = 0.0

    def send(self, method: str, path: str, *, source: str, body: bytes | None = None,
             content_type: str | None = None) -> tuple[int, dict, bytes, float]:
        headers = {"X-Forwarded-For": source, "Connection": "keep-alive"}
        if content_type:
            headers["Content-Type"] = content_type
        started = time.perf_counter()
        if self.connection is not None and started - self.last_used > self.IDLE_SECONDS:
            self.close()
        try:
            if self.connection is None:
                self.connection = http.client.HTTPConnection(self.base, timeout=30)
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            data = response.read()
            answer = (response.status, {name.title(): value for name, value in response.getheaders()}, data)
            if response.getheader("Connection", "").lower() == "close":
                self.close()
        except (OSError, http.client.HTTPException):
            self.close()
            return 0, {}, b"", time.perf_counter() - started
        self.last_used = time.perf_counter()
        return (*answer, self.last_used - started)

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


def comment_text(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 30))).capitalize() + "."


def proof_of_work(token: str, body: str, bits: int = POW_BITS) -> str:
    """What the thread page's script does in a reader's browser (voxpop/common/pow.py)."""
    prefix = f"{token}\n{hashlib.sha256(body.encode()).hexdigest()}\n".encode()
    for n in itertools.count():
        digest = hashlib.sha256(prefix + str(n).encode()).digest()
        if int.from_bytes(digest, "big") >> (256 - bits) == 0:
            return str(n)


def submit(client: Client, rng: random.Random, *, group: str, path: str, story: str, source: str,
           token: str | None = None, proven: bool = False) -> Outcome:
    if path == "api":
        status, headers, _, seconds = client.send(
            "POST", f"/api/v1/stories/{story}/comments", source=source, content_type="application/json",
            body=json.dumps({"body": comment_text(rng)}).encode())
    else:
        body = comment_text(rng)
        fields = {"token": token, "body": body, "display_name": "", "website": ""}
        if proven:  # a reader with JavaScript: the ordinary budget; the flood's posts carry no proof
            fields["pow"] = proof_of_work(token, body)
        form = urlencode(fields).encode()
        status, headers, _, seconds = client.send(
            "POST", f"/stories/{story}/comments/", source=source, body=form,
            content_type="application/x-www-form-urlencoded")
    retry_after = headers.get("Retry-After")
    return Outcome(group, path, status, seconds, int(retry_after) if retry_after else None)


def fetch_tokens(base: str, n: int, threads: int = 16) -> list[str]:
    """Form tokens as a bot would get them: by reading the page, once per post."""
    tokens: list[str] = []
    lock = threading.Lock()

    def work(count: int, index: int) -> None:
        client = Client(base)
        for i in range(count):
            status, _, data, _ = client.send("GET", f"/stories/{STORIES[(index + i) % len(STORIES)]}/comments/",
                                             source=f"127.3.{index}.{i % 250 + 1}")
            match = TOKEN.search(data.decode("utf-8", "replace")) if status == 200 else None
            if match:
                with lock:
                    tokens.append(match.group(1))
        client.close()

    workers = [threading.Thread(target=work, args=(n // threads + 1, i)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return tokens


# --- the run -------------------------------------------------------------------------------------

@dataclass
class Job:
    at: float
    group: str
    path: str
    story: str
    source: str
    token: str | None = None


@dataclass
class Run:
    outcomes: list[Outcome] = field(default_factory=list)
    readers: dict[str, list[Outcome]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    dropped: int = 0


def run(base: str, args) -> dict:
    rng = random.Random(1)
    total = int(args.rate * args.seconds)
    wanted_tokens = int(total * args.form_share) + 50
    started = time.perf_counter()
    tokens = fetch_tokens(base, wanted_tokens)
    log(f"fetched {len(tokens)} form tokens in {time.perf_counter() - started:.1f} s")
    sprayers = [f"127.1.{i // 250}.{i % 250 + 1}" for i in range(args.spray_sources)]
    story_flooders = [f"127.2.{i // 250}.{i % 250 + 1}" for i in range(args.story_sources)]

    time.sleep(4)  # every token is past VOXPOP_FORM_MIN_SECONDS (3 s) before the flood uses it
    if not args.no_align:
        wait = 60 - time.time() % 60 + 0.2
        log(f"waiting {wait:.0f} s for the next minute, so the flood is one rate-limit window")
        time.sleep(wait)

    jobs: queue.Queue[Job | None] = queue.Queue()
    state = Run()
    start = time.perf_counter()
    deadline = start + args.seconds

    def sender() -> None:
        client, local_rng = Client(base), random.Random()
        while True:
            job = jobs.get()
            if job is None:
                break
            if time.perf_counter() > deadline:  # not sent in time (the server fell behind): stay in the window
                with state.lock:
                    state.dropped += 1
                continue
            outcome = submit(client, local_rng, group=job.group, path=job.path, story=job.story, source=job.source,
                             token=job.token)
            with state.lock:
                state.outcomes.append(outcome)
        client.close()

    def reader(name: str, story: str, source: str) -> None:
        client, local_rng, outcomes = Client(base), random.Random(), []
        next_at = start
        while next_at + 3.5 < args.seconds + start:
            time.sleep(max(0.0, next_at - time.perf_counter()))
            status, _, data, _ = client.send("GET", f"/stories/{story}/comments/", source=source)
            match = TOKEN.search(data.decode("utf-8", "replace"))
            time.sleep(3.5)  # reading and typing: past VOXPOP_FORM_MIN_SECONDS
            if match is None:
                outcomes.append(Outcome(name, "form", status or 0, 0.0))
            else:
                outcomes.append(submit(client, local_rng, group=name, path="form", story=story, source=source,
                                       token=match.group(1), proven=True))
            next_at += args.reader_every
        client.close()
        state.readers[name] = outcomes

    senders = [threading.Thread(target=sender, daemon=True) for _ in range(args.threads)]
    readers = [threading.Thread(target=reader, args=("calm reader", CALM_STORY, "127.9.0.1"), daemon=True),
               threading.Thread(target=reader, args=("attacked-story reader", ATTACKED, "127.9.0.2"), daemon=True)]
    for thread in senders + readers:
        thread.start()
    log(f"flood: {args.rate:.0f}/s for {args.seconds:.0f} s from {args.spray_sources + args.story_sources} addresses")
    interval = 1 / args.rate
    for n in range(total):
        at = start + n * interval
        delay = at - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        if rng.random() < args.story_share:
            group, story, source = "story flood", ATTACKED, rng.choice(story_flooders)
        else:
            group, story, source = "sprayers", rng.choice(STORIES), rng.choice(sprayers)
        path = "form" if tokens and rng.random() < args.form_share else "api"
        jobs.put(Job(at, group, path, story, source, tokens.pop() if path == "form" else None))
    sent_for = time.perf_counter() - start
    for _ in senders:
        jobs.put(None)
    for thread in senders + readers:
        thread.join(timeout=args.seconds + 60)
    elapsed = time.perf_counter() - start
    log(f"flood done: {len(state.outcomes)} answered in {elapsed:.1f} s")
    return summarize(state, scheduled=total, scheduling_s=sent_for, elapsed_s=elapsed)


# --- figures -------------------------------------------------------------------------------------

ACCEPTED = {"api": 202, "form": 303}


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000, 1)


def summarize(state: Run, *, scheduled: int, scheduling_s: float, elapsed_s: float) -> dict:
    def figures(outcomes: list[Outcome]) -> dict:
        accepted = [o for o in outcomes if o.status == ACCEPTED[o.path]]
        limited = [o for o in outcomes if o.status == 429]
        return {
            "answered": len(outcomes), "accepted": len(accepted), "limited_429": len(limited),
            "limited_without_retry_after": sum(1 for o in limited if not o.retry_after),
            "other_4xx": sum(1 for o in outcomes if 400 <= o.status < 500 and o.status != 429),
            "5xx": sum(1 for o in outcomes if o.status >= 500),
            "connection_errors": sum(1 for o in outcomes if o.status == 0),
            "by_path": {path: {"accepted": sum(1 for o in accepted if o.path == path),
                               "limited_429": sum(1 for o in limited if o.path == path)} for path in ("api", "form")},
            "latency_ms": {"p50": percentile([o.seconds for o in outcomes], 0.5),
                           "p99": percentile([o.seconds for o in outcomes], 0.99),
                           "accepted_p50": percentile([o.seconds for o in accepted], 0.5),
                           "accepted_p99": percentile([o.seconds for o in accepted], 0.99),
                           "limited_p50": percentile([o.seconds for o in limited], 0.5),
                           "limited_p99": percentile([o.seconds for o in limited], 0.99)},
        }

    groups = sorted({o.group for o in state.outcomes})
    readers = {name: {**figures(outcomes), "statuses": [o.status for o in outcomes],
                      "retry_after": [o.retry_after for o in outcomes if o.retry_after]}
               for name, outcomes in state.readers.items()}
    return {"scheduled": scheduled, "not_sent_in_time": state.dropped,
            "achieved_rate_per_s": round(len(state.outcomes) / max(elapsed_s, 1e-9), 1),
            "scheduling_s": round(scheduling_s, 1), "elapsed_s": round(elapsed_s, 1),
            "flood": figures(state.outcomes), "groups": {g: figures([o for o in state.outcomes if o.group == g])
                                                         for g in groups},
            "readers": readers}


def server_log_summary(path: Path) -> dict:
    text = path.read_text(errors="replace")
    statuses: dict[str, int] = {}
    for match in re.finditer(r"^(?:GET|POST|HEAD) \S+ (\d{3}) ", text, re.MULTILINE):
        statuses[match.group(1)] = statuses.get(match.group(1), 0) + 1
    return {"statuses": dict(sorted(statuses.items())), "tracebacks": text.count("Traceback"),
            "rate_limit_store_warnings": text.count("rate limit store unavailable")}


def database_check(path: Path, figures: dict) -> dict:
    with sqlite3.connect(path) as db:
        stored = db.execute("SELECT count(*) FROM comments_comment").fetchone()[0]
        by_story = dict(db.execute("SELECT s.key, count(*) FROM comments_comment c JOIN stories_story s "
                                   "ON s.id = c.story_id GROUP BY s.key").fetchall())
        # Per rate-limit window (the clock minute): the story and global budgets hold in each one.
        by_minute: dict[str, dict[str, int]] = {}
        for minute, key, count in db.execute(
                "SELECT strftime('%H:%M', c.created_at), s.key, count(*) FROM comments_comment c "
                "JOIN stories_story s ON s.id = c.story_id GROUP BY 1, 2 ORDER BY 1, 2"):
            window = by_minute.setdefault(minute, {"all": 0})
            window["all"] += count
            if key == ATTACKED:
                window[ATTACKED] = count
    acknowledged = figures["flood"]["accepted"] + sum(r["accepted"] for r in figures["readers"].values())
    return {"comments_stored": stored, "acknowledged": acknowledged, "by_story": by_story, "by_minute": by_minute}


def verdict(result: dict) -> list[str]:
    run_, failures = result["run"], []
    everything = [run_["flood"], *run_["readers"].values()]
    if sum(f["5xx"] for f in everything) or any(s.startswith("5") for s in result["server"]["statuses"]):
        failures.append("5xx answers")
    if sum(f["connection_errors"] for f in everything):
        failures.append("connection errors")
    calm = run_["readers"].get("calm reader", {})
    if not calm or calm["accepted"] != calm["answered"]:
        failures.append("the calm reader had a comment refused")
    if result["database"]["comments_stored"] != result["database"]["acknowledged"]:
        failures.append("stored comments differ from acknowledged ones")
    if run_["flood"]["limited_without_retry_after"]:
        failures.append("a 429 without Retry-After")
    return failures


def report(result: dict) -> None:
    run_ = result["run"]
    print()
    print(f"Flood: {run_['scheduled']} scheduled, {run_['flood']['answered']} answered in {run_['elapsed_s']} s "
          f"({run_['achieved_rate_per_s']}/s); {run_['not_sent_in_time']} not sent within the window "
          "(every connection was waiting for an answer)")
    header = f"{'':24} {'answered':>8} {'accepted':>8} {'429':>6} {'4xx':>5} {'5xx':>4} {'conn':>5} " \
             f"{'p50 ms':>8} {'p99 ms':>8}"
    print(header)
    rows = [("whole flood", run_["flood"]), *run_["groups"].items(), *run_["readers"].items()]
    for name, f in rows:
        print(f"{name:24} {f['answered']:>8} {f['accepted']:>8} {f['limited_429']:>6} {f['other_4xx']:>5} "
              f"{f['5xx']:>4} {f['connection_errors']:>5} {f['latency_ms']['p50'] or 0:>8} "
              f"{f['latency_ms']['p99'] or 0:>8}")
    for name, f in run_["readers"].items():
        print(f"{name}: statuses {f['statuses']}, Retry-After {f['retry_after']}")
    print(f"server: statuses {result['server']['statuses']}, tracebacks {result['server']['tracebacks']}")
    print(f"database: {result['database']}")
    print()


def machine_info() -> dict:
    cpu = ""
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        cpu = platform.processor()
    return {"cpus": os.cpu_count(), "cpu": cpu, "python": platform.python_version(),
            "loadavg_start": os.getloadavg(), "platform": platform.platform()}


if __name__ == "__main__":
    sys.exit(main())
