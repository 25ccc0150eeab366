"""GET /api/v1/proof-of-work: what an API client needs to prove work for a comment (voxpop.common.pow).

The API has no form, so this hands out the form's token: the same signed stamp of the current
second that every thread page carries, the same for every caller, nothing about any of them. The
client solves the puzzle of that token and its comment's body and posts the comment with
`Proof-Of-Work: <token> <nonce>`; without the header (or with a wrong one) the comment is still
taken, against the stricter per-source budget.
"""
from django.http import HttpRequest, JsonResponse
from django.utils.cache import patch_cache_control

from voxpop.common.pow import PROOF_MAX_AGE, proof_bits
from voxpop.reader.form_token import new_form_token

from .views import api_view


@api_view("GET")
def proof_of_work(request: HttpRequest) -> JsonResponse:
    """{"token", "bits", "max_age"}: the stamp to solve with, the zero bits needed, its life in seconds."""
    response = JsonResponse({"token": new_form_token(), "bits": proof_bits(), "max_age": PROOF_MAX_AGE})
    patch_cache_control(response, public=True, max_age=1)  # the token is the same for everyone for a second
    return response
