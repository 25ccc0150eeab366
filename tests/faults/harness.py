"""Fault injection against a real `voxpop serve`: private services, a load of submissions, and the
"nothing lost" check (PRODUCT.md G4, G1).

The pieces, used by the short tests in this package and the long runs in bench/faults:

- `PrivatePostgres` and `PrivateRedis`: throwaway instances on free loopback ports, in a temp dir,
  that a scenario may stop, restart, SIGKILL or SIGSTOP. The machine's shared PostgreSQL and Redis
  are never touched.
- `Server`: a data dir, `voxpop migrate`, one desk, one story and one moderator (password, TOTP
  device, API token), then `voxpop serve` with several server workers in a session of its own.
- `Load`: reader threads submitting through the JSON API (each with its own Idempotency-Key) and
  the no-JavaScript form (each with its own form token), retrying an unanswered submission with the
  same key or token as a careful client would; beside them a moderator approving through the API.
  Every answer is recorded; a 202 or a 303 to a receipt is an acknowledgement.
- `nothing_lost`: read the database directly afterwards and list every breach: an acknowledged
  submission missing or stored twice (each body is unique, so a duplicate is visible), an
  acknowledged approval not in the database, and a published comment whose latest decision is
  not an approval.

Everything is on 127.0.0.1 and bounded in time; nothing here needs the internet.
"""
from __future__ import annotations

import glob
import http.client
import json
import os
import pwd
import random
import re
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[2]
VOXPOP = Path(sys.executable).parent / "voxpop"
STORY = "fault-story"
MODERATOR = "fault-moderator"
PASSWORD = "fault test password 1"
TOKEN_FIELD = re.compile(r'name="token" value="([^"]+)"')
RECEIPT = re.compile(r"/receipts/(\d+):[^/]+/")
WORDS = "night bus harbour route driver council budget ferry fare school market bridge ticket".split()


class Missing(Exception):
    """A program or permission a scenario needs is not available on this machine."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(what: str, check, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except Exception:  # noqa: BLE001 - anything short of success means "not yet"
            pass
        time.sleep(0.1)
    raise TimeoutError(f"{what} not ready after {timeout:.0f} s")


def log_tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


# --- private services ----------------------------------------------------------------------------

def postgres_bindir() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).parent
    raise Missing("PostgreSQL server binaries (initdb, pg_ctl) are not installed: apt-get install postgresql")


class PrivatePostgres:
    """A throwaway PostgreSQL cluster on a free port. initdb refuses root, so as root it runs as the
    `postgres` OS user (runuser)."""

    def __init__(self):
        self.bindir = postgres_bindir()
        # Its own directory straight under the temp dir: the postgres user must be able to reach it.
        self.root = root = temp_dir("voxpop-faults-pg-")
        self.data = root / "pgdata"
        self.port = free_port()
        self.log = root / "postgres.log"
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/voxpop"
        self._user = None
        if os.geteuid() == 0:
            try:
                self._user = pwd.getpwnam("postgres")
            except KeyError:
                raise Missing("running as root needs the `postgres` OS user for initdb") from None
            os.chown(root, self._user.pw_uid, self._user.pw_gid)

    def _run(self, *argv: str, check: bool = True, timeout: float = 60) -> subprocess.CompletedProcess:
        command = [str(self.bindir / argv[0]), *argv[1:]]
        if self._user:
            command = ["runuser", "-u", "postgres", "--", *command]
        # Output to a file, not a pipe: a postmaster started here would hold a pipe open for ever.
        with tempfile.TemporaryFile("w+") as out:
            done = subprocess.run(command, timeout=timeout, stdout=out, stderr=subprocess.STDOUT, cwd=self.root)
            out.seek(0)
            output = out.read()
        if check and done.returncode != 0:
            raise RuntimeError(f"{argv[0]} failed ({done.returncode}):\n{output}\n{log_tail(self.log)}")
        return done

    def create(self) -> "PrivatePostgres":
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8")
        self.start()
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "voxpop")
        return self

    def start(self) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.root} -c max_connections=200"
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "-t", "30", "start")

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "30", "stop", check=False)

    def restart(self) -> None:
        """A clean restart (fast shutdown: open transactions are rolled back, connections cut)."""
        self.stop("fast")
        self.start()

    def postmaster_pid(self) -> int:
        return int((self.data / "postmaster.pid").read_text().split()[0])

    def kill(self) -> None:
        """SIGKILL the postmaster, as a crash would, and wait until its backends have noticed and gone."""
        pid = self.postmaster_pid()
        children = _child_pids(pid)
        os.kill(pid, signal.SIGKILL)
        wait_for("postgres backends exiting after the postmaster died",
                 lambda: not any(_alive(p) for p in [pid, *children]), timeout=30)
        try:
            # The dead postmaster may linger as a zombie until its parent reaps it; PostgreSQL would take
            # that for a live server holding the lock file, which an operator would then remove.
            wait_for("the killed postmaster being reaped", lambda: not Path(f"/proc/{pid}").exists(), timeout=5)
        except TimeoutError:
            (self.data / "postmaster.pid").unlink(missing_ok=True)

    def connect(self):
        import psycopg

        return psycopg.connect(f"host=127.0.0.1 port={self.port} user=postgres dbname=voxpop", connect_timeout=5)

    def destroy(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)


class PrivateRedis:
    """A throwaway redis-server without persistence, on a free port."""

    def __init__(self, root: Path):
        self.binary = shutil.which("redis-server")
        if not self.binary:
            raise Missing("redis-server is not installed: apt-get install redis-server")
        self.root = root
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> "PrivateRedis":
        with open(self.root / "redis.log", "ab") as out:
            self.process = subprocess.Popen(
                [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                 "--dir", str(self.root)], stdout=out, stderr=subprocess.STDOUT)
        wait_for("private redis", self._answers, timeout=10)
        return self

    def _answers(self) -> bool:
        with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)  # a paused server cannot act on SIGTERM
            self.process.terminate()
            self.process.wait(timeout=10)

    def pause(self) -> None:
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        self.process.send_signal(signal.SIGCONT)


def _child_pids(pid: int) -> list[int]:
    children = []
    for stat in glob.glob("/proc/[0-9]*/stat"):
        try:
            fields = Path(stat).read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            children.append(int(stat.split("/")[2]))
    return children


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


# --- the server ----------------------------------------------------------------------------------

SEED = """
from datetime import timedelta
import django
django.setup()
from voxpop.common import clock
from voxpop.desks.models import Desk
from voxpop.desks.services import house_rules_set
from voxpop.stories.services import story_upsert
now = clock.now()
desk, _ = Desk.objects.get_or_create(key="english", defaults={"name": "English desk", "languages": ["en"]})
house_rules_set(desk=desk, language="en", texts=["Be civil.", "No personal data."], now=now)
story_upsert(key=%r, fields={"title": "Faults", "url": "https://news.example/faults", "language": "en",
                             "desk": desk, "published_at": now - timedelta(hours=1)}, now=now)
