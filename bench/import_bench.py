"""Import speed and peak memory of `voxpop import disqus` on generated Disqus exports (bench/README.md).

For each size (default 100,000, 300,000 and 1,000,000 comments) it writes a Disqus XML export to a
temporary file, streaming (the generator holds one post at a time), migrates a fresh SQLite
database in a temporary VOXPOP_DATA_DIR, creates one desk, and runs `voxpop import disqus FILE
--desk english` as a subprocess. It records the wall time, comments imported per second, and the
subprocess's peak resident memory (ru_maxrss from wait4), which should stay flat as the file grows:
the import streams the file and writes in batches of 1,000 comments.

The generated export looks like a news site's: one thread per 50 comments, HTML messages of one to
three paragraphs (links, entities, line breaks) in several scripts, 30 % replies (some to replies),
3 % spam, 2 % deleted, 5 % awaiting approval, every post with the e-mail and IP address Disqus
exports (never imported).

A size is skipped when the previous one's rate says it would take longer than --max-minutes.
Results go to bench/results/import-<date>-<largest size>k.json.

    python bench/import_bench.py [--sizes 100000,300000,1000000] [--max-minutes 14]
"""
import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VOXPOP = ROOT / ".venv" / "bin" / "voxpop"
PYTHON = ROOT / ".venv" / "bin" / "python"
COMMENTS_PER_THREAD = 50

SENTENCES = [
    "The night bus is the only way home for shift workers &amp; students.",
    "I took the ferry every day for ten years; the timetable never matched the buses.",
    "Who decided this without asking the people who live on the island?",
    "야간 버스가 없어지면 저는 집에 갈 방법이 없습니다.",
    "這條路線對夜班工人來說非常重要。",
    "Thanks for reporting this &mdash; the council meeting is on Tuesday.",
    "See the map at <a href=\"https://transit.example/routes/night\" rel=\"nofollow noopener\">transit.example/routes/...</a>",
    "Prices went up again &lt;sigh&gt; and nobody explained why.",
    "Excellent reporting.<br>Please follow up on the budget.",
    "ཞབས་ཞུ་འདི་ལ་ང་ཚོས་ཡིད་ཆེས་བྱེད།",
]
NAMES = ["Ana", "Ben", "민준", "陳大文", "Chloé", "Dawit", "Guest", "Hana", "Ivan", "Jo"]


