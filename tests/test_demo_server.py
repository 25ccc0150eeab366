"""`voxpop demo` from nothing: migrates SQLite, loads the newsroom, serves with the production server (granian)."""
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def demo_server(tmp_path):
    port = _free_port()
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "REDIS_URL", "VOXPOP_SECRET_KEY", "DJANGO_SETTINGS_MODULE")}
    env["VOXPOP_DATA_DIR"] = str(tmp_path / "data")
    voxpop = Path(sys.executable).with_name("voxpop")
    proc = subprocess.Popen([str(voxpop), "demo", "--port", str(port)], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=2)
                break
            except OSError:
                assert proc.poll() is None, proc.stdout.read()
                time.sleep(0.25)
        else:
            pytest.fail("voxpop demo did not answer /healthz within 30 s")
        yield base, proc, tmp_path / "data"
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)


def test_demo_serves_articles_with_a_production_server(demo_server):
    """The demo answers on its port through granian, with its SQLite database in the data dir."""
    base, proc, data_dir = demo_server
    page = urllib.request.urlopen(f"{base}/demo/articles/demo-island-library/", timeout=10).read().decode()

    assert "섬마을" in page and 'lang="ko"' in page
    assert (data_dir / "voxpop.sqlite3").exists() and (data_dir / "demo-moderator.json").exists()
    os.killpg(proc.pid, signal.SIGTERM)
    output = proc.communicate(timeout=30)[0]
    assert "granian" in output and "demo-moderator" in output and "password:" in output
