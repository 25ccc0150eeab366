"""Sizes readers may send; each has its own message in the forms."""
from django.conf import settings


def body_max_chars() -> int:
    return getattr(settings, "VOXPOP_COMMENT_MAX_CHARS", 3000)


DISPLAY_NAME_MAX_CHARS = 60
IDEMPOTENCY_KEY_MAX_CHARS = 100
