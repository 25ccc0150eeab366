"""The `voxpop` command: everything an operator does, one subcommand each."""
import argparse
import os
import secrets
import signal
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from voxpop.embed.cli import add_site_commands


# `serve` runs behind HTTPS with secure cookies and HSTS; `demo` keeps the base settings for plain
# http on 127.0.0.1. An explicit DJANGO_SETTINGS_MODULE wins for both.
PRODUCTION_SETTINGS = "voxpop.settings.production"


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    return args.handler(args) or 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="voxpop", description="Voxpop: pre-moderated reader comments.")
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")

    demo = sub.add_parser("demo", help="migrate, load the demo newsroom if empty, and serve it")
    _server_arguments(demo)
    demo.set_defaults(handler=cmd_demo)

    serve = sub.add_parser("serve", help="serve with the production server (granian)")
    _server_arguments(serve)
    serve.add_argument("--workers", type=int, default=None,
                       help="worker processes (default: 2 per CPU core, at least 2)")
    serve.set_defaults(handler=cmd_serve)

    migrate = sub.add_parser("migrate", help="create or upgrade the database schema")
    migrate.set_defaults(handler=cmd_migrate)

    mod = sub.add_parser("createmoderator", help="create or update a moderator; prints the TOTP provisioning URI")
    mod.add_argument("username")
    mod.add_argument("--password", help="sign-in password (default: keep it, or generate one for a new user)")
    mod.add_argument("--role", choices=["moderator", "editor", "admin"], default="moderator")
    mod.add_argument("--desk", action="append", default=[], metavar="KEY", help="a desk to assign (repeatable)")
    mod.set_defaults(handler=cmd_createmoderator)

    token = sub.add_parser("createtoken", help="print a new API token for a user, alone on standard output")
    token.add_argument("username")
    token.set_defaults(handler=cmd_createtoken)

    code = sub.add_parser("totp-code", help="print a moderator's current sign-in code (for the demo, or an "
                                            "operator without the authenticator app at hand)")
    code.add_argument("username")
    code.set_defaults(handler=cmd_totp_code)

    purge = sub.add_parser("purge", help="delete the text, names and keys of comments pending or rejected for longer "
                                         "than VOXPOP_RETENTION_DAYS; safe to run hourly (cron, systemd timer)")
    purge.add_argument("--days", type=_positive_days, default=None,
                       help="retention period for this run (default: VOXPOP_RETENTION_DAYS, 90 unless set)")
    purge.add_argument("--dry-run", action="store_true", help="count what is due without changing anything")
    purge.set_defaults(handler=cmd_purge)

    retrain = sub.add_parser("retrain", help="train each language's approve/reject classifier from the moderators' "
                                             "decisions and print a per-language report (run from cron or a worker)")
    retrain.add_argument("--min-per-class", type=_count, default=None, metavar="N",
                         help="approvals and rejections a language needs before it gets a model (default: 30)")
    retrain.set_defaults(handler=cmd_retrain)

    evaluate = sub.add_parser("evaluate", help="measure the classifier on a labelled file: precision, recall and "
                                               "ROC AUC per language, trained on the earlier 80%% and tested on "
                                               "the latest 20%%; stores nothing")
    evaluate.add_argument("file", metavar="FILE", help='JSON lines {"text", "label": "approve"|"reject", '
                                                       '"language"?}, oldest first ("-": standard input)')
    evaluate.add_argument("--min-per-class", type=_count, default=None, metavar="N",
                          help="approvals and rejections a language needs to be measured (default: 30)")
    evaluate.set_defaults(handler=cmd_evaluate)

    export = sub.add_parser(
        "export-decisions", help="write the moderators' decisions as labelled JSON lines for `voxpop evaluate`",
        description="Write each comment's first moderator decision as a JSON line {text, label, language, "
                    "decided_at}, oldest first. The file holds readers' comment text, rejected comments "
                    "included: it is for the newsroom's own use, like the database itself. Keep it on "
                    "the newsroom's machines and delete it when done.")
    export.add_argument("file", metavar="FILE", nargs="?", help="write here, readable by its owner only "
                                                                "(default: standard output)")
    export.add_argument("--desk", metavar="KEY", help="only comments routed to this desk")
    export.add_argument("--since", type=_date, metavar="YYYY-MM-DD", help="only decisions on or after this day (UTC)")
    export.set_defaults(handler=cmd_export_decisions)

    hooks = sub.add_parser("webhooks", help="signed webhooks: add an endpoint, list them, run the delivery worker")
    hooks_sub = hooks.add_subparsers(title="webhooks commands", metavar="COMMAND")
    deliver = hooks_sub.add_parser(
        "deliver", help="send queued webhooks: a worker loop (run one or more under systemd or a supervisor)",
        description="Send the deliveries queued with each decision, retrying failures with backoff. Runs until "
                    "stopped (SIGTERM or Ctrl-C end it after the current delivery); any number of workers may "
                    "run at once, on any hosts.")
    deliver.add_argument("--once", action="store_true", help="one pass over what is due now, then exit (for cron)")
    deliver.add_argument("--poll", type=float, default=2.0, metavar="SECONDS",
                         help="how long an idle worker waits before looking again (default: 2)")
    deliver.set_defaults(handler=cmd_webhooks_deliver)
    add = hooks_sub.add_parser(
        "add", help="register an endpoint; prints its signing secret, alone on standard output, this once",
        description="Register a URL to receive signed webhooks. The signing secret is printed once, alone on "
                    "standard output; store it with the receiver.")
    add.add_argument("url", metavar="URL", help="https:// (or http://) URL that receives the POSTs")
    add.add_argument("--event", action="append", default=[], metavar="EVENT", choices=_webhook_events(),
                     help=f"an event to receive (repeatable; default: all): {', '.join(_webhook_events())}")
    add.set_defaults(handler=cmd_webhooks_add)
    hooks_list = hooks_sub.add_parser("list", help="list the endpoints with their queued and dead deliveries")
    hooks_list.set_defaults(handler=cmd_webhooks_list)
    hooks.set_defaults(handler=lambda args: hooks.print_help() or 2)

    add_site_commands(sub, setup=_setup)

    importer = sub.add_parser(
        "import", help="import old comments (Disqus XML, WordPress WXR, an Isso database) or restore an export",
        description="Import the comments of an old system: each thread becomes a story (an existing story with "
                    "the same key is used as it is), each comment a Voxpop comment in plain text with its "
                    "author's name, date, reply and approval state. Safe to run again: what an earlier run "
                    "imported is skipped. `voxpop import voxpop FILE` restores a `voxpop export` file into an "
                    "empty database.")
    importer.add_argument("format", choices=["disqus", "wordpress", "isso", "voxpop"], metavar="FORMAT",
                          help="disqus, wordpress, isso, or voxpop (a `voxpop export` file)")
    importer.add_argument("file", metavar="FILE")
    importer.add_argument("--desk", metavar="KEY", help="the desk of the new stories and their comments (required "
                                                        "except for voxpop)")
    importer.add_argument("--language", metavar="TAG", help="language of the new stories (default: the desk's first)")
    importer.add_argument("--base-url", metavar="URL", help="site address that makes relative thread URLs absolute "
                                                            "(needed for Isso, whose threads are paths)")
    importer.add_argument("--story-key", choices=["path", "id"], default="path",
                          help="derive story keys from the URL path (default) or the site's own id of the thread "
                               "(Disqus identifier, WordPress post id)")
    importer.add_argument("--as-pending", action="store_true",
                          help="import every comment as pending, for moderators to read before it is published")
    importer.set_defaults(handler=cmd_import)

    exporter = sub.add_parser(
        "export", help="write everything (stories, comments with all revisions, decisions, house rules, ...) "
                       "as JSON lines that `voxpop import voxpop` reads back",
        description="Write the newsroom's data as JSON lines: desks, house rules, moderators (without passwords "
                    "or second factors), stories, comments with every revision, decisions. No secrets. The file "
                    "holds every comment's text, pending and rejected ones included: keep it on the newsroom's "
                    "machines.")
    exporter.add_argument("file", metavar="FILE", nargs="?", help="write here, readable by its owner only "
                                                                  "(default: standard output)")
    exporter.add_argument("--include-commenter-keys", action="store_true",
                          help="also write the pseudonymous commenter keys (linkable across comments) and the holds "
                               "and bans on them")
    exporter.set_defaults(handler=cmd_export)

    manage = sub.add_parser("manage", help="run a Django management command (for maintenance)")
    manage.add_argument("rest", nargs=argparse.REMAINDER)
    manage.set_defaults(handler=cmd_manage)
    return parser


