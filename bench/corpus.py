"""Made-up reader comments for the benchmarks: varied lengths, several scripts, no real people.

Each desk has a pool of sentences in its language; a comment is a few of them, sometimes several
paragraphs, sometimes with a link or a phone number (what the risk signals look for), sometimes a
reader writing in English on a non-English desk.
"""
import random

# key: (name, story language, languages readers write in)
DESKS = {
    "english": ("English desk", "en", ["en"]),
    "korean": ("한국어 데스크", "ko", ["ko"]),
    "mandarin": ("普通话部", "zh-Hans", ["zh-Hans"]),
    "cantonese": ("粵語部", "zh-Hant", ["zh-Hant", "yue"]),
    "tibetan": ("བོད་སྐད་སྡེ་ཚན།", "bo", ["bo"]),
    "uyghur": ("ئۇيغۇرچە بۆلۈم", "ug", ["ug"]),
    "burmese": ("မြန်မာပိုင်း", "my", ["my"]),
    "vietnamese": ("Ban tiếng Việt", "vi", ["vi"]),
    "khmer": ("ផ្នែកខ្មែរ", "km", ["km"]),
    "lao": ("ພາກລາວ", "lo", ["lo"]),
}

# Share of the queue per desk: big desks and small ones, as in a real newsroom.
DESK_WEIGHTS = {"english": 24, "korean": 16, "mandarin": 15, "cantonese": 10, "vietnamese": 9,
                "tibetan": 6, "uyghur": 6, "burmese": 6, "khmer": 4, "lao": 4}

RULES = {
    "en": ["Be civil: no insults, threats or harassment of anyone, including the people in the story.",
           "Do not share personal details such as phone numbers, addresses or ID numbers.",
           "Stay on the topic of the story.",
           "No advertising, spam or repeated posts.",
           "No hate speech against any group."],
    "ko": ["예의를 지켜 주세요. 누구에게도 모욕, 위협, 괴롭힘은 안 됩니다.",
           "전화번호, 주소, 주민등록번호 같은 개인정보는 올리지 마세요.",
           "기사 주제와 관련된 이야기를 해 주세요.",
           "광고, 스팸, 같은 글 반복 게시는 안 됩니다.",
           "특정 집단에 대한 혐오 표현은 안 됩니다."],
    "zh-Hans": ["请保持礼貌：不得侮辱、威胁或骚扰任何人。",
                "请勿公开电话号码、地址或身份证号码等个人资料。",
                "请围绕报道的主题发言。",
                "不得刊登广告、垃圾信息或重复发文。",
                "不得发表针对任何群体的仇恨言论。"],
    "zh-Hant": ["請保持禮貌：不得侮辱、威脅或騷擾任何人。",
                "請勿公開電話號碼、地址或身份證號碼等個人資料。",
                "請圍繞報道的主題發言。",
                "不得刊登廣告、垃圾訊息或重複發文。",
                "不得發表針對任何群體的仇恨言論。"],
    "bo": ["གཞན་ལ་བརྙས་བཅོས་མི་བྱེད།",
           "ཁ་པར་ཨང་གྲངས་དང་སྡོད་གནས་སོགས་སྒེར་གྱི་ཆ་འཕྲིན་མི་འགོད།",
           "གསར་འགྱུར་གྱི་བརྗོད་གཞི་དང་འབྲེལ་བ་དགོས།",
           "ཚོང་བསྒྲགས་མི་འགོད།",
           "མི་རིགས་གཞན་ལ་ཞེ་སྡང་གི་གཏམ་མི་བཤད།"],
    "ug": ["باشقىلارنى ھاقارەتلىمەڭ ۋە تەھدىت سالماڭ.",
           "تېلېفون نومۇرى، ئادرېس قاتارلىق شەخسىي ئۇچۇرلارنى يازماڭ.",
           "خەۋەرنىڭ تېمىسى ھەققىدە يېزىڭ.",
           "ئېلان ۋە تەكرار يوللانمىلار مەنئى قىلىنىدۇ.",
           "ھېچقانداق توپقا قارىتا ئۆچمەنلىك سۆزلىرى يازماڭ."],
    "my": ["မည်သူ့ကိုမျှ စော်ကားခြင်း မပြုရ။",
           "ဖုန်းနံပါတ်၊ လိပ်စာ စသည့် ကိုယ်ရေးအချက်အလက် မတင်ရ။",
           "သတင်းအကြောင်းအရာနှင့် သက်ဆိုင်ရမည်။",
           "ကြော်ငြာ မတင်ရ။",
           "အမုန်းစကား မပြောရ။"],
    "vi": ["Hãy lịch sự: không xúc phạm, đe dọa hay quấy rối bất kỳ ai.",
           "Không đăng thông tin cá nhân như số điện thoại, địa chỉ.",
           "Bình luận đúng chủ đề của bài viết.",
           "Không quảng cáo, không spam.",
           "Không phát ngôn thù hận với bất kỳ nhóm nào."],
    "km": ["សូមគោរពគ្នា កុំជេរប្រមាថនរណាម្នាក់។",
           "កុំបង្ហោះលេខទូរស័ព្ទ ឬអាសយដ្ឋាន។",
           "សូមនិយាយអំពីប្រធានបទនៃព័ត៌មាន។",
           "ហាមផ្សាយពាណិជ្ជកម្ម។",
           "ហាមពាក្យសម្ដីស្អប់ខ្ពើម។"],
    "lo": ["ກະລຸນາສຸພາບ ບໍ່ດູຖູກຜູ້ໃດ.",
           "ຢ່າເຜີຍແຜ່ເບີໂທລະສັບ ຫຼື ທີ່ຢູ່.",
           "ກະລຸນາສະແດງຄວາມຄິດເຫັນກ່ຽວກັບຂ່າວ.",
           "ຫ້າມໂຄສະນາ.",
           "ຫ້າມເວົ້າຈາກຽດຊັງ."],
}

