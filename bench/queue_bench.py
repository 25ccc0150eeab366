"""Speed of the moderation queue with 100,000 pending comments across 10 desks, on PostgreSQL.

    .venv/bin/python bench/queue_bench.py          (or: make bench-queue)

What it does, in order (see bench/README.md for the figures and how to read them):

1. Drops and recreates its own database `voxpop_bench` on 127.0.0.1:5432, runs `voxpop migrate`,
   and seeds it with COPY: 10 desks with house rules, 200 stories, 100,000 pending comments and
   20,000 decided ones (each with its ModerationDecision), some moderator edits, ~40,000 commenter
   keys of which a few are prolific. Reports the seed time.
2. Starts the production server (`voxpop serve --workers 2`) on a free loopback port.
3. Signs a moderator of all 10 desks in through /moderation/sign-in/ with password and TOTP.
4. Times, from one sequential client after a warm-up: the queue (all desks, one desk, page 50),
   one comment's page, and the decision round trip (POST approve, then GET the queue it redirects
   to), each N times. Prints p50/p90/p99/max and requests per second.
5. Runs EXPLAIN ANALYZE on the queries behind the queue page, so a lost index shows as a plan change.
6. Writes everything to bench/results/queue-<date>.json.

Never part of `make test`. Uses only the standard library plus what Voxpop itself installs.
"""
import argparse
import hashlib
import json
import math
import os
import platform
import random
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.error import HTTPError, URLError
from urllib.parse import urlencode
from urllib.request import HTTPCookieProcessor, HTTPRedirectHandler, Request, build_opener, urlopen

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
sys.path.insert(0, str(BENCH_DIR))

import corpus  # noqa: E402  (bench/corpus.py, beside this file)
from serverutil import server_stop, tail  # noqa: E402

PG_SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DB_NAME = "voxpop_bench"
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
TARGET_QUEUE_MS = 200
TARGET_DECISION_MS = 100
PAGE_SIZE = 25


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pending", type=int, default=100_000, help="pending comments to seed")
    parser.add_argument("--decided", type=int, default=20_000, help="approved/rejected comments to seed")
    parser.add_argument("--stories", type=int, default=200)
    parser.add_argument("--requests", "-n", type=int, default=200, help="timed requests per measurement")
    parser.add_argument("--warmup", type=int, default=20, help="untimed requests before each measurement")
    parser.add_argument("--workers", type=int, default=2, help="server worker processes")
    parser.add_argument("--reuse-db", action="store_true",
                        help="keep an existing voxpop_bench database instead of reseeding (investigation only)")
    parser.add_argument("--output", type=Path, default=None,
                        help="results file (default: bench/results/queue-<date>.json)")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    os.environ.update({
        "DATABASE_URL": f"{PG_SERVER}/{DB_NAME}",
        "REDIS_URL": REDIS_URL,
        "VOXPOP_SECRET_KEY": os.environ.get("BENCH_SECRET_KEY") or secrets.token_urlsafe(50),
        "DJANGO_SETTINGS_MODULE": "voxpop.settings.base",
        "VOXPOP_DATA_DIR": tempfile.mkdtemp(prefix="voxpop-bench-"),
    })
    os.environ.pop("VOXPOP_DEBUG", None)
    result = {"date": datetime.now(timezone.utc).isoformat(timespec="seconds"), "machine": machine_info(),
              "config": {"pending": args.pending, "decided": args.decided, "stories": args.stories,
                         "desks": len(corpus.DESKS), "requests": args.requests, "warmup": args.warmup,
                         "server": f"voxpop serve --workers {args.workers} (4 threads each)",
                         "page_size": PAGE_SIZE}}

    seeded = args.reuse_db and database_exists()
    if not seeded:
        database_recreate()
    redis_flush()
    migrate_s = run_migrate()
    log(f"migrated in {migrate_s:.1f} s")

    import django
    django.setup()

    if seeded:
        log("reusing the existing voxpop_bench database (--reuse-db): no seed")
        result["seed"] = {"reused": True, "migrate_s": round(migrate_s, 2)}
    else:
        seed_stats = seed(pending=args.pending, decided=args.decided, stories=args.stories)
        seed_stats["migrate_s"] = round(migrate_s, 2)
        result["seed"] = seed_stats
        log(f"seeded {seed_stats['comments']:,} comments in {seed_stats['seed_s']:.1f} s "
            f"(+ VACUUM ANALYZE {seed_stats['vacuum_s']:.1f} s)")

    password = secrets.token_urlsafe(16)
    moderator, device = moderator_create(password)
    from django.db import connection
    connection.close()  # the server's workers get their own; this process reconnects for EXPLAIN

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server_log = tempfile.NamedTemporaryFile(prefix="voxpop-bench-server-", suffix=".log", delete=False)
    server = server_start(port, args.workers, server_log)
    try:
        server_wait(base, server, Path(server_log.name))
        log(f"server up on {base} ({args.workers} workers)")
        client = Client(base)
        client.sign_in(username=moderator.username, password=password, device=device)
        log("signed in with password and TOTP")
        result["http"] = measure_all(client, moderator, n=args.requests, warmup=args.warmup)
    except Exception:
        print(f"--- server log tail ({server_log.name}) ---", file=sys.stderr)
        print(tail(Path(server_log.name)), file=sys.stderr)
        raise
    finally:
        server_stop(server)

    # Auxiliary views of the same pages: a failure here is reported, not fatal to the HTTP figures.
    result["breakdown"] = auxiliary("in-process breakdown", breakdown_in_process, moderator, device)
    result["explain"] = auxiliary("EXPLAIN ANALYZE", explain_queue, moderator)
    result["machine"]["loadavg_end"] = os.getloadavg()
    result["total_s"] = round(time.perf_counter() - started, 1)
    result["targets"] = verdicts(result["http"])
    report(result)
    output = args.output or BENCH_DIR / "results" / f"queue-{datetime.now().date().isoformat()}.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    log(f"results written to {output.relative_to(ROOT) if output.is_relative_to(ROOT) else output}")
    return 0 if all(t["met"] for t in result["targets"].values()) else 1


