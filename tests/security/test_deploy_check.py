"""Production settings (voxpop.settings.production): Django's deploy check passes without a warning,
and a half-configured server refuses to start instead of running insecurely.
"""
import os
import re
import runpy
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.core.checks import run_checks
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

import voxpop.settings.test

VOXPOP = Path(sys.executable).with_name("voxpop")
CHECK_DEPLOY = ("import django; django.setup(); from django.core.management import call_command; "
                "call_command('check', deploy=True)")
ONE_YEAR = 365 * 24 * 3600


def production_env(tmp_path, **overrides) -> dict:
    """A clean environment for the production settings; `None` removes a variable."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("VOXPOP_", "DJANGO_")) and k not in ("DATABASE_URL", "REDIS_URL")}
    env.update({
        "DJANGO_SETTINGS_MODULE": "voxpop.settings.production",
        "VOXPOP_SECRET_KEY": secrets.token_urlsafe(50),
        "VOXPOP_ALLOWED_HOSTS": "comments.news.example",
        "VOXPOP_DATA_DIR": str(tmp_path / "data"),
    })
    env.update(overrides)
    return {k: v for k, v in env.items() if v is not None}


def check_deploy(env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", CHECK_DEPLOY], env=env, capture_output=True, text=True, timeout=120)


def production_settings(monkeypatch, tmp_path, **overrides) -> dict:
    """The production module's settings for this environment, read in this process."""
    for name in [k for k in os.environ if k.startswith("VOXPOP_")]:
        monkeypatch.delenv(name)
    for name, value in production_env(tmp_path, **overrides).items():
        if name.startswith("VOXPOP_"):
            monkeypatch.setenv(name, value)
    return runpy.run_module("voxpop.settings.production")


# The deploy check


def test_check_deploy_passes_with_no_warning(tmp_path):
    """`manage.py check --deploy` with the production settings and a proper environment: no issue at all."""
    result = check_deploy(production_env(tmp_path))

    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "WARNINGS" not in output and "(security." not in output, output
    assert "System check identified no issues" in output


def test_voxpop_manage_check_deploy_passes_behind_a_tls_proxy(tmp_path):
    """The operator's own `voxpop manage check --deploy`, behind a proxy that redirects to https itself
    and marks https requests with a header: still no warning."""
    env = production_env(tmp_path, VOXPOP_SSL_REDIRECT="0", VOXPOP_TRUSTED_PROXY_HEADER="X-Forwarded-Proto",
                         VOXPOP_CSRF_TRUSTED_ORIGINS="https://comments.news.example",
                         VOXPOP_ALLOWED_HOSTS="comments.news.example,cms.internal")

    result = subprocess.run([str(VOXPOP), "manage", "check", "--deploy"], env=env, capture_output=True, text=True,
                            timeout=120)

    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "WARNINGS" not in output and "(security." not in output, output


SECURITY_SETTINGS = re.compile(r"^(SECURE_|SESSION_COOKIE_|CSRF_|DEBUG$|ALLOWED_HOSTS$|SECRET_KEY$|"
                               r"SILENCED_SYSTEM_CHECKS$|X_FRAME_OPTIONS$)")


def deploy_check_ids(monkeypatch, tmp_path, **overrides) -> set[str]:
    """The deploy check's findings for these production settings, run in this process."""
    production = production_settings(monkeypatch, tmp_path, **overrides)
    with override_settings(**{k: v for k, v in production.items() if SECURITY_SETTINGS.match(k)}):
        return {message.id for message in run_checks(include_deployment_checks=True)
                if message.id.startswith("security.") and not message.is_silenced()}


def test_deploy_check_in_process_is_clean_too(monkeypatch, tmp_path):
    """The in-process variant below sees the same clean result as the real command."""
    assert deploy_check_ids(monkeypatch, tmp_path) == set()


@pytest.mark.parametrize("overrides,warning", [
    ({"VOXPOP_HSTS_SECONDS": "0"}, "security.W004"),
])
def test_deploy_check_still_warns_about_a_weakened_setting(monkeypatch, tmp_path, overrides, warning):
    """The check is not silenced wholesale: switching HSTS off is reported."""
    assert warning in deploy_check_ids(monkeypatch, tmp_path, **overrides)


