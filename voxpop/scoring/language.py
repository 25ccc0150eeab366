"""Language detection (being written): script rules first, a shipped model where script is not enough."""

UNDETERMINED = "und"


def detect_language(text: str) -> str:
    """A BCP 47 tag for `text`, or 'und'."""
    return UNDETERMINED