def auxiliary(name: str, step, *args):
    try:
        return step(*args)
    except Exception as error:  # noqa: BLE001  (the tree may be mid-edit; the HTTP figures still count)
        log(f"{name} failed: {type(error).__name__}: {error}")
        return {"error": f"{type(error).__name__}: {error}"}


# --- database ------------------------------------------------------------------------------------

def _admin():
    import psycopg
    return psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True)


def database_exists() -> bool:
    with _admin() as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB_NAME]).fetchone() is not None


def database_recreate() -> None:
    with _admin() as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB_NAME}")
    log(f"database {DB_NAME} recreated")


def redis_flush() -> None:
    """The bench's own Redis database (13 by default): no sessions or counters from earlier runs."""
    import redis
    redis.Redis.from_url(REDIS_URL).flushdb()


def run_migrate() -> float:
    start = time.perf_counter()
    done = subprocess.run([str(Path(sys.executable).parent / "voxpop"), "migrate"], cwd=ROOT,
                          capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"voxpop migrate failed:\n{done.stdout}\n{done.stderr}")
    return time.perf_counter() - start


def copy_rows(model, columns: list[str], rows) -> int:
    """COPY rows (tuples in `columns` order, by attname) into the model's table.

    Fields the bench does not know about (added later by someone else) get their model default,
    so a new nullable or defaulted column does not break the seed.
    """
    from django.db import connection

    fields = {f.attname: f for f in model._meta.concrete_fields}
    extra = [f for name, f in fields.items() if name not in columns]
    extra_values = tuple(f.get_db_prep_save(f.get_default(), connection) for f in extra)
    names = ", ".join(connection.ops.quote_name(c) for c in [fields[c].column for c in columns]
                      + [f.column for f in extra])
    count = 0
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {connection.ops.quote_name(model._meta.db_table)} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row + extra_values)
                count += 1
    return count