def _webhook_events() -> list[str]:
    # The names only, before Django is set up (the models module cannot be imported yet).
    return ["comment.published", "comment.edited", "comment.unpublished", "comment.rejected", "story.created"]


def _positive_days(value: str) -> int:
    if not value.isdecimal() or int(value) < 1:
        raise argparse.ArgumentTypeError("a whole number of days, at least 1")
    return int(value)


def _count(value: str) -> int:
    if not value.isdecimal():
        raise argparse.ArgumentTypeError("a whole number, 0 or more")
    return int(value)


def _date(value: str) -> datetime:
    try:
        return datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=timezone.utc)
    except ValueError:
        raise argparse.ArgumentTypeError("a day as YYYY-MM-DD") from None


def _server_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "voxpop.settings.base")
    import django  # deferred: settings must see the environment the command prepared
    from django.core.exceptions import ImproperlyConfigured

    try:
        django.setup()
    except ImproperlyConfigured as error:
        sys.exit(f"voxpop: {error}")


def _data_dir() -> Path:
    path = Path(os.environ.get("VOXPOP_DATA_DIR", "var")).resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def _allow_host(host: str) -> None:
    if "VOXPOP_ALLOWED_HOSTS" not in os.environ and host not in ("127.0.0.1", "localhost", "::1", "0.0.0.0"):
        os.environ["VOXPOP_ALLOWED_HOSTS"] = f"localhost,127.0.0.1,[::1],{host}"


