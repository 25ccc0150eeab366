"""The read path: published threads answered from the cache before Django is even entered.

A thread under a viral story is read thousands of times a second and changes only when a
moderator publishes something. This WSGI layer answers a read of a thread (the page, its HTML
fragment, its JSON) from a cached rendering when the story's generations still match
(voxpop.common.thread_cache): no request object, no middleware, no database. Anything else, and
every miss, goes to Django; a miss is rendered by one request at a time per page (single flight)
while the others get the previous rendering, or wait briefly for the new one.

Cached bytes hold nothing about any reader. The form token (voxpop.reader.form_token) is filled in
when a page is sent, from a placeholder in the cached copy.
"""
import logging
import re
import threading
import time
from collections import OrderedDict
from urllib.parse import parse_qsl

from django.conf import settings
from django.http.request import split_domain_port, validate_host

from voxpop.embed.cors import wsgi_cors_headers

from voxpop.common import thread_cache
from voxpop.common.thread_cache import Entry

from .form_token import new_form_token

log = logging.getLogger(__name__)

# Set by this layer so the views leave the placeholder in place and mark what may be stored.
ENVIRON_FLAG = "voxpop.thread_cache"
STORE_HEADER = "X-Voxpop-Thread-Cache"
TOKEN_PLACEHOLDER = "vp-form-token-placeholder"
_PLACEHOLDER_BYTES = TOKEN_PLACEHOLDER.encode()

_ROUTES = [
    ("page", re.compile(r"/stories/(?P<key>[^/]+)/comments/\Z")),
    ("fragment", re.compile(r"/stories/(?P<key>[^/]+)/comments/fragment\Z")),
    ("json", re.compile(r"/api/v1/stories/(?P<key>[^/]+)/comments\Z")),
]
# Per request, not per thread: CORS is added for each request's Origin when the answer is sent.
_NEVER_STORED = {STORE_HEADER.lower(), "content-length", "set-cookie", "access-control-allow-origin"}
MAX_PAGE_DIGITS = 3          # deeper pages are rare enough to render each time
MAX_CURSOR_CHARS = 200
WAIT_SECONDS = 2.0           # how long a request without a previous rendering waits for the renderer
LOCAL_ENTRIES = 512          # renderings each worker keeps in memory, most recently stored