def seed(*, pending: int, decided: int, stories: int) -> dict:
    """Desks, rules and stories through the models; comments, revisions and decisions by COPY."""
    from django.core.management.color import no_style
    from django.db import connection, transaction

    from voxpop.accounts.services import moderator_save
    from voxpop.comments.models import Comment, CommentRevision
    from voxpop.desks.models import Desk
    from voxpop.desks.services import house_rules_set
    from voxpop.moderation.models import ModerationDecision
    from voxpop.stories.models import Story

    rng = random.Random(20240613)
    now = datetime.now(timezone.utc)
    start = time.perf_counter()
    with transaction.atomic():
        desks, rules = {}, {}
        for key, (name, language, languages) in corpus.DESKS.items():
            desk = Desk.objects.create(key=key, name=name, languages=list(dict.fromkeys([language, *languages])))
            desks[key] = desk
            rules[key] = house_rules_set(desk=desk, language=language, texts=corpus.RULES[language], now=now)
        story_objs = []
        per_desk = max(1, stories // len(desks))
        for key, desk in desks.items():
            language = corpus.DESKS[key][1]
            for i in range(per_desk):
                published = now - timedelta(days=rng.uniform(0, 30))
                title = rng.choice(corpus.SENTENCES[language])[:120]
                story_objs.append(Story(key=f"bench-{key}-{i:03d}", title=title, language=language, desk=desk,
                                        url=f"https://news.example.org/{key}/{i}", published_at=published,
                                        created_at=published, updated_at=published))
        Story.objects.bulk_create(story_objs)
        stories_by_desk = {key: [s for s in story_objs if s.desk_id == desk.pk] for key, desk in desks.items()}
        # A few hot stories draw most comments, as after a viral article.
        story_weights = {key: [1 / (rank + 1) for rank in range(len(items))] for key, items in stories_by_desk.items()}
        historian, _ = moderator_save(username="bench-history", password=None, role="moderator",
                                      desk_keys=list(desks))

        keys = [hashlib.sha256(f"bench-commenter-{i}".encode()).hexdigest() for i in range(40_000)]
        times = ([(now - timedelta(seconds=rng.uniform(60, 7 * 86400)), Comment.Status.PENDING)
                  for _ in range(pending)]
                 + [(now - timedelta(seconds=rng.uniform(2 * 86400, 30 * 86400)),
                     Comment.Status.APPROVED if rng.random() < 0.6 else Comment.Status.REJECTED)
                    for _ in range(decided)])
        times.sort()  # ids grow with time, as in production
        desk_keys, desk_weights = list(corpus.DESK_WEIGHTS), list(corpus.DESK_WEIGHTS.values())

        comments, revisions, decisions = [], [], []
        edit_revision_id = len(times)  # edited comments' second revisions come after the originals
        for comment_id, (created, status) in enumerate(times, start=1):
            key = rng.choices(desk_keys, desk_weights)[0]
            desk, language = desks[key], corpus.comment_language(rng, corpus.DESKS[key][2])
            story = rng.choices(stories_by_desk[key], story_weights[key])[0]
            body, name = corpus.comment_body(rng, language), corpus.display_name(rng)
            revisions.append((comment_id, comment_id, 1, body, created, None, None, ""))
            current = comment_id
            if rng.random() < 0.005:  # a moderator masked something; the comment stays as it was
                edit_revision_id += 1
                edited_at = created + timedelta(minutes=rng.uniform(1, 30))
                rule = rules[key][1]
                revisions.append((edit_revision_id, comment_id, 2, body[: len(body) // 2] + " [removed]", edited_at,
                                  historian.pk, rule.pk, "personal details"))
                decisions.append([comment_id, edit_revision_id, historian.pk, "edit", Comment.Status.PENDING,
                                  Comment.Status.PENDING, rule.pk, "", edited_at])
                current = edit_revision_id
            published = None
            if status != Comment.Status.PENDING:
                decided_at = created + timedelta(minutes=rng.uniform(2, 600))
                rule = None if status == Comment.Status.APPROVED else rng.choice(rules[key])
                published = decided_at if status == Comment.Status.APPROVED else None
                decisions.append([comment_id, current, historian.pk,
                                  "approve" if status == Comment.Status.APPROVED else "reject",
                                  Comment.Status.PENDING, status, rule and rule.pk, "", decided_at])
            commenter = keys[int(len(keys) * rng.random() ** 3)]
            fingerprint = hashlib.sha256(f"{body}\x00{name}".encode()).hexdigest()
            comments.append((comment_id, story.pk, None, status, current, name, language, desk.pk, created,
                             published, commenter, None, fingerprint))
        generated_s = time.perf_counter() - start

        # Comment and revision point at each other; Django's foreign keys are DEFERRABLE INITIALLY
        # DEFERRED on PostgreSQL, so both tables load in one transaction and are checked at commit.
        copy_rows(Comment, ["id", "story_id", "parent_id", "status", "current_revision_id", "display_name",
                            "language", "desk_id", "created_at", "published_at", "commenter_key", "submission_key",
                            "fingerprint"], comments)
        copy_rows(CommentRevision, ["id", "comment_id", "number", "body", "created_at", "editor_id", "rule_id",
                                    "note"], revisions)
        copy_rows(ModerationDecision, ["id", "comment_id", "revision_id", "actor_id", "action", "from_status",
                                       "to_status", "rule_id", "note", "decided_at"],
                  (tuple([i, *row]) for i, row in enumerate(decisions, start=1)))
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), [Comment, CommentRevision, ModerationDecision]):
                cursor.execute(sql)
    seed_s = time.perf_counter() - start
    vacuum_start = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return {"seed_s": round(seed_s, 2), "generate_s": round(generated_s, 2), "copy_s": round(seed_s - generated_s, 2),
            "vacuum_s": round(time.perf_counter() - vacuum_start, 2), "comments": len(comments),
            "pending": pending, "decided": decided, "revisions": len(revisions), "decisions": len(decisions),
            "stories": len(story_objs), "desks": len(desks), "commenter_keys": len({c[10] for c in comments})}


