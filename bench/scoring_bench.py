"""Speed of scoring one comment (routing, every signal, the classifier), and what it adds to a submission.

    .venv/bin/python bench/scoring_bench.py          (or: make bench-scoring)

What it does, in order (see bench/README.md for the figures and how to read them):

1. Creates a throwaway VOXPOP_DATA_DIR with a SQLite database (WAL, as `voxpop demo` runs it),
   migrates it, and seeds 8 desks (English, Korean, Mandarin, Cantonese, Tibetan, Uyghur, Burmese,
   Khmer) with their house rules, stories (one in four sensitive), and a few thousand existing
   comments in 9 languages (the Cantonese desk gets written Cantonese and standard Chinese in
   Traditional characters) from ~600 commenter keys, each scored as at submission so that the duplicate bands,
   signal hits and commenter history the detectors query are there. 70 % of them are decided by
   a moderator (about a third rejected), and `voxpop.scoring.training.retrain` fits a classifier per
   language from those decisions, so the classifier's cost is in the figures.
2. Scoring: for each language and each length (short, ~80 characters; long, 2,000 characters)
   and each kind of text submits fresh comments (untimed) and times
   `voxpop.scoring.services.comment_score` on each, in this process, after a few untimed ones.
   Two kinds of text: "flood", sentences of corpus.py's small pools (a dozen per language), so
   every comment is a near-duplicate of hundreds of earlier ones, the duplicate detector's worst
   case; and "unique", words made of random letters of the same script, which match nothing.
   Reports p50/p99/max per comment, and comments per second per core (comments divided by the CPU
   seconds the process spent: one thread, one core). Then the same comments' time split by step
   (language, routing, each detector, classifier).
3. Submission: POST /api/v1/stories/<key>/comments through Django's test client (the whole
   middleware stack, the JSON parsing, the commit with `synchronous=FULL`, the intake) with scoring
   on, and with `voxpop.scoring.intake.comment_score` replaced by a no-op, alternating request by
   request so that both see the same machine. Reports p50/p99 of each.
4. Writes all of it to bench/results/scoring-<date>.json and removes the data dir.

Never part of `make test`. Uses only what Voxpop itself installs.
"""
import argparse
import json
import os
import platform
import random
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
sys.path.insert(0, str(BENCH_DIR))
sys.path.insert(0, str(ROOT))

import corpus  # noqa: E402  (bench/corpus.py, beside this file)

# (language, desk key) of the cases measured. corpus.py's "zh-Hant" pool is written Cantonese (嘅, 哋, 冇),
# which scoring rightly detects as yue: it is measured as "yue", and standard written Chinese in
# Traditional characters (below) as "zh-Hant", both on the Cantonese desk.
LANGUAGES = [("en", "english"), ("ko", "korean"), ("zh-Hans", "mandarin"), ("zh-Hant", "cantonese"),
             ("yue", "cantonese"), ("bo", "tibetan"), ("ug", "uyghur"), ("my", "burmese"), ("km", "khmer")]
