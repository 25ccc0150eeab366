"""The newsroom's own approve/reject classifier, one per language: what runs at submission.

A model is logistic regression over hashed character n-grams (1 to 4 characters, within
whitespace-separated words, after NFKC and lower-casing). Hashing needs no stored vocabulary and
character n-grams need no word segmentation, so one recipe serves Korean, Chinese, Tibetan, Burmese
and English alike. `voxpop retrain` (voxpop.scoring.training) fits the models from moderators'
decisions and stores them in `ClassifierModel`; this module only reads them.

Training builds features with scikit-learn's `HashingVectorizer` (`training.vectorizer()`).
Scoring one comment that way costs 2-3 ms, mostly Python per n-gram, so `risk_for` computes the
very same hashed features with numpy (MurmurHash3 of each n-gram's UTF-8 bytes, vectorised) and
takes the dot product itself; tests hold the two to the same output. Web processes thus never
import scikit-learn.

Each process caches the active model per language and asks the database which version is active
at most once a minute, so a retrain reaches every worker within a minute without a query per comment.
"""
import io
import math
import time
import unicodedata
from dataclasses import dataclass

import numpy as np

from .models import ClassifierModel

N_FEATURES = 2 ** 18
MAX_NGRAM = 4
RECHECK_SECONDS = 60.0


def preprocess(text: str) -> str:
    """NFKC (full-width forms, compatibility characters) and lower case, before n-grams are taken."""
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    return text.lower()


def weights_dump(*, coef: np.ndarray, intercept: float) -> bytes:
    """A model's weights as numpy arrays in .npz form (no pickle); mostly zeros, so compressed."""
    buffer = io.BytesIO()
    np.savez_compressed(buffer, coef=np.asarray(coef, dtype=np.float64).reshape(-1),
                        intercept=np.asarray([intercept], dtype=np.float64))
    return buffer.getvalue()


def weights_load(data: bytes) -> tuple[np.ndarray, float]:
    with np.load(io.BytesIO(bytes(data)), allow_pickle=False) as arrays:
        coef, intercept = arrays["coef"], arrays["intercept"]
    if coef.shape != (N_FEATURES,) or intercept.shape != (1,):
        raise ValueError(f"classifier weights of shape {coef.shape}, expected ({N_FEATURES},)")
    return coef, float(intercept[0])


@dataclass(frozen=True)
class LoadedModel:
    version: str
    coef: np.ndarray  # float32, dense over the hashed features: 1 MB per language and process
    intercept: float

    def probability(self, text: str) -> float:
        """Probability of rejection: sigmoid(w . x + b), x the l2-normalised n-gram counts."""
        indices = hashed_indices(text)
        z = self.intercept
        if indices.size:
            counts = np.bincount(indices)
            z += float(self.coef[indices].sum(dtype=np.float64)) / math.sqrt(counts[indices].sum())
        return _sigmoid(z)


@dataclass(frozen=True)
class _Cached:
    model: LoadedModel | None
    checked_at: float


_cache: dict[str, _Cached] = {}
_clock = time.monotonic  # a seam for tests of the re-check interval


def risk_for(*, text: str, language: str) -> tuple[float | None, str]:
    """(probability of rejection, model version), or (None, "") when there is no model for the language."""
    model = active_model(language)
    if model is None:
        return None, ""
    return model.probability(text), model.version


def active_model(language: str) -> LoadedModel | None:
    """This process's copy of the language's active model, re-checked at most every RECHECK_SECONDS."""
    cached = _cache.get(language)
    now = _clock()
    if cached is not None and now - cached.checked_at < RECHECK_SECONDS:
        return cached.model
    version = (ClassifierModel.objects.filter(language=language, active=True)
               .order_by("-trained_at", "-pk").values_list("version", flat=True).first())
    model = cached.model if cached is not None else None
    if version is None:
        model = None
    elif model is None or model.version != version:
        row = ClassifierModel.objects.only("weights").get(version=version)
        coef, intercept = weights_load(row.weights)
        model = LoadedModel(version=version, coef=coef.astype(np.float32), intercept=intercept)
    _cache[language] = _Cached(model=model, checked_at=now)
    return model


