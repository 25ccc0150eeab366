"""Reader text is kept verbatim after NFC and trimming, and refused when it cannot be (G2)."""
import pytest

from voxpop.common.text import normalize, refusal


def test_normalize_only_composes_trims_and_unifies_line_breaks():
    """NFC, trimmed ends, CRLF as LF; markup, inner spacing and bidi controls are untouched."""
    raw = "  <b>**e\u0301**</b>\r\n\r\n  two  spaces \u202eRTL\u202c\t "
    assert normalize(raw) == "<b>**\u00e9**</b>\n\n  two  spaces \u202eRTL\u202c"


@pytest.mark.parametrize("text", ["안녕하세요", "你好，世界", "བཀྲ་ཤིས་བདེ་ལེགས།", "ياخشىمۇسىز", "မင်္ဂလာပါ",
                                  "សួស្តី", "ສະບາຍດີ", "👍🏽 ok", "line one\nline two\ttab"])
def test_text_in_every_desk_script_is_accepted(text):
    """Scripts of every desk, emoji, tabs and line breaks are stored as typed."""
    assert refusal(normalize(text)) is None


@pytest.mark.parametrize("text,reason", [("nul\x00byte", "control"), ("bell\x07", "control"),
                                         ("c1\x85", "control"), ("half\ud800", "surrogate"),
                                         ("non\ufffe", "noncharacter"), ("non\U0001ffff", "noncharacter")])
def test_unstorable_characters_are_refused_with_a_reason(text, reason):
    """NUL, other controls, lone surrogates and noncharacters are refused, never silently dropped."""
    assert refusal(text) == reason