SENTENCES = {**corpus.SENTENCES, "yue": corpus.SENTENCES["zh-Hant"], "zh-Hant": [
    "謝謝你們的報導，這件事本地媒體都不敢寫。",
    "我們村的水已經停了三個星期，沒有人來處理。",
    "去年政府也是這麼承諾的，結果什麼都沒有改變。",
    "希望記者能繼續跟進這個新聞。",
    "文章裡的數字是從哪裡來的？能否公佈原始資料？",
    "物價漲得太快了，普通人的薪水根本跟不上。",
    "老人看病越來越難，公車又減少了班次。",
    "這篇文章寫得很客觀，兩邊的意見都有。",
    "孩子們的學校明年就要關閉，家長們都很著急。",
]}
WORD_JOINER = {**corpus.WORD_JOINER, "zh-Hant": "", "yue": ""}
LENGTHS = {"short": 80, "long": 2000}
TEXTS = ("flood", "unique")
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--existing", type=int, default=3000, help="comments in the database before measuring")
    parser.add_argument("--per-case", "-n", type=int, default=200, help="timed comments per language and length")
    parser.add_argument("--warmup", type=int, default=10, help="untimed comments before each case")
    parser.add_argument("--requests", type=int, default=400, help="timed submissions, half with scoring on")
    parser.add_argument("--no-classifier", action="store_true", help="measure without training a classifier")
    parser.add_argument("--keep", action="store_true", help="keep the data dir (printed) for investigation")
    parser.add_argument("--output", type=Path, default=None,
                        help="results file (default: bench/results/scoring-<date>.json)")
    args = parser.parse_args(argv)

    data_dir = Path(tempfile.mkdtemp(prefix="voxpop-scoring-bench-"))
    for name in ("DATABASE_URL", "REDIS_URL"):
        os.environ.pop(name, None)  # SQLite in the data dir, the per-process memory cache
    os.environ.update({
        "VOXPOP_DATA_DIR": str(data_dir), "VOXPOP_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_SETTINGS_MODULE": "voxpop.settings.base", "VOXPOP_ALLOWED_HOSTS": "testserver,localhost",
    })
    import django
    django.setup()
    try:
        results = run(args)
    finally:
        if args.keep:
            log(f"data dir kept: {data_dir}")
        else:
            shutil.rmtree(data_dir, ignore_errors=True)
    output = args.output or BENCH_DIR / "results" / f"scoring-{time.strftime('%Y-%m-%d')}.json"
    output.parent.mkdir(exist_ok=True)
    output.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    log(f"results written to {output.relative_to(ROOT) if output.is_relative_to(ROOT) else output}")
    return 0


def run(args) -> dict:
    from django.core.management import call_command

    started = time.perf_counter()
    load_at_start = [round(x, 2) for x in os.getloadavg()]
    call_command("migrate", verbosity=0)
    rng = random.Random(20261201)
    newsroom = seed(rng, existing=args.existing)
    log(f"seeded {newsroom['comments']} comments ({newsroom['decided']} decided) in {newsroom['seconds']:.1f} s")
    classifier_note = train(skip=args.no_classifier)
    log(f"classifier: {classifier_note}")
    commit_ms = commit_floor()
    log(f"one small write transaction (the fsync floor): p50 {commit_ms['p50_ms']:.2f} ms, "
        f"p99 {commit_ms['p99_ms']:.2f} ms")

    scoring = {}
    for text in TEXTS:
        for language, desk in LANGUAGES:
            for length_name, length in LENGTHS.items():
                case = f"{language} {length_name} {text}"
                r = scoring[case] = score_case(rng, newsroom, language=language, length=length, text=text,
                                               n=args.per_case, warmup=args.warmup)
                log(f"{case:<20} p50 {r['p50_ms']:6.2f} ms  p99 {r['p99_ms']:6.2f} ms  CPU p99 {r['cpu_p99_ms']:6.2f} ms  "
                    f"{r['per_core_per_s']:5.0f} comments/s/core  duplicates {r['flagged_duplicate']}")
    submission = submission_case(rng, newsroom, requests=args.requests)
    print_tables(scoring, submission)
    return {
        "date": time.strftime("%Y-%m-%d"), "machine": machine(), "load_average_at_start": load_at_start, "seed": {k: v for k, v in newsroom.items()
                                                                            if k in ("comments", "decided", "seconds")},
        "classifier": classifier_note, "commit": commit_ms, "scoring": scoring, "submission": submission,
        "seconds": round(time.perf_counter() - started, 1),
    }


# -- Seeding ------------------------------------------------------------------------------------------

