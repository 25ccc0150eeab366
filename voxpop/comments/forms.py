"""The reader's comment form, shared by the HTML page and the JSON API so both give the same
messages. Every refusal names the field and says what to change; the typed text is never dropped."""
from collections.abc import Callable

from django import forms
from django.core.validators import ProhibitNullCharactersValidator
from django.utils.translation import gettext_lazy as _, ngettext

from voxpop.common import text

from .limits import DISPLAY_NAME_MAX_CHARS, body_max_chars

REFUSALS = {
    "control": _("The text contains invisible control characters. Please remove them and send again."),
    "surrogate": _("The text contains broken characters. Please retype it and send again."),
    "noncharacter": _("The text contains characters that are not valid text. Please remove them."),
    "combining": _("The text stacks too many accents or marks on one letter. Please remove them and send again."),
    "invisible": _("The text contains too many invisible characters (such as zero-width spaces) in a row. "
                   "Please remove them and send again."),
    "blank": _("The text contains only invisible characters. Please write it with visible letters."),
}


def clean_reader_text(value: str, *, max_chars: int, too_long: Callable[[int, int], str]) -> str:
    """Normalized text, or a ValidationError saying what to change; `too_long(count, max)` words the limit."""
    value = text.normalize(value)
    reason = text.refusal(value)
    if reason:
        raise forms.ValidationError(REFUSALS[reason], code=reason)
    if len(value) > max_chars:
        raise forms.ValidationError(too_long(len(value), max_chars), code="too_long")
    return value


def body_too_long(count: int, limit: int) -> str:
    return ngettext("Your comment is %(count)d character long; the limit is %(max)d. Please shorten it.",
                    "Your comment is %(count)d characters long; the limit is %(max)d. Please shorten it.",
                    count) % {"count": count, "max": limit}


def name_too_long(count: int, limit: int) -> str:
    return ngettext("The name is %(count)d character long; the limit is %(max)d.",
                    "The name is %(count)d characters long; the limit is %(max)d.",
                    count) % {"count": count, "max": limit}


class ReaderTextField(forms.CharField):
    """A CharField whose text `clean_reader_text` judges whole: NUL is refused there with the other
    control characters, under the same code and message, not by Django's own NUL validator first."""

    def __init__(self, **kwargs):
        super().__init__(strip=False, required=False, **kwargs)
        self.validators = [v for v in self.validators if not isinstance(v, ProhibitNullCharactersValidator)]


class CommentForm(forms.Form):
    body = ReaderTextField(label=_("Your comment"), widget=forms.Textarea)
    display_name = ReaderTextField(label=_("Name to show (optional)"))
    parent = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput,
                                error_messages={"invalid": _("The comment you replied to is not valid."),
                                                "min_value": _("The comment you replied to is not valid."),
                                                "max_value": _("The comment you replied to is not valid.")})
    # Honeypot: hidden from people by the stylesheet; only bots fill it in.
    website = forms.CharField(label=_("Leave this field empty"), required=False)

    def clean(self):
        # A browser sends each field once; a second copy is a tampered or broken client, and which
        # copy wins differs between a proxy, a filter and Django, so neither is taken.
        getlist = getattr(self.data, "getlist", None)
        for name in self.fields if getlist else ():
            if len(getlist(name)) > 1:
                self.add_error(name, forms.ValidationError(
                    _("This field was sent more than once. Please send the form again from the page."),
                    code="duplicate"))
        return super().clean()

    def clean_body(self):
        body = clean_reader_text(self.cleaned_data.get("body") or "", max_chars=body_max_chars(),
                                 too_long=body_too_long)
        if not body:
            raise forms.ValidationError(_("Please write a comment before sending."), code="required")
        return body

    def clean_display_name(self):
        name = clean_reader_text(self.cleaned_data.get("display_name") or "", max_chars=DISPLAY_NAME_MAX_CHARS,
                                 too_long=name_too_long)
        if "\n" in name or "\t" in name:
            raise forms.ValidationError(_("The name must be on one line."), code="multiline")
        return name

    def clean_website(self):
        if self.cleaned_data.get("website"):
            raise forms.ValidationError(_("This field must stay empty."), code="honeypot")
        return ""
