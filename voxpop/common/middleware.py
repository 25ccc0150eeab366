"""Response headers every Voxpop response carries, and how long a moderator's session lives.

SecurityHeadersMiddleware sits first in MIDDLEWARE, so every answer passes through it: pages,
API JSON, 404 and 500 pages, static files from WhiteNoise, even the HTTPS redirect. Django's
SecurityMiddleware adds the rest from settings (nosniff, Referrer-Policy, Cross-Origin-Opener-Policy,
HSTS in production).
"""
from django.conf import settings
from django.contrib import auth
from django.http import HttpResponseBadRequest, JsonResponse

from . import clock

# Reader pages load nothing from another origin and run no inline script (G5).
DEFAULT_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors {ancestors}"
)
# A JSON answer opened as a page may load and run nothing at all.
DATA_POLICY = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
# No page of Voxpop uses these; a compromised or framed page cannot ask for them either.
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), interest-cohort=()"


class SecurityHeadersMiddleware:
    """CSP (frame-ancestors 'none' unless the view opted in for the iframe embed) and Permissions-Policy."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.get("Content-Type", "").startswith("application/json"):
            policy = DATA_POLICY
        else:
            policy = DEFAULT_POLICY.format(ancestors=getattr(response, "frame_ancestors", None) or "'none'")
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response


def embed_frame_ancestors() -> str:
    """Origins allowed to frame the reader thread (VOXPOP_FRAME_ANCESTORS), 'self' by default."""
    return getattr(settings, "VOXPOP_FRAME_ANCESTORS", "'self'")


SIGNED_IN_AT = "voxpop_signed_in_at"
SEEN_AT = "voxpop_seen_at"
SEEN_GRANULARITY = 60  # seconds: record activity at most once a minute, not a session write per request


def session_max_age() -> int:
    """A session ends this long after sign-in, however busy the moderator (SESSION_COOKIE_AGE)."""
    return settings.SESSION_COOKIE_AGE


def session_idle_max() -> int:
    """A session ends after this long without a request (VOXPOP_SESSION_IDLE_SECONDS; 0: never)."""
    return getattr(settings, "VOXPOP_SESSION_IDLE_SECONDS", 0)


class SessionLifetimeMiddleware:
    """Signs a moderator out once the session is older than its maximum age or has sat idle.

    Django renews a session's expiry whenever the session changes, and every workspace message
    changes it, so without this a busy session would never end. Goes after AuthenticationMiddleware
    and before OTPMiddleware. Requests without a session cookie (all of the reader's) are not
    touched, so reading never depends on a session (G5); and activity is recorded only on answers no
    shared cache keeps (the workspace's), so a cacheable reader page never carries a Set-Cookie.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        cookie_key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
        if cookie_key and request.user.is_authenticated and self._expired(request.session):
            auth.logout(request)
        response = self.get_response(request)
        session = request.session
        if not ((cookie_key or session.modified) and _private(response) and request.user.is_authenticated):
            return response
        now = int(clock.now().timestamp())
        if SIGNED_IN_AT not in session or session.session_key != cookie_key:
            # Signed in just now (sign-in cycles the session key), or a session from before this
            # middleware: its lifetime starts here.
            session[SIGNED_IN_AT] = session[SEEN_AT] = now
        elif now - session.get(SEEN_AT, 0) >= SEEN_GRANULARITY:
            session[SEEN_AT] = now
        return response

    @staticmethod
    def _expired(session) -> bool:
        signed_in_at = session.get(SIGNED_IN_AT)
        if signed_in_at is None:
            return False  # stamped on the way out
        now, idle = int(clock.now().timestamp()), session_idle_max()
        return now - signed_in_at >= session_max_age() or bool(idle and now - session.get(SEEN_AT, signed_in_at) >= idle)


def _private(response) -> bool:
    cache_control = response.get("Cache-Control", "")
    return "private" in cache_control or "no-store" in cache_control


class RefuseNulMiddleware:
    """A NUL in the path or query string is refused with 400 before any view reads it.

    PostgreSQL cannot hold NUL in text, so such a value reaching a query would end in a 500; no
    legitimate URL of Voxpop contains one.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path_info or "%00" in request.META.get("QUERY_STRING", "") \
                or "\x00" in request.META.get("QUERY_STRING", ""):
            message = "The address contains a NUL character."
            if request.path_info.startswith("/api/"):
                return JsonResponse({"error": {"code": "bad_request", "message": message, "field": None}},
                                    status=400)
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        return self.get_response(request)