def seed(rng: random.Random, *, existing: int) -> dict:
    from voxpop.accounts.models import User
    from voxpop.accounts.services import moderator_save
    from voxpop.comments.services import comment_submit
    from voxpop.desks.models import Desk, HouseRule
    from voxpop.desks.services import house_rules_set
    from voxpop.moderation.services import comment_approve, comment_reject
    from voxpop.scoring.services import comment_score
    from voxpop.stories.services import story_upsert

    started = time.perf_counter()
    desks, stories = {}, {}
    for language, key in LANGUAGES:
        name, story_language, languages = corpus.DESKS[key]
        if key not in desks:
            desks[key] = Desk.objects.create(key=key, name=name, languages=languages)
            house_rules_set(desk=desks[key], language=story_language, texts=corpus.RULES[story_language],
                            now=NOW - timedelta(days=30))
        stories[language] = [story_upsert(key=f"{key}-{language}-{i}", fields={
            "title": f"Story {i} of the {key} desk", "url": f"https://news.example/{key}/{i}",
            "language": story_language, "desk": desks[key], "published_at": NOW - timedelta(days=8),
            "sensitive": i % 4 == 0,
        }, now=NOW - timedelta(days=8))[0] for i in range(4)]
    moderator = moderator_save(username="bench", password=secrets.token_urlsafe(12), role=User.Role.MODERATOR,
                               desk_keys=list(desks))[0]
    rules = {desk: HouseRule.objects.filter(desk=desks[desk], retired_at=None).order_by("number").first()
             for desk in desks}
    keys = [secrets.token_hex(16) for _ in range(600)]
    decided = 0
    for i in range(existing):
        language, desk = LANGUAGES[i % len(LANGUAGES)]
        at = NOW - timedelta(days=7) + timedelta(seconds=i * (7 * 86400 - 3600) / max(existing, 1))
        body = seed_body(rng, language)
        comment = comment_submit(story=rng.choice(stories[language]), body=body, display_name="", parent_id=None,
                                 submission_key=None, commenter_key=rng.choice(keys), now=at).comment
        comment_score(comment=comment, now=at)
        if rng.random() < 0.7:
            decided += 1
            common = {"comment_id": comment.pk, "revision_id": comment.current_revision_id, "moderator": moderator,
                      "now": at + timedelta(minutes=30)}
            # Rejections lean towards links and phone numbers, so the classifier has something to learn.
            if rng.random() < (0.8 if ("http" in body or "Call 0" in body) else 0.3):
                comment_reject(rule=rules[desk], note="", **common)
            else:
                comment_approve(**common)
        if (i + 1) % 1000 == 0:
            log(f"  {i + 1} comments seeded")
    return {"comments": existing, "decided": decided, "seconds": time.perf_counter() - started,
            "stories": stories, "keys": keys}


def seed_body(rng: random.Random, language: str) -> str:
    """corpus.comment_body, for the languages of this bench (one to three sentences, a few longer letters)."""
    pool, joiner = SENTENCES[language], WORD_JOINER[language]
    roll = rng.random()
    count = rng.randint(1, 3) if roll < 0.55 else rng.randint(2, 5) if roll < 0.92 else rng.randint(8, 30)
    body = joiner.join(rng.choices(pool, k=count))
    extra = rng.random()
    if extra < 0.04:
        body += f"\n\nMore here: https://example.org/report/{rng.randint(1000, 99999)}"
    elif extra < 0.06:
        body += f"\n\nCall 0{rng.randint(400, 499)} {rng.randint(100, 999)} {rng.randint(100, 999)}"
    return body[:2900]


def train(*, skip: bool) -> str:
    """Fit the classifiers from the seeded decisions, if the training module is there."""
    if skip:
        return "not trained (--no-classifier): risk_for answers 'no model yet' for every language"
    try:
        from voxpop.scoring.training import retrain
    except ImportError as error:
        return f"not trained: voxpop.scoring.training is not ready ({error})"
    started = time.perf_counter()
    results = retrain(now=NOW - timedelta(minutes=10))
    trained = sorted(r.evaluation.language for r in results if r.version)
    return f"trained for {', '.join(trained) or 'no language'} in {time.perf_counter() - started:.1f} s"


def commit_floor(n: int = 100) -> dict:
    """What one small committed write costs here: SQLite in WAL mode with synchronous=FULL syncs the log."""
    from voxpop.desks.models import Desk

    desk = Desk.objects.order_by("pk").first()
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        Desk.objects.filter(pk=desk.pk).update(name=desk.name)
        times.append((time.perf_counter() - t0) * 1000)
    return {"p50_ms": round(percentile(times, 50), 3), "p99_ms": round(percentile(times, 99), 3)}


# -- Scoring ------------------------------------------------------------------------------------------

