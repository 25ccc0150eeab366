"""Response headers every Voxpop page carries."""
from django.conf import settings

# Reader pages load nothing from another origin and run no inline script (G5).
DEFAULT_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors {ancestors}"
)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        ancestors = getattr(response, "frame_ancestors", None) or "'none'"
        response.headers.setdefault("Content-Security-Policy", DEFAULT_POLICY.format(ancestors=ancestors))
        return response


def embed_frame_ancestors() -> str:
    """Origins allowed to frame the reader thread (VOXPOP_FRAME_ANCESTORS), 'self' by default."""
    return getattr(settings, "VOXPOP_FRAME_ANCESTORS", "'self'")