"""


class Server:
    """`voxpop serve` (production settings, granian) on a free port, with its own data dir."""

    def __init__(self, data_dir: Path, *, database_url: str | None = None, redis_url: str | None = None,
                 workers: int = 3, extra_env: dict | None = None):
        self.data_dir = data_dir
        self.port = free_port()
        self.base = f"127.0.0.1:{self.port}"
        self.workers = workers
        self.log = data_dir.with_name(data_dir.name + "-server.log")  # outside: the data dir may be full
        self.process: subprocess.Popen | None = None
        self.api_token = ""
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("VOXPOP_") and k not in ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE")}
        env.update({
            "VOXPOP_DATA_DIR": str(data_dir), "VOXPOP_SECRET_KEY": secrets.token_urlsafe(50),
            "VOXPOP_ALLOWED_HOSTS": "127.0.0.1,localhost", "VOXPOP_SSL_REDIRECT": "0",
            # The load speaks for many readers through X-Forwarded-For, as a reverse proxy would.
            "VOXPOP_TRUSTED_PROXIES": "127.0.0.1/32",
            "VOXPOP_RATE_LIMIT_SOURCE": "100000/minute", "VOXPOP_RATE_LIMIT_STORY": "100000/minute",
            "VOXPOP_RATE_LIMIT_GLOBAL": "100000/minute", "VOXPOP_FORM_MIN_SECONDS": "0",
        })
        if database_url:
            env["DATABASE_URL"] = database_url
        if redis_url:
            env["REDIS_URL"] = redis_url
        env.update(extra_env or {})
        self.env = env

    def _voxpop(self, *argv: str) -> str:
        done = subprocess.run([str(VOXPOP), *argv], env=self.env, cwd=ROOT, capture_output=True, text=True,
                              timeout=120)
        if done.returncode != 0:
            raise RuntimeError(f"voxpop {argv[0]} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def prepare(self) -> "Server":
        self._voxpop("migrate")
        done = subprocess.run([sys.executable, "-c", SEED % STORY], cwd=ROOT, capture_output=True, text=True,
                              env={**self.env, "DJANGO_SETTINGS_MODULE": "voxpop.settings.base"}, timeout=120)
        if done.returncode != 0:
            raise RuntimeError(f"seeding failed:\n{done.stderr}")
        self._voxpop("createmoderator", MODERATOR, "--password", PASSWORD, "--desk", "english")
        self.api_token = self._voxpop("createtoken", MODERATOR).strip()
        return self

    def totp_code(self) -> str:
        return self._voxpop("totp-code", MODERATOR).strip()

    def start(self) -> "Server":
        with open(self.log, "ab") as out:
            # A session of its own: stopping it ends exactly the server and its workers.
            self.process = subprocess.Popen(
                [str(VOXPOP), "serve", "--host", "127.0.0.1", "--port", str(self.port), "--workers",
                 str(self.workers)], env=self.env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True)
        try:
            wait_for("voxpop serve", lambda: self.get("/healthz")[0] == 200 and len(self.worker_pids())
                     >= self.workers, timeout=60)
        except TimeoutError:
            raise RuntimeError(f"voxpop serve did not come up:\n{log_tail(self.log)}") from None
        return self

    def worker_pids(self) -> list[int]:
        return [p for p in _child_pids(self.process.pid) if _alive(p)]

    def get(self, path: str, timeout: float = 5) -> tuple[int, str]:
        connection = http.client.HTTPConnection(self.base, timeout=timeout)
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            return response.status, response.read().decode("utf-8", "replace")
        finally:
            connection.close()

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


# --- HTTP clients --------------------------------------------------------------------------------

@dataclass
class Answer:
    status: int  # 0: no answer (connection refused, reset or timed out)
    headers: dict
    body: str
    seconds: float

    def json(self) -> dict:
        try:
            return json.loads(self.body)
        except ValueError:
            return {}


class Client:
    """One connection at a time, reopened after any failure; keeps the cookies it is given."""

    def __init__(self, base: str, *, source: str = "127.0.0.1", timeout: float = 10):
        self.base, self.source, self.timeout = base, source, timeout
        self.cookies: dict[str, str] = {}

    def send(self, method: str, path: str, *, body: bytes | None = None, headers: dict | None = None) -> Answer:
        headers = {"X-Forwarded-For": self.source, **(headers or {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        started = time.perf_counter()
        connection = http.client.HTTPConnection(self.base, timeout=self.timeout)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            data = response.read().decode("utf-8", "replace")
            for name, value in response.getheaders():
                if name.lower() == "set-cookie":
                    cookie_name, _, rest = value.partition("=")
                    self.cookies[cookie_name.strip()] = rest.split(";", 1)[0]
            return Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, data,
                          time.perf_counter() - started)
        except (OSError, http.client.HTTPException) as error:
            return Answer(0, {}, f"no answer: {error!r}", time.perf_counter() - started)
        finally:
            connection.close()

    def post_json(self, path: str, data: dict, headers: dict | None = None) -> Answer:
        return self.send("POST", path, body=json.dumps(data).encode(),
                         headers={"Content-Type": "application/json", **(headers or {})})

    def post_form(self, path: str, data: dict) -> Answer:
        return self.send("POST", path, body=urlencode(data).encode(),
                         headers={"Content-Type": "application/x-www-form-urlencoded"})


class ModeratorBrowser(Client):
    """A moderator signed in to the workspace with password and TOTP code, session cookie kept."""

    def sign_in(self, server: Server) -> None:
        page = self.send("GET", "/moderation/sign-in/")
        assert page.status == 200, f"sign-in page answered {page.status}"
        answer = self.post_form("/moderation/sign-in/", {
            "csrfmiddlewaretoken": self.cookies.get("csrftoken", ""), "username": MODERATOR,
            "password": PASSWORD, "otp_token": server.totp_code()})
        assert answer.status == 302, f"sign-in answered {answer.status}: {answer.body[:300]}"
        assert self.signed_in(), "the queue is not shown right after signing in"

    def signed_in(self) -> bool:
        """The queue answers with the workspace itself, not a redirect to the sign-in page."""
        answer = self.send("GET", "/moderation/")
        return answer.status == 200 and "sign-in" not in answer.headers.get("location", "")


def comment_body(rng: random.Random) -> str:
    """A unique body: a duplicate in the database can only be the same submission stored twice."""
    return f"{' '.join(rng.choice(WORDS) for _ in range(rng.randint(4, 12))).capitalize()}. [{uuid.uuid4().hex}]"


# --- load ----------------------------------------------------------------------------------------

@dataclass
class Ack:
    path: str  # "api" or "form"
    comment_id: int
    body: str
    at: float = field(default_factory=time.monotonic)


@dataclass
class Record:
    """What the readers and the moderator were told, for the check afterwards."""

    acks: list[Ack] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)   # "api 202", "form 303", "api 0", "moderator 200", ...
    server_errors: list[str] = field(default_factory=list)  # "api 500: <start of the body>"
    no_answers: list[str] = field(default_factory=list)     # "read: ConnectionResetError(...) after 0.1 s"
    approvals: list[int] = field(default_factory=list)     # comment ids whose approval answered 200
    retried: int = 0                                         # submissions sent again after no answer or a 5xx
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self, what: str, answer: Answer) -> None:
        with self.lock:
            self.statuses[f"{what} {answer.status}"] += 1
            if answer.status >= 500:
                self.server_errors.append(f"{what} {answer.status}: {answer.body[:160]!r}")
            elif answer.status == 0:
                self.no_answers.append(f"{what}: {answer.body} after {answer.seconds:.1f} s")

    def server_error_statuses(self) -> set[int]:
        return {int(key.split()[1]) for key in self.statuses if int(key.split()[1]) >= 500}

    def acknowledged_after(self, moment: float) -> int:
        return sum(1 for ack in self.acks if ack.at > moment)

    def statuses_of(self, what: str) -> Counter:
        return Counter({int(key.split()[1]): n for key, n in self.statuses.items() if key.split()[0] == what})

    def summary(self) -> dict:
        return {"acknowledged": len(self.acks), "approvals": len(self.approvals), "retried": self.retried,
                "statuses": dict(sorted(self.statuses.items())), "server_errors": len(self.server_errors)}


class Load:
    """Reader threads submitting until stopped, and one moderator approving through the API."""

    RETRY_PAUSE = 0.2

    def __init__(self, server: Server, *, readers: int = 6, form_share: float = 0.25, moderate: bool = True,
                 browse: bool = True, retries: bool = True):
        self.server = server
        self.readers = readers
        self.form_share = form_share
        self.moderate = moderate
        self.browse = browse
        self.retries = retries
        self.record = Record()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def __enter__(self) -> "Load":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self) -> None:
        self._threads = [threading.Thread(target=self._reader, args=(i,), daemon=True) for i in range(self.readers)]
        if self.moderate:
            self._threads.append(threading.Thread(target=self._moderator, daemon=True))
        if self.browse:
            self._threads.append(threading.Thread(target=self._browser, daemon=True))
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        """Stop sending; a submission already under way finishes (with its retries, for a few seconds)."""
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=60)

    def _reader(self, index: int) -> None:
        rng = random.Random(index)
        client = Client(self.server.base)
        n = 0
        while not self._stop.is_set():
            n += 1
            client.source = f"127.10.{index}.{n % 250 + 1}"
            if rng.random() < self.form_share:
                self._submit_form(client, rng)
            else:
                self._submit_api(client, rng)

    def _again(self, answer: Answer, deadline: float) -> bool:
        """Send the same submission again? After no answer or a 5xx, while time allows."""
        if not self.retries or not (answer.status == 0 or answer.status >= 500) or time.monotonic() > deadline:
            return False
        with self.record.lock:
            self.record.retried += 1
        time.sleep(self.RETRY_PAUSE)
        return True

    def _submit_api(self, client: Client, rng: random.Random) -> None:
        body, key = comment_body(rng), uuid.uuid4().hex
        deadline = time.monotonic() + 15
        while True:
            answer = client.post_json(f"/api/v1/stories/{STORY}/comments", {"body": body}, {"Idempotency-Key": key})
            self.record.count("api", answer)
            if answer.status == 202:
                with self.record.lock:
                    self.record.acks.append(Ack("api", int(answer.json()["id"]), body))
                return
            if not self._again(answer, deadline):
                return

    def _submit_form(self, client: Client, rng: random.Random) -> None:
        page = client.send("GET", f"/stories/{STORY}/comments/")
        self.record.count("page", page)
        token = TOKEN_FIELD.search(page.body) if page.status == 200 else None
        if token is None:
            time.sleep(self.RETRY_PAUSE)
            return
        body = comment_body(rng)
        form = {"token": token.group(1), "body": body, "display_name": "", "website": ""}
        deadline = time.monotonic() + 15
        while True:
            answer = client.post_form(f"/stories/{STORY}/comments/", form)
            self.record.count("form", answer)
            receipt = RECEIPT.search(answer.headers.get("location", "")) if answer.status == 303 else None
            if receipt:
                with self.record.lock:
                    self.record.acks.append(Ack("form", int(receipt.group(1)), body))
                return
            if not self._again(answer, deadline):
                return

    def _browser(self) -> None:
        """A reader of the published thread, as HTML and as JSON (the cached read path)."""
        client = Client(self.server.base, source="127.21.0.1")
        paths = (f"/stories/{STORY}/comments/", f"/api/v1/stories/{STORY}/comments")
        n = 0
        while not self._stop.is_set():
            n += 1
            self.record.count("read", client.send("GET", paths[n % 2]))
            time.sleep(0.02)

    def _moderator(self) -> None:
        client = Client(self.server.base, source="127.20.0.1")
        auth = {"Authorization": f"Bearer {self.server.api_token}"}
        while not self._stop.is_set():
            queue = client.send("GET", "/api/v1/moderation/queue?limit=5", headers=auth)
            self.record.count("moderator", queue)
            comments = queue.json().get("comments", []) if queue.status == 200 else []
            for comment in comments[:2]:
                answer = client.post_json(f"/api/v1/moderation/comments/{comment['id']}/decisions",
                                          {"action": "approve", "revision": comment["revision"]}, auth)
                self.record.count("moderator", answer)
                if answer.status == 200:
                    with self.record.lock:
                        self.record.approvals.append(int(comment["id"]))
            time.sleep(0.05 if comments else 0.2)


def run_load(server: Server, *, seconds: float, faults=(), **load_options) -> Record:
    """Load for `seconds`; each `(at, action)` of `faults` runs `at` seconds in, in order of `at`."""
    with Load(server, **load_options) as load:
        started = time.monotonic()
        for at, action in sorted(faults, key=lambda fault: fault[0]):
            time.sleep(max(0.0, started + at - time.monotonic()))
            action()
        time.sleep(max(0.0, started + seconds - time.monotonic()))
    return load.record


# --- the check -----------------------------------------------------------------------------------

LATEST_DECISIONS = """
    SELECT c.id FROM comments_comment c
    WHERE c.status = 'approved' AND COALESCE((
        SELECT d.to_status FROM moderation_moderationdecision d WHERE d.comment_id = c.id
        ORDER BY d.decided_at DESC, d.id DESC LIMIT 1), '') <> 'approved'