def body_of_length(rng: random.Random, language: str, length: int) -> str:
    """A fresh comment of `length` code points (cut at the length), now and then with a phone number or link."""
    pool, joiner = SENTENCES[language], WORD_JOINER[language]
    parts, size = [], 0
    while size < length + 40:
        sentence = rng.choice(pool)
        if rng.random() < 0.3:  # numbers keep bodies apart, as real comments are; not a duplicate flood
            sentence = f"{sentence}{joiner}{rng.randint(2, 999)}"
        parts.append(sentence)
        size += len(sentence) + len(joiner)
    body = joiner.join(parts)
    extra = rng.random()
    if extra < 0.1:
        body = f"Call 0{rng.randint(400, 499)} {rng.randint(100, 999)} {rng.randint(100, 999)}. " + body
    elif extra < 0.2:
        body = f"https://example.org/report/{rng.randint(1000, 99999)} " + body
    return body[:length].strip()


def unique_body(rng: random.Random, language: str, length: int) -> str:
    """`length` code points of made-up words: letters of the language's script in random order."""
    letters = letter_inventory(language)
    words, size = [], 0
    while size < length:
        word = "".join(rng.choices(letters, k=rng.randint(2, 7)))
        words.append(word)
        size += len(word) + 1
    return " ".join(words)[:length].strip()


_INVENTORY: dict[str, list[str]] = {}


def letter_inventory(language: str) -> list[str]:
    if language not in _INVENTORY:
        import unicodedata
        _INVENTORY[language] = sorted({c for sentence in SENTENCES[language] for c in sentence
                                       if unicodedata.category(c)[0] == "L"})
    return _INVENTORY[language]


def score_case(rng, newsroom, *, language: str, length: int, text: str, n: int, warmup: int) -> dict:
    from voxpop.comments.models import Comment
    from voxpop.comments.services import comment_submit
    from voxpop.scoring import classifier, routing
    from voxpop.scoring import language as language_module
    from voxpop.scoring.services import comment_score
    from voxpop.scoring.signals import DETECTORS, Context

    comments = []
    for i in range(warmup + n):
        key = rng.choice(newsroom["keys"]) if rng.random() < 0.7 else secrets.token_hex(16)
        comments.append(comment_submit(
            story=rng.choice(newsroom["stories"][language]),
            body=(body_of_length if text == "flood" else unique_body)(rng, language, length),
            display_name="", parent_id=None, submission_key=None, commenter_key=key,
            now=NOW - timedelta(seconds=warmup + n - i)).comment)
    wall, cpu, failed, detected, duplicates = [], [], 0, {}, 0
    for i, comment in enumerate(comments):
        comment = Comment.objects.select_related("story", "current_revision").get(pk=comment.pk)
        c0, t0 = time.process_time(), time.perf_counter()
        assessment = comment_score(comment=comment, now=NOW)
        t1, c1 = time.perf_counter(), time.process_time()
        if i < warmup:
            continue
        wall.append((t1 - t0) * 1000)
        cpu.append((c1 - c0) * 1000)
        if assessment is None:
            failed += 1
        else:
            detected[assessment.language] = detected.get(assessment.language, 0) + 1
            duplicates += "duplicate" in assessment.signal_names()

    # The same comments again, step by step, outside comment_score (no writes): where the time goes.
    steps: dict[str, list[float]] = {}

    def timed(name, fn):
        t0 = time.perf_counter()
        value = fn()
        steps.setdefault(name, []).append((time.perf_counter() - t0) * 1000)
        return value

    for comment in comments[warmup:]:
        comment = Comment.objects.select_related("story", "current_revision").get(pk=comment.pk)
        body = comment.current_revision.body
        tag = timed("language", lambda: language_module.detect_language(body))
        desk_obj = timed("routing", lambda: routing.desk_for(language=tag, story=comment.story))
        context = Context(comment=comment, body=body, language=tag, desk=desk_obj, story=comment.story, now=NOW)
        for detect in DETECTORS:
            timed(f"signal {detect.__module__.rsplit('.', 1)[-1]}", lambda: detect(context))
        timed("classifier", lambda: classifier.risk_for(text=body, language=tag))

    return {
        "comments": len(wall), "chars": length, "failed": failed, "detected": detected,
        "flagged_duplicate": duplicates,
        "p50_ms": round(percentile(wall, 50), 3), "p90_ms": round(percentile(wall, 90), 3),
        "p99_ms": round(percentile(wall, 99), 3), "max_ms": round(max(wall), 3),
        "mean_ms": round(statistics.fmean(wall), 3),
        "cpu_p50_ms": round(percentile(cpu, 50), 3), "cpu_p99_ms": round(percentile(cpu, 99), 3),
        "per_core_per_s": round(len(cpu) * 1000 / sum(cpu), 1) if sum(cpu) else None,
        "steps_p50_ms": {name: round(percentile(times, 50), 3) for name, times in steps.items()},
        "steps_p99_ms": {name: round(percentile(times, 99), 3) for name, times in steps.items()},
    }


