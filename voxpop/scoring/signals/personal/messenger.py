"""Messenger handles: the id after a WeChat, QQ, KakaoTalk, Telegram, LINE, Signal or WhatsApp
mention, t.me/wa.me links, and a bare @handle. The span covers the id itself (masking the word
"WeChat" protects nobody).

A Latin keyword followed by a plain word ("WeChat users", "Kakao Bank") is a sentence, not a
handle: after a Latin keyword without an "ID" or ":" marker, the id must carry a digit or an
underscore. CJK keywords are trusted: "微信abc123" and "카톡 abc123" mean what they look like.
"""
import re

from ..base import Context, Signal
from .spans import personal_signal

_MARKER = r"\s*(?:ID|Id|id|아이디|号|號|群|账号|帳號|賬號|번호|number|No\.?|no\.?)"
_PARTICLE = r"(?:\s*(?:[:：=]|is|는|은|는요))?\s*"
_PHONE = r"\+?\d[\d \-]{5,16}\d"

# (keywords, id, whether an "ID" marker must follow); keywords match case-insensitively.
_MESSENGERS = [
    (("WeChat", "weixin", "VX", "wx", "V信", "威信", "微信", "薇信"),
     rf"[A-Za-z][A-Za-z0-9_-]{{5,19}}|{_PHONE}", False),
    (("QQ", "扣扣", "企鹅"), r"[1-9]\d{4,11}", False),
    (("KakaoTalk", "Kakao Talk", "Kakao", "카카오톡", "카카오", "카톡"), r"[A-Za-z0-9][A-Za-z0-9._-]{2,19}", False),
    (("Telegram", "텔레그램", "텔레", "电报", "電報", "TG"), r"@?[A-Za-z][A-Za-z0-9_]{4,31}", False),
    (("LINE", "라인"), r"@?[A-Za-z0-9][A-Za-z0-9._-]{3,19}", True),
]
# Signal and WhatsApp are ordinary words too; only a number, @handle or Signal username
# ("name.42") within a few words of them counts.
_SIGNAL_KEYWORDS = ("Signal", "WhatsApp", "왓츠앱", "시그널")


def _keyword_pattern(i: int, keywords: tuple[str, ...], ident: str, marker_required: bool) -> str:
    # A Latin keyword must end at a word boundary ("wxid_1" is not "wx" + "id_1").
    words = "|".join(re.escape(k) + (r"(?![A-Za-z0-9])" if k.isascii() else "") for k in keywords)
    marker = _MARKER if marker_required else f"(?:{_MARKER})?"
    return rf"(?<![A-Za-z0-9])(?i:{words})(?P<m{i}>{marker}{_PARTICLE})(?P<id{i}>{ident})(?![A-Za-z0-9_@])"


_KEYWORD = re.compile("|".join(_keyword_pattern(i, *messenger) for i, messenger in enumerate(_MESSENGERS)))
_SIGNAL = re.compile(
    rf"(?<![A-Za-z0-9])(?i:{'|'.join(_SIGNAL_KEYWORDS)})[^\n\d@+.。!?]{{0,15}}?"
    rf"(?P<id>{_PHONE}|@[A-Za-z0-9_.]{{3,32}}|[A-Za-z][A-Za-z0-9_]{{2,31}}\.\d{{2,9}})(?![A-Za-z0-9_])"
)
_ANY_KEYWORD = tuple({k.lower() for keywords, _, _ in _MESSENGERS for k in keywords} | {
    k.lower() for k in _SIGNAL_KEYWORDS})
_LINK = re.compile(r"(?<![A-Za-z0-9.])(?:https?://)?(?:t|telegram|wa)\.me/[+A-Za-z0-9_/]{4,64}")
_BARE = re.compile(r"(?<![A-Za-z0-9._%+\-@/])@[A-Za-z0-9_]{5,32}(?![A-Za-z0-9_@]|\.[A-Za-z])")


def detect(context: Context) -> list[Signal]:
    return personal_signal("messenger", "Messenger handle", find(context.body))


def find(text: str) -> list[tuple[int, int]]:
    spans = [m.span() for m in (*_LINK.finditer(text), *_BARE.finditer(text))]
    lowered = text.lower()
    if not any(keyword in lowered for keyword in _ANY_KEYWORD):
        return spans  # most comments name no messenger: skip the slower patterns
    for m in _KEYWORD.finditer(text):
        i = next(i for i in range(len(_MESSENGERS)) if m.group(f"id{i}") is not None)
        if _plausible(m.group(0), m.group(f"id{i}"), m.group(f"m{i}").strip()):
            spans.append(m.span(f"id{i}"))
    for m in _SIGNAL.finditer(text):
        if not _is_phone(m.group("id")) or _digits(m.group("id")) >= 7:
            spans.append(m.span("id"))
    return spans


def _plausible(match: str, ident: str, marker: str) -> bool:
    if _is_phone(ident):
        return _digits(ident) >= 7 or ident.isdigit()  # QQ numbers are 5-12 plain digits
    keyword_is_latin = match[0].isascii()
    explicit = marker not in ("", "is")  # "WeChat is popular" is a sentence, "WeChat: popular" a handle
    return explicit or not keyword_is_latin or any(ch.isdigit() or ch == "_" for ch in ident)


def _is_phone(ident: str) -> bool:
    return ident.lstrip("+")[:1].isdigit()


def _digits(ident: str) -> int:
    return sum(ch.isdigit() for ch in ident)
