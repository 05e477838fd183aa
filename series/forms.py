from django import forms

from .models import Series, Topic

SEARCH_MAX_LENGTH = 200


class SearchForm(forms.Form):
    q = forms.CharField(
        label="Search for",
        max_length=SEARCH_MAX_LENGTH,
        required=False,
        error_messages={"max_length": "Please shorten your search to %(limit_value)d characters or fewer."},
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "e.g. withdrawal, sleep, tapering"}),
    )
    tag = forms.ModelChoiceField(
        queryset=Topic.objects.all(),
        to_field_name="slug",
        required=False,
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": "That tag does not exist (any more)."},
    )
    series = forms.ModelChoiceField(
        queryset=Series.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label="Any series",
        label="Series",
        error_messages={"invalid_choice": "That series does not exist (any more)."},
    )

    def has_criteria(self) -> bool:
        data = self.cleaned_data
        return bool(data.get("q", "").strip() or data.get("tag") or data.get("series"))
