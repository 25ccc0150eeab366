"""GET /api/v1/counts: published comment counts of many stories in one request, for article lists."""
from django.http import HttpRequest, JsonResponse
from django.utils.cache import patch_cache_control

from voxpop.api.errors import ApiError
from voxpop.api.views import api_view
from voxpop.common import clock

from .limits import COUNTS_MAX_AGE, COUNTS_MAX_KEYS
from .registration import KEY_MAX_CHARS
from .selectors import comment_count_published_by_key


@api_view("GET")
def comment_counts(request: HttpRequest) -> JsonResponse:
    """`?story=a&story=b` -> {"counts": {"a": 3, "b": null}}: null for a key no reader can see."""
    keys = list(dict.fromkeys(request.GET.getlist("story")))
    if not keys:
        raise ApiError(422, "required", "Name at least one story: ?story=KEY&story=KEY...", "story")
    if len(keys) > COUNTS_MAX_KEYS:
        raise ApiError(422, "too_many_stories", f"Ask for at most {COUNTS_MAX_KEYS} stories at once "
                       f"(got {len(keys)}); split the list into several requests.", "story")
    if any(not key or len(key) > KEY_MAX_CHARS or not key.isprintable() for key in keys):
        raise ApiError(422, "invalid", f"A story key is 1 to {KEY_MAX_CHARS} printable characters.", "story")
    counts = comment_count_published_by_key(keys=keys, now=clock.now())
    response = JsonResponse({"counts": counts}, json_dumps_params={"ensure_ascii": False})
    patch_cache_control(response, public=True, max_age=COUNTS_MAX_AGE)
    return response
