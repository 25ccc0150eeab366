"""Signal: the same or nearly the same text, sent in the last 7 days on any story (a flood).

The text is folded (NFKC, casefold, white space collapsed) and cut into overlapping 4-character
pieces, which works the same in every script without word segmentation. A MinHash of 64 values
summarizes those pieces; 16 bands of 4 values each are hashed to signed 64-bit integers and stored
in `DuplicateBand`. Two texts share at least one band with a probability of 1 - (1 - J⁴)¹⁶ for a
Jaccard similarity J of their pieces: over 99.9% at J = 0.8 (a few words changed in a paragraph), 64%
at 0.5, 12% at 0.3, under 1% at 0.15 (unrelated texts on the same topic). A text under 20
characters has too few pieces for that, so it stores one band: the hash of the whole folded text,
and only an exact copy matches it; and since many readers write "Agreed." or "감사합니다", a short
text counts as a flood only when sent again by the same commenter or at least 3 times before.

The detector also stores the comment's bands (it runs once per scored revision; a moderator's edit
adds the edited text's bands, never the same row twice), so the next copy finds this one. Bands
older than 30 days are deleted now and then (`duplicate_bands_purge`); retention deletes a purged
comment's bands with its text.
"""
import hashlib
import zlib
from datetime import datetime, timedelta

import numpy as np
from datasketch import MinHash

from voxpop.comments.models import Comment
from voxpop.scoring.models import DuplicateBand

from .base import Context, Signal
from .matching import fold

SHINGLE = 4
BANDS, ROWS = 16, 4
SHORT = 20  # characters, after folding: below this only an exact copy counts
SHORT_COPIES = 3  # earlier copies from other commenters that make a short text a flood
WINDOW = timedelta(days=7)
KEEP = timedelta(days=30)
PURGE_EVERY = 200  # comments scored between two deletions of old bands (by comment id)
MATCHES_COUNTED = 1000  # a flood larger than this is labelled "1000 or more"
# Part of every band hash: change it when the recipe above changes, so old bands stop matching.
RECIPE = b"voxpop-dup-1"

_PERMUTATIONS = MinHash(num_perm=BANDS * ROWS, seed=20261102).permutations


def _hash64(*parts: bytes) -> int:
    digest = hashlib.blake2b(b"\x00".join(parts), digest_size=8, person=RECIPE).digest()
    return int.from_bytes(digest, "big", signed=True)


def bands_of(body: str) -> list[int]:
    """The band hashes stored for `body` and looked up to find its near-duplicates."""
    text = fold(body)
    if len(text) < SHORT:
        return [_hash64(b"exact", text.encode("utf-8", "surrogatepass"))]
    pieces = {text[i:i + SHINGLE] for i in range(len(text) - SHINGLE + 1)}
    minhash = MinHash(num_perm=BANDS * ROWS, permutations=_PERMUTATIONS, scheme="affine32", hashfunc=zlib.crc32)
    minhash.update_batch([piece.encode("utf-8", "surrogatepass") for piece in pieces])
    values = minhash.hashvalues.astype(np.uint32)
    return [_hash64(b"band", bytes([band]), values[band * ROWS:(band + 1) * ROWS].tobytes())
            for band in range(BANDS)]


def detect(context: Context) -> list[Signal]:
    comment = context.comment
    bands = bands_of(context.body)
    found = list(DuplicateBand.objects.filter(band__in=bands, created_at__gte=context.now - WINDOW)
                 .exclude(comment_id=comment.pk)
                 .values_list("comment_id", "comment__story_id").distinct()[:MATCHES_COUNTED])
    _store(comment=comment, bands=bands, now=context.now)
    if not found or (len(fold(context.body)) < SHORT and not _short_flood(found, comment)):
        return []
    return [Signal(name="duplicate", label=_label(found, story_id=comment.story_id),
                   spans=((0, len(context.body)),), weight=0.4)]


def _short_flood(found: list[tuple[int, int]], comment) -> bool:
    earlier = {comment_id for comment_id, _ in found}
    if len(earlier) >= SHORT_COPIES:
        return True
    return bool(comment.commenter_key) and Comment.objects.filter(
        pk__in=earlier, commenter_key=comment.commenter_key).exists()


def _store(*, comment, bands: list[int], now: datetime) -> None:
    DuplicateBand.objects.bulk_create([DuplicateBand(band=band, comment=comment, created_at=comment.created_at)
                                       for band in bands], ignore_conflicts=True)
    if comment.pk % PURGE_EVERY == 0:
        duplicate_bands_purge(now=now)


def duplicate_bands_purge(*, now: datetime) -> int:
    """Delete the bands of comments older than 30 days (beyond any flood window); how many were deleted."""
    deleted, _ = DuplicateBand.objects.filter(created_at__lt=now - KEEP).delete()
    return deleted


def _label(found: list[tuple[int, int]], *, story_id: int) -> str:
    comments = len({comment_id for comment_id, _ in found})
    stories = {found_story for _, found_story in found}
    count = f"{comments} or more" if comments >= MATCHES_COUNTED else str(comments)
    noun = "near-duplicate" if comments == 1 else "near-duplicates"
    if stories == {story_id}:
        where = "on this story"
    elif story_id in stories:
        where = f"on {len(stories)} stories"
    else:
        where = "on 1 other story" if len(stories) == 1 else f"on {len(stories)} other stories"
    return f"{count} {noun} in the last 7 days, {where}"
