"""deploy/nginx/voxpop.conf in front of a live `voxpop serve`: TLS, the thread micro-cache, posts, X-Forwarded-For.

The shipped file runs as it is, with only its ports, upstream, cache directory and certificate
rewritten (deploy/nginx/local.py), under Debian's nginx on loopback. Readers connect from their own
loopback addresses (127.0.0.2, 127.0.0.3) while nginx reaches the app from 127.0.0.1, the one
address in VOXPOP_TRUSTED_PROXIES, so the app can tell a reader's address from the proxy's.
Without nginx the module is skipped, except under CI=true, where it fails.
"""
import http.client
import importlib.util
import json
import os
import secrets
import socket
import sqlite3
import ssl
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
VOXPOP = Path(sys.executable).parent / "voxpop"
STORY = "harbour-buses"
PUBLISHED = "The night bus timetable was posted at the harbour stop."

_spec = importlib.util.spec_from_file_location("nginx_local", ROOT / "deploy" / "nginx" / "local.py")
nginx_local = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(nginx_local)

if nginx_local.nginx_path() is None:
    if os.environ.get("CI") == "true":
        pytest.fail("nginx is not installed; `make test` installs it (Makefile: nginx)", pytrace=False)
    pytest.skip("nginx is not installed (apt-get install nginx-light)", allow_module_level=True)

SEED = f"""
from datetime import datetime, timezone
from voxpop.accounts.services import moderator_save
from voxpop.comments.models import Comment, CommentRevision
from voxpop.desks.models import Desk
from voxpop.moderation.services import comment_approve
from voxpop.stories.models import Story
now = datetime.now(timezone.utc)
desk = Desk.objects.create(key="english", name="English", languages=["en"])
story = Story.objects.create(key={STORY!r}, title="Night buses", url="https://news.example.org/buses", language="en",
                             desk=desk, published_at=now, created_at=now, updated_at=now)
comment = Comment.objects.create(story=story, display_name="Mina", language="en", desk=desk, created_at=now,
                                 fingerprint="seed")
comment.current_revision = CommentRevision.objects.create(comment=comment, number=1, body={PUBLISHED!r},
                                                          created_at=now)
comment.save(update_fields=["current_revision"])
moderator, _ = moderator_save(username="erin", password=None, role="moderator", desk_keys=["english"])
comment_approve(comment_id=comment.pk, revision_id=comment.current_revision_id, moderator=moderator, now=now)
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text()
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"{url} did not answer within 60 s:\n{log.read_text()}")


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    """`voxpop serve` on SQLite with one published comment, and nginx with the shipped configuration."""
    work = tmp_path_factory.mktemp("deploy")
    env = {k: v for k, v in os.environ.items() if not k.startswith("VOXPOP_")
           and k not in ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(VOXPOP_DATA_DIR=str(work / "data"), VOXPOP_SECRET_KEY=secrets.token_urlsafe(50),
               VOXPOP_ALLOWED_HOSTS="localhost,127.0.0.1", VOXPOP_TRUSTED_PROXIES="127.0.0.1/32",
               VOXPOP_TRUSTED_PROXY_HEADER="X-Forwarded-Proto", VOXPOP_HSTS_SECONDS="0")
    subprocess.run([str(VOXPOP), "migrate"], env=env, check=True, capture_output=True)
    subprocess.run([str(VOXPOP), "manage", "shell", "-c", SEED], env=env, check=True, capture_output=True)

    certificate = (work / "cert.pem", work / "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-days", "1", "-subj", "/CN=localhost", "-keyout", str(certificate[1]),
                    "-out", str(certificate[0])], check=True, capture_output=True)

    app_port, https_port, http_port = _free_port(), _free_port(), _free_port()
    app_log = work / "app.log"
    with open(app_log, "wb") as log:
        app = subprocess.Popen([str(VOXPOP), "serve", "--host", "127.0.0.1", "--port", str(app_port),
                                "--workers", "2"], env=env, stdout=log, stderr=subprocess.STDOUT,
                               start_new_session=True)
    nginx = None
    try:
        _wait_for(f"http://127.0.0.1:{app_port}/healthz", app, app_log)
        conf = nginx_local.voxpop_conf_render(work_dir=work, upstream=f"127.0.0.1:{app_port}",
                                              https_port=https_port, http_port=http_port, certificate=certificate)
        nginx = nginx_local.nginx_start(work_dir=work, http_block=conf,
                                        probe_url=f"http://127.0.0.1:{http_port}/healthz")
        yield {"app_port": app_port, "https_port": https_port, "http_port": http_port,
               "database": work / "data" / "voxpop.sqlite3"}
    finally:
        if nginx is not None:
            nginx_local.nginx_stop(nginx)
        os.killpg(app.pid, 15)
        app.wait(timeout=30)


def _request(stack, method: str, path: str, *, reader: str, via_nginx: bool, body: dict | None = None,
             headers: dict | None = None) -> tuple[int, dict, bytes]:
    """One request from the loopback address `reader`, through nginx (https) or straight to the app."""
    if via_nginx:
        context = ssl.create_default_context()
        context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
        conn = http.client.HTTPSConnection("127.0.0.1", stack["https_port"], timeout=10,
                                           source_address=(reader, 0), context=context)
    else:
        conn = http.client.HTTPConnection("127.0.0.1", stack["app_port"], timeout=10, source_address=(reader, 0))
        headers = {"X-Forwarded-Proto": "https", **(headers or {})}  # as if through TLS; the peer is untrusted
    all_headers = {"Host": "localhost", **(headers or {})}
    payload = None
    if body is not None:
        payload = json.dumps(body).encode()
        all_headers["Content-Type"] = "application/json"
    try:
        conn.request(method, path, body=payload, headers=all_headers)
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def _post_comment(stack, text: str, **kwargs) -> str:
    """Post a comment; return the commenter key the app stored for it."""
    status, _, body = _request(stack, "POST", f"/api/v1/stories/{STORY}/comments", body={"body": text}, **kwargs)
    assert status == 202, body
    with sqlite3.connect(stack["database"]) as db:
        (key,) = db.execute("SELECT commenter_key FROM comments_comment WHERE id = ?",
                            (json.loads(body)["id"],)).fetchone()
    return key


def test_thread_read_through_nginx_is_served_from_its_cache_the_second_time(stack):
    """The first read of a thread reaches the app (MISS); the next one within max-age is a HIT, same bytes."""
    path = f"/api/v1/stories/{STORY}/comments"
    status, headers, first = _request(stack, "GET", path, reader="127.0.0.2", via_nginx=True)
    assert status == 200 and headers["x-cache-status"] == "MISS"
    assert PUBLISHED in json.loads(first)["comments"][0]["body"]
    assert headers["cache-control"].startswith("public")

    status, headers, second = _request(stack, "GET", path, reader="127.0.0.3", via_nginx=True)
    assert status == 200 and headers["x-cache-status"] == "HIT"
    assert second == first


def test_thread_page_is_cached_without_any_cookie(stack):
    """The reader's HTML thread is cached by nginx and sets no cookie, so no reader's state is shared."""
    path = f"/stories/{STORY}/comments/"
    statuses = [_request(stack, "GET", path, reader="127.0.0.2", via_nginx=True) for _ in range(2)]
    assert [s for s, _, _ in statuses] == [200, 200]
    assert statuses[1][1]["x-cache-status"] == "HIT"
    assert PUBLISHED in statuses[1][2].decode()
    assert not any("set-cookie" in h for _, h, _ in statuses)


def test_comment_post_through_nginx_is_received(stack):
    """A reader's comment posted through nginx is acknowledged and stored, and never cached."""
    status, headers, body = _request(stack, "POST", f"/api/v1/stories/{STORY}/comments", reader="127.0.0.2",
                                     via_nginx=True, body={"body": "Posted through the proxy."})
    assert status == 202 and json.loads(body)["status"] == "pending"
    assert headers.get("x-cache-status", "") in ("", "BYPASS")
    with sqlite3.connect(stack["database"]) as db:
        assert db.execute("SELECT count(*) FROM comments_commentrevision WHERE body = ?",
                          ("Posted through the proxy.",)).fetchone() == (1,)


