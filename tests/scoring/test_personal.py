"""Personal-data signals: what each kind finds, what it must not find, and exact code-point spans."""
from datetime import datetime, timezone

import pytest

from voxpop.comments.models import Comment
from voxpop.desks.models import Desk
from voxpop.scoring.signals import Context
from voxpop.scoring.signals.personal import detect
from voxpop.scoring.signals.personal.phone import regions_for
from voxpop.stories.models import Story

NOW = datetime(2026, 11, 2, 9, 30, tzinfo=timezone.utc)


def context(body: str, language: str = "en") -> Context:
    """A context built from unsaved instances: detectors read them, never the database."""
    desk = Desk(key=f"desk-{language}", name=language, languages=[language])
    story = Story(key="s", title="t", url="https://news.example/s", language=language, desk=desk)
    comment = Comment(story=story, desk=desk, language=language)
    return Context(comment=comment, body=body, language=language, desk=desk, story=story, now=NOW)


def found(body: str, name: str, language: str = "en") -> list[str]:
    """The text of every span the `name` signal highlights in `body`."""
    signals = [s for s in detect(context(body, language)) if s.name == name]
    assert len(signals) <= 1, "one Signal per kind"
    return [body[start:end] for start, end in signals[0].spans] if signals else []


# Phone numbers

@pytest.mark.parametrize("body, number, language", [
    ("연락처 010-1234-5678 로 주세요", "010-1234-5678", "ko"),
    ("사무실은 02-123-4567입니다", "02-123-4567", "ko"),
    ("Call +82 10 1234 5678 after six", "+82 10 1234 5678", "en"),
    ("我的手机138 0013 8000，晚上打", "138 0013 8000", "zh-Hans"),
    ("电话13800138000联系", "13800138000", "zh-Hans"),
    ("打+86 138 0013 8000找他", "+86 138 0013 8000", "zh-Hans"),
    ("手機0912 345 678", "0912 345 678", "zh-Hant"),
    ("打9123 4567搵佢", "9123 4567", "yue"),
    ("Ring me on +1 (415) 555-0132 tonight", "+1 (415) 555-0132", "en"),
    ("Mobile 0412 555 019, ask for Sam", "0412 555 019", "en"),
    ("Gọi 090 123 4567 nhé", "090 123 4567", "vi"),
])
def test_phone_number_in_local_format_is_found(body, number, language):
    """A number in a desk region's own format is found, with exactly its characters highlighted."""
    assert found(body, "phone", language) == [number]


def test_phone_number_followed_by_another_number_is_found():
    """A space-grouped number with a count after it is still found (the matcher alone gives up on it)."""
    assert found("010 1234 5678 10시 이후에 전화", "phone", "ko") == ["010 1234 5678"]
    assert found("打138 0013 8000 3次", "phone", "zh-Hans") == ["138 0013 8000"]


def test_phone_number_of_another_region_is_found_on_any_desk():
    """A Chinese mobile number written on the Korean desk is still a phone number."""
    assert found("제 중국 번호는 138 0013 8000 입니다", "phone", "ko") == ["138 0013 8000"]


@pytest.mark.parametrize("body", [
    "In 2024 the council met 12 times.",
    "입장료는 ₩15,000입니다.",
    "The tablet costs $1,299.99 now.",
    "房租每月3,000元。",
    "The vote is on 2026-11-29.",
    "선거는 2026년 11월 29일입니다.",
    "Polls close 29/11/2026 at 10:30.",
    "회의는 2026.11.29 14:00에 열립니다.",
    "Turnout was 45% (1,234,567 voters).",
    "시위에 1,000,000명이 모였다.",
    "The bus leaves at 10:30 and 22:45.",
    "There are 12345678 reasons, said nobody.",
])
def test_year_price_date_time_or_count_is_not_a_phone_number(body):
    """A year, a price, a date, a time, a percentage or an ordinary number is not a phone number."""
    assert found(body, "phone", "ko") == []
    assert found(body, "phone", "en") == []


def test_several_phone_numbers_make_one_signal_with_a_span_each():
    """Two numbers give one phone Signal holding both spans, in text order."""
    body = "집 02-123-4567, 휴대폰 010-1234-5678"
    assert found(body, "phone", "ko") == ["02-123-4567", "010-1234-5678"]


