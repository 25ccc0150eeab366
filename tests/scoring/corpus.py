"""Small labelled corpora the tests write themselves, and a fast way to store decided comments.

Approvals are civil remarks about local stories; rejections insult or advertise, about the same
stories, so a classifier has to learn the abuse and the spam, not the topics.
"""
import itertools
import random
from datetime import datetime, timedelta

from voxpop.comments.models import Comment, CommentRevision
from voxpop.moderation.models import ModerationDecision
from voxpop.scoring.training import APPROVE, REJECT

TOPICS = {
    "en": ["the night buses", "the island library", "the harbour", "the school meals", "the new bridge",
           "the city budget", "the river clean-up", "the flood warnings"],
    "ko": ["야간 버스", "섬마을 도서관", "항구", "학교 급식", "새 다리", "시 예산", "강 정화 사업", "홍수 경보"],
    "zh-Hans": ["夜班巴士", "海岛图书馆", "港口", "学校午餐", "新大桥", "城市预算", "河道清理", "洪水预警"],
}

TEMPLATES = {
    ("en", APPROVE): [
        "Thank you for this careful report on {t}, {c}",
        "I appreciate the reporting about {t}; {c}",
        "Good to read more about {t}. {c}",
        "My neighbours talk a lot about {t} and {c}",
        "A fair and balanced piece on {t}, {c}",
    ],
    ("en", REJECT): [
        "You are a stupid idiot if you care about {t}, {x}",
        "Shut up you pathetic moron, nobody reads about {t}. {x}",
        "BUY CHEAP PILLS NOW at http://pills.example, forget {t}! {x}",
        "Only a worthless loser writes about {t}, {x}",
        "Earn $5000 a week from home, click www.easy-money.example instead of {t} {x}",
    ],
    ("ko", APPROVE): [
        "{t}에 대한 좋은 기사 감사합니다. {c}",
        "{t} 소식을 자세히 전해 주셔서 고맙습니다. {c}",
        "{t} 문제를 다뤄 주셔서 반갑습니다. {c}",
        "우리 동네에서도 {t} 이야기를 많이 합니다. {c}",
        "{t}에 관한 균형 잡힌 보도네요. {c}",
    ],
    ("ko", REJECT): [
        "{t} 기사 쓴 기자는 진짜 멍청이 바보다 {x}",
        "꺼져라 이 병신아 {t} 따위 누가 읽냐 {x}",
        "{t}? 무담보 대출 당일 승인 카톡 문의 클릭 {x}",
        "{t} 얘기하는 놈들은 다 쓰레기 같은 새끼들 {x}",
        "재택 부업 월 500 보장 링크 클릭 {t} 말고 돈 버세요 {x}",
    ],
    ("zh-Hans", APPROVE): [
        "谢谢你们关于{t}的详细报道，{c}",
        "很高兴看到有关{t}的新闻，{c}",
        "我们社区也很关心{t}的问题，{c}",
        "这篇关于{t}的文章写得很公正，{c}",
        "希望{t}的情况能早日改善，{c}",
    ],
    ("zh-Hans", REJECT): [
        "写{t}的记者是个白痴蠢货，{x}",
        "滚吧你这个傻瓜，{t}关你屁事，{x}",
        "{t}？加微信买便宜药，点击链接，{x}",
        "关心{t}的人都是垃圾废物，{x}",
        "在家兼职月入五万，别管{t}了快点击，{x}",
    ],
}

ENDINGS = {
    ("en", APPROVE): ["I hope the council listens.", "it matters to our town.", "please keep following it."],
    ("en", REJECT): ["get lost!!!", "what garbage.", "CLICK NOW!!!"],
    ("ko", APPROVE): ["계속 취재해 주세요.", "시의회가 귀 기울였으면 합니다.", "우리 마을에 중요한 일입니다."],
    ("ko", REJECT): ["꺼져!!!", "쓰레기 기사", "지금 클릭!!!"],
    ("zh-Hans", APPROVE): ["请继续关注。", "希望市议会听取意见。", "这对我们镇很重要。"],
    ("zh-Hans", REJECT): ["滚！！！", "垃圾文章", "马上点击！！！"],
}


def texts(language: str, label: int) -> list[str]:
    """Every comment the templates make (120 per language and label), in a fixed shuffled order."""
    key = (language, label)
    made = [template.format(t=topic, c=ending, x=ending)
            for template, topic, ending in itertools.product(TEMPLATES[key], TOPICS[language], ENDINGS[key])]
    random.Random(f"{language}-{label}").shuffle(made)
    return made


def interleaved(language: str, n: int) -> list[tuple[str, int]]:
    """n approvals and n rejections of `language`, alternating: (text, label) in time order."""
    return list(itertools.chain.from_iterable(zip(
        [(t, APPROVE) for t in texts(language, APPROVE)[:n]], [(t, REJECT) for t in texts(language, REJECT)[:n]])))


def decided_comments(*, story, moderator, labelled: list[tuple[str, int]], language: str, start: datetime,
                     desk=None) -> list[Comment]:
    """Store comments already decided by `moderator`, one minute apart, in a handful of queries."""
    times = [start + timedelta(minutes=i) for i in range(len(labelled))]
    comments = Comment.objects.bulk_create([
        Comment(story=story, language=language, desk=desk or story.desk, created_at=at, fingerprint=f"f{i}",
                status=Comment.Status.REJECTED if label == REJECT else Comment.Status.APPROVED)
        for i, ((_, label), at) in enumerate(zip(labelled, times))])
    revisions = CommentRevision.objects.bulk_create([
        CommentRevision(comment=comment, number=1, body=text, created_at=at)
        for comment, (text, _), at in zip(comments, labelled, times)])
    for comment, revision in zip(comments, revisions):
        comment.current_revision = revision
    Comment.objects.bulk_update(comments, ["current_revision"])
    ModerationDecision.objects.bulk_create([
        ModerationDecision(comment=comment, revision=revision, actor=moderator,
                           action="reject" if label == REJECT else "approve", from_status="pending",
                           to_status=comment.status, decided_at=at)
        for comment, revision, (_, label), at in zip(comments, revisions, labelled, times)])
    return comments
