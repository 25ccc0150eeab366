"""Voxpop and Isso side by side: thread reads and comment submissions under wrk, one command.

    make bench-compare                      (or: .venv/bin/python bench/compare/run.py)

What it does (bench/README.md, "Side by side with Isso", has the figures and how to read them):

1. Installs what it lacks: Debian's `wrk` and `nginx` (apt-get, as root), and Isso 0.14.0 with
   gunicorn in its own virtual environment, bench/.isso-venv (git-ignored).
2. Seeds Voxpop (SQLite, and PostgreSQL + Redis) and Isso (its own SQLite schema) with the same data,
   bench/compare/dataset.py: one story with 200 published comments, 1,000 stories with 20 each.
3. Runs each server pinned to one core with `taskset`, wrk pinned to the other:
   - the ceiling: nginx serving Voxpop's own JSON answers as static files;
   - Voxpop's app server (`voxpop serve`) on SQLite; the same behind deploy/nginx/voxpop.conf
     (micro-cache; nginx and the app share the server core); `voxpop serve` on PostgreSQL + Redis
     (those two run unpinned, as the machine's services);
   - Isso 0.14.0 under gunicorn with the same worker layout as `voxpop serve`'s gunicorn.
   For each: reads of the first page (50 comments) of the 200-comment thread and of the whole
   20-comment thread at 16 and 64 connections, and comment submissions at 8 connections
   (JSON, spread over the 1,000 stories, each body different), then the server's resident memory.
   Rate limits are raised for the run: Voxpop's VOXPOP_RATE_LIMIT_* budgets to 1,000,000 a minute,
   Isso's [guard] off. Both hold submissions for moderation (Isso's [moderation] on), so both
   answer 202 and neither publishes.
4. Prints the table with ratios, and writes it with the raw figures to bench/results/compare-<date>.{txt,json}.

Each measurement lasts --seconds (default 10); the whole run takes about six minutes.
Loopback only. Never part of `make test`.
"""
import argparse
import importlib.util
import json
import os
import platform
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))

import dataset  # noqa: E402

_spec = importlib.util.spec_from_file_location("nginx_local", ROOT / "deploy" / "nginx" / "local.py")
nginx_local = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(nginx_local)

VENV_BIN = Path(sys.executable).parent
VOXPOP = VENV_BIN / "voxpop"
ISSO_VENV = HERE.parent / ".isso-venv"
ISSO_VERSION = "0.14.0"
ISSO_GUNICORN = "27.0.1"  # the version Voxpop pins, so both run under the same server
PG_ADMIN_URL = os.environ.get("BENCH_PG_ADMIN", "postgres://postgres@127.0.0.1:5432/postgres")
PG_DATABASE = "voxpop_compare"
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")
HOST = "127.0.0.1"
RAISED = "1000000/minute"
READS = [("200", 16), ("200", 64), ("20", 16), ("20", 64)]
POST_CONNECTIONS = 8


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- tools ---------------------------------------------------------------------------------------

def tools_install() -> None:
    """wrk and nginx from Debian, Isso from PyPI into its own venv: whatever is missing."""
    missing = [pkg for binary, pkg in (("wrk", "wrk"), ("nginx", "nginx-light"))
               if not shutil.which(binary) and not (binary == "nginx" and nginx_local.nginx_path())]
    if missing:
        if os.geteuid() != 0:
            sys.exit(f"bench-compare needs {', '.join(missing)}: run as root, or apt-get install {' '.join(missing)}")
        log(f"installing {', '.join(missing)} with apt-get")
        subprocess.run(["apt-get", "update", "-qq"], check=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing], check=True,
                       env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    if not shutil.which("taskset"):
        sys.exit("bench-compare needs taskset (Debian: util-linux)")
    isso_python = ISSO_VENV / "bin" / "python"
    installed = subprocess.run([str(isso_python), "-c", "import importlib.metadata as m; print(m.version('isso'))"],
                               capture_output=True, text=True) if isso_python.exists() else None
    if not installed or installed.stdout.strip() != ISSO_VERSION or not (ISSO_VENV / "bin" / "gunicorn").exists():
        log(f"installing Isso {ISSO_VERSION} into {ISSO_VENV.relative_to(ROOT)}")
        subprocess.run([sys.executable, "-m", "venv", str(ISSO_VENV)], check=True)
        subprocess.run([str(ISSO_VENV / "bin" / "pip"), "install", "-q", "--disable-pip-version-check",
                        f"isso=={ISSO_VERSION}", f"gunicorn=={ISSO_GUNICORN}"], check=True)