SENTENCES = {
    "en": [
        "I finish my shift at three in the morning and the night bus is the only way home.",
        "Thank you for reporting this; nobody else in the city has covered it.",
        "The council promised the same thing two years ago and nothing happened.",
        "My grandmother lived in that village for sixty years and she says the river was never this low.",
        "Why does the article not mention who paid for the study?",
        "This is good news for the families who have been waiting since the flood.",
        "I disagree with the minister, but the reporter explained both sides fairly.",
        "Could you publish the full list of schools that will close next year?",
        "Prices at the market have doubled since spring and wages have not moved at all.",
        "We organised a meeting in the community hall last week and more than two hundred people came.",
        "The photo caption says Tuesday but the vote was on Wednesday.",
        "Please keep following this story after the election is over.",
        "It took my brother four months to get a permit for the same repair.",
        "Local teachers deserve better than this.",
    ],
    "ko": [
        "좋은 기사 감사합니다. 지역 언론이 꼭 다뤄야 할 문제라고 생각합니다.",
        "작년에도 같은 약속을 했는데 달라진 것이 하나도 없습니다.",
        "저희 동네 도서관도 내년에 문을 닫는다고 들었습니다.",
        "버스 노선이 줄어들면 어르신들이 병원에 가기가 더 어려워집니다.",
        "기사에 나온 통계의 출처를 밝혀 주시면 좋겠습니다.",
        "주민들이 힘을 모아 다시 문을 열었다니 정말 감동적입니다.",
        "물가는 계속 오르는데 월급은 그대로입니다.",
        "후속 보도도 꼭 부탁드립니다.",
        "시장님은 이 문제에 대해 직접 답해야 합니다.",
        "아이들이 안전하게 학교에 다닐 수 있었으면 좋겠습니다.",
    ],
    "zh-Hans": [
        "谢谢你们的报道，这件事本地媒体都不敢写。",
        "我们村的水已经停了三个星期，没有人来处理。",
        "去年政府也是这么承诺的，结果什么都没有改变。",
        "希望记者能继续跟进这个新闻。",
        "文章里的数字是从哪里来的？能否公布原始数据？",
        "物价涨得太快了，普通人的工资根本跟不上。",
        "老人看病越来越难，公交车又减少了班次。",
        "这篇文章写得很客观，两边的意见都有。",
        "孩子们的学校明年就要关闭，家长们都很着急。",
    ],
    "zh-Hant": [
        "多謝你哋嘅報道，呢件事好少傳媒講。",
        "我哋條村已經停水三個星期，冇人理。",
        "去年政府都係咁講，結果乜都冇改變。",
        "希望記者繼續跟進呢單新聞。",
        "文章入面啲數字係邊度嚟㗎？",
        "物價升得太快，人工完全追唔上。",
        "老人家睇醫生越嚟越難，巴士班次又減少咗。",
        "這篇報道寫得很持平，雙方的意見都有。",
        "孩子們的學校明年就要關閉，家長們都很著急。",
    ],
    "bo": [
        "གསར་འགྱུར་འདི་ལ་ཐུགས་རྗེ་ཆེ།",
        "ང་ཚོའི་ཡུལ་ལ་ཟླ་བ་གསུམ་རིང་ཆུ་མེད་པ་རེད།",
        "བོད་ཀྱི་སྐད་ཡིག་སློབ་སྦྱོང་གལ་ཆེན་པོ་རེད།",
        "སློབ་གྲྭ་གསར་པ་ཞིག་དགོས།",
        "རྒན་རྒོན་ཚོར་སྨན་ཁང་ལ་འགྲོ་རྒྱུ་དཀའ་ངལ་ཆེ།",
        "མུ་མཐུད་ནས་གནས་ཚུལ་འདི་སྙན་སྒྲོན་གནང་རོགས།",
        "བཀྲ་ཤིས་བདེ་ལེགས། ང་ནི་ཕ་ཡུལ་ནས་ཡིན།",
    ],
    "ug": [
        "بۇ خەۋەر ئۈچۈن رەھمەت.",
        "مەن بۇ ماقالىنى ئوقۇپ بەك خۇشال بولدۇم.",
        "ئانا تىلىمىزنى ساقلاش كېرەك.",
        "يېزىمىزدا ئۈچ ھەپتىدىن بېرى سۇ يوق.",
        "ئائىلەمدىكىلەرنى بەك سېغىندىم.",
        "بالىلارنىڭ مەكتىپى كېلەر يىلى تاقىلىدىكەن.",
        "بۇ ئىشنى داۋاملىق خەۋەر قىلىپ بېرىڭلار.",
    ],
    "my": [
        "ဒီသတင်းအတွက် ကျေးဇူးတင်ပါတယ်။",
        "ကျွန်တော်တို့ရွာမှာ ရေမရှိတာ သုံးပတ်ရှိပြီ။",
        "ကလေးတွေ ကျောင်းတက်ခွင့်ရသင့်တယ်။",
        "ဈေးနှုန်းတွေ အရမ်းတက်နေပါတယ်။",
        "ဒီကိစ္စကို ဆက်ပြီး သတင်းတင်ပေးပါ။",
        "အဘိုးအဘွားတွေ ဆေးရုံသွားဖို့ ခက်ခဲပါတယ်။",
    ],
    "vi": [
        "Cảm ơn bài viết rất hay và khách quan.",
        "Giá điện tăng quá nhanh, người dân không chịu nổi.",
        "Tôi hy vọng chính quyền sẽ lắng nghe ý kiến của người dân.",
        "Làng tôi đã mất nước ba tuần nay mà không ai đến sửa.",
        "Năm ngoái họ cũng hứa như vậy nhưng chẳng có gì thay đổi.",
        "Xin hãy tiếp tục theo dõi câu chuyện này.",
        "Trường của con tôi sẽ đóng cửa vào năm sau.",
    ],
    "km": [
        "សូមអរគុណសម្រាប់ព័ត៌មាននេះ។",
        "ភូមិយើងខ្ញុំគ្មានទឹកស្អាតប្រើបីសប្តាហ៍ហើយ។",
        "តម្លៃទំនិញឡើងខ្លាំងណាស់។",
        "សូមតាមដានរឿងនេះបន្តទៀត។",
        "កូនៗត្រូវការសាលារៀនថ្មី។",
    ],
    "lo": [
        "ຂອບໃຈສຳລັບຂ່າວນີ້.",
        "ບ້ານຂອງພວກເຮົາບໍ່ມີນ້ຳສະອາດມາສາມອາທິດແລ້ວ.",
        "ລາຄາສິນຄ້າຂຶ້ນຫຼາຍ.",
        "ກະລຸນາຕິດຕາມເລື່ອງນີ້ຕໍ່ໄປ.",
        "ເດັກນ້ອຍຕ້ອງການໂຮງຮຽນໃໝ່.",
    ],
}
SENTENCES["yue"] = SENTENCES["zh-Hant"]