def test_phone_span_counts_code_points_after_an_emoji():
    """Spans are code-point offsets: an astral emoji before the number counts as one."""
    body = "😀😀 010-1234-5678"
    (signal,) = [s for s in detect(context(body, "ko")) if s.name == "phone"]
    assert signal.spans == ((3, 16),)
    assert body[3:16] == "010-1234-5678"


def test_desk_region_is_tried_first():
    """The desk's languages decide which region a number without a country code is read in first."""
    assert regions_for(context("", "ko"))[0] == "KR"
    assert regions_for(context("", "zh-Hant"))[:2] == ("TW", "HK")
    assert regions_for(context("", "en"))[:3] == ("US", "GB", "AU")
    assert len(regions_for(context("", "km"))) == 12


# E-mail addresses

@pytest.mark.parametrize("body, address", [
    ("Write to jane.doe+news@example.com today", "jane.doe+news@example.com"),
    ("메일은abc@example.co.kr으로 보내세요", "abc@example.co.kr"),
    ("邮箱zhang_san@mail.example.cn联系", "zhang_san@mail.example.cn"),
    ("jane (at) example (dot) org", "jane (at) example (dot) org"),
    ("Ends a sentence: sam@example.net.", "sam@example.net"),
])
def test_email_address_is_found(body, address):
    """An address is found with its local part, domain and nothing of the text around it."""
    assert found(body, "email") == [address]


@pytest.mark.parametrize("body", ["Follow @newsdesk", "user@localhost", "a@b.c", "price @ 5 dollars"])
def test_handle_or_incomplete_address_is_not_an_email(body):
    """Something with an @ but no dotted domain is not an e-mail address."""
    assert found(body, "email") == []


# National ID numbers (made up; check characters computed for these tests)

@pytest.mark.parametrize("body, number", [
    ("身份证号11010519491231002X，请核实", "11010519491231002X"),
    ("ID 440304198506121230 here", "440304198506121230"),
    ("生于闰日：310101200002294569", "310101200002294569"),
])
def test_chinese_resident_id_with_valid_checksum_is_found(body, number):
    """An 18-character resident ID with a real birth date and a MOD 11-2 check character is found."""
    assert found(body, "national_id", "zh-Hans") == [number]


@pytest.mark.parametrize("body", [
    "号码110105194912310021",   # check character wrong (should be X)
    "号码110105194902310026",   # checksum right, but 31 February
    "订单号123456789012345678",  # just 18 digits
])
def test_chinese_id_shape_without_checksum_or_date_is_not_found(body):
    """Eighteen digits are not an ID unless the birth date exists and the check character agrees."""
    assert found(body, "national_id", "zh-Hans") == []


@pytest.mark.parametrize("body, number", [
    ("주민번호 900101-1234568 입니다", "900101-1234568"),
    ("주민등록번호:851224-2345670", "851224-2345670"),
    ("번호 9001011234568", "9001011234568"),
])
def test_korean_registration_number_with_valid_checksum_is_found(body, number):
    """A resident registration number whose check digit agrees is a national ID, not a suspected one."""
    signals = [s for s in detect(context(body, "ko")) if s.name == "national_id"]
    assert found(body, "national_id", "ko") == [number]
    assert signals[0].label == "National ID number"


def test_korean_number_issued_since_2020_is_flagged_as_suspected():
    """A valid birth date and gender digit with a failing check digit is flagged, and the label says so."""
    body = "아이 번호 210315-4123450"
    (signal,) = [s for s in detect(context(body, "ko")) if s.name == "national_id"]
    assert [body[s:e] for s, e in signal.spans] == ["210315-4123450"]
    assert "suspected" in signal.label


@pytest.mark.parametrize("body", [
    "번호 901301-1234565",   # checksum right, but month 13
    "번호 900101-9234568",   # gender/century digit 9
    "바코드 2103154123450",  # no hyphen and no valid checksum: as likely a barcode
])
def test_korean_number_without_real_date_or_gender_is_not_found(body):
    """A 13-digit number is not a registration number without a real date and gender digit."""
    assert found(body, "national_id", "ko") == []


# Messenger handles