def test_body_over_the_apps_limit_is_refused_by_nginx(stack):
    """A request body over 64 KiB is refused with 413 before it reaches an app worker."""
    status, _, _ = _request(stack, "POST", f"/api/v1/stories/{STORY}/comments", reader="127.0.0.2",
                            via_nginx=True, body={"body": "x" * 70_000})
    assert status == 413


def test_reader_address_comes_from_x_forwarded_for_only_through_the_trusted_proxy(stack):
    """Through nginx the app keys a reader by their own address; a forged X-Forwarded-For claims nothing."""
    via_nginx = _post_comment(stack, "First, through nginx.", reader="127.0.0.2", via_nginx=True)
    direct = _post_comment(stack, "Second, straight to the app.", reader="127.0.0.2", via_nginx=False)
    assert via_nginx == direct  # nginx passed 127.0.0.2 on, and the app believed it

    forged_via_nginx = _post_comment(stack, "Third, claiming to be 127.0.0.2.", reader="127.0.0.3", via_nginx=True,
                                     headers={"X-Forwarded-For": "127.0.0.2"})
    forged_direct = _post_comment(stack, "Fourth, claiming it to the app.", reader="127.0.0.3", via_nginx=False,
                                  headers={"X-Forwarded-For": "127.0.0.2"})
    assert forged_via_nginx == forged_direct != via_nginx


def test_health_probe_answers_on_plain_http(stack):
    """A load balancer probing /healthz and /readyz over http gets the app's 200 (the Host is passed on)."""
    for path in ("/healthz", "/readyz"):
        conn = http.client.HTTPConnection("127.0.0.1", stack["http_port"], timeout=10)
        try:
            conn.request("GET", path, headers={"Host": "localhost"})
            assert conn.getresponse().status == 200, path
        finally:
            conn.close()
