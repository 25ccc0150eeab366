"""The demo newsroom: three desks, their house rules, three stories written for the demo, a few
published comments (one edited by a moderator, one reply) and one still waiting in the queue."""
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from django.db import transaction

from voxpop.accounts.services import api_token_create, moderator_save
from voxpop.comments.services import comment_submit
from voxpop.desks.models import Desk
from voxpop.desks.services import house_rules_set
from voxpop.desks.selectors import house_rule_get
from voxpop.moderation.services import comment_approve, comment_edit
from voxpop.stories.models import Story
from voxpop.stories.services import story_upsert

DEMO_MODERATOR = "demo-moderator"

DESKS = {
    "english": ("English desk", ["en"], [
        "Be civil: no insults, threats or harassment of anyone, including the people in the story.",
        "Do not share personal details such as phone numbers, addresses or ID numbers, yours or anyone else's.",
        "Stay on the topic of the story.",
        "No advertising, spam or repeated posts.",
        "No hate speech against any group.",
    ]),
    "korean": ("한국어 데스크", ["ko"], [
        "예의를 지켜 주세요. 기사 속 인물을 포함해 누구에게도 모욕, 위협, 괴롭힘은 안 됩니다.",
        "전화번호, 주소, 주민등록번호 같은 개인정보는 본인 것이든 남의 것이든 올리지 마세요.",
        "기사 주제와 관련된 이야기를 해 주세요.",
        "광고, 스팸, 같은 글 반복 게시는 안 됩니다.",
        "특정 집단에 대한 혐오 표현은 안 됩니다.",
    ]),
    "chinese": ("中文部", ["zh-Hant", "zh-Hans", "yue"], [
        "請保持禮貌：不得侮辱、威脅或騷擾任何人，包括報道中的人物。",
        "請勿公開電話號碼、地址或身份證號碼等個人資料，無論是你自己的還是別人的。",
        "請圍繞報道的主題發言。",
        "不得刊登廣告、垃圾訊息或重複發文。",
        "不得發表針對任何群體的仇恨言論。",
    ]),
}


@dataclass(frozen=True)
class DemoArticle:
    key: str
    desk: str
    language: str
    title: str
    byline: str
    paragraphs: list[str]
    comments: list[tuple[str, str]]  # (display name, body); "" is an anonymous reader


DEMO_ARTICLES = {a.key: a for a in [
    DemoArticle(
        key="demo-night-buses", desk="english", language="en",
        title="Harbour city keeps its night buses running through the winter",
        byline="By the Voxpop demo newsroom's city desk",
        paragraphs=[
            "The transport board of a fictional harbour city voted on Tuesday to keep three night bus "
            "routes running until spring, reversing a plan to suspend them for lack of money.",
            "Hospital cleaners, bakers and port workers had filled the public gallery for the vote. Many "
            "said the routes were the only way home after a late shift.",
            "The board will pay for the service by delaying the repainting of two ferry terminals. "
            "Its chair said ridership would be reviewed in March.",
        ],
        comments=[
            ("Mara", "I finish at the bakery at 3 a.m. Without the N4 I would be walking an hour in the dark. Thank you to everyone who came to the meeting."),
            ("", "Good decision, but why was it ever in doubt? Night workers keep this city running."),
            ("Port worker", "The ferry terminals can wait another year. Call me on 0412 555 019 if you want to organise for the spring review."),
        ],
    ),
    DemoArticle(
        key="demo-island-library", desk="korean", language="ko",
        title="섬마을 작은 도서관, 주민 손으로 다시 문 열다",
        byline="Voxpop 데모 뉴스룸 지역팀",
        paragraphs=[
            "문을 닫은 지 3년 된 어느 섬마을의 작은 도서관이 주민들의 힘으로 다시 문을 열었다. "
            "이 기사는 데모를 위해 쓴 가상의 이야기다.",
            "주민들은 지난여름부터 주말마다 모여 비가 새던 지붕을 고치고, 육지의 학교와 가정에서 "
            "기증받은 책 2천여 권을 정리했다.",
            "도서관은 매주 화요일과 토요일에 문을 열며, 배편이 끊기는 겨울에는 아이들을 위한 "
            "읽기 모임도 열 계획이다.",
        ],
        comments=[
            ("바다", "어릴 때 다니던 도서관이 다시 열렸다니 정말 반갑네요. 주말에 책 몇 권 들고 가겠습니다."),
            ("", "겨울 읽기 모임 좋은 생각입니다. 배가 끊기면 아이들이 갈 곳이 없거든요."),
            ("섬 주민", "지붕 고친 날 비가 와서 다들 고생했는데 보람이 있네요."),
        ],
    ),
    DemoArticle(
        key="demo-teahouse", desk="chinese", language="zh-Hant",
        title="老街茶樓結業前最後一個週末　街坊排隊道別",
        byline="Voxpop 示範新聞室　社區組",
        paragraphs=[
            "一家在老街經營了四十多年的茶樓將於月底結業，最後一個週末從清晨開始便有街坊排隊。"
            "本文為示範而寫，人物與地點均屬虛構。",
            "茶樓的點心師傅說，很多客人從小跟著父母來飲茶，如今帶著自己的孩子來道別。",
            "業主表示，租約到期後店舖會改建，但仍希望有人延續老街的茶樓文化。",
        ],
        comments=[
            ("阿明", "小時候每個星期天都跟爺爺來這裡，蝦餃的味道一直記得。多謝師傅們。"),
            ("", "希望老街不要只剩下連鎖店。"),
        ],
    ),
]}