@pytest.mark.parametrize("body, handle", [
    ("加我微信abc_123，晚上聊", "abc_123"),
    ("微信号：wxid_abc123 谢谢", "wxid_abc123"),
    ("My WeChat ID: zhangsan", "zhangsan"),
    ("VX 13800138000", "13800138000"),
    ("有事QQ 123456789", "123456789"),
    ("扣扣:987654321", "987654321"),
    ("카톡 아이디는 minji_99 입니다", "minji_99"),
    ("KakaoTalk ID: minji", "minji"),
    ("텔레그램 minji_kim 으로", "minji_kim"),
    ("Telegram @minji_kim", "@minji_kim"),
    ("join t.me/harbour_news", "t.me/harbour_news"),
    ("LINE ID: abcd123", "abcd123"),
    ("Signal me on +1 415 555 0132", "+1 415 555 0132"),
    ("WhatsApp: +44 7700 900123", "+44 7700 900123"),
    ("Follow @newsdesk for more", "@newsdesk"),
])
def test_messenger_handle_is_found_with_the_id_in_the_span(body, handle):
    """The span covers the handle itself, not the name of the messenger."""
    assert handle in found(body, "messenger")


@pytest.mark.parametrize("body", [
    "WeChat users are many in the city.",
    "WeChat is popular here",
    "카톡으로 연락 주세요",
    "LINE users in Taiwan",
    "The signal was weak in 2024.",
    "wxid_abc123",
    "Ask @abc",
    "write to jane@example.com",
    "QQ群里有人说",
])
def test_messenger_name_without_an_id_is_not_a_handle(body):
    """A messenger mentioned in a sentence, a short @name or an e-mail address is not a handle."""
    assert found(body, "messenger") == []


# Street addresses

@pytest.mark.parametrize("body, address", [
    ("서울 중구 세종대로 110에서 만나요", "세종대로 110"),
    ("회사는 테헤란로 152, 12층", "테헤란로 152"),
    ("강남구 테헤란로10길 5", "테헤란로10길 5"),
    ("골목 10길 5 앞", "10길 5"),
    ("역삼동 123-45 주변", "역삼동 123-45"),
    ("산골리 12번지에 살아요", "산골리 12번지"),
    ("한빛아파트 101동 1203호", "한빛아파트 101동 1203호"),
    ("我住在中山路100号", "中山路100号"),
    ("南京东路100弄5号三楼", "南京东路100弄5号"),
    ("忠孝東路四段100號5樓", "忠孝東路四段100號5樓"),
    ("彌敦道123號5樓A室", "彌敦道123號5樓A室"),
    ("幸福小区3栋2单元501室", "幸福小区3栋2单元501室"),
])
def test_street_address_with_a_number_is_found(body, address):
    """A road or lot with its number, or a flat number, is an address."""
    assert found(body, "address") == [address]


@pytest.mark.parametrize("body", [
    "세종대로에서 집회가 열렸다",
    "서울로 100명이 갔다",
    "앞으로 3년 동안",
    "앞으로 2~3일 걸린다",
    "학교로 10,000원을 보냈다",
    "长安街上人很多",
    "我知道3号开会",
    "地铁路3号线停运",
    "频道5号更新",
])
def test_street_name_alone_or_particle_with_count_is_not_an_address(body):
    """A street name without a number, or "로" the particle before a count, is not an address."""
    assert found(body, "address") == []


# All kinds together

def test_every_personal_kind_is_personal_with_its_weight():
    """Each kind found is one personal Signal of weight 0.4, in a fixed order."""
    body = ("📞 010-1234-5678, mail jane@example.com, 주민번호 900101-1234568, "
            "微信号：wxid_abc123, 주소 세종대로 110")
    signals = detect(context(body, "ko"))
    assert [s.name for s in signals] == ["phone", "email", "national_id", "messenger", "address"]
    assert all(s.personal and s.weight == 0.4 for s in signals)
    for signal in signals:
        assert all(0 <= start < end <= len(body) for start, end in signal.spans)


def test_plain_comment_has_no_personal_signal():
    """An ordinary comment in three languages raises nothing."""
    body = ("The night bus saved my job in 2024. 심야버스 덕분에 2024년에 일을 지켰어요. "
            "2024年夜班车帮了我大忙，票价才2元。")
    assert detect(context(body, "ko")) == []
