"""The classifier at submission: hashed n-gram features, the stored model, and `risk_for`."""
import io
import random
from datetime import timedelta

import numpy as np
import pytest

from voxpop.scoring import classifier, training
from voxpop.scoring.models import ClassifierModel
from voxpop.scoring.training import APPROVE, REJECT

from .corpus import decided_comments, interleaved, texts


@pytest.fixture(autouse=True)
def fresh_cache():
    """Each test starts without cached models, and leaves none behind for other tests."""
    classifier.cache_clear()
    yield
    classifier.cache_clear()


@pytest.fixture
def trained(story, moderator, now):
    """English, Korean and Chinese models trained on 80 approvals and 80 rejections each."""
    for i, language in enumerate(["en", "ko", "zh-Hans"]):
        decided_comments(story=story, moderator=moderator, labelled=interleaved(language, 80), language=language,
                         start=now - timedelta(days=3 - i))
    return training.retrain(now=now)


@pytest.fixture
def english_model(story, moderator, now):
    """An English model from 40 approvals and 40 rejections: enough where ranking is not the point."""
    decided_comments(story=story, moderator=moderator, labelled=interleaved("en", 40), language="en",
                     start=now - timedelta(days=1))
    return training.retrain(now=now)[0].version


SAMPLES = [
    "", "   ", "a", "Hello,  World!\tNew\nline", "ﬁne ＦＵＬＬ-ｗｉｄｔｈ ①", "İstanbul ǅemal ß",
    "좋은 기사 감사합니다", "谢谢你们的报道，很好！", "夜班巴士是我回家的唯一方式" * 20, "བོད་ཡིག", "ئۇيغۇرچە تېكىست",
    "မြန်မာစာ", "Tiếng Việt có dấu", "ភាសាខ្មែរ", "ພາສາລາວ", "emoji 👍🏽 and 🙂\u00a0nbsp\u3000ideographic space",
]


@pytest.mark.parametrize("text", SAMPLES)
def test_fast_features_equal_scikit_learns(text):
    """risk_for's numpy features are exactly HashingVectorizer's, in every script."""
    expected = training.vectorizer().transform([text])
    indices = classifier.hashed_indices(text)
    counts = np.bincount(indices, minlength=classifier.N_FEATURES).astype(float)
    if indices.size:
        counts /= np.linalg.norm(counts)
    np.testing.assert_allclose(counts, expected.toarray()[0], atol=1e-12)


def test_fast_features_equal_scikit_learns_on_random_text():
    """The same holds for random mixes of scripts, punctuation and whitespace."""
    alphabet = list("aZ9 ,.!?\t\n") + ["é", "한", "국", "中", "文", "😀", "ཀ", "ئ", "က", "ខ", "ລ", "ｈ", "\u3000", "ﬁ"]
    rng = random.Random(7)
    samples = ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 60))) for _ in range(200)]
    expected = training.vectorizer().transform(samples)
    for row, text in enumerate(samples):
        indices = classifier.hashed_indices(text)
        assert sorted(set(indices.tolist())) == sorted(expected[row].indices.tolist()), text


def test_no_model_means_no_risk(db):
    """A language without a trained model has no risk score and no version."""
    assert classifier.risk_for(text="You are a stupid idiot", language="en") == (None, "")


def test_risk_ranks_an_unseen_rejection_above_an_unseen_approval(trained):
    """After retraining, each language's model scores comments it never saw, abuse higher than civility."""
    for language in ["en", "ko", "zh-Hans"]:
        approve_risk, version = classifier.risk_for(text=texts(language, APPROVE)[-1], language=language)
        reject_risk, _ = classifier.risk_for(text=texts(language, REJECT)[-1], language=language)
        assert 0.0 <= approve_risk < reject_risk <= 1.0
        assert version == ClassifierModel.objects.get(language=language, active=True).version


def test_risk_is_the_stored_models_probability(english_model):
    """risk_for computes the same probability as scikit-learn's features with the stored weights."""
    row = ClassifierModel.objects.get(version=english_model)
    coef, intercept = classifier.weights_load(row.weights)
    text = texts("en", REJECT)[-2]
    z = training.vectorizer().transform([text]) @ coef + intercept
    assert classifier.risk_for(text=text, language="en")[0] == pytest.approx(1 / (1 + np.exp(-z[0])), abs=1e-6)


def test_weights_are_numpy_arrays_not_a_pickle(english_model):
    """The stored weights load with pickles refused, one coefficient per hashed feature."""
    row = ClassifierModel.objects.get(language="en", active=True)
    with np.load(io.BytesIO(bytes(row.weights)), allow_pickle=False) as arrays:
        assert arrays["coef"].shape == (classifier.N_FEATURES,)
        assert arrays["intercept"].shape == (1,)


def test_other_languages_have_no_risk_after_retraining(english_model):
    """Training English gives Uyghur no model."""
    assert classifier.risk_for(text="ياخشى ماقالە", language="ug") == (None, "")


def test_a_model_trained_elsewhere_is_picked_up_after_the_recheck(english_model, now, monkeypatch):
    """A worker process keeps its model for up to a minute, then uses the newly active one."""
    clock = [1000.0]
    monkeypatch.setattr(classifier, "_clock", lambda: clock[0])
    _, first = classifier.risk_for(text="hello", language="en")
    # Another process retrains: this one's cache is not cleared.
    ClassifierModel.objects.filter(language="en").update(active=False)
    newer = ClassifierModel.objects.create(language="en", version="en-newer", trained_at=now, approvals=1,
                                           rejections=1, weights=classifier.weights_dump(
                                               coef=np.zeros(classifier.N_FEATURES), intercept=0.0))

    clock[0] += classifier.RECHECK_SECONDS - 1
    assert classifier.risk_for(text="hello", language="en")[1] == first
    clock[0] += 2
    assert classifier.risk_for(text="hello", language="en") == (0.5, newer.version)
