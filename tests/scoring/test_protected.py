"""Protected names: every mention of a name an editor protected on the story, however it is spaced or dotted."""
import pytest

from tests.conftest import make_moderator
from voxpop.accounts.models import User
from voxpop.scoring.editorial import ProtectedNameRefused, protected_name_add, protected_name_remove
from voxpop.scoring.models import ProtectedNameChange
from voxpop.scoring.signals import protected
from voxpop.stories.services import story_upsert

from .signal_context import comment_by, context_for


@pytest.fixture
def editor(english_desk, korean_desk):
    return make_moderator("edna", [english_desk, korean_desk], role=User.Role.EDITOR)


@pytest.fixture
def protect(editor, now):
    def add(story, *names):
        for name in names:
            protected_name_add(story=story, name=name, editor=editor, now=now)
    return add


@pytest.fixture
def scan(now):
    """`scan(story, body)`: the protected-name signal of a new comment, or None."""
    def run(story, body):
        found = protected.detect(context_for(comment_by(story, body=body, at=now), now=now))
        return found[0] if found else None
    return run


def texts(signal, body) -> list[str]:
    return [body[start:end] for start, end in signal.spans]


def test_english_name_matches_every_mention_in_any_case(story, protect, scan):
    """Both mentions are found, in any case and across a line break; the signal is personal data."""
    protect(story, "Jane Doe")
    body = "I know jane doe. Everyone knows JANE\nDOE lives on Harbour Road."

    signal = scan(story, body)

    assert texts(signal, body) == ["jane doe", "JANE\nDOE"]
    assert signal.name == "protected_name" and signal.label == "Protected name: Jane Doe"
    assert signal.personal and signal.weight == 0.5


def test_english_name_inside_other_words_is_not_a_mention(story, protect, scan):
    """"Janet Doering" does not mention "Jane Doe"."""
    protect(story, "Jane Doe")

    assert scan(story, "Janet Doering chairs the transport board.") is None


def test_korean_name_with_or_without_space_and_with_particle(korean_story, protect, scan):
    """김민수 is found written 김 민수 and 김민수가, and a name saved with a space finds both too."""
    protect(korean_story, "김민수")
    body = "김 민수 씨가 제보했대요. 김민수가 누군지 다 알아요."

    assert texts(scan(korean_story, body), body) == ["김 민수", "김민수"]


def test_korean_name_saved_with_a_space(korean_story, protect, scan):
    """A name protected as 김 민수 also finds 김민수."""
    protect(korean_story, "김 민수")
    body = "김민수 학생 이야기예요."

    assert texts(scan(korean_story, body), body) == ["김민수"]


def test_korean_comment_without_the_name(korean_story, protect, scan):
    """A comment with only the family name is not flagged."""
    protect(korean_story, "김민수")

    assert scan(korean_story, "김 선생님 말씀이 맞아요. 민 씨도요.") is None


def test_chinese_name_with_any_middle_dot_or_none(story, protect, scan):
    """阿卜杜勒·艾力 is found with ·, ・, ‧, a space, or nothing between its parts."""
    protect(story, "阿卜杜勒·艾力")
    body = "阿卜杜勒・艾力说了。阿卜杜勒艾力在哪？阿卜杜勒‧艾力。阿卜杜勒 艾力！"

    assert texts(scan(story, body), body) == ["阿卜杜勒・艾力", "阿卜杜勒艾力", "阿卜杜勒‧艾力", "阿卜杜勒 艾力"]


def test_chinese_name_saved_without_dot_finds_dotted_mentions(story, protect, scan):
    """A name saved without its dot finds the dotted spelling."""
    protect(story, "阿卜杜勒艾力")
    body = "我认识阿卜杜勒·艾力。"

    assert texts(scan(story, body), body) == ["阿卜杜勒·艾力"]


def test_chinese_comment_without_the_name(story, protect, scan):
    """Sharing a few characters with the name is not a mention."""
    protect(story, "王小明")

    assert scan(story, "小明天去王府井。") is None


def test_names_of_another_story_do_not_apply(story, english_desk, protect, scan, now):
    """A name protected on one story is not flagged on another."""
    other = story_upsert(key="other", fields={"title": "Other", "url": "https://news.example/other", "language": "en",
                                              "desk": english_desk}, now=now)[0]
    protect(other, "Jane Doe")

    assert scan(story, "Jane Doe said so.") is None


def test_several_names_in_one_signal(story, protect, scan):
    """Mentions of several names make one signal with every span, in text order."""
    protect(story, "Jane Doe", "Sam Lee")
    body = "Sam Lee and Jane Doe, and Sam Lee again."

    signal = scan(story, body)

    assert texts(signal, body) == ["Sam Lee", "Jane Doe", "Sam Lee"]
    assert signal.label == "Protected names: Sam Lee, Jane Doe"


def test_adding_records_who_and_when(story, editor, now):
    """Each added and removed name writes an audit row naming the editor."""
    name = protected_name_add(story=story, name="  Jane   Doe ", editor=editor, now=now)
    protected_name_remove(story=story, name_id=name.pk, editor=editor, now=now)

    assert name.name == "Jane Doe" and name.created_by == editor
    assert list(ProtectedNameChange.objects.order_by("pk").values_list("action", "name", "actor", "changed_at")) == [
        ("add", "Jane Doe", editor.pk, now), ("remove", "Jane Doe", editor.pk, now)]


def test_a_name_already_covered_is_refused(korean_story, protect, editor, now):
    """김 민수 is refused when 김민수 is protected: it would find the same text."""
    protect(korean_story, "김민수")

    with pytest.raises(ProtectedNameRefused, match="already protected"):
        protected_name_add(story=korean_story, name="김 민수", editor=editor, now=now)


def test_removing_twice_changes_nothing(story, editor, now):
    """Removing a name that is already gone returns None and writes no audit row."""
    name = protected_name_add(story=story, name="Jane Doe", editor=editor, now=now)
    protected_name_remove(story=story, name_id=name.pk, editor=editor, now=now)

    assert protected_name_remove(story=story, name_id=name.pk, editor=editor, now=now) is None
    assert ProtectedNameChange.objects.filter(action="remove").count() == 1