"""


def nothing_lost(connection, record: Record) -> list[str]:
    """Every breach of "nothing lost" in the database behind `connection` (sqlite3 or psycopg)."""
    problems = []
    cursor = connection.cursor()
    marker = "?" if isinstance(connection, sqlite3.Connection) else "%s"
    for ack in record.acks:
        cursor.execute(f"SELECT comment_id FROM comments_commentrevision WHERE number = 1 AND body = {marker}",
                       (ack.body,))
        ids = [row[0] for row in cursor.fetchall()]
        if ids != [ack.comment_id]:
            problems.append(f"{ack.path} submission acknowledged as comment {ack.comment_id} is stored as {ids}")
    for comment_id in set(record.approvals):
        cursor.execute(f"SELECT status FROM comments_comment WHERE id = {marker}", (comment_id,))
        row = cursor.fetchone()
        if row is None or row[0] != "approved":
            problems.append(f"approval of comment {comment_id} was acknowledged but its status is "
                            f"{row[0] if row else 'missing'}")
    # Every submission of the load has text of its own: the same text stored twice is a resent
    # submission made twice, acknowledged or not (G4).
    cursor.execute("SELECT body, COUNT(*) FROM comments_commentrevision WHERE number = 1 AND body <> '' "
                   "GROUP BY body HAVING COUNT(*) > 1")
    for body, count in cursor.fetchall():
        problems.append(f"one submission is stored {count} times: {body[:60]!r}")
    cursor.execute(LATEST_DECISIONS)
    for (comment_id,) in cursor.fetchall():
        problems.append(f"comment {comment_id} is public without an approval decision")
    return problems


def sqlite_connect(data_dir: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{data_dir / 'voxpop.sqlite3'}?mode=ro", uri=True, timeout=20)


def temp_dir(prefix: str) -> Path:
    return Path(tempfile.mkdtemp(prefix=prefix))


def disk_fill(directory: Path) -> None:
    """Write zeros into `directory`/filler until its filesystem is full (free it by deleting the file)."""
    with open(directory / "filler", "wb") as filler:
        try:
            while True:
                filler.write(b"\0" * 65536)
                filler.flush()
        except OSError:
            pass
