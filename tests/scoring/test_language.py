"""Language detection: script rules, the Chinese split, the model for Latin script, and "und"."""
import pytest

from voxpop.scoring import language
from voxpop.scoring.language import detect_language, tag_normalized

# Comment-length texts written for these tests, 2-3 per language a desk of ours moderates.
COMMENTS = {
    "en": [
        "The council keeps promising new night buses, but my shift ends at two and nothing runs then.",
        "Thanks for reporting this. My neighbours have complained about the harbour noise for months.",
        "I disagree with the mayor here; closing the library on weekends hurts students the most.",
    ],
    "ko": [
        "야간 버스 노선이 줄어들면 새벽에 퇴근하는 사람들은 어떻게 하라는 건가요?",
        "기사 잘 읽었습니다. 우리 동네 도서관도 주말에 문을 닫아서 아이들이 갈 곳이 없어요.",
        "시장님 말씀과 달리 실제로는 예산이 삭감된 것 같습니다.",
    ],
    "zh-Hans": [
        "这篇报道写得很好，我们小区的夜班公交也停了，下班只能打车回家。",
        "政府应该多听听老百姓的意见，而不是只看数字。",
        "图书馆周末关门对学生影响太大了，希望尽快恢复开放时间。",
    ],
    "zh-Hant": [
        "這篇報導寫得很好，我們社區的夜班公車也停駛了，下班只能搭計程車回家。",
        "政府應該多聽聽民眾的意見，而不是只看統計數字。",
        "圖書館週末關門對學生影響太大了，希望盡快恢復開放時間。",
    ],
    "yue": [
        "呢篇報道寫得好好，我哋屋企附近啲夜班巴士都冇咗，收工淨係可以搭的士返屋企。",
        "政府唔係淨係睇數字㗎，佢哋應該聽下市民點講。",
        "圖書館週末唔開門真係好離譜，啲學生冇地方溫書喇。",
    ],
    "bo": [
        "ང་ཚོའི་ས་གནས་ཀྱི་དཔེ་མཛོད་ཁང་ཁ་བརྒྱབ་པ་ནི་སྐྱོ་པོ་རེད།",
        "གསར་འགྱུར་འདི་བྲིས་པར་ཐུགས་རྗེ་ཆེ། ང་ཚོའི་གྲོང་ཁྱེར་ནང་དུ་མཚན་མོའི་རླངས་འཁོར་མེད།",
        "སློབ་ཕྲུག་ཚོར་དཔེ་ཀློག་བྱེད་སའི་ས་ཆ་དགོས།",
    ],
    "ug": [
        "بۇ خەۋەرنى يازغانلىقىڭىزغا رەھمەت، بىزنىڭ مەھەللىدىمۇ كەچلىك ئاپتوبۇس توختاپ قالدى.",
        "ھۆكۈمەت خەلقنىڭ پىكرىنى ئاڭلىشى كېرەك.",
        "كۈتۈپخانىنىڭ دەم ئېلىش كۈنلىرى تاقىلىشى ئوقۇغۇچىلارغا پايدىسىز.",
    ],
    "my": [
        "ဒီသတင်းကို ရေးပေးတဲ့အတွက် ကျေးဇူးတင်ပါတယ်။",
        "ညဘက် ဘတ်စ်ကားတွေ မရှိတော့ရင် အလုပ်ဆင်းတဲ့သူတွေ ဘယ်လိုပြန်ရမလဲ။",
        "စာကြည့်တိုက်ကို စနေတနင်္ဂနွေ ပိတ်ထားတာ ကျောင်းသားတွေအတွက် မကောင်းပါဘူး။",
    ],
    "vi": [
        "Cảm ơn bài viết, khu tôi ở cũng không còn xe buýt đêm nữa.",
        "Chính quyền nên lắng nghe ý kiến người dân thay vì chỉ nhìn vào con số.",
        "Thư viện đóng cửa cuối tuần thì học sinh biết đi đâu để ôn bài?",
    ],
    "km": [
        "អរគុណសម្រាប់អត្ថបទនេះ ខ្ញុំរស់នៅក្បែរកំពង់ផែ។",
        "រដ្ឋាភិបាលគួរតែស្តាប់មតិរបស់ប្រជាពលរដ្ឋ។",
        "ការបិទបណ្ណាល័យនៅចុងសប្តាហ៍ធ្វើឲ្យសិស្សពិបាកណាស់។",
    ],
    "lo": [
        "ຂອບໃຈສຳລັບບົດຄວາມນີ້, ບ້ານຂ້ອຍຢູ່ໃກ້ທ່າເຮືອ.",
        "ລັດຖະບານຄວນຟັງຄວາມຄິດເຫັນຂອງປະຊາຊົນ.",
        "ການປິດຫໍສະໝຸດໃນທ້າຍອາທິດເຮັດໃຫ້ນັກຮຽນລຳບາກຫຼາຍ.",
    ],
    "th": [
        "ขอบคุณสำหรับบทความนี้ครับ รถเมล์กลางคืนแถวบ้านผมก็หยุดวิ่งแล้ว",
        "รัฐบาลควรฟังความคิดเห็นของประชาชนมากกว่านี้",
    ],
    "ja": [
        "夜行バスがなくなると、夜遅くまで働く人たちは本当に困ると思います。",
        "この記事を読んで、図書館の週末閉館について初めて知りました。",
        "東京都議会の予算案は来週審議される予定です。",
    ],
    "ru": [
        "Спасибо за статью, у нас в районе ночные автобусы тоже отменили.",
        "Мэрия должна слушать жителей, а не только смотреть на цифры.",
    ],
}
SCRIPT_SETTLED = ["ko", "zh-Hans", "zh-Hant", "yue", "bo", "ug", "my", "vi", "km", "lo", "th", "ja"]