def cores() -> tuple[int, int]:
    """(server core, load generator core)."""
    available = sorted(os.sched_getaffinity(0))
    if len(available) < 2:
        log("only one core: server and wrk share it, the figures mean little")
        return available[0], available[0]
    return available[0], available[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def wait_http(url: str, process: subprocess.Popen, log_path: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"server exited while starting:\n{tail(log_path)}")
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.2)
    sys.exit(f"{url} did not answer within {timeout:.0f} s:\n{tail(log_path)}")


def tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def stop(process: subprocess.Popen) -> None:
    """SIGTERM the process group the server was started in, then SIGKILL after 20 s."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, 15)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, 9)
        process.wait()


def group_rss_mib(*processes: subprocess.Popen) -> tuple[float, int]:
    """Resident memory of every process in the servers' process groups (MiB) and how many there are."""
    groups = {os.getpgid(p.pid) for p in processes if p.poll() is None}
    total, count = 0, 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if os.getpgid(int(entry.name)) not in groups:
                continue
            for line in (entry / "status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
                    count += 1
        except (OSError, ProcessLookupError):
            continue
    return round(total / 1024, 1), count


# --- seeding -------------------------------------------------------------------------------------

def voxpop_env(data_dir: Path, *, database_url: str = "", redis_url: str = "") -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VOXPOP_")
           and k not in ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(VOXPOP_DATA_DIR=str(data_dir), VOXPOP_SECRET_KEY=secrets.token_urlsafe(50),
               VOXPOP_ALLOWED_HOSTS="127.0.0.1,localhost", VOXPOP_SSL_REDIRECT="0", VOXPOP_HSTS_SECONDS="0",
               VOXPOP_TRUSTED_PROXIES="127.0.0.1/32", VOXPOP_RATE_LIMIT_SOURCE=RAISED,
               VOXPOP_RATE_LIMIT_SOURCE_UNPROVEN=RAISED, VOXPOP_RATE_LIMIT_STORY=RAISED,
               VOXPOP_RATE_LIMIT_GLOBAL=RAISED)
    if database_url:
        env["DATABASE_URL"] = database_url
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


def voxpop_seed(env: dict) -> dict:
    subprocess.run([str(VOXPOP), "migrate"], env=env, check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
    done = subprocess.run([sys.executable, str(HERE / "seed_voxpop.py")], env=env, check=True,
                          capture_output=True, text=True, cwd=ROOT)
    return json.loads(done.stdout)


def postgres_recreate() -> str:
    import psycopg
    import redis

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {PG_DATABASE}")
    redis.Redis.from_url(REDIS_URL).flushdb()
    return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{PG_DATABASE}"


def isso_seed(work: Path, *, origin_port: int) -> Path:
    dbpath = work / "isso.db"
    done = subprocess.run([str(ISSO_VENV / "bin" / "python"), str(HERE / "seed_isso.py"), str(dbpath)],
                          check=True, capture_output=True, text=True)
    log(f"Isso seeded: {done.stdout.strip()}")
    config = work / "isso.cfg"
    # host: the site the comments belong to; Isso only probes it at start. [guard] off lifts its
    # per-address limit of 2 comments a minute; [moderation] on holds comments as Voxpop does.
    config.write_text(f"[general]\ndbpath = {dbpath}\nhost = http://{HOST}:{origin_port}/\nnotify = stdout\n"
                      f"[moderation]\nenabled = true\n[guard]\nenabled = false\n"
                      f"[server]\nlisten = http://{HOST}:{origin_port}/\n")
    return config


# --- load ----------------------------------------------------------------------------------------

@dataclass
class Target:
    name: str
    key: str
    read_paths: dict[str, str]                       # thread ("200", "20") -> path
    post: tuple[str, str, str] | None = None         # (path format, body field, name field)
    results: dict = field(default_factory=dict)


def wrk(load_core: int, url: str, *, connections: int, seconds: float, post: tuple | None = None) -> dict:
    command = ["taskset", "-c", str(load_core), "wrk", "-t1", f"-c{connections}", f"-d{seconds:g}s",
               "--timeout", "5s", "-s", str(HERE / "wrk.lua"), url]
    if post:
        command += ["--", "post", *post]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    raw = json.loads(done.stdout.strip().splitlines()[-1])
    errors = sum(raw[k] for k in raw if k.startswith("errors_") and k != "errors_status")
    seconds_run = raw["duration_us"] / 1e6
    return {"connections": connections, "requests": raw["requests"],
            "ok": raw["requests"] - raw["errors_status"] - errors, "refused": raw["errors_status"],
            "socket_errors": errors, "per_s": round((raw["requests"] - raw["errors_status"] - errors) / seconds_run, 1),
            "p50_ms": round(raw["p50_us"] / 1000, 2), "p90_ms": round(raw["p90_us"] / 1000, 2),
            "p99_ms": round(raw["p99_us"] / 1000, 2), "max_ms": round(raw["max_us"] / 1000, 2),
            "bytes_per_response": round(raw["bytes"] / max(1, raw["requests"]))}


def measure(target: Target, base: str, load_core: int, seconds: float, *servers: subprocess.Popen) -> None:
    for thread, path in target.read_paths.items():  # warm every cache first, untimed
        wrk(load_core, base + path, connections=16, seconds=2)
    for thread, connections in READS:
        result = wrk(load_core, base + target.read_paths[thread], connections=connections, seconds=seconds)
        target.results[f"read {thread}@{connections}"] = result
        log(f"  {target.name}: read {thread}@{connections}: {result['per_s']:.0f}/s, "
            f"p50 {result['p50_ms']} ms, p99 {result['p99_ms']} ms"
            + (f", {result['refused']} non-2xx" if result["refused"] else ""))
    if target.post:
        result = wrk(load_core, base + target.post[0] % 0, connections=POST_CONNECTIONS, seconds=seconds,
                     post=target.post)
        target.results[f"post@{POST_CONNECTIONS}"] = result
        log(f"  {target.name}: post@{POST_CONNECTIONS}: {result['per_s']:.0f} accepted/s, "
            f"p50 {result['p50_ms']} ms, p99 {result['p99_ms']} ms, refused {result['refused']}")
    target.results["rss_mib"], target.results["processes"] = group_rss_mib(*servers)


def voxpop_serve(env: dict, port: int, server_core: int, log_path: Path) -> subprocess.Popen:
    with open(log_path, "ab") as log_file:
        process = subprocess.Popen(["taskset", "-c", str(server_core), str(VOXPOP), "serve", "--host", HOST,
                                    "--port", str(port)], env=env, cwd=ROOT, stdout=log_file,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    wait_http(f"http://{HOST}:{port}/healthz", process, log_path)
    return process


VOXPOP_READS = {"200": f"/api/v1/stories/{dataset.HOT_STORY}/comments",
                "20": f"/api/v1/stories/{dataset.SMALL_STORY}/comments"}
VOXPOP_POST = ("/api/v1/stories/story-%04d/comments", "body", "display_name")


def run(args) -> dict:
    tools_install()
    server_core, load_core = cores()
    work = Path(tempfile.mkdtemp(prefix="voxpop-compare-"))
    log(f"work dir {work}; server on core {server_core}, wrk on core {load_core}")
    targets: list[Target] = []
    sqlite_env = voxpop_env(work / "voxpop-sqlite")
    log(f"Voxpop (SQLite) seeded: {voxpop_seed(sqlite_env)}")

    # 1. Voxpop's app server on SQLite; its answers become the static ceiling's files.
    port = free_port()
    app = voxpop_serve(sqlite_env, port, server_core, work / "voxpop-sqlite.log")
    static_dir = work / "static"
    static_dir.mkdir()
    try:
        for thread, path in VOXPOP_READS.items():
            (static_dir / f"thread-{thread}.json").write_bytes(
                urllib.request.urlopen(f"http://{HOST}:{port}{path}", timeout=10).read())
        sqlite_app = Target("Voxpop, app server, SQLite", "voxpop-sqlite", VOXPOP_READS, VOXPOP_POST)
        measure(sqlite_app, f"http://{HOST}:{port}", load_core, args.seconds, app)
        targets.append(sqlite_app)

        # 2. The same app behind the shipped nginx configuration, nginx on the server core too.
        nginx_dir = work / "nginx-proxy"
        nginx_dir.mkdir()
        proxy_port = free_port()
        conf = nginx_local.voxpop_conf_render(work_dir=nginx_dir, upstream=f"{HOST}:{port}", https_port=proxy_port,
                                              http_port=free_port(), certificate=None)
        nginx = nginx_local.nginx_start(work_dir=nginx_dir, http_block=conf, probe_url=f"http://{HOST}:{proxy_port}/healthz",
                                        prefix=["taskset", "-c", str(server_core)])
        try:
            proxied = Target("Voxpop via nginx (micro-cache), SQLite", "voxpop-nginx", VOXPOP_READS, VOXPOP_POST)
            measure(proxied, f"http://{HOST}:{proxy_port}", load_core, args.seconds, app, nginx)
            targets.append(proxied)
        finally:
            nginx_local.nginx_stop(nginx)
    finally:
        stop(app)

    # 3. The ceiling: nginx sending the same bytes from files.
    ceiling_dir = work / "nginx-static"
    ceiling_dir.mkdir()
    static_port = free_port()
    block = (f"    server {{\n        listen {HOST}:{static_port};\n        keepalive_requests 100000;\n"
             f"        location / {{ root {static_dir}; default_type application/json; }}\n    }}")
    nginx = nginx_local.nginx_start(work_dir=ceiling_dir, http_block=block, probe_url=f"http://{HOST}:{static_port}/thread-20.json",
                                    prefix=["taskset", "-c", str(server_core)])
    try:
        ceiling = Target("ceiling: nginx, static file", "static", {t: f"/thread-{t}.json" for t in VOXPOP_READS})
        measure(ceiling, f"http://{HOST}:{static_port}", load_core, args.seconds, nginx)
        targets.insert(0, ceiling)
    finally:
        nginx_local.nginx_stop(nginx)

    # 4. Voxpop on PostgreSQL + Redis.
    if not args.skip_postgres:
        pg_env = voxpop_env(work / "voxpop-pg", database_url=postgres_recreate(), redis_url=REDIS_URL)
        log(f"Voxpop (PostgreSQL) seeded: {voxpop_seed(pg_env)}")
        port = free_port()
        app = voxpop_serve(pg_env, port, server_core, work / "voxpop-pg.log")
        try:
            pg = Target("Voxpop, app server, PostgreSQL + Redis", "voxpop-pg", VOXPOP_READS, VOXPOP_POST)
            measure(pg, f"http://{HOST}:{port}", load_core, args.seconds, app)
            targets.append(pg)
        finally:
            stop(app)

    # 5. Isso, under gunicorn laid out like `voxpop serve`'s: 2 workers per core, 4 threads each.
    isso_dir = work / "isso"
    isso_dir.mkdir()
    port = free_port()
    config = isso_seed(isso_dir, origin_port=port)
    workers = "2"  # one core, as `voxpop serve` sizes itself on the one core it is pinned to
    with open(isso_dir / "isso.log", "wb") as log_file:
        isso = subprocess.Popen(["taskset", "-c", str(server_core), str(ISSO_VENV / "bin" / "gunicorn"),
                                 "--bind", f"{HOST}:{port}", "--workers", workers, "--worker-class", "gthread",
                                 "--threads", "4", "isso.run"],
                                env={**os.environ, "ISSO_SETTINGS": str(config)}, cwd=isso_dir, stdout=log_file,
                                stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_http(f"http://{HOST}:{port}/info", isso, isso_dir / "isso.log")
        isso_target = Target(f"Isso {ISSO_VERSION} (gunicorn, SQLite)", "isso",
                             {"200": f"/?uri=/{dataset.HOT_STORY}&limit=50", "20": f"/?uri=/{dataset.SMALL_STORY}"},
                             ("/new?uri=/story-%04d", "text", "author"))
        measure(isso_target, f"http://{HOST}:{port}", load_core, args.seconds, isso)
        targets.append(isso_target)
    finally:
        stop(isso)

    shutil.rmtree(work, ignore_errors=True)
    return {"date": datetime.now(timezone.utc).isoformat(timespec="seconds"), "machine": machine_info(),
            "seconds": args.seconds, "server_core": server_core, "load_core": load_core,
            "targets": {t.key: {"name": t.name, "read_paths": t.read_paths, **t.results} for t in targets}}


# --- report --------------------------------------------------------------------------------------

def report(result: dict) -> str:
    t = result["targets"]
    static, isso = t.get("static", {}), t.get("isso", {})
    lines = [f"Voxpop and Isso side by side, {result['date']}, {result['seconds']:g} s per measurement",
             f"{result['machine']['cpu']}, {result['machine']['cores']} cores; server pinned to core "
             f"{result['server_core']}, wrk to core {result['load_core']}", "",
             "Reads (200 = first page, 50 comments, of the 200-comment thread; 20 = the whole 20-comment thread)",
             f"{'server':<42} {'read':>7} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} {'of ceiling':>10} {'x Isso':>7}"]
    for key, target in t.items():
        for thread, connections in READS:
            r = target.get(f"read {thread}@{connections}")
            if not r:
                continue
            ceiling = static.get(f"read {thread}@{connections}", {}).get("per_s")
            base = isso.get(f"read {thread}@{connections}", {}).get("per_s")
            lines.append(f"{target['name']:<42} {thread + '@' + str(connections):>7} {r['per_s']:>8.0f} "
                         f"{r['p50_ms']:>7.2f} {r['p99_ms']:>7.2f} "
                         f"{(r['per_s'] / ceiling if ceiling else 0):>10.2f} {(r['per_s'] / base if base else 0):>7.1f}"
                         + (f"  ({r['refused']} non-2xx, {r['socket_errors']} socket errors)"
                            if r["refused"] or r["socket_errors"] else ""))
    lines += ["", f"Submissions at {POST_CONNECTIONS} connections (rate limits raised for the run: Voxpop "
              f"VOXPOP_RATE_LIMIT_*={RAISED}, Isso [guard] off)",
              f"{'server':<42} {'accepted/s':>10} {'refused':>8} {'p50 ms':>7} {'p99 ms':>7} {'x Isso':>7}"]
    base = isso.get(f"post@{POST_CONNECTIONS}", {}).get("per_s")
    for key, target in t.items():
        r = target.get(f"post@{POST_CONNECTIONS}")
        if r:
            lines.append(f"{target['name']:<42} {r['per_s']:>10.0f} {r['refused'] + r['socket_errors']:>8} "
                         f"{r['p50_ms']:>7.2f} {r['p99_ms']:>7.2f} {(r['per_s'] / base if base else 0):>7.1f}")
    lines += ["", "Server memory after the run (resident, all processes of the server)",
              f"{'server':<42} {'RSS MiB':>8} {'processes':>9}"]
    for target in t.values():
        lines.append(f"{target['name']:<42} {target['rss_mib']:>8.1f} {target['processes']:>9}")
    return "\n".join(lines) + "\n"


def machine_info() -> dict:
    cpu = "unknown CPU"
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                   if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version(),
            "load_average": [round(x, 2) for x in os.getloadavg()]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10, help="length of each measurement (default 10)")
    parser.add_argument("--skip-postgres", action="store_true", help="leave out Voxpop on PostgreSQL + Redis")
    parser.add_argument("--output", type=Path, default=HERE.parent / "results",
                        help="directory for compare-<date>.txt and .json (default bench/results)")
    args = parser.parse_args(argv)
    result = run(args)
    text = report(result)
    print(text)
    args.output.mkdir(parents=True, exist_ok=True)
    stem = args.output / f"compare-{result['date'][:10]}"
    stem.with_suffix(".txt").write_text(text)
    stem.with_suffix(".json").write_text(json.dumps(result, indent=2) + "\n")
    log(f"written {stem.with_suffix('.txt')} and .json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
