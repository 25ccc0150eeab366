"""Signal: personal (being written)."""
from .base import Context, Signal


def detect(context: Context) -> list[Signal]:
    return []