def test_only_the_operators_explicit_choices_are_silenced(monkeypatch, tmp_path):
    """W008 (no https redirect) is silenced only with VOXPOP_SSL_REDIRECT=0; W021 (no preload) only while
    preload is off; nothing else ever."""
    default = production_settings(monkeypatch, tmp_path)
    proxied = production_settings(monkeypatch, tmp_path, VOXPOP_SSL_REDIRECT="0")
    preloaded = production_settings(monkeypatch, tmp_path, VOXPOP_HSTS_PRELOAD="1")

    assert default["SILENCED_SYSTEM_CHECKS"] == ["security.W021"]
    assert proxied["SILENCED_SYSTEM_CHECKS"] == ["security.W008", "security.W021"]
    assert preloaded["SILENCED_SYSTEM_CHECKS"] == []
    assert preloaded["SECURE_HSTS_PRELOAD"] is True


# What the production settings are


def test_production_settings_are_https_only(monkeypatch, tmp_path):
    """HSTS for a year with subdomains, secure cookies, redirect to https, DEBUG off whatever VOXPOP_DEBUG says."""
    s = production_settings(monkeypatch, tmp_path, VOXPOP_DEBUG="1")

    assert s["DEBUG"] is False
    assert s["SECURE_HSTS_SECONDS"] == ONE_YEAR and s["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert s["SESSION_COOKIE_SECURE"] is True and s["CSRF_COOKIE_SECURE"] is True
    assert s["SECURE_SSL_REDIRECT"] is True
    assert s["SECURE_PROXY_SSL_HEADER"] is None, "no proxy header is trusted unless configured"
    assert s["CSRF_TRUSTED_ORIGINS"] == []
    assert s["ALLOWED_HOSTS"] == ["comments.news.example"]


def test_hsts_and_redirect_are_configurable(monkeypatch, tmp_path):
    """VOXPOP_HSTS_SECONDS sets the max-age; VOXPOP_SSL_REDIRECT=0 leaves redirecting to the proxy."""
    s = production_settings(monkeypatch, tmp_path, VOXPOP_HSTS_SECONDS="600", VOXPOP_SSL_REDIRECT="0")

    assert s["SECURE_HSTS_SECONDS"] == 600
    assert s["SECURE_SSL_REDIRECT"] is False


@pytest.mark.parametrize("raw,expected", [
    ("X-Forwarded-Proto", ("HTTP_X_FORWARDED_PROTO", "https")),
    ("X-Forwarded-Proto: https", ("HTTP_X_FORWARDED_PROTO", "https")),
    ("X-Forwarded-Ssl: on", ("HTTP_X_FORWARDED_SSL", "on")),
])
def test_trusted_proxy_header_is_explicit(monkeypatch, tmp_path, raw, expected):
    """The header that marks a request as https is the one VOXPOP_TRUSTED_PROXY_HEADER names."""
    s = production_settings(monkeypatch, tmp_path, VOXPOP_TRUSTED_PROXY_HEADER=raw)

    assert s["SECURE_PROXY_SSL_HEADER"] == expected


def test_csrf_trusted_origins_come_from_the_environment(monkeypatch, tmp_path):
    """VOXPOP_CSRF_TRUSTED_ORIGINS is a comma-separated list of https origins."""
    s = production_settings(monkeypatch, tmp_path,
                            VOXPOP_CSRF_TRUSTED_ORIGINS="https://comments.news.example, https://news.example")

    assert s["CSRF_TRUSTED_ORIGINS"] == ["https://comments.news.example", "https://news.example"]


def _test_settings_key() -> str:
    source = Path(voxpop.settings.test.__file__).read_text()
    return re.search(r'setdefault\("VOXPOP_SECRET_KEY", "([^"]+)"\)', source).group(1)


@pytest.mark.parametrize("overrides,complaint", [
    ({"VOXPOP_SECRET_KEY": None}, "VOXPOP_SECRET_KEY is required"),
    ({"VOXPOP_SECRET_KEY": "   "}, "VOXPOP_SECRET_KEY is required"),
    ({"VOXPOP_SECRET_KEY": "x" * 60}, "too short or too simple"),
    ({"VOXPOP_SECRET_KEY": secrets.token_urlsafe(30)}, "too short or too simple"),
    ({"VOXPOP_SECRET_KEY": _test_settings_key()}, "demo or test key"),
    ({"VOXPOP_SECRET_KEY": "django-insecure-" + secrets.token_urlsafe(50)}, "demo or test key"),
    ({"VOXPOP_ALLOWED_HOSTS": None}, "VOXPOP_ALLOWED_HOSTS is required"),
    ({"VOXPOP_ALLOWED_HOSTS": " , "}, "VOXPOP_ALLOWED_HOSTS is required"),
    ({"VOXPOP_ALLOWED_HOSTS": "*"}, "'*' is not accepted"),
    ({"VOXPOP_HSTS_SECONDS": "a year"}, "VOXPOP_HSTS_SECONDS"),
    ({"VOXPOP_SSL_REDIRECT": "maybe"}, "VOXPOP_SSL_REDIRECT"),
    ({"VOXPOP_TRUSTED_PROXY_HEADER": "X Forwarded Proto"}, "VOXPOP_TRUSTED_PROXY_HEADER"),
    ({"VOXPOP_CSRF_TRUSTED_ORIGINS": "http://comments.news.example"}, "https origins"),
    ({"VOXPOP_CSRF_TRUSTED_ORIGINS": "comments.news.example"}, "https origins"),
])
def test_half_configured_production_refuses_to_start(monkeypatch, tmp_path, overrides, complaint):
    """A missing, weak or published secret, no host names or a malformed value: ImproperlyConfigured, saying what."""
    with pytest.raises(ImproperlyConfigured, match=re.escape(complaint)):
        production_settings(monkeypatch, tmp_path, **overrides)


def test_the_demos_own_key_is_refused(monkeypatch, tmp_path):
    """The key `voxpop demo` generated in the data directory is not a production secret."""
    demo_key = secrets.token_urlsafe(50)
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "secret_key").write_text(demo_key)

    with pytest.raises(ImproperlyConfigured, match="demo or test key"):
        production_settings(monkeypatch, tmp_path, VOXPOP_SECRET_KEY=demo_key)