def cmd_demo(args) -> int:
    data_dir = _data_dir()
    secret_file = data_dir / "secret_key"
    if not os.environ.get("VOXPOP_SECRET_KEY") and not secret_file.exists():
        secret_file.write_text(secrets.token_urlsafe(50))
        secret_file.chmod(0o600)
    _allow_host(args.host)
    _setup()
    from django.core.management import call_command

    from voxpop.common import clock
    from voxpop.site.demo import demo_is_loaded, demo_load
    from voxpop.stories.models import Story

    call_command("migrate", interactive=False, verbosity=0)
    _thread_cache_reset()
    credentials = data_dir / "demo-moderator.json"
    if not demo_is_loaded() and not Story.objects.exists():
        demo_load(now=clock.now(), credentials_file=credentials)
    _print_demo_banner(args.host, args.port, credentials)
    return _exec_server(args.host, args.port, workers=2)


def _thread_cache_reset() -> None:
    """Cached threads in the data directory may come from another database (one deleted and made
    anew): a server starting on it renders every thread afresh. Not with Redis, shared by every app
    host: one host's restart would make all of them render everything again."""
    from voxpop.common.thread_cache import threads_changed_everywhere

    threads_changed_everywhere()


def _print_demo_banner(host: str, port: int, credentials: Path) -> None:
    import json

    from voxpop.site.demo import DEMO_ARTICLES

    base = f"http://{'127.0.0.1' if host == '0.0.0.0' else host}:{port}"
    lines = ["", "Voxpop demo newsroom", f"  Home page:        {base}/"]
    lines += [f"  Article:          {base}/demo/articles/{key}/" for key in DEMO_ARTICLES]
    lines += [f"  Thread (embed):   {base}/stories/{next(iter(DEMO_ARTICLES))}/comments/",
              f"  API:              {base}/api/v1/stories  (OpenAPI: {base}/api/v1/openapi.json)"]
    if credentials.exists():
        c = json.loads(credentials.read_text())
        lines += ["", f"Moderation workspace: {base}/moderation/",
                  "Demo moderator (admin, all desks):", f"  username: {c['username']}", f"  password: {c['password']}",
                  f"  TOTP URI: {c['otp_uri']}  (add it to an authenticator app,",
                  f"            or print the current code with: voxpop totp-code {c['username']})",
                  f"  API token: {c['token']}", "",
                  "Approve a waiting comment:",
                  f"  curl -s -H 'Authorization: Bearer {c['token']}' {base}/api/v1/moderation/queue",
                  f"  curl -s -H 'Authorization: Bearer {c['token']}' -H 'Content-Type: application/json' \\",
                  f"       -d '{{\"action\": \"approve\", \"revision\": REVISION}}' "
                  f"{base}/api/v1/moderation/comments/ID/decisions"]
    print("\n".join(lines) + "\n", flush=True)


