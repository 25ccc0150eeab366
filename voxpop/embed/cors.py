"""Who may read Voxpop's embed routes from a script on their own pages, and who may frame the thread.

Both follow the sites' origin allow-list (voxpop.embed.models.Site):

- CORS: a request with an `Origin` header of a listed site, on one of EMBED_PATHS, is answered with
  `Access-Control-Allow-Origin: <that origin>`; any other origin gets no such header, so the
  browser keeps the answer from its script. Credentials are never allowed: reader pages need no
  cookies (G5). Every answer on these paths says `Vary: Origin`, so a shared cache keeps one copy
  per origin and never hands one site's header to another.
- Framing: a page that opted in to the iframe embed (its view set `response.frame_ancestors`, see
  voxpop.common.middleware) may also be framed by every listed origin.

EmbedMiddleware does both; it sits after SecurityHeadersMiddleware, which writes the CSP from
`frame_ancestors` on the way out. `wsgi_cors_headers()` is the same decision for a layer that
answers before Django (voxpop.reader.fastpath sends cached threads without entering Django): it
must not store Access-Control-Allow-Origin with a cached answer, and adds these headers per request.
"""
import re
import threading
import time

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers

from .selectors import site_origin_set

# The routes an embed script reads or posts to: the thread page and its fragment (the form posts
# there), the receipt it is redirected to, the comment counts and the JSON comments API.
EMBED_PATHS = re.compile(r"^/(?:stories/[^/]+/comments/(?:fragment)?|receipts/[^/]+/"
                         r"|api/v1/counts|api/v1/stories/[^/]+/comments)$")
SIMPLE_METHODS = {"GET", "HEAD", "POST"}
PREFLIGHT_MAX_AGE = 600


def is_embed_path(path: str) -> bool:
    return bool(EMBED_PATHS.match(path))


def cors_headers(*, origin: str, path: str, method: str, origins=site_origin_set) -> dict[str, str]:
    """Headers to add to the answer of `method path` asked from a page of `origin` (may be empty)."""
    if not is_embed_path(path):
        return {}
    headers = {"Vary": "Origin"}
    if origin and method in SIMPLE_METHODS | {"OPTIONS"} and origin in origins():
        headers["Access-Control-Allow-Origin"] = origin
    return headers


# The read path answers without the database; it reads the origins at most every few seconds.
ORIGINS_MEMO_SECONDS = 5
_memo: tuple[float, frozenset[str]] = (0.0, frozenset())
_memo_lock = threading.Lock()


def _origins_memoized() -> frozenset[str]:
    global _memo
    read_at, origins = _memo
    if time.monotonic() - read_at < ORIGINS_MEMO_SECONDS:
        return origins
    with _memo_lock:
        origins = site_origin_set()
        _memo = (time.monotonic(), origins)
    return origins


def wsgi_cors_headers(environ) -> list[tuple[str, str]]:
    """cors_headers() for a WSGI environ, with the origins read at most every ORIGINS_MEMO_SECONDS.

    For a layer in front of Django that sends a stored answer: add these to it (a 304 too), and
    never store an Access-Control-Allow-Origin header with the answer itself.
    """
    try:
        path = environ.get("PATH_INFO", "").encode("latin-1").decode("utf-8")
    except UnicodeError:
        return []
    headers = cors_headers(origin=environ.get("HTTP_ORIGIN", ""), path=path,
                           method=environ.get("REQUEST_METHOD", ""), origins=_origins_memoized)
    return [(name, value) for name, value in headers.items() if name != "Vary"]


def _preflight(request: HttpRequest) -> HttpResponse | None:
    """Answer a CORS preflight for an allowed origin; None lets the view answer (405 for OPTIONS)."""
    origin = request.headers.get("Origin", "")
    wanted = request.headers.get("Access-Control-Request-Method", "")
    if request.method != "OPTIONS" or not wanted or not is_embed_path(request.path_info):
        return None
    response = HttpResponse(status=204)
    if wanted in SIMPLE_METHODS and origin in site_origin_set():
        response["Access-Control-Allow-Origin"] = origin
        response["Access-Control-Allow-Methods"] = "GET, POST"
        response["Access-Control-Allow-Headers"] = "Content-Type, Idempotency-Key, Proof-Of-Work"
        response["Access-Control-Max-Age"] = str(PREFLIGHT_MAX_AGE)
    return response


class EmbedMiddleware:
    """CORS for the sites' origins on the embed routes, and the sites as frame-ancestors."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = _preflight(request) or self.get_response(request)
        for name, value in cors_headers(origin=request.headers.get("Origin", ""), path=request.path_info,
                                        method=request.method).items():
            if name == "Vary":
                patch_vary_headers(response, ["Origin"])
            else:
                response[name] = value
        ancestors = getattr(response, "frame_ancestors", None)
        if ancestors:
            extra = sorted(site_origin_set() - set(ancestors.split()))
            if extra:
                response.frame_ancestors = " ".join([ancestors, *extra])
        return response
