"""Street-address shapes in Korean and Chinese: a road or lot with its number, or a flat number.

A street name alone is not an address (readers name streets all the time: "세종대로에서 집회",
"长安街上"); the number is what makes it somebody's door. Korean "로" is also a particle ("서울로
100명이"), so a road number followed by a counter (명, 년, 분, %...) is not a building number, and
Chinese words that merely end in 道/路 (知道, 频道, 一路) are not roads.

Each shape is found from its anchor (the 로/路 and the number after it, "101동 1203호", ...) and then
extended left over the name before it: a pattern that began with "any name" would be tried at every
character of the comment.
"""
import re
from dataclasses import dataclass

from ..base import Context, Signal
from .spans import personal_signal

_COUNTERS = ("명|분|시간|시|초|개|년|월|일|원|위|번(?![지길])|살|세|배|대|회|차|권|건|곳|층|점|등|마리|가지|주|달|"
             "표|잔|장|호선|도|km|킬로|미터|m|%|퍼센트|만|천|억|조")
_KO_NUMBER = rf"\d{{1,4}}(?:-\d{{1,4}})?(?!\s?(?:{_COUNTERS})|[.,]?\d|\s?[~∼〜])"
_DIGITS = r"[0-9０-９]{1,5}"
_ZH_FLOOR = rf"(?:{_DIGITS}(?:楼|樓|层|層)|[0-9A-Za-z]{{1,4}}室)*"
_HAN_NAME = r"(?:(?![住在于於到是从從的我你他她们們去往])[\u4e00-\u9fff]){1,6}"
_NOT_ROADS = ("知道", "报道", "報道", "频道", "頻道", "渠道", "味道", "难道", "難道", "一道", "一路", "走路", "一街")


@dataclass(frozen=True)
class Shape:
    anchor: re.Pattern    # the part with the number, found anywhere
    name: re.Pattern      # what may (or must) stand right before it, matched up to the anchor
    name_required: bool
    longest_name: int


def _shape(anchor: str, name: str, *, required: bool, longest: int) -> Shape:
    return Shape(re.compile(anchor), re.compile(rf"(?:{name})\Z"), required, longest)


SHAPES = [
    # 한빛아파트 101동 1203호
    _shape(r"\d{1,4}동\s?\d{1,5}호", r"[가-힣A-Za-z0-9]{1,12}(?:아파트|빌라|맨션|오피스텔)\s?", required=False, longest=17),
    # 역삼동 123-45, 산골리 12번지
    _shape(r"(?:동|리|가)\s?\d{1,4}(?:-\d{1,4}|\s?번지)", r"[가-힣]{1,8}\d{0,2}", required=True, longest=10),
    # 세종대로 110, 테헤란로10길 5
    _shape(rf"로(?:\d{{1,4}}번?(?:가|길))?\s?{_KO_NUMBER}", r"[가-힣]{1,10}", required=True, longest=10),
    # 10길 5, 중앙로123번길 45 (the 로 anchor takes those first)
    _shape(rf"길\s?{_KO_NUMBER}", r"[가-힣]{1,10}|\d{1,4}번?", required=True, longest=10),
    # 幸福小区3栋2单元501室, A座1203室
    _shape(rf"[0-9A-Za-z]{{1,3}}(?:栋|棟|座|幢|号楼|號樓)\s?(?:{_DIGITS}(?:单元|單元)\s?)?{_DIGITS}(?:室|楼|樓|层|層)",
           rf"{_HAN_NAME}(?:小区|小區|社区|社區|花园|花園|新村|公寓|大厦|大廈)\s?", required=False, longest=9),
    # 中山路100号, 南京东路100弄5号, 忠孝東路四段100號5樓, 彌敦道123號5樓A室
    _shape(rf"[路街道巷弄](?:[0-9一二三四五六七八九十]{{1,3}}段)?(?:{_DIGITS}[巷弄])*{_DIGITS}(?:之{_DIGITS})?"
           rf"\s?[号號](?![线線])\s?{_ZH_FLOOR}", _HAN_NAME, required=True, longest=6),
]


def detect(context: Context) -> list[Signal]:
    return personal_signal("address", "Street address", find(context.body))


def find(text: str) -> list[tuple[int, int]]:
    spans = []
    for shape in SHAPES:
        for anchor in shape.anchor.finditer(text):
            start = anchor.start()
            name = shape.name.search(text, max(0, start - shape.longest_name), start)
            if name:
                start = name.start()
            elif shape.name_required:
                continue
            if not text[start:anchor.start() + 1].endswith(_NOT_ROADS):
                spans.append((start, anchor.end()))
    return spans
