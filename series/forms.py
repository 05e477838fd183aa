from django import forms

from ole.forms import PlainSelect
from ole.safety import looks_like_contact_details

from . import consent
from .models import Comment, CommentReport, ContentNote, Series, Subscription, Topic

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
        widget=PlainSelect,
        error_messages={"invalid_choice": "That series does not exist (any more)."},
    )

    def has_criteria(self) -> bool:
        data = self.cleaned_data
        return bool(data.get("q", "").strip() or data.get("tag") or data.get("series"))


class CommentForm(forms.Form):
    name = forms.CharField(label="Name or pen name", max_length=80)
    email = forms.EmailField(
        label="Email", help_text="Private: never shown. Only used to tell you about replies, if you ask."
    )
    website = forms.URLField(label="Website (optional)", required=False, max_length=300, assume_scheme="https")
    body = forms.CharField(
        label="Your comment",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Plain text; leave a blank line between paragraphs. Web addresses become links.",
    )
    notify_replies = forms.BooleanField(label="Email me when someone replies", required=False)
    content_notes = forms.ModelMultipleChoiceField(
        label="Does your comment talk about any of these? (optional)",
        queryset=ContentNote.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Shown before your comment, so readers can choose when to read it.",
    )
    follow = forms.BooleanField(label="Tell me about new posts (we email you a link to confirm first)", required=False)
    remember = forms.BooleanField(
        label="Remember my name, email and website in this browser",
        required=False,
        help_text="Kept in a cookie on this device, never on our pages: anyone who uses this browser could see them.",
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)
    # One key per form shown: a resubmission (double click, dropped connection) makes no second comment.
    form_key = forms.UUIDField(required=False, widget=forms.HiddenInput)
    # A field people never see; bots fill it in.
    nickname = forms.CharField(required=False, label="Leave this empty", max_length=100)
    # The consent line shown with the form, recorded with the comment even if a newer one appears meanwhile.
    consent_version = forms.CharField(required=False, widget=forms.HiddenInput, max_length=20)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("consent_version", consent.CURRENT)
        self.fields["name"].error_messages["required"] = "Please tell us what to call you (a pen name is fine)."
        self.fields["email"].error_messages["required"] = "Please give an email address; it is never shown."
        self.fields["body"].error_messages["required"] = "Please write your comment first."
        self.fields["nickname"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError("Please tell us what to call you (a pen name is fine).")
        if looks_like_contact_details(name):
            raise forms.ValidationError(
                "For your safety, please don't use an email address or phone number as your name."
            )
        return name

    def clean_website(self) -> str:
        website = self.cleaned_data["website"]
        if website and not website.lower().startswith(("http://", "https://")):
            raise forms.ValidationError("Please give a web address starting with http:// or https://.")
        return website

    def clean_body(self) -> str:
        body = self.cleaned_data["body"].strip()
        if not body:
            raise forms.ValidationError("Please write your comment first.")
        return body

    def clean_consent_version(self) -> str:
        return consent.version_or_current(self.cleaned_data["consent_version"])

    def clean(self) -> dict:
        """The comment replied to, found by its number (`parent` becomes a Comment, or None)."""
        cleaned = super().clean()
        if cleaned.get("parent"):
            cleaned["parent"] = Comment.objects.filter(pk=cleaned["parent"]).select_related("parent").first()
            if cleaned["parent"] is None:
                # Shown again as a new comment: sent once more, it is no longer a reply to what is gone.
                self.data = self.data.copy()
                self.data["parent"] = ""
                raise forms.ValidationError(
                    "The comment you replied to is no longer there. Your reply is below to post again."
                )
        return cleaned

    @property
    def consent_text(self) -> str:
        """The consent line this form shows (the one it was first shown with, when sent back)."""
        shown = self.data.get("consent_version") if self.is_bound else self.initial.get("consent_version")
        return consent.WORDINGS[consent.version_or_current(shown)]

    @property
    def is_bot(self) -> bool:
        return bool(self.data.get("nickname"))


class CommentEditForm(forms.Form):
    body = forms.CharField(label="Your comment", max_length=5000, widget=forms.Textarea(attrs={"rows": 6}))

    def clean_body(self) -> str:
        body = self.cleaned_data["body"].strip()
        if not body:
            raise forms.ValidationError("A comment cannot be empty. To remove it, use “Delete my comment”.")
        return body


class EraseLinkForm(forms.Form):
    email = forms.EmailField(
        label="The email address you commented with",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "required": "Please give the email address you commented with.",
            "invalid": "That does not look like an email address; please check it (e.g. name@example.org).",
            "max_length": "An email address has at most %(limit_value)d characters; please check it.",
        },
    )


class CommentReportForm(forms.Form):
    reason = forms.ChoiceField(
        label="What is wrong with this comment?",
        choices=CommentReport.Reason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Please choose what is wrong with the comment."},
    )
    note = forms.CharField(
        label="Anything the editors should know (optional)",
        required=False,
        max_length=CommentReport.NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": "Please keep it to %(limit_value)d characters (it has %(show_value)d)."},
    )


class FollowForm(forms.Form):
    """Follow by email: everything, one series (or column), or one topic; each post, or a weekly digest."""

    email = forms.EmailField(
        label="Your email address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "required": "Please give the email address to send new posts to.",
            "invalid": "That does not look like an email address; please check it (e.g. name@example.org).",
        },
    )
    target = forms.CharField(widget=forms.HiddenInput, required=False, max_length=220)
    frequency = forms.ChoiceField(
        label="How often",
        choices=Subscription.Frequency.choices,
        initial=Subscription.Frequency.EACH,
        widget=forms.RadioSelect,
    )

    def clean_target(self) -> tuple[Series | None, Topic | None]:
        """ "" is everything; "series:<slug>" or "topic:<slug>" one of them."""
        kind, _, slug = self.cleaned_data["target"].partition(":")
        if not kind:
            return None, None
        if kind == "series" and (series := Series.objects.filter(slug=slug).first()):
            return series, None
        if kind == "topic" and (topic := Topic.objects.filter(slug=slug).first()):
            return None, topic
        raise forms.ValidationError("We could not tell what you wanted to follow; please choose again.")
