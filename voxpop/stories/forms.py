from django import forms
from django.core.validators import RegexValidator

from voxpop.desks.models import Desk

from .models import Story

language_tag = RegexValidator(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$",
                              "Use a BCP 47 language tag such as en, ko, zh-Hant or ug.")


class StoryForm(forms.Form):
    title = forms.CharField(max_length=500)
    url = forms.URLField(max_length=2000, assume_scheme="https")
    language = forms.CharField(max_length=35, validators=[language_tag])
    desk = forms.ModelChoiceField(queryset=Desk.objects.all(), to_field_name="key",
                                  error_messages={"invalid_choice": "No desk has this key."})
    published_at = forms.DateTimeField(required=False)
    state = forms.ChoiceField(choices=Story.State.choices, required=False)
    closes_at = forms.DateTimeField(required=False)
    sensitive = forms.BooleanField(required=False)

    def clean_state(self):
        return self.cleaned_data.get("state") or Story.State.OPEN

    @staticmethod
    def data_of(story: Story) -> dict:
        """The story's current values in the form's input shape, to merge a partial update into."""
        return {
            "title": story.title, "url": story.url, "language": story.language, "desk": story.desk.key,
            "published_at": story.published_at, "state": story.state, "closes_at": story.closes_at,
            "sensitive": story.sensitive,
        }