def demo_is_loaded() -> bool:
    return Story.objects.filter(key__in=DEMO_ARTICLES).exists()


@transaction.atomic
def demo_load(*, now: datetime, credentials_file: Path) -> None:
    """Create the demo newsroom and its moderator; the sign-in details go to `credentials_file`."""
    for key, (name, languages, rules) in DESKS.items():
        desk = Desk.objects.create(key=key, name=name, languages=languages)
        house_rules_set(desk=desk, language=languages[0], texts=rules, now=now)
    password = secrets.token_urlsafe(12)
    moderator, device = moderator_save(username=DEMO_MODERATOR, password=password, role="admin",
                                       desk_keys=list(DESKS))
    token = api_token_create(user=moderator, now=now)
    for index, article in enumerate(DEMO_ARTICLES.values()):
        _demo_story(article, moderator=moderator, published=now - timedelta(days=1, hours=index), now=now)
    credentials_file.write_text(json.dumps({
        "username": DEMO_MODERATOR, "password": password, "token": token, "otp_uri": device.config_url,
    }, indent=2))
    credentials_file.chmod(0o600)


def _demo_story(article: DemoArticle, *, moderator, published: datetime, now: datetime) -> None:
    story, _ = story_upsert(key=article.key, fields={
        "title": article.title, "url": f"https://news.example/{article.key}", "language": article.language,
        "desk": Desk.objects.get(key=article.desk), "published_at": published,
    }, now=now)
    approved = []
    for minute, (name, body) in enumerate(article.comments, start=1):
        at = published + timedelta(minutes=20 * minute)
        comment = comment_submit(story=story, body=body, display_name=name, parent_id=None, submission_key=None,
                                 commenter_key=f"demo-{article.key}-{minute}", now=at).comment
        revision_id = comment.current_revision_id
        if "555 019" in body:  # the demo's example of a redaction under the personal-data rule
            rule = house_rule_get(desk=story.desk, language=story.language, number=2)
            comment_edit(comment_id=comment.pk, revision_id=revision_id, moderator=moderator,
                         body=body.replace("0412 555 019", "[phone number removed]"), rule=rule,
                         note="Masked a phone number", approve=True, now=at + timedelta(minutes=5))
        else:
            comment_approve(comment_id=comment.pk, revision_id=revision_id, moderator=moderator,
                            now=at + timedelta(minutes=5))
        approved.append(comment)
    reply = comment_submit(story=story, body=_reply_text(article.language), display_name="", submission_key=None,
                           parent_id=approved[0].pk, commenter_key=f"demo-{article.key}-reply",
                           now=published + timedelta(hours=2)).comment
    comment_approve(comment_id=reply.pk, revision_id=reply.current_revision_id, moderator=moderator,
                    now=published + timedelta(hours=2, minutes=5))
    comment_submit(story=story, body=_pending_text(article.language), display_name="", parent_id=None,
                   submission_key=None, commenter_key=f"demo-{article.key}-pending", now=now - timedelta(minutes=30))


def _reply_text(language: str) -> str:
    return {"ko": "저도 같은 생각입니다.", "zh-Hant": "同意，多謝分享。"}.get(language, "Same here. Stay safe out there.")


def _pending_text(language: str) -> str:
    return {"ko": "이 댓글은 아직 검토를 기다리고 있습니다.", "zh-Hant": "這條留言仍在等待審核。"}.get(
        language, "This comment is still waiting for a moderator, so readers cannot see it yet.")