def moderator_create(password: str):
    from voxpop.accounts.services import moderator_save
    from voxpop.desks.models import Desk

    return moderator_save(username="bench-moderator", password=password, role="moderator",
                          desk_keys=list(Desk.objects.values_list("key", flat=True)))


# --- server --------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_start(port: int, workers: int, log_file) -> subprocess.Popen:
    # A session of its own, so stopping it ends exactly the server and its workers.
    return subprocess.Popen([str(Path(sys.executable).parent / "voxpop"), "serve", "--host", "127.0.0.1",
                             "--port", str(port), "--workers", str(workers)],
                            cwd=ROOT, stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True)


def server_wait(base: str, server: subprocess.Popen, log_path: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"server exited with {server.returncode}:\n{tail(log_path)}")
        try:
            with urlopen(f"{base}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except (URLError, ConnectionError, OSError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"server not healthy after {timeout} s:\n{tail(log_path)}")


# --- HTTP client ---------------------------------------------------------------------------------

class _KeepRedirects(HTTPRedirectHandler):
    """Hand 3xx responses back instead of following them: the bench times the redirect itself."""

    def http_error_302(self, req, fp, code, msg, headers):
        return fp

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302


class Client:
    """One moderator's browser: a cookie jar (session, CSRF), forms posted as a browser would."""

    def __init__(self, base: str):
        self.base = base
        self.jar = CookieJar()
        self.opener = build_opener(HTTPCookieProcessor(self.jar), _KeepRedirects)

    def request(self, method: str, path: str, data: dict | None = None) -> tuple[int, dict, str, float]:
        body = urlencode(data).encode() if data is not None else None
        request = Request(self.base + path, data=body, method=method)
        if body is not None:
            request.add_header("Content-Type", "application/x-www-form-urlencoded")
        start = time.perf_counter()
        try:
            response = self.opener.open(request, timeout=30)
        except HTTPError as error:
            response = error
        content = response.read()
        elapsed = (time.perf_counter() - start) * 1000
        status = getattr(response, "status", None) or response.code
        return status, dict(response.headers.items()), content.decode("utf-8", "replace"), elapsed

    def csrf_token(self) -> str:
        return next(c.value for c in self.jar if c.name == "csrftoken")

    def post(self, path: str, data: dict) -> tuple[int, dict, str, float]:
        return self.request("POST", path, {"csrfmiddlewaretoken": self.csrf_token(), **data})

    def sign_in(self, *, username: str, password: str, device) -> None:
        from django_otp.oath import totp

        status, _, _, _ = self.request("GET", "/moderation/sign-in/")
        expect(status == 200, f"sign-in page answered {status}")
        code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift)
        status, headers, page, _ = self.post("/moderation/sign-in/", {
            "username": username, "password": password, "otp_token": f"{code:0{device.digits}d}"})
        expect(status == 302, f"sign-in answered {status}, not a redirect:\n{page[:500]}")
        status, _, page, _ = self.request("GET", "/moderation/")
        expect(status == 200 and "mw-items" in page, f"queue after sign-in answered {status}")