NAMES = ["Mara", "port worker", "J.", "민지", "김씨", "老王", "小林", "阿明", "བཀྲ་ཤིས།", "ئابدۇللا",
         "မောင်မောင်", "Lan", "Sokha", "ສົມຊາຍ", "a reader from the north", "匿名读者", "교사", "nurse"]

WORD_JOINER = {"en": " ", "ko": " ", "vi": " ", "ug": " ", "bo": "", "zh-Hans": "", "zh-Hant": "", "yue": "",
               "my": " ", "km": "", "lo": " "}


def comment_body(rng: random.Random, language: str) -> str:
    """One comment: mostly one to three sentences, sometimes a long multi-paragraph letter."""
    pool, joiner = SENTENCES[language], WORD_JOINER[language]
    roll = rng.random()
    if roll < 0.55:
        paragraphs = [joiner.join(rng.choices(pool, k=rng.randint(1, 3)))]
    elif roll < 0.92:
        paragraphs = [joiner.join(rng.choices(pool, k=rng.randint(2, 5))) for _ in range(rng.randint(1, 3))]
    else:  # a long one, up to ~2,500 characters
        paragraphs = [joiner.join(rng.choices(pool, k=rng.randint(4, 8))) for _ in range(rng.randint(3, 6))]
    extra = rng.random()
    if extra < 0.04:
        paragraphs.append(f"More here: https://example.org/report/{rng.randint(1000, 99999)}")
    elif extra < 0.06:
        paragraphs.append(f"Call 0{rng.randint(400, 499)} {rng.randint(100, 999)} {rng.randint(100, 999)}")
    return "\n\n".join(paragraphs)[:2900]


def comment_language(rng: random.Random, desk_languages: list[str]) -> str:
    """Mostly the desk's language; one in ten readers writes in English."""
    if desk_languages[0] != "en" and rng.random() < 0.1:
        return "en"
    return rng.choice(desk_languages)


def display_name(rng: random.Random) -> str:
    return "" if rng.random() < 0.3 else rng.choice(NAMES)