class ThreadReadPath:
    """WSGI middleware around Django's application."""

    def __init__(self, app):
        self.app = app
        self.local: OrderedDict[tuple[str, str], Entry] = OrderedDict()
        # Generations this worker read lately: (when, the change board's marks then, generations).
        self.checked: OrderedDict[str, tuple[float, bytes, tuple[str, str]]] = OrderedDict()
        self.lock = threading.Lock()  # the server runs several threads per worker over these two

    def __call__(self, environ, start_response):
        route = thread_route(environ)
        if route is None:
            return self.app(environ, start_response)
        story_key, variant = route
        try:
            generations = self._generations(story_key)
            entry = self._entry_get(story_key, variant, generations)
        except Exception:  # the cache is down or hung: render from the database, uncached
            log.warning("thread cache unreachable; rendering %s uncached", variant, exc_info=True)
            return self.app(environ, start_response)
        if entry is not None and entry.current(generations, time.time()):
            return _send(entry, environ, start_response)
        return self._miss(environ, start_response, story_key, variant, generations, stale=entry)

    def _generations(self, story_key: str) -> tuple[str, str]:
        """The story's generations. A worker asks the shared cache again only when this host's change
        board shows a change to the story or the site, or after VOXPOP_THREAD_TRUST_SECONDS (for
        changes made on other app hosts); so most hits cost no round trip to the cache at all."""
        trust = settings.VOXPOP_THREAD_TRUST_SECONDS
        now = time.monotonic()
        marks = thread_cache.change_marks(story_key) if trust > 0 else None
        checked = self.checked.get(story_key)
        if checked is not None and marks is not None and checked[1] == marks and now - checked[0] < trust:
            return checked[2]
        generations = thread_cache.generations_read(story_key)
        if marks is not None:
            with self.lock:
                self.checked[story_key] = (now, marks, generations)
                self.checked.move_to_end(story_key)
                while len(self.checked) > LOCAL_ENTRIES:
                    self.checked.popitem(last=False)
        return generations

    def _entry_get(self, story_key: str, variant: str, generations: tuple[str, str]) -> Entry | None:
        """This worker's copy if current, else the shared one (remembered here when found); else
        the most recent stale one, or None."""
        local = self.local.get((story_key, variant))
        now = time.time()
        if local is not None and local.current(generations, now):
            return local
        shared = thread_cache.entry_get(story_key, variant)
        if shared is not None and shared.current(generations, now):
            self._remember(story_key, variant, shared)
            return shared
        return shared or local

    def _remember(self, story_key: str, variant: str, entry: Entry) -> None:
        # Oldest stored first out: a thread read often is stored again after each publication anyway.
        with self.lock:
            self.local[(story_key, variant)] = entry
            self.local.move_to_end((story_key, variant))
            while len(self.local) > LOCAL_ENTRIES:
                self.local.popitem(last=False)

    def _miss(self, environ, start_response, story_key, variant, generations, *, stale: Entry | None):
        try:
            leader = thread_cache.render_lock(story_key, variant)
        except Exception:
            return self.app(environ, start_response)
        if leader:
            try:
                return self._render_and_store(environ, start_response, story_key, variant, generations)
            finally:
                _quietly(thread_cache.render_unlock, story_key, variant)
        if stale is not None:  # someone is rendering the new one: the previous one will do meanwhile
            return _send(stale, environ, start_response)
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            time.sleep(0.02)
            entry = _quietly(thread_cache.entry_get, story_key, variant)
            if entry is not None and entry.current(generations, time.time()):
                self._remember(story_key, variant, entry)
                return _send(entry, environ, start_response)
        return self.app(environ, start_response)

    def _render_and_store(self, environ, start_response, story_key, variant, generations):
        environ[ENVIRON_FLAG] = True
        captured = _Captured()
        chunks = self.app(environ, captured.start_response)
        try:
            body = b"".join(chunks)
        finally:
            if hasattr(chunks, "close"):
                chunks.close()
        lifetime = _store_seconds(captured.headers)
        headers = tuple((n, v) for n, v in captured.headers if n.lower() not in _NEVER_STORED)
        now = time.time()
        entry = Entry(generations=generations, status=captured.status_code, headers=headers, body=body,
                      etag=thread_cache.etag_for(body), expires_at=now + (lifetime or 0))
        if lifetime and captured.status_code == 200 and environ.get("REQUEST_METHOD") == "GET" \
                and not _sets_cookie(captured.headers):
            _quietly(thread_cache.entry_set, story_key, variant, entry, now=now)
            self._remember(story_key, variant, entry)
        return _send(entry, environ, start_response, status_line=captured.status)


def thread_route(environ) -> tuple[str, str] | None:
    """(story key, variant) when this request is a plain read of a published thread; else None."""
    if environ.get("REQUEST_METHOD") not in ("GET", "HEAD") or environ.get("SCRIPT_NAME"):
        return None
    try:
        path = environ.get("PATH_INFO", "").encode("latin-1").decode("utf-8")
    except UnicodeError:
        return None
    query = environ.get("QUERY_STRING", "")
    if "\x00" in path or "%00" in query or not _host_allowed(environ):
        return None
    for kind, pattern in _ROUTES:
        match = pattern.match(path)
        if match:
            variant = _variant(kind, query)
            if variant and kind == "fragment":
                variant += _origin_part(environ)
            return (match["key"], variant) if variant else None
    return None