def cache_clear() -> None:
    """Forget every cached model, so the next comment asks the database (after a retrain here)."""
    _cache.clear()


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


# -- The hashed features of one text, computed with numpy -------------------------------------------
#
# Equal to training.vectorizer()'s: for each whitespace-separated word padded with a space on each
# side, every window of 1 to 4 characters; the index of an n-gram is |MurmurHash3_x86_32(utf-8,
# seed 0)| modulo N_FEATURES, as scikit-learn's FeatureHasher computes it. Every n-gram is a
# contiguous run of the padded words' UTF-8 bytes, at most 16 bytes, so the hash runs over all
# n-grams at once.

_C1, _C2 = np.uint32(0xCC9E2D51), np.uint32(0x1B873593)


def hashed_indices(text: str) -> np.ndarray:
    """The feature index of every character n-gram of `text`, repeated as often as the n-gram occurs."""
    words = preprocess(text).split()
    if not words:
        return np.empty(0, dtype=np.int64)
    padded = "".join([f" {w} " for w in words])
    codepoints = np.frombuffer(padded.encode("utf-32-le"), dtype=np.uint32)
    lengths = np.fromiter((len(w) + 2 for w in words), dtype=np.int64, count=len(words))
    # Characters left in the padded word from each position on, this one included.
    left = np.repeat(np.cumsum(lengths), lengths) - np.arange(codepoints.size)
    utf8_length = (1 + (codepoints >= 0x80) + (codepoints >= 0x800) + (codepoints >= 0x10000)).astype(np.int64)
    byte_offset = np.zeros(codepoints.size + 1, dtype=np.int64)
    np.cumsum(utf8_length, out=byte_offset[1:])
    raw = padded.encode("utf-8") + bytes(20)
    # The little-endian 32-bit word starting at every byte (an unaligned view, no copy).
    word_at = np.ndarray(shape=(len(raw) - 3,), dtype="<u4", buffer=raw, strides=(1,))
    starts = []
    for n in range(1, MAX_NGRAM + 1):
        first = np.flatnonzero(left >= n)
        starts.append((byte_offset[first], byte_offset[first + n] - byte_offset[first]))
    start = np.concatenate([s for s, _ in starts])
    size = np.concatenate([length for _, length in starts])
    return np.abs(_murmur3_32(word_at, start, size).view(np.int32).astype(np.int64)) % N_FEATURES


def _murmur3_32(word_at: np.ndarray, start: np.ndarray, size: np.ndarray) -> np.ndarray:
    blocks = size >> 2
    h = np.zeros(start.size, dtype=np.uint32)
    for j in range(MAX_NGRAM):  # at most 16 bytes: four blocks
        active = blocks > j
        if not active.any():
            break
        mixed = _rotl(h ^ _mix(word_at[start + 4 * j]), 13) * np.uint32(5) + np.uint32(0xE6546B64)
        h = np.where(active, mixed, h)
    tail = (size & 3).astype(np.uint32)
    k = word_at[start + 4 * blocks] & ((np.uint32(1) << (tail * np.uint32(8))) - np.uint32(1))
    h = np.where(tail > 0, h ^ _mix(k), h)
    h ^= size.astype(np.uint32)
    h ^= h >> np.uint32(16)
    h *= np.uint32(0x85EBCA6B)
    h ^= h >> np.uint32(13)
    h *= np.uint32(0xC2B2AE35)
    h ^= h >> np.uint32(16)
    return h


def _mix(k: np.ndarray) -> np.ndarray:
    return _rotl(k * _C1, 15) * _C2


def _rotl(x: np.ndarray, r: int) -> np.ndarray:
    return (x << np.uint32(r)) | (x >> np.uint32(32 - r))