# `voxpop serve` runs the production settings; `voxpop demo` keeps the base ones (tests/test_demo_server.py)


def test_serve_refuses_to_start_without_a_secret(tmp_path):
    """Even with the demo's key file in the data directory, `voxpop serve` wants VOXPOP_SECRET_KEY."""
    env = production_env(tmp_path, DJANGO_SETTINGS_MODULE=None, VOXPOP_SECRET_KEY=None)
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "secret_key").write_text(secrets.token_urlsafe(50))

    result = subprocess.run([str(VOXPOP), "serve", "--port", str(_free_port())], env=env, capture_output=True,
                            text=True, timeout=60)

    assert result.returncode != 0
    assert "VOXPOP_SECRET_KEY is required in production" in result.stderr


def test_serve_refuses_to_start_without_host_names(tmp_path):
    """`voxpop serve --host` does not stand in for VOXPOP_ALLOWED_HOSTS in production."""
    env = production_env(tmp_path, DJANGO_SETTINGS_MODULE=None, VOXPOP_ALLOWED_HOSTS=None)

    result = subprocess.run([str(VOXPOP), "serve", "--host", "127.0.0.2", "--port", str(_free_port())], env=env,
                            capture_output=True, text=True, timeout=60)

    assert result.returncode != 0
    assert "VOXPOP_ALLOWED_HOSTS is required" in result.stderr


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _get(url: str, **headers):
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        return opener.open(urllib.request.Request(url, headers=headers), timeout=10)
    except urllib.error.HTTPError as error:
        return error


@pytest.fixture
def production_server(tmp_path):
    port = _free_port()
    env = production_env(tmp_path, DJANGO_SETTINGS_MODULE=None, VOXPOP_ALLOWED_HOSTS="127.0.0.1",
                         VOXPOP_TRUSTED_PROXY_HEADER="X-Edge-Scheme: https")
    proc = subprocess.Popen([str(VOXPOP), "serve", "--port", str(port), "--workers", "1"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
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
            pytest.fail("voxpop serve did not answer /healthz within 30 s")
        yield base
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)


def test_serve_runs_https_only(production_server):
    """`voxpop serve`: plain http is redirected to https (health probes excepted); https answers carry HSTS."""
    plain = _get(f"{production_server}/api/v1/openapi.json")
    probe = _get(f"{production_server}/healthz")
    secure = _get(f"{production_server}/healthz", **{"X-Edge-Scheme": "https"})

    assert plain.status == 301 and plain.headers["Location"].startswith("https://127.0.0.1:")
    assert probe.status == 200 and "Strict-Transport-Security" not in probe.headers
    assert secure.status == 200
    assert secure.headers["Strict-Transport-Security"] == f"max-age={ONE_YEAR}; includeSubDomains"
    assert "frame-ancestors 'none'" in plain.headers["Content-Security-Policy"]