def _variant(kind: str, query: str) -> str | None:
    """The cache variant of these query parameters, None when they ask for something not cached."""
    try:
        params = dict(parse_qsl(query, max_num_fields=8))
    except ValueError:
        return None
    if kind == "json":
        cursor = params.get("cursor", "")
        if "limit" in params or len(cursor) > MAX_CURSOR_CHARS or not cursor.isascii():
            return None
        return f"json:{cursor}"
    if "reply_to" in params:
        return None  # a reply form names the comment replied to: rendered per request
    page = params.get("page", "1")
    if not (page.isascii() and page.isdigit() and len(page) <= MAX_PAGE_DIGITS):
        return None
    order = "newest" if params.get("order") == "newest" else "oldest"
    return f"{kind}:{int(page)}:{order}"


def _origin_part(environ) -> str:
    """The fragment's links are absolute: without VOXPOP_PUBLIC_URL they name the host asked for."""
    if settings.VOXPOP_PUBLIC_URL:
        return ""
    return f":{_scheme(environ)}://{environ.get('HTTP_HOST', '')}"


def _scheme(environ) -> str:
    """As Django's request.scheme decides it, from the trusted proxy header if one is configured."""
    proxy_header = getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
    if proxy_header:
        header, secure_value = proxy_header
        if environ.get(header, "").split(",")[0].strip() == secure_value:
            return "https"
    return environ.get("wsgi.url_scheme", "http")


def _host_allowed(environ) -> bool:
    host = environ.get("HTTP_HOST") or environ.get("SERVER_NAME", "")
    domain, _ = split_domain_port(host)
    return bool(domain) and validate_host(domain, settings.ALLOWED_HOSTS)


def _send(entry: Entry, environ, start_response, *, status_line: str | None = None):
    if entry.status == 200 and entry.etag in _if_none_match(environ):
        kept = [(n, v) for n, v in entry.headers if n.lower() in ("cache-control", "vary", "content-location")]
        start_response("304 Not Modified", [*kept, ("ETag", entry.etag), *wsgi_cors_headers(environ)])
        return [b""]
    body = entry.body
    if _PLACEHOLDER_BYTES in body:
        body = body.replace(_PLACEHOLDER_BYTES, new_form_token().encode())
    headers = [*entry.headers, ("Content-Length", str(len(body))), *wsgi_cors_headers(environ)]
    if entry.status == 200:
        headers.append(("ETag", entry.etag))
    start_response(status_line or f"{entry.status} OK", headers)
    return [b""] if environ.get("REQUEST_METHOD") == "HEAD" else [body]


def _if_none_match(environ) -> set[str]:
    value = environ.get("HTTP_IF_NONE_MATCH", "")
    tags = {t.strip() for t in value.split(",") if t.strip()}
    # Weak comparison (RFC 9110 13.1.2): W/"x" and "x" match.
    return tags | {f"W/{t}" for t in tags if not t.startswith("W/")}


def _quietly(operation, *args, **kwargs):
    """A cache operation whose failure (Redis gone or hung) only costs the caching: None instead."""
    try:
        return operation(*args, **kwargs)
    except Exception:
        log.warning("thread cache unreachable during %s", operation.__name__, exc_info=True)
        return None


def _store_seconds(headers) -> int | None:
    """How long the view said this response may be stored (its STORE_HEADER), None if not at all."""
    for name, value in headers:
        if name.lower() == STORE_HEADER.lower():
            return int(value) if value.isdigit() and int(value) > 0 else None
    return None


def _sets_cookie(headers) -> bool:
    return any(name.lower() == "set-cookie" for name, _ in headers)


class _Captured:
    def __init__(self):
        self.status, self.headers = "500 Internal Server Error", []

    @property
    def status_code(self) -> int:
        return int(self.status.split(" ", 1)[0])

    def start_response(self, status, headers, exc_info=None):
        self.status, self.headers = status, list(headers)
        return lambda data: None  # the legacy write() callable; Django never uses it