def cmd_serve(args) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", PRODUCTION_SETTINGS)
    if os.environ["DJANGO_SETTINGS_MODULE"] != PRODUCTION_SETTINGS:
        _allow_host(args.host)  # production names its hosts itself (VOXPOP_ALLOWED_HOSTS is required)
    _setup()
    if not os.environ.get("REDIS_URL", "").strip():
        _thread_cache_reset()  # the cached threads are files in this data directory, beside its database
    return _exec_server(args.host, args.port, workers=args.workers or default_workers())


def default_workers() -> int:
    """Two worker processes per core this process may run on (its CPU affinity, which `taskset` or a
    container's cpuset narrows), at least two: one can render while the other waits on the database."""
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # no affinity on this platform
        usable = os.cpu_count() or 1
    return max(2, 2 * usable)


RESTARTS_MAX, RESTART_WINDOW_SECONDS = 3, 60


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def _exec_server(host: str, port: int, *, workers: int) -> int:
    """Serve with granian (a Rust HTTP server with a WSGI interface) until stopped.

    Chosen over gunicorn for the read path: a cached thread costs Python only the WSGI call, and
    granian's HTTP handling in Rust answered about twice as many cached reads per core as gunicorn's
    gthread workers when the server was chosen (docs/deploy.md). Each worker process runs the app in
    4 threads, so one waiting on the database does not hold the others.
    """
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "voxpop.settings.base")
    from granian import Granian
    from granian.constants import HTTPModes, Interfaces

    from voxpop.common.access_log import ACCESS_FORMAT, logging_config

    sys.stdout.flush()
    restarts: list[float] = []
    while True:
        server = Granian(
            "voxpop.wsgi:application", address=host, port=port, interface=Interfaces.WSGI, workers=workers,
            blocking_threads=4, http=HTTPModes.http1, websockets=False,
            # A worker that dies (killed, out of memory) is replaced; one that hangs on shutdown is ended.
            respawn_failed_workers=True, respawn_interval=0.5, workers_kill_timeout=20,
            # No addresses, user agents or query strings, and receipt tokens cut out (G5, G6).
            log_dictconfig=logging_config(), log_access=True, log_access_format=ACCESS_FORMAT)
        try:
            server.serve()
        except SystemExit:  # granian ends with exit status 1 after a crash loop
            pass
        if server.interrupt_signal:  # SIGINT or SIGTERM: the operator stopped it
            return 0
        # granian gives up when a worker dies again within seconds of being replaced ("crash loop"):
        # start over, unless that keeps happening, which is a fault for the supervisor (systemd) to see.
        now = time.monotonic()
        restarts = [t for t in restarts if now - t < RESTART_WINDOW_SECONDS] + [now]
        if len(restarts) > RESTARTS_MAX:
            print(f"voxpop: workers kept dying ({RESTARTS_MAX} restarts within {RESTART_WINDOW_SECONDS} s); "
                  "stopping", file=sys.stderr, flush=True)
            return 1
        print("voxpop: workers died repeatedly; starting the server again in 1 s", file=sys.stderr, flush=True)
        # The stopped server's signal handlers are still installed and would swallow a SIGTERM now.
        signal.signal(signal.SIGTERM, _interrupt)
        try:
            time.sleep(1)
        except KeyboardInterrupt:
            return 0


