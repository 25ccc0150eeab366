"""Forms of the workspace: the reason for a rejection, the text of an edit, a hold or ban."""
from django import forms

from voxpop.comments.forms import ReaderTextField, body_too_long, clean_reader_text
from voxpop.comments.limits import body_max_chars
from voxpop.desks.models import HouseRule
from voxpop.moderation.models import CommenterRestriction

NOTE_MAX_CHARS = 1000


class RuleChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, rule: HouseRule) -> str:
        return f"{rule.number}. {rule.text}"


class DecisionForm(forms.Form):
    """One decision on the revision the moderator saw: approve, reject, edit or reopen."""

    action = forms.ChoiceField(choices=[(a, a) for a in ("approve", "reject", "edit", "reopen")])
    revision = forms.IntegerField(min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput)
    rule = RuleChoiceField(queryset=HouseRule.objects.none(), required=False, label="House rule",
                           empty_label="Choose the house rule")
    note = forms.CharField(max_length=NOTE_MAX_CHARS, required=False, label="Note for the audit log (optional)")
    body = ReaderTextField(widget=forms.Textarea, label="Text")
    approve = forms.BooleanField(required=False, label="Approve as edited")

    def __init__(self, *args, rules: list[HouseRule], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rule"].queryset = HouseRule.objects.filter(pk__in=[r.pk for r in rules]).order_by("number")

    def clean(self):
        data = super().clean()
        action = data.get("action")
        if action in ("reject", "edit") and not data.get("rule"):
            self.add_error("rule", "Choose the house rule this decision applies.")
        if action == "edit":
            try:
                data["body"] = clean_reader_text(data.get("body") or "", max_chars=body_max_chars(),
                                                 too_long=body_too_long)
            except forms.ValidationError as error:
                self.add_error("body", error)
            else:
                if not data["body"]:
                    self.add_error("body", "The edited text cannot be empty; reject the comment instead.")
        return data


class BulkForm(forms.Form):
    action = forms.ChoiceField(choices=[("approve", "approve"), ("reject", "reject")])
    rule = forms.IntegerField(required=False, min_value=1, max_value=99)
    seen = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean_seen(self) -> dict[int, int]:
        """The selected comments as {comment id: revision id}, from "id:revision" pairs."""
        pairs = {}
        for item in self.data.getlist("selected"):
            comment_id, _, revision_id = item.partition(":")
            if not (comment_id.isdecimal() and revision_id.isdecimal()) or len(item) > 40:
                raise forms.ValidationError("The selection is not valid; reload the queue.")
            pairs[int(comment_id)] = int(revision_id)
        if not pairs:
            raise forms.ValidationError("Select at least one comment.")
        return pairs


class RestrictionForm(forms.Form):
    kind = forms.ChoiceField(choices=CommenterRestriction.Kind.choices, widget=forms.RadioSelect,
                             label="What to do with new comments from this commenter")
    reason = forms.CharField(max_length=1000, widget=forms.Textarea(attrs={"rows": 2}), label="Reason")
    days = forms.IntegerField(min_value=1, max_value=3650, required=False, initial=30,
                              label="Expires after (days; empty: until lifted)")
