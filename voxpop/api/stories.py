"""PUT /api/v1/stories/{key}: create or update a story from the CMS (desk editors and admins)."""
from datetime import datetime

from voxpop.accounts.models import User
from voxpop.common import text
from voxpop.stories.forms import StoryForm
from voxpop.stories.models import Story
from voxpop.stories.services import story_upsert

from .errors import ApiError

KEY_MAX_CHARS = 200
BOOLEAN_FIELDS = {"sensitive"}
NULLABLE_FIELDS = {"published_at", "closes_at", "state", "sensitive"}


def _check_types(data: dict) -> None:
    """JSON types as documented: the form alone would turn 5 into "5" and "no" into true."""
    for name, value in sorted(data.items()):
        if value is None and name in NULLABLE_FIELDS:
            continue
        if name in BOOLEAN_FIELDS and not isinstance(value, bool):
            raise ApiError(422, "invalid", f"'{name}' must be true or false.", name)
        if name not in BOOLEAN_FIELDS and not isinstance(value, str):
            raise ApiError(422, "invalid", f"'{name}' must be a string.", name)


def story_put(*, user: User, key: str, data: dict, now: datetime) -> tuple[Story, bool]:
    if user.role not in (User.Role.EDITOR, User.Role.ADMIN):
        raise ApiError(403, "forbidden", "Only desk editors and admins may create or change stories.")
    if not key or len(key) > KEY_MAX_CHARS or not key.isprintable():
        raise ApiError(422, "invalid", f"A story key is 1 to {KEY_MAX_CHARS} printable characters.", "key")
    unknown = sorted(set(data) - set(StoryForm.base_fields) - {"key"})
    if unknown:
        raise ApiError(422, "unknown_field", f"Unknown field '{unknown[0]}'.", unknown[0])
    _check_types(data)
    if data.get("key", key) != key:
        raise ApiError(422, "invalid", "'key' in the body differs from the key in the URL.", "key")
    # A lone surrogate or NUL would fail in the database instead of being refused here.
    broken = sorted(name for name, value in data.items() if isinstance(value, str) and text.refusal(value))
    if broken:
        raise ApiError(422, "invalid", f"'{broken[0]}' contains characters that are not valid text.", broken[0])
    existing = Story.objects.select_related("desk").filter(key=key).first()
    merged = {**(StoryForm.data_of(existing) if existing else {}), **data}
    merged = {name: ("" if value is None else value) for name, value in merged.items()}
    form = StoryForm(merged)
    if not form.is_valid():
        field, errors = next(iter(form.errors.items()))
        raise ApiError(422, "invalid", str(errors[0]), field)
    allowed = user.desk_ids()
    for desk_id in {form.cleaned_data["desk"].pk, existing.desk_id if existing else None} - {None}:
        if desk_id not in allowed:
            raise ApiError(403, "forbidden", "This story belongs to a desk you are not assigned to.", "desk")
    fields = {name: form.cleaned_data[name] for name in StoryForm.base_fields}
    return story_upsert(key=key, fields=fields, now=now)