def cmd_migrate(args) -> int:
    _setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False)
    return 0


def cmd_createmoderator(args) -> int:
    _setup()
    from voxpop.accounts.models import User
    from voxpop.accounts.services import UnknownDesk, moderator_save

    password = args.password
    generated = not password and not User.objects.filter(username=args.username).exists()
    if generated:
        password = secrets.token_urlsafe(12)
    try:
        user, device = moderator_save(username=args.username, password=password, role=args.role,
                                      desk_keys=args.desk)
    except UnknownDesk as error:
        print(f"voxpop: no desk with key: {error}", file=sys.stderr)
        return 1
    print(f"Moderator {user.username} ({user.role}), desks: {', '.join(d.key for d in user.desks.all()) or '-'}")
    if generated:
        print(f"Password: {password}")
    print(f"TOTP provisioning URI: {device.config_url}")
    return 0


def cmd_createtoken(args) -> int:
    _setup()
    from voxpop.accounts.models import User
    from voxpop.accounts.services import api_token_create
    from voxpop.common import clock

    user = User.objects.filter(username=args.username).first()
    if user is None:
        print(f"voxpop: no user named {args.username!r}; create one with `voxpop createmoderator`", file=sys.stderr)
        return 1
    print(api_token_create(user=user, now=clock.now()))
    return 0


def cmd_totp_code(args) -> int:
    _setup()
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user__username=args.username, confirmed=True).first()
    if device is None:
        print(f"voxpop: {args.username!r} has no TOTP device; run `voxpop createmoderator`", file=sys.stderr)
        return 1
    print(f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):0{device.digits}d}")
    return 0


def cmd_purge(args) -> int:
    _setup()
    from voxpop.common import clock
    from voxpop.moderation.retention import retention_days, retention_due, retention_purge
    from voxpop.scoring.signals.duplicates import duplicate_bands_purge
    from voxpop.webhooks.services import delivery_log_purge

    days = args.days or retention_days()
    if args.dry_run:
        summary, verb = retention_due(now=clock.now(), days=days), "due"
    else:
        summary, verb = retention_purge(now=clock.now(), days=days), "done"
    print(f"Retention {days} days (cutoff {summary.cutoff:%Y-%m-%d %H:%M} UTC), {verb}: "
          f"{summary.expired} pending comment(s) expired, {summary.rejected} rejected comment(s) purged.")
    if not args.dry_run:
        print(f"Flood detection: {duplicate_bands_purge(now=clock.now())} hash band(s) older than 30 days deleted.")
        print(f"Webhooks: {delivery_log_purge(now=clock.now())} delivered or superseded delivery record(s) older "
              "than 30 days deleted.")
    return 0


def cmd_retrain(args) -> int:
    _setup()
    from voxpop.common import clock
    from voxpop.scoring import training

    minimum = training.MIN_PER_CLASS if args.min_per_class is None else args.min_per_class
    results = training.retrain(now=clock.now(), min_per_class=minimum)
    print(training.retrain_report(results, min_per_class=minimum))
    return 0


def cmd_evaluate(args) -> int:
    _setup()
    from voxpop.scoring import training

    try:
        if args.file == "-":
            labelled = training.labelled_read(sys.stdin.buffer)
        else:
            with open(args.file, "rb") as lines:
                labelled = training.labelled_read(lines)
    except OSError as error:
        print(f"voxpop: cannot read {args.file}: {error.strerror}", file=sys.stderr)
        return 1
    except training.LabelledFileError as error:
        print(f"voxpop: {args.file}, {error}", file=sys.stderr)
        return 1
    if not labelled:
        print(f"voxpop: {args.file} holds no labelled comments", file=sys.stderr)
        return 1
    minimum = training.MIN_PER_CLASS if args.min_per_class is None else args.min_per_class
    print(training.evaluation_report(training.evaluate(labelled, min_per_class=minimum)))
    return 0