def expect(condition: bool, message: str) -> None:
    if not condition:
        raise AssertionError(message)


# --- measurements --------------------------------------------------------------------------------

DECIDE_ACTION = re.compile(r'action="/moderation/comments/(\d+)/decide"')


def first_in_queue(page: str) -> tuple[int, int, int | None] | None:
    """(comment id, revision, next comment id) of the first approve form on a queue page."""
    found = DECIDE_ACTION.search(page)
    if not found:
        return None
    form = page[found.end(): page.find("</form>", found.end())]
    revision = re.search(r'name="revision" value="(\d+)"', form)
    after = re.search(r'name="after" value="(\d+)"', form)
    if not revision:
        return None
    return int(found.group(1)), int(revision.group(1)), int(after.group(1)) if after else None


def summarize(times: list[float], wall_s: float, http_requests_each: int = 1) -> dict:
    ordered = sorted(times)

    def pct(q: float) -> float:
        return ordered[max(0, math.ceil(q * len(ordered)) - 1)]  # nearest rank

    return {"n": len(ordered), "p50_ms": round(pct(0.50), 1), "p90_ms": round(pct(0.90), 1),
            "p99_ms": round(pct(0.99), 1), "max_ms": round(ordered[-1], 1), "min_ms": round(ordered[0], 1),
            "mean_ms": round(sum(ordered) / len(ordered), 1), "per_s": round(len(ordered) / wall_s, 1),
            "http_requests_each": http_requests_each}


def timed_gets(client: Client, paths: list[str], marker: str) -> list[float]:
    times = []
    for path in paths:
        status, _, page, elapsed = client.request("GET", path)
        expect(status == 200 and marker in page, f"GET {path} answered {status}")
        times.append(elapsed)
    return times