@pytest.mark.parametrize("expected,text", [(tag, text) for tag, texts in COMMENTS.items() for text in texts])
def test_comments_are_detected_in_their_language(expected, text):
    """Each desk language (and a few more) is recognised on ordinary comments."""
    assert detect_language(text) == expected


@pytest.mark.parametrize("expected,text", [(tag, text) for tag in SCRIPT_SETTLED for text in COMMENTS[tag]])
def test_script_rules_decide_without_the_model(monkeypatch, expected, text):
    """Where the script settles the language the model is not consulted (speed, and no model doubt)."""
    def model_not_expected(*args, **kwargs):
        raise AssertionError("the model was called")
    monkeypatch.setattr(language, "_model", model_not_expected)

    assert detect_language(text) == expected


def test_traditional_mandarin_with_guanxi_is_not_cantonese():
    """係 inside 關係 is standard written Chinese, not a Cantonese particle."""
    assert detect_language("這件事和市政府的預算沒有關係，請不要混為一談。") == "zh-Hant"


def test_one_cantonese_particle_decides_a_short_comment():
    """A short comment with an unmistakable Cantonese character is Cantonese."""
    assert detect_language("冇問題，支持！") == "yue"


def test_a_stray_particle_in_a_long_mandarin_comment_does_not_make_it_cantonese():
    """Cantonese needs particles at a density, not one quoted word among many sentences."""
    text = "我們社區的夜班公車停駛以後，很多人下班只能走路回家。" * 6 + "他說「冇辦法」。"
    assert detect_language(text) == "zh-Hant"


def test_characters_shared_by_both_scripts_give_plain_chinese():
    """When Simplified and Traditional cannot be told apart the tag is just "zh"."""
    assert detect_language("我同意，支持！") == "zh"


def test_chinese_with_one_kana_is_still_chinese():
    """A stylistic の in a Chinese comment does not make it Japanese."""
    assert detect_language("這是我の看法，政府應該重新考慮夜班公車的預算。") == "zh-Hant"


def test_kana_only_is_japanese():
    """A comment in kana alone is Japanese."""
    assert detect_language("ありがとうございます") == "ja"


@pytest.mark.parametrize("text", [
    "", "   ", "ok", "lol", "!!!", "👍", "👍👍👍😂", "2026", "12:30, 3.5% 1,200",
    "https://news.example/harbour-buses?ref=home", "www.example.com/path", "news.example.com",
    "reader@example.org", "@harbour_watch", "https://news.example/a 👍 42",
])
def test_short_or_letterless_text_is_undetermined(text):
    """Too few letters, or only emoji, numbers and links: "und", so the story's desk decides."""
    assert detect_language(text) == "und"


@pytest.mark.parametrize("text", [
    "삼성 Galaxy 새로 샀는데 배터리가 너무 빨리 닳아요",
    "이번 iPhone 16 Pro Max 카메라 성능 진짜 좋네요",
    "자세한 내용은 https://news.example/articles/2026/harbour-buses-night-service 에서 확인하세요",
])
def test_korean_with_english_brand_names_or_links_is_korean(text):
    """Latin brand names and links inside a Korean comment do not outweigh the Hangul."""
    assert detect_language(text) == "ko"


def test_an_english_comment_quoting_a_korean_word_is_english():
    """The dominant script decides, and the model reads only that script's letters."""
    assert detect_language("We had bibimbap (비빔밥) at the harbour market; best meal of the whole trip.") == "en"


def test_vietnamese_letters_decide_even_where_the_model_hesitates():
    """Two words with Vietnamese-only letters are Vietnamese (the model alone says Italian)."""
    assert detect_language("Cảm ơn") == "vi"


def test_arabic_script_without_uyghur_letters_may_be_arabic():
    """Arabic script means Uyghur unless the model is sure of another Arabic-script language."""
    assert detect_language("شكرا على هذا المقال، الحافلات الليلية مهمة جدا للعمال.") == "ar"


def test_latin_text_the_model_is_unsure_of_is_undetermined():
    """Below the model's confidence threshold the language is "und"."""
    assert detect_language("hahaha wow") == "und"


def test_the_model_is_loaded_once():
    """Every model call goes through the same loaded detector."""
    detect_language("The council keeps promising new night buses.")
    first = language._language_detector()
    detect_language("Мэрия должна слушать жителей.")

    assert language._language_detector() is first


@pytest.mark.parametrize("raw,tag", [
    ("ko", "ko"), ("ZH-hant", "zh-Hant"), ("en_gb", "en-GB"), ("es-419", "es-419"), (" yue ", "yue"),
    ("und", "und"), ("zh-hant-tw", "zh-Hant-TW"),
    ("k", None), ("ko kr", None), ("한국어", None), ("", None), ("ko-", None), ("x" * 40, None),
])
def test_tags_are_normalized_or_refused(raw, tag):
    """A tag a moderator types is written the BCP 47 way, or refused if it is not shaped like one."""
    assert tag_normalized(raw) == tag