def cmd_export_decisions(args) -> int:
    _setup()
    from voxpop.desks.models import Desk
    from voxpop.scoring import training

    if args.desk and not Desk.objects.filter(key=args.desk).exists():
        print(f"voxpop: no desk with key: {args.desk}", file=sys.stderr)
        return 1
    if not args.file:
        count = training.examples_export(sys.stdout, since=args.since, desk=args.desk)
        print(f"{count} labelled comments written", file=sys.stderr)
        return 0
    try:
        # Comment text, rejected comments included: readable by the owner only.
        descriptor = os.open(args.file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.fchmod(descriptor, 0o600)  # an existing file keeps its mode otherwise
    except OSError as error:
        print(f"voxpop: cannot write {args.file}: {error.strerror}", file=sys.stderr)
        return 1
    with open(descriptor, "w", encoding="utf-8") as out:
        count = training.examples_export(out, since=args.since, desk=args.desk)
    print(f"{count} labelled comments written to {args.file}", file=sys.stderr)
    return 0


def cmd_webhooks_deliver(args) -> int:
    _setup()
    import signal
    import threading

    from voxpop.common import clock
    from voxpop.webhooks.delivery import worker_run

    stop = threading.Event()
    # The delivery in flight finishes and is recorded; then the worker exits.
    previous = {signum: signal.signal(signum, lambda *_: stop.set()) for signum in (signal.SIGTERM, signal.SIGINT)}
    if not args.once:
        print(f"Webhook worker started (pid {os.getpid()}); stop it with SIGTERM or Ctrl-C.", flush=True)
    try:
        total = worker_run(clock=clock.now, stop=stop, once=args.once, poll=max(args.poll, 0.1))
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    print(f"Webhooks: {total.delivered} delivered, {total.retry} to retry, {total.dead} dead.", flush=True)
    return 0


def cmd_webhooks_add(args) -> int:
    _setup()
    from voxpop.common import clock
    from voxpop.webhooks.models import Event
    from voxpop.webhooks.services import EndpointRefused, endpoint_create

    try:
        endpoint, secret = endpoint_create(url=args.url, events=args.event or list(Event.values), now=clock.now())
    except EndpointRefused as refused:
        print(f"voxpop: {refused.reason}", file=sys.stderr)
        return 1
    print(f"Endpoint {endpoint.pk}: {endpoint.url}\nEvents: {', '.join(endpoint.events)}\n"
          "Signing secret on standard output; it is not shown again.", file=sys.stderr)
    print(secret)
    return 0


def cmd_webhooks_list(args) -> int:
    _setup()
    from django.db.models import Count, Q

    from voxpop.webhooks.models import Endpoint

    endpoints = Endpoint.objects.annotate(
        queued=Count("deliveries", filter=Q(deliveries__next_attempt_at__isnull=False)),
        dead=Count("deliveries", filter=Q(deliveries__dead=True, deliveries__superseded_at__isnull=True)))
    for e in endpoints:
        print(f"{e.pk}\t{'active' if e.active else 'disabled'}\t{e.url}\t{','.join(e.events)}\t"
              f"queued {e.queued}\tdead {e.dead}")
    return 0


def cmd_import(args) -> int:
    _setup()
    from voxpop.transfer.commands import import_run

    return import_run(fmt=args.format, path=args.file, desk_key=args.desk, language=args.language,
                      base_url=args.base_url, key_from=args.story_key, as_pending=args.as_pending)


def cmd_export(args) -> int:
    _setup()
    from voxpop.transfer.commands import export_run

    return export_run(path=args.file, include_commenter_keys=args.include_commenter_keys)


def cmd_manage(args) -> int:
    _setup()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["voxpop manage", *args.rest])
    return 0


if __name__ == "__main__":
    sys.exit(main())
