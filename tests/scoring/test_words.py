"""Banned and suspect words: the desk's lists in the comment's language, matched as each script is written."""
from datetime import timedelta

import pytest

from tests.conftest import make_moderator
from voxpop.accounts.models import User
from voxpop.scoring.editorial import word_entries, word_lists_current, word_lists_set, word_lists_version
from voxpop.scoring.models import WordList
from voxpop.scoring.signals import words

from .signal_context import comment_by, context_for


@pytest.fixture
def editor(english_desk, korean_desk):
    return make_moderator("edna", [english_desk, korean_desk], role=User.Role.EDITOR)


@pytest.fixture
def set_words(editor, now):
    """`set_words(desk, language, banned=..., suspect=...)`: save the lists as an editor would."""
    def save(desk, language, *, banned="", suspect="", at=None):
        current = word_lists_current(desk=desk, language=language)
        entries = {WordList.Kind.BANNED: word_entries(banned), WordList.Kind.SUSPECT: word_entries(suspect)}
        word_lists_set(desk=desk, language=language, entries=entries, seen=word_lists_version(current),
                       editor=editor, now=at or now)
    return save


@pytest.fixture
def scan(now):
    """`scan(story, body, language=None)`: the word signals of a new comment with `body`."""
    def run(story, body, language=None, desk=None):
        comment = comment_by(story, body=body, at=now)
        return {s.name: s for s in words.detect(context_for(comment, now=now, language=language, desk=desk))}
    return run


def texts(signal, body) -> list[str]:
    return [body[start:end] for start, end in signal.spans]


def test_english_matches_whole_words_only(story, english_desk, set_words, scan):
    """"ass" is found as a word, not inside "class" or "assess"."""
    set_words(english_desk, "en", banned="ass")
    body = "What a class act, you ass. Let's assess it."

    signal = scan(story, body)["banned_word"]

    assert signal.spans == ((22, 25),)
    assert texts(signal, body) == ["ass"]
    assert signal.label == "Banned word: ass" and signal.weight == 0.6


def test_english_without_a_listed_word_has_no_signal(story, english_desk, set_words, scan):
    """A comment with none of the entries (only words containing them) gets no word signal."""
    set_words(english_desk, "en", banned="ass\nidiot", suspect="moron")

    assert scan(story, "A classic idiotic moronic passage.") == {}


def test_case_and_full_width_letters_do_not_matter(story, english_desk, set_words, scan):
    """Entries match in any case and in full-width letters; spans are the text as the reader wrote it."""
    set_words(english_desk, "en", banned="Idiot")
    body = "ＩＤＩＯＴ, you IDIOT, you idiot"

    assert texts(scan(story, body)["banned_word"], body) == ["ＩＤＩＯＴ", "IDIOT", "idiot"]


def test_entry_with_spaces_matches_any_white_space(story, english_desk, set_words, scan):
    """A multi-word entry matches across several spaces or a line break."""
    set_words(english_desk, "en", suspect="go back to")
    body = "They should Go  back\nto where they came from."

    signal = scan(story, body)["suspect_word"]

    assert texts(signal, body) == ["Go  back\nto"]
    assert signal.weight == 0.3


def test_entry_ending_in_star_matches_word_starts(story, english_desk, set_words, scan):
    """"idiot*" finds "idiots" and "Idiotic" but not a word that only contains it."""
    set_words(english_desk, "en", banned="idiot*")
    body = "Idiotic plans by idiots, said Vidiot."

    signal = scan(story, body)["banned_word"]

    assert texts(signal, body) == ["Idiot", "idiot"]
    assert signal.label == "Banned word: idiot*"


def test_chinese_matches_inside_text_and_across_inserted_spaces(story, english_desk, set_words, scan):
    """Chinese has no spaces between words: an entry matches anywhere, also with spaces slipped in."""
    set_words(english_desk, "en", banned="傻逼")
    body = "你这个傻逼，真是傻 逼。"

    assert texts(scan(story, body)["banned_word"], body) == ["傻逼", "傻 逼"]


def test_chinese_without_the_entry_has_no_signal(story, english_desk, set_words, scan):
    """A Chinese comment sharing one character with the entry is not flagged."""
    set_words(english_desk, "en", banned="傻逼")

    assert scan(story, "这个决定很傻，但逼不得已。") == {}


def test_thai_matches_without_spaces(story, english_desk, set_words, scan):
    """Thai is written without spaces between words: the entry is found inside a run of text."""
    set_words(english_desk, "en", suspect="ขี้โกง")
    body = "นักการเมืองขี้โกงทั้งนั้น"

    assert texts(scan(story, body)["suspect_word"], body) == ["ขี้โกง"]


