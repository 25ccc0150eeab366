"""The newsroom's own approve/reject classifier per language (being written)."""


def risk_for(*, text: str, language: str) -> tuple[float | None, str]:
    """(probability of rejection, model version), or (None, "") when there is no model for the language."""
    return None, ""
