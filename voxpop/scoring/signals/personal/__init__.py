"""Signal: personal data a reader wrote into a comment, one signal per kind found.

Readers of our desks may be at risk for what they write, and the people they write about too: a
phone number, an e-mail address, an ID number, a messenger handle or a street address in a comment
is something a moderator should see highlighted (and may mask) before anything is published.
Each kind lives in its own module with a `detect(context)` that returns at most one Signal holding
every span of that kind; they all aim for few false positives over catching every shape.
"""
from ..base import Context, Signal
from . import address, email, messenger, national_id, phone

KINDS = [phone.detect, email.detect, national_id.detect, messenger.detect, address.detect]


def detect(context: Context) -> list[Signal]:
    return [signal for detect_kind in KINDS for signal in detect_kind(context)]
