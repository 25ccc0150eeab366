"""Signal: links, with the domains they point to in the label ("Link: example.com, t.me").

Three shapes: anything with a scheme (https://, and app deep links such as weixin:// or tg://),
www.-prefixed hosts, and bare domains ending in a TLD from a short list of the ones our readers'
spam and self-promotion actually use. The list leaves out TLDs that are also words or file
extensions ("in", "it", "is", "to", "zip", "py"...), so "e.g.", "report.pdf", "v2.0.1" and a
missing space after a full stop ("fine.It was") are not links. A URL ends at whitespace, at
non-ASCII text (Korean and Chinese run straight on: "https://example.com에서") and at trailing
punctuation. An e-mail address is left to the personal-data signal.
"""
import re
from urllib.parse import urlsplit

from .base import Context, Signal

WEIGHT = 0.3
MAX_DOMAINS_IN_LABEL = 3
TLDS = (
    "com net org info biz edu gov int mil io me ly co cc tv fm gg app dev xyz top site online shop store "
    "news blog live link click club vip wang kr cn hk tw mo jp vn kh la mm th sg ph uk au nz us ca de fr "
    "nl ru ua eu asia onion"
).split()

_PATH = r"[^\s<>\"'`{}|\\^\u0080-\U0010ffff]*"
_HOST = r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+"
_LINK = re.compile(
    rf"(?P<scheme>\b[A-Za-z][A-Za-z0-9+.-]{{1,15}}://{_PATH})"
    rf"|(?<![A-Za-z0-9@._-])(?P<host>(?:www\.{_HOST}[A-Za-z]{{2,24}}|{_HOST}(?i:{'|'.join(TLDS)}))"
    rf"(?![A-Za-z0-9_-])(?::\d{{1,5}})?(?:[/?#]{_PATH})?)"
)
_TRAILING = ".,;:!?'\")]}>"


def detect(context: Context) -> list[Signal]:
    spans, domains = find(context.body)
    if not spans:
        return []
    shown = list(dict.fromkeys(domains))
    more = ", …" if len(shown) > MAX_DOMAINS_IN_LABEL else ""
    label = "Link: " + ", ".join(shown[:MAX_DOMAINS_IN_LABEL]) + more
    return [Signal(name="link", label=label, spans=tuple(spans), weight=WEIGHT, personal=False)]


def find(text: str) -> tuple[list[tuple[int, int]], list[str]]:
    """The links' spans and their domains (a deep link's "scheme://"), in text order."""
    spans, domains = [], []
    for match in _LINK.finditer(text):
        url = _trim(match.group())
        if match.group("host") and not _tld_written_plainly(url):
            continue
        spans.append((match.start(), match.start() + len(url)))
        domains.append(_domain(url))
    return spans, domains


def _trim(url: str) -> str:
    """Drop trailing punctuation, keeping a closing bracket that belongs to the URL (Wikipedia_(x))."""
    while url and url[-1] in _TRAILING:
        if url[-1] == ")" and url.count("(") >= url.count(")"):
            break
        url = url[:-1]
    return url


def _tld_written_plainly(url: str) -> bool:
    """"example.com" and "EXAMPLE.COM" are links; "fine.Me" is a sentence missing its space."""
    host = re.split(r"[:/?#]", url, maxsplit=1)[0]
    tld = host.rsplit(".", 1)[-1]
    return tld in (tld.lower(), tld.upper())


def _domain(url: str) -> str:
    try:
        parts = urlsplit(url if "://" in url else "//" + url)
        host = parts.hostname or ""
    except ValueError:  # what a reader typed need not parse ("http://[oops")
        return re.split(r"[/?#]", url.split("://", 1)[-1], maxsplit=1)[0]
    if parts.scheme not in ("", "http", "https", "ftp"):
        return parts.scheme + "://"  # an app's deep link: weixin://dl/chat names no host
    return host.removeprefix("www.")
