"""Chinese resident ID numbers and Korean resident registration numbers, checked, not just shaped.

Chinese (GB 11643): 6-digit region, YYYYMMDD birth date, 3-digit sequence, and a check character
by ISO 7064 MOD 11-2 (X for 10). Only checksum-valid numbers count.

Korean (YYMMDD-GNNNNNN): the birth date must exist for the century the gender digit G (1-8) gives.
Numbers issued before October 2020 carry a check digit (weights 2..9,2..5; (11 - sum % 11) % 10);
later ones do not, so a hyphenated number with a valid date and G that fails the check is still
flagged, as "suspected". Without the hyphen a 13-digit run is as likely a barcode, so there only
checksum-valid numbers count.
"""
import re
from datetime import date

from ..base import Context, Signal
from .spans import personal_signal

CN_WEIGHTS = [pow(2, 17 - i, 11) for i in range(17)]
CN_CHECK = "10X98765432"
KR_WEIGHTS = [2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5]
KR_CENTURY = {"1": 1900, "2": 1900, "3": 2000, "4": 2000, "5": 1900, "6": 1900, "7": 2000, "8": 2000}

_CN = re.compile(r"(?<![0-9A-Za-z])(\d{6})[ -]?(\d{8})[ -]?(\d{3})([0-9Xx])(?![0-9A-Za-z])")
_KR = re.compile(r"(?<![\d-])(\d{6})(\s?[-‐–－]\s?|)([1-8]\d{6})(?![\d-])")

LABEL = "National ID number"
LABEL_SUSPECTED = "National ID number (suspected: Korean RRN shape, checksum does not match)"


def detect(context: Context) -> list[Signal]:
    strong, suspected = find(context.body)
    return personal_signal("national_id", LABEL if strong else LABEL_SUSPECTED, strong + suspected)


def find(text: str) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """(checksum-valid spans, suspected spans)."""
    strong = [m.span() for m in _CN.finditer(text) if cn_valid("".join(m.groups()))]
    suspected = []
    for m in _KR.finditer(text):
        front, separator, back = m.groups()
        if not _kr_birth_date_valid(front, back[0]):
            continue
        if kr_checksum_valid(front + back):
            strong.append(m.span())
        elif separator:
            suspected.append(m.span())
    return strong, suspected


def cn_valid(number: str) -> bool:
    number = number.upper()
    if not _date_valid(int(number[6:10]), int(number[10:12]), int(number[12:14])):
        return False
    total = sum(int(d) * w for d, w in zip(number[:17], CN_WEIGHTS))
    return CN_CHECK[total % 11] == number[17]


def kr_checksum_valid(digits: str) -> bool:
    total = sum(int(d) * w for d, w in zip(digits[:12], KR_WEIGHTS))
    return (11 - total % 11) % 10 == int(digits[12])


def _kr_birth_date_valid(front: str, gender: str) -> bool:
    return _date_valid(KR_CENTURY[gender] + int(front[:2]), int(front[2:4]), int(front[4:6]))


def _date_valid(year: int, month: int, day: int) -> bool:
    if not 1900 <= year <= 2100:
        return False
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True
