"""Opening comments on a story the CMS never registered: from a signed embed alone.

An embed URL may carry the story's title, url, language and desk, the site's name, an expiry and
a signature (voxpop.embed.signing). For a key Voxpop does not know yet, a valid signature creates
the story (story_upsert, which also sends the `story.created` webhook); anything else leaves the
key unknown, so the page answers 404 as it does for any unknown story. A known story is returned
whatever the parameters say: they never change it (the API's PUT does).
"""
import logging
import re
from collections.abc import Mapping
from datetime import datetime

from voxpop.stories.forms import StoryForm
from voxpop.stories.models import Story
from voxpop.stories.services import story_upsert

from .models import Site
from .signing import SIGNED_FIELDS, registration_signature_valid

log = logging.getLogger(__name__)

KEY_MAX_CHARS = 200  # Story.key
SIGNATURE = re.compile(r"^[0-9a-fA-F]{64}$")
STORY_FIELDS = ("title", "url", "language", "desk")


class RegistrationRefused(Exception):
    """Why signed parameters did not register a story; `code` goes to the log, never to the reader."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def registration_fields(*, key: str, params: Mapping[str, str], now: datetime) -> dict:
    """The story fields the parameters sign for `key`, checked; RegistrationRefused otherwise."""
    signature = params.get("signature", "")
    if not signature:
        raise RegistrationRefused("unsigned")
    if not SIGNATURE.match(signature):
        raise RegistrationRefused("malformed_signature")
    site = Site.objects.filter(name=params.get("site", "")).first()
    if site is None:
        raise RegistrationRefused("unknown_site")
    signed = {name: params.get(name, "") for name in SIGNED_FIELDS if name != "key"}
    signed["key"] = key
    if not registration_signature_valid(secret=site.secret, fields=signed, signature=signature):
        raise RegistrationRefused("bad_signature")
    expires = signed["expires"]
    if not (expires.isascii() and expires.isdecimal()) or int(expires) < now.timestamp():
        raise RegistrationRefused("expired")
    if not key or len(key) > KEY_MAX_CHARS or not key.isprintable():
        raise RegistrationRefused("invalid_key")
    form = StoryForm({name: signed[name] for name in STORY_FIELDS})
    if not form.is_valid():
        raise RegistrationRefused("invalid_" + next(iter(form.errors)))
    desk = form.cleaned_data["desk"]
    if not site.desks.filter(pk=desk.pk).exists():
        raise RegistrationRefused("desk_not_of_site")
    return {"title": form.cleaned_data["title"], "url": form.cleaned_data["url"],
            "language": form.cleaned_data["language"], "desk": desk, "published_at": now}


def story_for_embed(*, key: str, params: Mapping[str, str], now: datetime) -> Story | None:
    """The story `key`; created from signed `params` (e.g. request.GET) if unknown; None: answer 404."""
    story = Story.objects.select_related("desk").filter(key=key).first()
    if story is not None:
        return story
    try:
        fields = registration_fields(key=key, params=params, now=now)
    except RegistrationRefused as refused:
        if refused.code != "unsigned":
            log.info("embed registration refused: site=%s reason=%s", params.get("site", "")[:50], refused.code)
        return None
    story, created = story_upsert(key=key, fields=fields, now=now)
    if created:
        log.info("embed registration: site=%s story=%s", params.get("site", ""), story.pk)
    return Story.objects.select_related("desk").get(pk=story.pk)