def measure_all(client: Client, moderator, *, n: int, warmup: int) -> dict:
    from django.db import connection

    from voxpop.comments.models import Comment
    from voxpop.desks.models import Desk
    from voxpop.moderation.models import ModerationDecision

    rng = random.Random(7)
    desk = Desk.objects.get(key="korean")  # a middle-sized desk (~16% of the queue)
    pending_ids = list(Comment.objects.filter(status=Comment.Status.PENDING).values_list("pk", flat=True))
    detail_ids = rng.sample(pending_ids, n + warmup)
    connection.close()  # no idle connection of ours beside the server's during the timing

    gets = {
        "queue, all desks": ("/moderation/", "mw-items"),
        f"queue, one desk ({desk.key})": (f"/moderation/?desk={desk.key}", "mw-items"),
        "queue, page 50": ("/moderation/?page=50", "mw-items"),
    }
    results = {}
    for name, (path, marker) in gets.items():
        timed_gets(client, [path] * warmup, marker)
        start = time.perf_counter()
        times = timed_gets(client, [path] * n, marker)
        results[name] = summarize(times, time.perf_counter() - start)
        log(f"{name}: p50 {results[name]['p50_ms']} ms, p99 {results[name]['p99_ms']} ms")

    paths = [f"/moderation/comments/{pk}/?next=%2Fmoderation%2F" for pk in detail_ids]
    timed_gets(client, paths[:warmup], "name=\"revision\"")
    start = time.perf_counter()
    times = timed_gets(client, paths[warmup:], "name=\"revision\"")
    results["comment page"] = summarize(times, time.perf_counter() - start)
    log(f"comment page: p50 {results['comment page']['p50_ms']} ms, p99 {results['comment page']['p99_ms']} ms")

    # A moderator working the head of the queue: approve the first comment, land on the queue again
    # (the redirect), whose first comment is the next one to decide.
    status, _, page, _ = client.request("GET", "/moderation/")
    current = first_in_queue(page)
    post_times, get_times, trip_times = [], [], []
    start = None
    for i in range(warmup + n):
        if i == warmup:
            start = time.perf_counter()
            post_times, get_times, trip_times = [], [], []
        expect(current is not None, "no pending comment found on the queue page")
        comment_id, revision, after = current
        form = {"action": "approve", "revision": revision, "next": "/moderation/"}
        if after:
            form["after"] = after
        status, headers, page, post_ms = client.post(f"/moderation/comments/{comment_id}/decide", form)
        location = headers.get("Location", "")
        expect(status == 302 and location.startswith("/moderation/"),
               f"decision on #{comment_id} answered {status} -> {location!r}:\n{page[:300]}")
        status, _, page, get_ms = client.request("GET", location.split("#")[0])
        expect(status == 200 and f"/moderation/comments/{comment_id}/decide\"" not in page,
               f"queue after deciding #{comment_id} answered {status} or still offers it")
        post_times.append(post_ms)
        get_times.append(get_ms)
        trip_times.append(post_ms + get_ms)
        current = first_in_queue(page)
    wall = time.perf_counter() - start
    approved = ModerationDecision.objects.filter(actor=moderator, action="approve").count()
    expect(approved == warmup + n, f"{warmup + n} approvals posted, {approved} recorded")
    connection.close()
    results["decision round trip (POST + queue)"] = summarize(trip_times, wall, http_requests_each=2)
    results["  of which POST decide"] = summarize(post_times, wall)
    results["  of which GET queue after"] = summarize(get_times, wall)
    trip = results["decision round trip (POST + queue)"]
    log(f"decision round trip: p50 {trip['p50_ms']} ms, p99 {trip['p99_ms']} ms")
    return results


# --- where the time goes, in process -------------------------------------------------------------

def _query_label(sql: str) -> str:
    """A short name for a query: verb, table, and what makes it costly (count, grouping, offset)."""
    verb = sql.split(None, 1)[0].upper()
    table = re.search(r'(?:FROM|INTO|UPDATE) "(\w+)"', sql)
    label = f"{verb} {table.group(1) if table else '?'}"
    for marker, name in (("COUNT(", "count"), ("GROUP BY", "group by"), (" OFFSET ", "offset"), (" LIMIT ", "limit")):
        if marker in sql.upper():
            label += f" {name}"
    return label


def breakdown_in_process(moderator, device, runs: int = 15) -> dict:
    """The same pages through Django's test client in this process, splitting SQL from the rest.

    No network and no HTTP server here: `sql_ms` is the database's share (as seen by the driver),
    `other_ms` is Python (middleware, view, template rendering). Medians over `runs` requests.
    """
    import statistics

    from django.db import connection
    from django.test import Client as DjangoClient
    from django.test.utils import CaptureQueriesContext
    from django_otp import DEVICE_ID_SESSION_KEY

    from voxpop.comments.models import Comment

    client = DjangoClient(HTTP_HOST="127.0.0.1")
    client.force_login(moderator)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    some = Comment.objects.filter(status=Comment.Status.PENDING).order_by("-pk").values_list("pk", flat=True).first()
    paths = {"queue, all desks": "/moderation/", "queue, one desk (korean)": "/moderation/?desk=korean",
             "queue, page 50": "/moderation/?page=50", "comment page": f"/moderation/comments/{some}/"}
    out = {}
    for name, path in paths.items():
        totals, sqls, counts, per_query = [], [], [], {}
        for i in range(runs + 2):
            start = time.perf_counter()
            with CaptureQueriesContext(connection) as captured:
                response = client.get(path)
            elapsed = (time.perf_counter() - start) * 1000
            expect(response.status_code == 200, f"in-process GET {path} answered {response.status_code}")
            if i < 2:
                continue  # warm-up
            totals.append(elapsed)
            sqls.append(sum(float(q["time"]) for q in captured.captured_queries) * 1000)
            counts.append(len(captured.captured_queries))
            for q in captured.captured_queries:
                per_query.setdefault(_query_label(q["sql"]), []).append(float(q["time"]) * 1000 / runs)
        slowest = sorted(((label, sum(times)) for label, times in per_query.items()), key=lambda x: -x[1])[:4]
        total, sql = statistics.median(totals), statistics.median(sqls)
        out[name] = {"total_ms": round(total, 1), "sql_ms": round(sql, 1), "other_ms": round(total - sql, 1),
                     "queries": max(counts), "slowest_queries": [[label, round(ms, 1)] for label, ms in slowest]}
    log("in-process breakdown done")
    return out


