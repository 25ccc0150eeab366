"""Stopping a benchmarked server and showing the end of its log: shared by the bench scripts."""
import os
import signal
import subprocess
from pathlib import Path


def server_stop(server: subprocess.Popen) -> None:
    """SIGTERM the server's process group, then SIGKILL if it has not gone within 30 s."""
    if server.poll() is not None:
        return
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


def tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""
