"""The one clock seam: services take `now=` from their caller, callers take it from here."""
from datetime import datetime

from django.utils import timezone


def now() -> datetime:
    return timezone.now()