# --- EXPLAIN -------------------------------------------------------------------------------------

SCAN_NODE = re.compile(
    r"((?:Parallel )?(?:Index Only Scan|Index Scan|Bitmap Index Scan|Seq Scan)(?: Backward)? (?:using \S+ )?on \S+)")


def explain_queue(moderator) -> list[dict]:
    """EXPLAIN ANALYZE of the queries the queue and comment pages run, exactly as Django sends them."""
    from django.db import connection
    from django.db.models import Count
    from django.test.utils import CaptureQueriesContext

    from voxpop.comments.models import Comment
    from voxpop.desks.models import Desk
    from voxpop.moderation import selectors

    moderator.refresh_from_db()
    desk = Desk.objects.get(key="korean")
    everything = selectors.comment_queryset_for_queue(moderator=moderator, filters=selectors.QueueFilter())
    one_desk = selectors.comment_queryset_for_queue(moderator=moderator, filters=selectors.QueueFilter(desk=desk.pk))
    approved = selectors.comment_queryset_for_queue(moderator=moderator,
                                                    filters=selectors.QueueFilter(status=Comment.Status.APPROVED))
    prolific = (Comment.objects.values("commenter_key").annotate(n=Count("pk")).order_by("-n").first())
    some = Comment.objects.filter(commenter_key=prolific["commenter_key"]).first()
    cases = {
        "queue page 1, all desks (LIMIT 25)": lambda: list(everything[:PAGE_SIZE]),
        "queue count, all desks (paginator)": lambda: everything.count(),
        "queue tab counts, all desks": lambda: selectors.queue_counts(moderator=moderator),
        "queue page 50, all desks (OFFSET 1225)": lambda: list(everything[49 * PAGE_SIZE: 50 * PAGE_SIZE]),
        "approved queue page 1, all desks": lambda: list(approved[:PAGE_SIZE]),
        "queue page 1, one desk": lambda: list(one_desk[:PAGE_SIZE]),
        "queue count, one desk": lambda: one_desk.count(),
        f"commenter history ({prolific['n']} comments by one key)":
            lambda: selectors.comment_history_for_commenter(moderator=moderator, comment=some),
    }
    plans = []
    with connection.cursor() as cursor:
        for name, run in cases.items():
            with CaptureQueriesContext(connection) as captured:
                run()
            sql = captured.captured_queries[-1]["sql"]
            for _ in range(3):  # warm; the last run is reported
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
                plan = "\n".join(row[0] for row in cursor.fetchall())
            execution = float(re.search(r"Execution Time: ([\d.]+) ms", plan).group(1))
            planning = float(re.search(r"Planning Time: ([\d.]+) ms", plan).group(1))
            scans = sorted({m.strip() for m in SCAN_NODE.findall(plan)})
            plans.append({"query": name, "execution_ms": execution, "planning_ms": planning, "scans": scans,
                          "sql": sql, "plan": plan})
    return plans


# --- report --------------------------------------------------------------------------------------

