"""`{% proof_of_work_bits %}`: the bits the comment form's proof needs (voxpop.common.pow), for the
form's `data-vp-pow-bits`. The same for every reader, so the cached thread page may hold it."""
from django import template

from voxpop.common.pow import proof_bits

register = template.Library()


@register.simple_tag
def proof_of_work_bits() -> int:
    return proof_bits()