def generate(path: Path, comments: int, seed: int = 7) -> int:
    """Write a Disqus export with `comments` posts; returns its size in bytes."""
    rng = random.Random(seed)
    threads = max(1, comments // COMMENTS_PER_THREAD)
    start = datetime(2019, 1, 1, tzinfo=timezone.utc)
    with open(path, "w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="utf-8"?>\n<disqus xmlns="http://disqus.com" '
                  'xmlns:dsq="http://disqus.com/disqus-internals" '
                  'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
                  '  <category dsq:id="1"><forum>benchnews</forum><title>General</title>'
                  '<isDefault>true</isDefault></category>\n')
        for t in range(threads):
            created = start + timedelta(hours=t)
            out.write(f'  <thread dsq:id="{1000000 + t}">\n    <id>article-{t}</id>\n    <forum>benchnews</forum>\n'
                      f'    <category dsq:id="1"/>\n    <link>https://news.example/{created:%Y/%m}/story-{t}/</link>\n'
                      f'    <title>Story number {t} &amp; its follow-up</title>\n    <message/>\n'
                      f'    <createdAt>{created:%Y-%m-%dT%H:%M:%SZ}</createdAt>\n'
                      '    <author><email>desk@news.example</email><name>Desk</name>'
                      '<isAnonymous>false</isAnonymous></author>\n'
                      '    <isClosed>false</isClosed>\n    <isDeleted>false</isDeleted>\n  </thread>\n')
        recent: dict[int, list[int]] = {}
        for p in range(comments):
            t = p * threads // comments
            post_id = 5000000 + p
            thread_posts = recent.setdefault(t, [])
            if len(recent) > 4:
                recent.pop(next(iter(recent)))
            parent = rng.choice(thread_posts) if thread_posts and rng.random() < 0.3 else None
            thread_posts.append(post_id)
            roll = rng.random()
            spam, deleted, pending = roll < 0.03, 0.03 <= roll < 0.05, 0.05 <= roll < 0.10
            paragraphs = "".join("<p>" + " ".join(rng.choice(SENTENCES) for _ in range(rng.randint(1, 3))) + "</p>"
                                 for _ in range(rng.randint(1, 3)))
            created = start + timedelta(hours=t, minutes=p % COMMENTS_PER_THREAD)
            out.write(f'  <post dsq:id="{post_id}">\n    <id/>\n    <message><![CDATA[{paragraphs}]]></message>\n'
                      f'    <createdAt>{created:%Y-%m-%dT%H:%M:%SZ}</createdAt>\n'
                      f'    <isDeleted>{str(deleted).lower()}</isDeleted>\n    <isSpam>{str(spam).lower()}</isSpam>\n'
                      + ('    <isApproved>false</isApproved>\n' if pending else '') +
                      f'    <author>\n      <email>reader{p % 9973}@mail.example</email>\n'
                      f'      <name>{rng.choice(NAMES)}</name>\n      <isAnonymous>true</isAnonymous>\n    </author>\n'
                      f'    <ipAddress>198.51.{p % 250}.{p % 199}</ipAddress>\n    <thread dsq:id="{1000000 + t}"/>\n'
                      + (f'    <parent dsq:id="{parent}"/>\n' if parent else '') + '  </post>\n')
        out.write("</disqus>\n")
    return path.stat().st_size


def run_measured(argv: list[str], env: dict) -> tuple[int, float, int, str, str, float]:
    """Run a subprocess; returns (exit code, wall seconds, peak RSS in KiB, stdout, stderr, CPU seconds)."""
    started = time.monotonic()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(argv, env=env, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        wall = time.monotonic() - started
        out.seek(0)
        err.seek(0)
        cpu = usage.ru_utime + usage.ru_stime
        return proc.returncode, wall, usage.ru_maxrss, out.read().decode(), err.read().decode(), cpu


def one_size(comments: int, workdir: Path, *, second_run: bool) -> dict:
    data_dir = workdir / f"data-{comments}"
    data_dir.mkdir()
    export = workdir / f"disqus-{comments}.xml"
    t0 = time.monotonic()
    size = generate(export, comments)
    generated = time.monotonic() - t0
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(VOXPOP_DATA_DIR=str(data_dir), VOXPOP_SECRET_KEY="bench-only-secret")
    subprocess.run([str(VOXPOP), "migrate"], env=env, check=True, stdout=subprocess.DEVNULL)
    subprocess.run([str(PYTHON), "-c", "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', "
                    "'voxpop.settings.base'); django.setup(); from voxpop.desks.models import Desk; "
                    "Desk.objects.create(key='english', name='English', languages=['en'])"], env=env, check=True)
    print(f"{comments:,} comments: file {size / 1e6:,.0f} MB written in {generated:.0f} s; importing ...", flush=True)
    code, wall, rss_kib, out, err, cpu = run_measured([str(VOXPOP), "import", "disqus", str(export), "--desk", "english"],
                                                 env)
    if code != 0:
        sys.exit(f"import failed ({code}):\n{err[-2000:]}")
    imported = int(re.search(r"comments imported: ([\d,]+)", out).group(1).replace(",", ""))
    reported = float(re.search(r" in ([\d,.]+) s", out).group(1).replace(",", ""))
    db_size = sum(f.stat().st_size for f in data_dir.glob("voxpop.sqlite3*"))
    # A second run: everything is already there, so this is the cost of checking and skipping.
    wall2 = cpu2 = rss2 = already = code2 = None
    if second_run:
        code2, wall2, rss2, out2, _, cpu2 = run_measured(
            [str(VOXPOP), "import", "disqus", str(export), "--desk", "english"], env)
        already = int(re.search(r"already imported by an earlier run: ([\d,]+)", out2).group(1).replace(",", ""))
    result = {
        "comments_in_file": comments, "file_bytes": size, "imported": imported,
        "wall_seconds": round(wall, 1), "import_pass_seconds": round(reported, 1),
        "check_pass_seconds": round(wall - reported, 1),
        "comments_per_second": round(imported / wall), "comments_per_second_import_pass": round(imported / reported),
        "cpu_seconds": round(cpu, 1), "comments_per_cpu_second": round(imported / cpu),
        "load_average_after": os.getloadavg()[0],
        "peak_rss_mib": round(rss_kib / 1024, 1), "database_bytes": db_size,
        "second_run": None if not second_run else {
            "wall_seconds": round(wall2, 1), "cpu_seconds": round(cpu2, 1), "already_imported": already,
            "peak_rss_mib": round(rss2 / 1024, 1), "exit": code2},
        "summary": out.strip().splitlines(),
    }
    print(f"  imported {imported:,} in {wall:,.0f} s ({result['comments_per_second']:,}/s overall, "
          f"{result['comments_per_second_import_pass']:,}/s in the import pass, {cpu:,.0f} s CPU), peak RSS "
          f"{result['peak_rss_mib']:,} MiB", flush=True)
    if second_run:
        print(f"  second run {wall2:,.0f} s ({cpu2:,.0f} s CPU), {already:,} already there, "
              f"peak RSS {rss2 / 1024:,.1f} MiB", flush=True)
    export.unlink()
    shutil.rmtree(data_dir)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="100000,300000,1000000")
    parser.add_argument("--max-minutes", type=float, default=14.0,
                        help="skip a size whose estimated import time exceeds this (default 14)")
    parser.add_argument("--second-run-max", type=int, default=300000,
                        help="run each import a second time (all already there) up to this size (default 300000)")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    results, skipped = [], []
    with tempfile.TemporaryDirectory(prefix="voxpop-import-bench-") as tmp:
        for comments in sizes:
            if results:
                last = results[-1]
                estimate = comments / last["comments_in_file"] * last["wall_seconds"]
                if estimate > args.max_minutes * 60:
                    print(f"{comments:,} comments skipped: estimated {estimate / 60:.0f} min from the last size")
                    skipped.append({"comments_in_file": comments, "estimated_seconds": round(estimate)})
                    continue
            results.append(one_size(comments, Path(tmp), second_run=comments <= args.second_run_max))
    report = {"date": date.today().isoformat(), "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
              "database": "SQLite (WAL, synchronous=FULL) in a temporary VOXPOP_DATA_DIR",
              "results": results, "skipped": skipped}
    largest = max((r["comments_in_file"] for r in results), default=0)
    out = ROOT / "bench" / "results" / f"import-{report['date']}-{largest // 1000}k.json"
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(f"written {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