def test_korean_matches_at_word_start_with_particles(korean_story, korean_desk, set_words, scan):
    """바보 is found in 바보가 and 바보야 (particles attach) but not inside 곰바보."""
    set_words(korean_desk, "ko", banned="바보")
    body = "너는 바보가 아니야. 곰바보 말고 바보야!"

    signal = scan(korean_story, body)["banned_word"]

    assert texts(signal, body) == ["바보", "바보"]
    assert signal.spans == ((3, 5), (19, 21))


def test_korean_without_the_entry_has_no_signal(korean_story, korean_desk, set_words, scan):
    """A Korean comment without the entry at a word start is not flagged."""
    set_words(korean_desk, "ko", banned="바보")

    assert scan(korean_story, "도서관이 생겨서 정말 기쁩니다. 곰바보 인형도 샀어요.") == {}


def test_banned_and_suspect_are_separate_signals(story, english_desk, set_words, scan):
    """One comment can carry both signals, each with its own spans."""
    set_words(english_desk, "en", banned="scum", suspect="liar")
    body = "The mayor is a liar and his staff are scum."

    found = scan(story, body)

    assert texts(found["banned_word"], body) == ["scum"]
    assert texts(found["suspect_word"], body) == ["liar"]


def test_label_names_the_first_words_and_counts_the_rest(story, english_desk, set_words, scan):
    """The label lists the first three distinct entries found, in text order, and counts the others."""
    set_words(english_desk, "en", banned="alpha\nbravo\ncharlie\ndelta\necho")

    signal = scan(story, "echo delta charlie bravo alpha echo")["banned_word"]

    assert signal.label == "Banned words: echo, delta, charlie and 2 more"
    assert len(signal.spans) == 6


def test_desk_language_without_a_list_uses_the_first_language(korean_story, korean_desk, set_words, scan):
    """A comment in a language the desk has no list for is checked against its first language's list."""
    set_words(korean_desk, "ko", banned="쓰레기")

    assert "banned_word" in scan(korean_story, "완전 쓰레기 같은 기사", language="und")


def test_the_language_own_list_comes_first(korean_story, korean_desk, set_words, scan):
    """With a list for the comment's language (here by its primary subtag), the first language's is not used."""
    korean_desk.languages = ["ko", "zh-Hant"]
    korean_desk.save()
    set_words(korean_desk, "ko", banned="쓰레기")
    set_words(korean_desk, "zh", banned="垃圾")

    found = scan(korean_story, "垃圾 쓰레기", language="zh-Hant")

    assert texts(found["banned_word"], "垃圾 쓰레기") == ["垃圾"]


def test_another_desks_list_does_not_apply(story, korean_desk, set_words, scan):
    """The Korean desk's English list does not flag a comment routed to the English desk."""
    set_words(korean_desk, "en", banned="idiot")

    assert scan(story, "You idiot.") == {}


def test_a_saved_change_applies_to_the_next_comment(story, english_desk, set_words, scan, now):
    """The prepared list is rebuilt after a save, even one at the same clock reading."""
    set_words(english_desk, "en", banned="idiot")
    assert "banned_word" in scan(story, "You idiot.")

    set_words(english_desk, "en", banned="moron")

    assert scan(story, "You idiot.") == {}
    assert "banned_word" in scan(story, "You moron.")


def test_a_large_list_is_read_once_per_process(story, english_desk, set_words, now, django_assert_num_queries):
    """With the list prepared, scoring a comment costs one query (which lists apply), whatever the list's size."""
    set_words(english_desk, "en", banned="\n".join(f"word{n}" for n in range(10_000)))
    comment = comment_by(story, body="This has word9999 in it. " * 80, at=now)
    context = context_for(comment, now=now)
    words.detect(context)

    with django_assert_num_queries(1):
        found = words.detect(context)

    assert len(found[0].spans) == 80


def test_no_lists_no_signal(story, scan):
    """A desk without word lists gives no word signal."""
    assert scan(story, "Anything at all.") == {}


def test_word_entries_drop_blank_lines_and_repeats():
    """Entries are trimmed lines; blank lines and entries matching the same text are left out."""
    assert word_entries(" idiot \n\nIDIOT\nＩｄｉｏｔ\ngo   back to\n") == ["idiot", "go back to"]


def test_saving_the_same_list_keeps_its_version(english_desk, set_words, now):
    """Saving unchanged entries does not touch the list (its prepared form stays valid)."""
    set_words(english_desk, "en", banned="idiot")
    before = WordList.objects.get(kind="banned")

    set_words(english_desk, "en", banned="idiot", at=now + timedelta(hours=1))

    after = WordList.objects.get(kind="banned")
    assert (after.version, after.updated_at) == (before.version, before.updated_at)