# -- Submission ---------------------------------------------------------------------------------------

def submission_case(rng, newsroom, *, requests: int) -> dict:
    from django.test import Client

    from voxpop.scoring import intake

    real_score = intake.comment_score
    client = Client()
    times = {"on": [], "off": []}
    cpu_times = {"on": [], "off": []}
    statuses = {}
    warmup = 20
    for i in range(warmup + requests):
        language, _desk = rng.choice(LANGUAGES)
        length = LENGTHS["long"] if rng.random() < 0.2 else LENGTHS["short"]
        story = rng.choice(newsroom["stories"][language])
        mode = "on" if i % 2 else "off"
        intake.comment_score = real_score if mode == "on" else (lambda **kwargs: None)
        payload = json.dumps({"body": body_of_length(rng, language, length), "display_name": ""})
        address = f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
        c0, t0 = time.process_time(), time.perf_counter()
        response = client.post(f"/api/v1/stories/{story.key}/comments", payload, content_type="application/json",
                               REMOTE_ADDR=address)
        elapsed, cpu = (time.perf_counter() - t0) * 1000, (time.process_time() - c0) * 1000
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        if i >= warmup:
            times[mode].append(elapsed)
            cpu_times[mode].append(cpu)
    intake.comment_score = real_score
    result = {"statuses": statuses}
    for mode, values in times.items():
        result[mode] = {"requests": len(values), "p50_ms": round(percentile(values, 50), 3),
                        "p90_ms": round(percentile(values, 90), 3), "p99_ms": round(percentile(values, 99), 3),
                        "max_ms": round(max(values), 3), "cpu_p50_ms": round(percentile(cpu_times[mode], 50), 3),
                        "cpu_p99_ms": round(percentile(cpu_times[mode], 99), 3)}
    return result


# -- Reporting ----------------------------------------------------------------------------------------

def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = (len(ordered) - 1) * q / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def print_tables(scoring: dict, submission: dict) -> None:
    print()
    print("| comment_score, ms |" + "".join(f" {t} p50 | p99 | CPU p50 | CPU p99 | /s/core |" for t in TEXTS))
    print("|-------------------|" + "----:|----:|----:|----:|----:|" * len(TEXTS))
    for language, _desk in LANGUAGES:
        for length_name in LENGTHS:
            row = [scoring[f"{language} {length_name} {t}"] for t in TEXTS]
            print(f"| {language + ' ' + length_name:<17} |" + "".join(
                f" {r['p50_ms']:.1f} | {r['p99_ms']:.1f} | {r['cpu_p50_ms']:.1f} | {r['cpu_p99_ms']:.1f} | "
                f"{r['per_core_per_s']:.0f} |" for r in row))
    steps = sorted({name for r in scoring.values() for name in r["steps_p50_ms"]})
    print()
    print("Median ms per step:")
    print("| case | " + " | ".join(steps) + " |")
    for case, r in scoring.items():
        print(f"| {case} | " + " | ".join(f"{r['steps_p50_ms'].get(s, 0):.3f}" for s in steps) + " |")
    print()
    print("| POST /api/v1/stories/<key>/comments |  p50 ms |  p90 ms |  p99 ms |  max ms | CPU p50 | CPU p99 |")
    print("|-------------------------------------|--------:|--------:|--------:|--------:|--------:|--------:|")
    for mode in ("off", "on"):
        r = submission[mode]
        print(f"| scoring {mode:<27} | {r['p50_ms']:7.2f} | {r['p90_ms']:7.2f} | {r['p99_ms']:7.2f} | "
              f"{r['max_ms']:7.2f} | {r['cpu_p50_ms']:7.2f} | {r['cpu_p99_ms']:7.2f} |")
    print(f"statuses: {submission['statuses']}")


def machine() -> dict:
    return {"python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count(),
            "load_average": [round(x, 2) for x in os.getloadavg()]}


if __name__ == "__main__":
    sys.exit(main())
