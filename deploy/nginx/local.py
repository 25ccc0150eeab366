"""Run deploy/nginx/voxpop.conf on loopback: for tests/deploy and bench/compare, never in production.

`voxpop_conf_render` rewrites exactly the lines an operator would change (ports, upstream, cache
directory, certificate) and fails if one of them is no longer in the file, so the tests and the
benchmark always run the shipped configuration, not a copy of it. `nginx_start` wraps it in a main
configuration of its own (pid file, logs and temporary files in a work directory) and starts Debian's
nginx in the foreground as a child process. Standard library only.
"""
import os
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

CONF = Path(__file__).resolve().parent / "voxpop.conf"
NGINX = "/usr/sbin/nginx"


def nginx_path() -> str | None:
    """Debian's nginx binary, or None when it is not installed."""
    return shutil.which("nginx") or (NGINX if os.access(NGINX, os.X_OK) else None)


def voxpop_conf_render(*, work_dir: Path, upstream: str, https_port: int, http_port: int,
                       certificate: tuple[Path, Path] | None) -> str:
    """The shipped configuration with loopback ports, `upstream` (host:port) and paths in `work_dir`.

    certificate: (certificate, key) to keep TLS on `https_port`; None serves plain http there instead.
    """
    text = CONF.read_text()
    replacements = [
        ("/var/cache/nginx/voxpop", str(work_dir / "cache")),
        ("/var/log/nginx/voxpop-error.log", str(work_dir / "voxpop-error.log")),
        ("server 127.0.0.1:8000;", f"server {upstream};"),
        ("listen 80;", f"listen 127.0.0.1:{http_port};"),
        ("listen [::]:80;", ""),
        ("listen [::]:443 ssl http2;", ""),
    ]
    if certificate:
        replacements += [
            ("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;"),
            ("/etc/ssl/certs/comments.news.example.pem", str(certificate[0])),
            ("/etc/ssl/private/comments.news.example.key", str(certificate[1])),
        ]
    else:
        replacements += [("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port};")]
    for old, new in replacements:
        if text.count(old) != 1:
            raise ValueError(f"{CONF.name} no longer has exactly one {old!r}; update {Path(__file__).name}")
        text = text.replace(old, new)
    if not certificate:
        text = "\n".join(line for line in text.splitlines() if not line.strip().startswith("ssl_"))
    return text


def main_conf(*, work_dir: Path, http_block: str, workers: int = 1) -> str:
    """A complete nginx.conf around `http_block`, keeping every file nginx writes in `work_dir`."""
    for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi", "cache"):
        (work_dir / name).mkdir(parents=True, exist_ok=True)
    # Started as root, nginx would switch its workers to `nobody`, who cannot enter a private temp dir.
    user = "user root root;\n" if os.geteuid() == 0 else ""
    return (f"{user}daemon off;\nworker_processes {workers};\npid {work_dir}/nginx.pid;\n"
            f"error_log {work_dir}/error.log warn;\n"
            "events { worker_connections 4096; }\n"
            "http {\n"
            "    include /etc/nginx/mime.types;\n"
            "    default_type application/octet-stream;\n"
            f"    access_log off;\n"
            f"    client_body_temp_path {work_dir}/client_body;\n"
            f"    proxy_temp_path {work_dir}/proxy;\n"
            f"    fastcgi_temp_path {work_dir}/fastcgi;\n"
            f"    uwsgi_temp_path {work_dir}/uwsgi;\n"
            f"    scgi_temp_path {work_dir}/scgi;\n"
            f"{http_block}\n}}\n")


def nginx_start(*, work_dir: Path, http_block: str, probe_url: str, prefix: list[str] = (),
                workers: int = 1) -> subprocess.Popen:
    """Start nginx with `http_block` (checked with `nginx -t` first) and wait until `probe_url` answers.

    prefix: a command to run nginx under, e.g. ["taskset", "-c", "0"].
    """
    conf = work_dir / "nginx.conf"
    conf.write_text(main_conf(work_dir=work_dir, http_block=http_block, workers=workers))
    binary = nginx_path()
    if binary is None:
        raise FileNotFoundError("nginx is not installed (Debian: apt-get install nginx-light)")
    check = subprocess.run([binary, "-t", "-q", "-c", str(conf), "-p", str(work_dir)], capture_output=True, text=True)
    if check.returncode != 0:
        raise RuntimeError(f"nginx -t refused the configuration:\n{check.stderr}")
    process = subprocess.Popen([*prefix, binary, "-c", str(conf), "-p", str(work_dir)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"nginx exited: {process.stderr.read().decode(errors='replace')}")
        try:
            urllib.request.urlopen(probe_url, timeout=2)
            return process
        except urllib.error.HTTPError:
            return process  # any HTTP answer means nginx is up
        except OSError:
            time.sleep(0.1)
    process.terminate()
    raise RuntimeError(f"nginx did not answer {probe_url} within 15 s")


def nginx_stop(process: subprocess.Popen) -> None:
    """Stop nginx quickly (SIGTERM to its master, which ends its workers)."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
