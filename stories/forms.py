from __future__ import annotations

import uuid

from crispy_forms.helper import FormHelper
from django import forms
from django.utils.html import format_html

from ole.forms import PlainSelect
from ole.safety import looks_like_contact_details
from ole.text import count_words
from series.models import ContentNote, Series

from .models import ConsentVersion, ContactMessage, Story

TITLE_SPACES_ONLY = "Please give your story a title."
PHOTO_ALT_MISSING = "Please describe your photo in a few words, for readers who cannot see it."
PHOTO_ALT_HELP = (
    "A sentence for readers who cannot see it, e.g. “A cup of tea on a kitchen table by a window”. "
    "It is published with your photo."
)
NAME_IS_CONTACT = (
    "For your safety, please don't use an email address or phone number as your name here. "
    "A pen name or a first name is enough."
)


def _helper() -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    return helper


class StoryTextMixin:
    """Title and text rules shared by the submission form and the writer's edit form."""

    def clean_title(self) -> str:
        title = " ".join(self.cleaned_data["title"].split())
        if not title:
            raise forms.ValidationError(TITLE_SPACES_ONLY)
        return title

    def clean_body(self) -> str:
        body = self.cleaned_data["body"].strip()
        words = count_words(body)
        if words < Story.BODY_MIN_WORDS:
            raise forms.ValidationError(
                f"Your story has {words} words. Please write at least {Story.BODY_MIN_WORDS} words."
            )
        if words > Story.BODY_MAX_WORDS:
            raise forms.ValidationError(
                f"Your story has {words:,} words. Please keep it to {Story.BODY_MAX_WORDS:,} words or fewer."
            )
        return body


class StoryForm(StoryTextMixin, forms.ModelForm):
    consent_publish = forms.BooleanField(required=True)
    consent_editing = forms.BooleanField(required=True)
    consent_adult = forms.BooleanField(required=True)
    # A field people never see; bots fill it in.
    website = forms.CharField(required=False, label="Leave this empty", max_length=200)
    submission_key = forms.UUIDField(widget=forms.HiddenInput)
    consent_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Story
        fields = [
            "title",
            "body",
            "credit",
            "credit_name",
            "email",
            "photo",
            "photo_alt",
            "content_notes",
            "suggested_tags",
            "series",
        ]
        labels = {
            "title": "Title",
            "body": "Your story",
            "credit": "How should we credit you?",
            "credit_name": "Pen name or first name",
            "email": "Your email address",
            "photo": "A photo (optional)",
            "photo_alt": "Describe your photo (needed if you add one)",
            "content_notes": "Does your story talk about any of these?",
            "suggested_tags": "Suggested tags (optional)",
            "series": "Which series is your story related to? (optional)",
        }
        help_texts = {
            "title": f"Up to {Story.TITLE_MAX} characters.",
            "body": (
                f"Between {Story.BODY_MIN_WORDS} and {Story.BODY_MAX_WORDS:,} words. Plain paragraphs are fine; "
                "leave a blank line between them. You can use *italics* and **bold**."
            ),
            "credit_name": "Not needed if you choose “Anonymous”. Please don't use your full name.",
            "email": "Private: only the editors see it, to write to you about your story. It is never published.",
            "photo": "JPEG, PNG or WebP, up to 10 MB. We remove location and camera details before we keep it.",
            "photo_alt": PHOTO_ALT_HELP,
            "content_notes": "Readers see these before your story, so they can choose when to read it.",
            "suggested_tags": "Separate them with commas, e.g. “sleep, tapering, family”.",
        }
        widgets = {
            "body": forms.Textarea(attrs={"rows": 16, "data-word-count": "true"}),
            "credit": forms.RadioSelect,
            "content_notes": forms.CheckboxSelectMultiple,
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "series": PlainSelect,
        }

    def __init__(self, *args, consent: ConsentVersion, **kwargs):
        super().__init__(*args, **kwargs)
        self.consent = consent
        self.initial.setdefault("consent_version", consent.version)
        self.fields["consent_publish"].label = consent.publish_text
        self.fields["consent_editing"].label = consent.editing_text
        self.fields["consent_adult"].label = consent.age_text
        for name in ("consent_publish", "consent_editing", "consent_adult"):
            self.fields[name].error_messages["required"] = "Please tick this box to go on."
        self.fields["title"].error_messages["required"] = TITLE_SPACES_ONLY
        self.fields["body"].error_messages["required"] = "Please write your story here."
        self.fields["email"].error_messages["required"] = "We need an email address to write to you about your story."
        self.fields["content_notes"].queryset = ContentNote.objects.all()
        self.fields["series"].queryset = Series.objects.all()
        self.fields["series"].empty_label = "None in particular"
        self.fields["website"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})
        self.fields["photo"].widget = forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"})
        self.helper = _helper()

    def clean_credit_name(self) -> str:
        name = " ".join(self.cleaned_data["credit_name"].split())
        if name and looks_like_contact_details(name):
            raise forms.ValidationError(NAME_IS_CONTACT)
        return name

    def clean(self) -> dict:
        data = super().clean()
        if data.get("photo"):
            if not data.get("photo_alt") and "photo_alt" not in self.errors:
                self.add_error("photo_alt", PHOTO_ALT_MISSING)
        else:
            data["photo_alt"] = ""  # a description without a photo describes nothing
        needs_name = data.get("credit") in (Story.Credit.PEN_NAME, Story.Credit.FIRST_NAME)
        if needs_name and not data.get("credit_name") and "credit_name" not in self.errors:
            self.add_error("credit_name", "Please tell us the name to use, or choose “Anonymous”.")
        return data

    @property
    def is_bot(self) -> bool:
        return bool(self.data.get("website"))

    @property
    def photo_needs_reattaching(self) -> bool:
        """Browsers cannot keep a chosen file when the form comes back (errors, or a story not saved): the
        writer must choose it again."""
        return self.is_bound and bool(self.files.get("photo"))

    @classmethod
    def new_key(cls) -> uuid.UUID:
        return uuid.uuid4()