def verdicts(http: dict) -> dict:
    queue_names = [k for k in http if k.startswith("queue")]
    worst_queue = max(http[k]["p99_ms"] for k in queue_names)
    trip = http["decision round trip (POST + queue)"]
    return {
        "queue page renders well under 200 ms (p99 of every queue variant)":
            {"target_ms": TARGET_QUEUE_MS, "measured_ms": worst_queue, "met": worst_queue < TARGET_QUEUE_MS},
        "decision round trip under 100 ms (p99)":
            {"target_ms": TARGET_DECISION_MS, "measured_ms": trip["p99_ms"],
             "met": trip["p99_ms"] < TARGET_DECISION_MS},
    }


def report(result: dict) -> None:
    seed = result["seed"]
    print()
    if not seed.get("reused"):
        print(f"Seed: {seed['comments']:,} comments ({seed['pending']:,} pending, {seed['decided']:,} decided), "
              f"{seed['revisions']:,} revisions, {seed['decisions']:,} decisions, {seed['stories']} stories, "
              f"{seed['desks']} desks, {seed['commenter_keys']:,} commenter keys")
        print(f"      {seed['seed_s']:.1f} s (generate {seed['generate_s']:.1f} s, COPY {seed['copy_s']:.1f} s), "
              f"VACUUM ANALYZE {seed['vacuum_s']:.1f} s, migrate {seed['migrate_s']:.1f} s")
    print()
    width = max(len(k) for k in result["http"]) + 2
    print(f"{'HTTP, one sequential client':<{width}}{'p50':>8}{'p90':>8}{'p99':>8}{'max':>8}{'req/s':>8}")
    for name, s in result["http"].items():
        print(f"{name:<{width}}{s['p50_ms']:>8.1f}{s['p90_ms']:>8.1f}{s['p99_ms']:>8.1f}{s['max_ms']:>8.1f}"
              f"{s['per_s']:>8.1f}")
    print(f"{'(milliseconds; req/s counts a round trip once)':<{width}}")
    print()
    if "error" in result["breakdown"]:
        print(f"In-process breakdown failed: {result['breakdown']['error']}")
    else:
        width = max(len(k) for k in result["breakdown"]) + 2
        print(f"{'In process, median ms':<{width}}{'total':>8}{'SQL':>8}{'other':>8}{'queries':>9}"
              "  slowest queries (ms per request)")
        for name, b in result["breakdown"].items():
            slowest = ", ".join(f"{label} {ms}" for label, ms in b["slowest_queries"])
            print(f"{name:<{width}}{b['total_ms']:>8.1f}{b['sql_ms']:>8.1f}{b['other_ms']:>8.1f}{b['queries']:>9}"
                  f"  {slowest}")
    print()
    if "error" in result["explain"]:
        print(f"EXPLAIN ANALYZE failed: {result['explain']['error']}")
    else:
        width = max(len(p["query"]) for p in result["explain"]) + 2
        print(f"{'EXPLAIN ANALYZE':<{width}}{'exec ms':>9}{'plan ms':>9}  scans")
        for p in result["explain"]:
            print(f"{p['query']:<{width}}{p['execution_ms']:>9.2f}{p['planning_ms']:>9.2f}  {'; '.join(p['scans'])}")
    print()
    for name, t in result["targets"].items():
        print(f"{'MET   ' if t['met'] else 'MISSED'} {name}: {t['measured_ms']} ms (target {t['target_ms']} ms)")
    m = result["machine"]
    print(f"\nMachine: {m['cpus']} CPUs ({m['cpu']}), load {m['loadavg_start'][0]:.2f} at start, "
          f"{m['loadavg_end'][0]:.2f} at end; PostgreSQL {m['postgresql']}; whole bench {result['total_s']} s")


def machine_info() -> dict:
    cpu = ""
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        cpu = platform.processor()
    try:
        with _admin() as conn:
            postgresql = conn.execute("SHOW server_version").fetchone()[0]
    except Exception as error:  # noqa: BLE001  (reported, not fatal here; the seed will fail loudly)
        postgresql = f"unreachable: {error}"
    import django
    return {"cpus": os.cpu_count(), "cpu": cpu, "python": platform.python_version(), "django": django.get_version(),
            "postgresql": postgresql, "loadavg_start": os.getloadavg(), "platform": platform.platform()}


if __name__ == "__main__":
    sys.exit(main())
