"""Which interface language a page speaks, chosen by the story's language (BCP 47)."""

TRADITIONAL = {"hant", "tw", "hk", "mo"}


def ui_language(tag: str) -> str:
    """The Django language code of the reader strings for a story in `tag` (English fallback)."""
    parts = [p.lower() for p in tag.replace("_", "-").split("-")]
    if parts[0] == "ko":
        return "ko"
    if parts[0] == "yue" or (parts[0] == "zh" and TRADITIONAL & set(parts[1:])):
        return "zh-hant"
    if parts[0] == "zh":
        return "zh-hans"
    return "en"
