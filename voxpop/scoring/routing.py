"""Routing a comment to the desk of its language, or to the story's desk.

A desk lists the BCP 47 tags it moderates (`Desk.languages`). For a detected tag the desks are
tried in tiers, and the first tier with a desk wins:

1. a desk listing the tag itself ("zh-Hant" -> a desk listing "zh-Hant");
2. a desk listing a broader tag, dropping subtags from the end ("zh-Hant" -> "zh");
3. a desk listing a narrower tag ("zh", which detection gives when every character is shared by
   Simplified and Traditional, -> a "zh-Hans" or "zh-Hant" desk; "zh-Hant" -> "zh-Hant-TW");
4. a related written language: Cantonese is written in Traditional characters, so "yue" goes to a
   "zh-Hant" desk, then a "zh" desk; Traditional or undecided Chinese may go to a "yue" desk.

Tags compare case-insensitively, and a Chinese region implies its script (zh-TW and zh-HK are
zh-Hant, zh-CN and zh-SG zh-Hans). When several desks are in the winning tier, the story's desk
is taken if it is among them, else the one with the lowest id. "und", or a language no desk
claims, goes to the story's desk.

Desks are few and rarely change, so they are read with one small query per comment rather than
cached: an editor's change to a desk's languages applies to the very next comment.
"""
from voxpop.desks.models import Desk
from voxpop.stories.models import Story

from .language import UNDETERMINED

# Cantonese is written in Traditional characters; a Traditional Chinese comment suits a Cantonese desk.
RELATED = {"yue": ["zh-hant", "zh"], "zh-hant": ["yue"], "zh": ["yue"]}
REGION_SCRIPT = {"zh-tw": "zh-hant", "zh-hk": "zh-hant", "zh-mo": "zh-hant",
                 "zh-cn": "zh-hans", "zh-sg": "zh-hans", "zh-my": "zh-hans"}


def desk_for(*, language: str, story: Story) -> Desk:
    """The desk that handles `language`; the story's desk when undetermined or unclaimed."""
    tag = _normalized(language)
    if not tag or tag == UNDETERMINED:
        return story.desk
    desks = [(desk, {_normalized(t) for t in desk.languages if isinstance(t, str)})
             for desk in Desk.objects.order_by("pk")]
    for accepts in _tiers(tag):
        claiming = [desk for desk, tags in desks if any(accepts(t) for t in tags)]
        if claiming:
            return next((d for d in claiming if d.pk == story.desk_id), claiming[0])
    return story.desk


def _tiers(tag: str):
    """Predicates on a desk's tag, in the order routing tries them (see the module docstring)."""
    broader = ["-".join(tag.split("-")[:n]) for n in range(tag.count("-"), 0, -1)]
    yield lambda t: t == tag
    yield lambda t: t in broader
    yield lambda t: t.startswith(tag + "-")
    for related in RELATED.get(tag, ()):
        yield lambda t, related=related: t == related


def _normalized(tag: str) -> str:
    tag = tag.strip().replace("_", "-").lower()
    for region, script in REGION_SCRIPT.items():
        if tag == region or tag.startswith(region + "-"):
            return script + tag[len(region):]
    return tag