class StoryEditForm(StoryTextMixin, forms.ModelForm):
    class Meta:
        model = Story
        fields = ["title", "body", "photo_alt"]
        labels = {"title": "Title", "body": "Your story", "photo_alt": "Describe your photo"}
        help_texts = StoryForm.Meta.help_texts
        widgets = {"body": forms.Textarea(attrs={"rows": 18, "data-word-count": "true"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["title"].error_messages["required"] = TITLE_SPACES_ONLY
        if self.instance.photo:
            self.fields["photo_alt"].required = True
            self.fields["photo_alt"].error_messages["required"] = PHOTO_ALT_MISSING
        else:
            del self.fields["photo_alt"]  # nothing to describe
        self.helper = _helper()


class ReplyForm(forms.Form):
    body = forms.CharField(
        label="Your message to the editors",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Please write your message first."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()

    def clean_body(self) -> str:
        body = self.cleaned_data["body"].strip()
        if not body:
            raise forms.ValidationError("Please write your message first.")
        return body


class LostLinkForm(forms.Form):
    email = forms.EmailField(
        label="The email address you used",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()


def error_summary(form: forms.BaseForm) -> list[str]:
    """Every error of a form as a list item that links to its field, for the summary at the top."""
    items = [format_html("{}", error) for error in form.non_field_errors()]
    for name, errors in form.errors.items():
        if name == "__all__":
            continue
        field = form.fields.get(name)
        label = field.label if field else name
        # Radio buttons and checkbox lists have no element with the field's own id: point at the first choice.
        anchor = (
            f"id_{name}_0"
            if field and isinstance(field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple)
            else f"id_{name}"
        )
        for error in errors:
            items.append(format_html('<a href="#{}">{}</a>: {}', anchor, label, error))
    return items


class ContactForm(forms.ModelForm):
    """ "Write to us": a name, an address for the reply, and the message."""

    # A field people never see; bots fill it in.
    website = forms.CharField(required=False, label="Leave this empty", max_length=200)
    form_key = forms.UUIDField(widget=forms.HiddenInput)

    class Meta:
        model = ContactMessage
        fields = ["name", "email", "body", "content_notes"]
        labels = {
            "name": "Your name or a pen name",
            "email": "Your email address",
            "body": "Your message",
            "content_notes": "Does your message talk about any of these? (optional)",
        }
        help_texts = {
            "email": "Only for our reply, which comes from the site's address. Never shown, never shared.",
            "body": f"Up to {ContactMessage.BODY_MAX:,} characters.",
            "content_notes": "It helps us see quickly who may need us first.",
        }
        widgets = {
            "content_notes": forms.CheckboxSelectMultiple,
            "body": forms.Textarea(attrs={"rows": 8}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
        }
        error_messages = {
            "name": {
                "required": "Please tell us what to call you (a pen name is fine).",
                "max_length": "Please keep your name to %(limit_value)d characters (it has %(show_value)d).",
            },
            "email": {
                "required": "Please give an email address, so we can answer you.",
                "invalid": "That does not look like an email address; please check it (e.g. name@example.org).",
            },
            "body": {
                "required": "Please write your message first.",
                "max_length": "Please keep your message to %(limit_value)d characters (it has %(show_value)d).",
            },
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].widget.attrs["maxlength"] = ContactMessage.BODY_MAX
        self.fields["website"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})
        self.helper = FormHelper()
        self.helper.form_tag = False

    @property
    def is_bot(self) -> bool:
        return bool(self.data.get("website"))

    @staticmethod
    def new_key() -> uuid.UUID:
        return uuid.uuid4()

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError("Please tell us what to call you (a pen name is fine).")
        return name

    def clean_body(self) -> str:
        body = self.cleaned_data["body"].strip()
        if not body:
            raise forms.ValidationError("Please write your message first.")
        return body
