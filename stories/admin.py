"""The editors' desk: the story queue, its workflow actions, the conversation and private notes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode

from ole.privatefields import PrivateLookupsMixin
from ole.storage import private_file_response
from ole.text import count_words, render_markdown
from ole.workflow import InvalidTransition, apply_each
from series.admin import PostAdmin
from series.models import ContentNote, Post, Series, Topic

from .forms import StoryTextMixin
from .models import (
    ConsentVersion,
    ContactAccess,
    ContactMessage,
    ContactReply,
    EditorialNote,
    MessageTemplate,
    Story,
    StoryEvent,
    StoryMessage,
)
from .services import story_promote, suggested_tags


def saved_answer_field() -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        queryset=MessageTemplate.objects.none(),
        required=False,
        label="Start from a saved answer",
        help_text="Its words go into the message box, to read and adapt before sending "
        "(without JavaScript: “Use this answer”).",
        widget=forms.Select(attrs={"data-answers-for": "id_message"}),
    )


class SavedAnswersMixin:
    """A form whose message box can start from a saved answer of one purpose (MessageTemplate)."""

    def offer_answers(self, purpose: str) -> None:
        if purpose:
            self.fields["template"].queryset = MessageTemplate.objects.filter(purpose=purpose)
        else:
            del self.fields["template"]

    def saved_answers(self) -> dict[str, str]:
        """The words of each saved answer offered, by its id: the page's script fills the message box with them."""
        if "template" not in self.fields:
            return {}
        return {str(answer.pk): answer.body for answer in self.fields["template"].queryset}

    def chosen_answer(self) -> MessageTemplate | None:
        try:
            return self.fields["template"].clean(self.data.get("template")) if "template" in self.fields else None
        except forms.ValidationError:
            return None


class MessageStepForm(SavedAnswersMixin, forms.Form):
    template = saved_answer_field()
    message = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 8, "cols": 80}), required=False, max_length=5000, label="Message"
    )

    def __init__(self, *args, purpose: str, required: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.purpose, self.required = purpose, required
        self.offer_answers(purpose)
        if "template" in self.fields:
            self.fields["template"].help_text += " A box left empty sends the answer as it is."

    def with_answer(self) -> MessageStepForm:
        """The no-JavaScript "Use this answer": this form again, unbound, its message box holding the chosen
        answer's words (no answer chosen: what was typed stays)."""
        answer = self.chosen_answer()
        message = answer.body if answer else self.data.get("message", "")
        return MessageStepForm(
            initial={"template": answer, "message": message}, purpose=self.purpose, required=self.required
        )

    def clean(self) -> dict:
        data = super().clean()
        message = (data.get("message") or "").strip()
        if not message and data.get("template"):
            message = data["template"].body
        if self.required and not message:
            raise forms.ValidationError("Write a message to the writer, or choose a saved answer.")
        data["final_message"] = message
        return data


class ProposeEditsForm(SavedAnswersMixin, StoryTextMixin, forms.Form):
    """The editors' version is held to the same limits as the writer's own text."""

    title = forms.CharField(max_length=Story.TITLE_MAX)
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 24, "cols": 100}), max_length=Story.BODY_MAX_CHARS)
    content_notes = forms.ModelMultipleChoiceField(
        queryset=ContentNote.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="The writer's content notes. Unticking one proposes removing it; only the writer's approval "
        "removes it. (To add a note to a published post at once, add it on the post.)",
    )
    excerpt = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "cols": 100}),
        required=False,
        max_length=500,
        label="Short text on the post's card",
        help_text="Shown on cards, in the feed and in search results. Empty: the start of the story.",
    )
    tags = forms.ModelMultipleChoiceField(queryset=Topic.objects.all(), required=False)
    template = saved_answer_field()
    message = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4, "cols": 100}),
        required=False,
        max_length=5000,
        label="A note to the writer (optional)",
    )

    def __init__(self, *args, story: Story, **kwargs):
        super().__init__(*args, **kwargs)
        self.story = story
        self.offer_answers(MessageTemplate.Purpose.EDITS)
        if not story.post_id:
            # The card text and tags belong to the published post: proposed once there is one.
            del self.fields["excerpt"], self.fields["tags"]

    @classmethod
    def for_story(cls, story: Story) -> ProposeEditsForm:
        initial = {"title": story.title, "body": story.body, "content_notes": story.content_notes.all()}
        if story.post_id:
            initial |= {"excerpt": story.post.excerpt, "tags": story.post.tags.all()}
        return cls(initial=initial, story=story)

    def proposal(self) -> dict:
        """Story.propose_edits' arguments; a note left empty takes the chosen saved answer's words."""
        data = {name: value for name, value in self.cleaned_data.items() if name != "template"}
        if not data["message"].strip() and self.cleaned_data.get("template"):
            data["message"] = self.cleaned_data["template"].body
        return data

    def with_answer(self) -> ProposeEditsForm:
        """The no-JavaScript "Use this answer": the edited version as typed, the note holding the answer's words."""
        data = self.data.copy()
        if (answer := self.chosen_answer()) is not None:
            data["message"] = answer.body
        return ProposeEditsForm(data, story=self.story)


class ClearUrgentForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4, "cols": 80}),
        max_length=1000,
        label="Why is it no longer urgent?",
        help_text="Kept in the story's history for the other editors; the writer does not see it. "
        "E.g. “Past crisis, told as recovered; the writer is safe now.”",
    )


class PromoteForm(forms.Form):
    """Promote: the post's series and whether it leads the home page; with `dated`, a date and time for the
    "Schedule" button (the "Publish now" button ignores it)."""

    SCHEDULE = "schedule"

    series = forms.ModelChoiceField(
        queryset=Series.objects.all(), required=False, help_text="The series the featured post belongs to."
    )
    featured = forms.BooleanField(
        required=False, initial=True, label="Feature it", help_text="Featured posts lead the home page."
    )
    publish_at = forms.DateTimeField(
        required=False,
        label="Or schedule it for",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="A date and time in the site's time zone, then “Schedule”: the post goes live by itself then.",
    )

    def __init__(self, *args, dated: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not dated:
            del self.fields["publish_at"]

    def clean(self) -> dict:
        data = super().clean()
        data["go_live_at"] = None
        if self.SCHEDULE in self.data and "publish_at" in self.fields:
            when = data.get("publish_at")
            if when is None and "publish_at" not in self.errors:
                self.add_error("publish_at", "Choose the date and time it goes live.")
            elif when is not None and when <= timezone.now():
                self.add_error("publish_at", "Choose a date and time still to come.")
            data["go_live_at"] = when
        return data


def _step(modeladmin, request, queryset, *, action: str, title: str, form: forms.Form, button: str):
    return TemplateResponse(
        request,
        "admin/stories/story/action_step.html",
        {
            **modeladmin.admin_site.each_context(request),
            "title": title,
            "stories": queryset,
            "form": form,
            "action": action,
            "button": button,
            "opts": modeladmin.model._meta,
        },
    )


def _message_action(*, name: str, label: str, purpose: str, required: bool, done: str, transition: str):
    def action(modeladmin, request, queryset):
        form = MessageStepForm(request.POST if "apply" in request.POST else None, purpose=purpose, required=required)
        if form.is_bound and "use_answer" in request.POST:
            form = form.with_answer()
        elif form.is_bound and form.is_valid():
            message = form.cleaned_data["final_message"]
            apply_each(
                modeladmin,
                request,
                queryset,
                lambda story: getattr(story, transition)(editor=request.user, message=message),
                done,
            )
            return None
        return _step(modeladmin, request, queryset, action=name, title=label, form=form, button=label)

    action.__name__ = name
    return admin.action(description=f"{label}…", permissions=["change"])(action)


request_changes = _message_action(
    name="request_changes",
    label="Request changes",
    purpose=MessageTemplate.Purpose.CHANGES,
    required=True,
    done="sent back for changes",
    transition="request_changes",
)
decline = _message_action(
    name="decline",
    label="Decline",
    purpose=MessageTemplate.Purpose.DECLINE,
    required=True,
    done="declined",
    transition="decline",
)
approve = _message_action(
    name="approve",
    label="Approve",
    purpose="",
    required=False,
    done="approved",
    transition="approve",
)


@admin.action(description="Start review", permissions=["change"])
def start_review(modeladmin, request, queryset):
    apply_each(
        modeladmin, request, queryset, lambda story: story.start_review(editor=request.user), "taken into review"
    )


@admin.action(description="Assign to me", permissions=["change"])
def assign_to_me(modeladmin, request, queryset):
    apply_each(modeladmin, request, queryset, lambda story: story.assign(editor=request.user), "assigned to you")


@admin.action(description="Propose edits…", permissions=["change"])
def propose_edits(modeladmin, request, queryset):
    if queryset.count() != 1:
        modeladmin.message_user(request, "Propose edits to one story at a time.", messages.WARNING)
        return None
    story = queryset.get()
    if "apply" in request.POST:
        form = ProposeEditsForm(request.POST, story=story)
        if "use_answer" in request.POST:
            form = form.with_answer()
        elif form.is_valid():
            apply_each(
                modeladmin,
                request,
                queryset,
                lambda s: s.propose_edits(editor=request.user, **form.proposal()),
                "sent to the writer with proposed edits",
            )
            return None
    else:
        form = ProposeEditsForm.for_story(story)
    return _step(
        modeladmin,
        request,
        queryset,
        action="propose_edits",
        title="Propose edits",
        form=form,
        button="Send the edited version to the writer",
    )


@admin.action(description="Withdraw the proposed edits", permissions=["change"])
def withdraw_proposal(modeladmin, request, queryset):
    apply_each(
        modeladmin,
        request,
        queryset,
        lambda story: story.withdraw_proposal(editor=request.user),
        "back as they were, without the proposed edits",
    )


@admin.action(description="Clear the urgent mark…", permissions=["change"])
def clear_urgent(modeladmin, request, queryset):
    form = ClearUrgentForm(request.POST if "apply" in request.POST else None)
    if form.is_bound and form.is_valid():
        reason = form.cleaned_data["reason"]
        apply_each(
            modeladmin,
            request,
            queryset,
            lambda story: story.clear_urgent(editor=request.user, reason=reason),
            "no longer marked urgent",
        )
        return None
    return _step(
        modeladmin,
        request,
        queryset,
        action="clear_urgent",
        title="Clear the urgent mark",
        form=form,
        button="Clear the urgent mark",
    )


@admin.action(description="Promote to featured post…", permissions=["change"])
def promote(modeladmin, request, queryset):
    if "apply" in request.POST:
        form = PromoteForm(request.POST, dated=False)  # scheduling is one story at a time, from its page
        if form.is_valid():
            data = form.cleaned_data
            apply_each(
                modeladmin,
                request,
                queryset,
                lambda story: story_promote(
                    story=story,
                    editor=request.user,
                    series=data["series"],
                    featured=data["featured"],
                    when=data["go_live_at"],
                ),
                "promoted to posts",
            )
            return None
    else:
        first = queryset.first()
        form = PromoteForm(initial={"series": first.series if first else None}, dated=False)
    return _step(
        modeladmin,
        request,
        queryset,
        action="promote",
        title="Promote to featured post",
        form=form,
        button="Publish as a featured post",
    )


class PostPreview:
    """A story as its post will read, for the promote step: the public post template's own parts read this as they
    read a post. Nothing is saved; the content notes and tags are the ones the post will carry."""

    def __init__(self, story: Story, *, series: Series | None, when) -> None:
        live = story.post if story.post_id and story.post.is_published() else None
        post = Post(
            title=story.title,
            body=story.body,
            byline=story.public_credit,
            from_reader=True,
            series=series,
            publish_at=live.publish_at if live else when or timezone.now(),
        )
        post.body_html = render_markdown(post.body)
        post.word_count = count_words(post.body_html)
        self._post = post
        self.content_notes = story.content_notes.all()
        self.tags = story.post.tags.all() if story.post_id else Topic.objects.filter(pk__in=suggested_tags(story))

    def __getattr__(self, name: str):
        return getattr(self._post, name)


@dataclass(frozen=True)
class DeskStep:
    """One of the editors' steps as the story page offers it: its button, its form (None: one click, nothing to
    fill in), what it does, and what the editor is told after it."""

    label: str
    done: str
    apply: Callable[[Story, object, forms.Form | None], object]
    form: Callable[[Story, object], forms.Form] | None = None
    submit: str = ""


def _message_form(purpose: str, *, required: bool):
    return lambda story, data: MessageStepForm(data, purpose=purpose, required=required)


def _promote_form(story: Story, data) -> PromoteForm:
    live = story.post_id is not None and story.post.is_published()  # a live post stays live: no date to choose
    post = story.post if story.post_id else None
    initial = {"series": post.series, "featured": post.featured} if post else {"series": story.series}
    return PromoteForm(data, dated=not live, initial=initial)


def _promote(story: Story, editor, form: PromoteForm) -> Post:
    data = form.cleaned_data
    return story_promote(
        story=story,
        editor=editor,
        series=data["series"],
        featured=data["featured"],
        when=data.get("go_live_at"),
    )


# The story page's buttons, in Story.EDITOR_STEPS order; which show is the story's own rule (available_steps).
DESK_STEPS = {
    "start_review": DeskStep("Start review", "Taken into review.", lambda s, e, f: s.start_review(editor=e)),
    "assign": DeskStep("Assign to me", "Assigned to you.", lambda s, e, f: s.assign(editor=e)),
    "request_changes": DeskStep(
        "Request changes…",
        "Sent back to the writer for changes; they are emailed your message.",
        lambda s, e, f: s.request_changes(editor=e, message=f.cleaned_data["final_message"]),
        _message_form(MessageTemplate.Purpose.CHANGES, required=True),
        "Send the request for changes",
    ),
    "propose_edits": DeskStep(
        "Propose edits…",
        "The edited version is with the writer; nothing changes until they approve it.",
        lambda s, e, f: s.propose_edits(editor=e, **f.proposal()),
        lambda story, data: ProposeEditsForm(data, story=story) if data else ProposeEditsForm.for_story(story),
        "Send the edited version to the writer",
    ),
    "withdraw_proposal": DeskStep(
        "Withdraw the proposed edits",
        "The proposed edits are withdrawn; the story is as it was.",
        lambda s, e, f: s.withdraw_proposal(editor=e),
    ),
    "approve": DeskStep(
        "Approve…",
        "Approved; the writer is told.",
        lambda s, e, f: s.approve(editor=e, message=f.cleaned_data["final_message"]),
        _message_form("", required=False),
        "Approve",
    ),
    "decline": DeskStep(
        "Decline…",
        "Declined; the writer is emailed your message with the support lines.",
        lambda s, e, f: s.decline(editor=e, message=f.cleaned_data["final_message"]),
        _message_form(MessageTemplate.Purpose.DECLINE, required=True),
        "Decline and send the message",
    ),
    "promote": DeskStep("Promote to a post…", "", _promote, _promote_form, "Promote"),
    "clear_urgent": DeskStep(
        "Clear the urgent mark…",
        "No longer marked urgent; your reason is in the history.",
        lambda s, e, f: s.clear_urgent(editor=e, reason=f.cleaned_data["reason"]),
        lambda story, data: ClearUrgentForm(data),
        "Clear the urgent mark",
    ),
}


class StoryEventInline(admin.TabularInline):
    model = StoryEvent
    extra = 0
    can_delete = False
    fields = ["created", "from_status", "to_status", "actor", "by_writer", "editors_only", "message"]
    readonly_fields = fields
    verbose_name = "history line"
    verbose_name_plural = "History"

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class StoryMessageInline(admin.StackedInline):
    model = StoryMessage
    extra = 1
    can_delete = False
    fields = ["created", "from_editor", "author", "body"]
    readonly_fields = ["created", "from_editor", "author"]
    verbose_name = "message with the writer"
    verbose_name_plural = "Messages with the writer (a new message is emailed to them)"

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class EditorialNoteInline(admin.StackedInline):
    model = EditorialNote
    extra = 1
    can_delete = False
    fields = ["created", "author", "body"]
    readonly_fields = ["created", "author"]
    verbose_name_plural = "Private notes (editors only)"


class TurnFilter(admin.SimpleListFilter):
    """The queue opens on what waits for an editor; the rest is one click away."""

    title = "whose turn"
    parameter_name = "turn"
    TURNS = {
        "writer": (Story.Status.CHANGES_REQUESTED, Story.Status.EDITS_PROPOSED),
        "closed": (Story.Status.PUBLISHED, *Story.CLOSED),
    }

    def lookups(self, request, model_admin):
        return [("writer", "Waiting for the writer"), ("closed", "Published, declined or withdrawn"), ("all", "All")]

    def choices(self, changelist):
        yield {
            "selected": self.value() is None,
            "query_string": changelist.get_query_string(remove=[self.parameter_name]),
            "display": "Waiting for an editor",
        }
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        if self.value() == "all":
            return queryset
        return queryset.filter(status__in=self.TURNS.get(self.value(), Story.EDITOR_TURN))


@admin.register(Story)
class StoryAdmin(PrivateLookupsMixin, admin.ModelAdmin):
    # What decides the next story to open comes first, so that it shows without scrolling sideways on a phone
    # (the table scrolls within its own box; tests/e2e/test_queue_widths.py).
    list_display = [
        "urgent_mark",
        "days_waiting",
        "writer_wrote",
        "__str__",
        "status",
        "assigned_to",
        "content_note_list",
        "flag_list",
    ]
    list_display_links = ["__str__"]
    list_filter = [
        TurnFilter,
        "status",
        ("assigned_to", admin.RelatedOnlyFieldListFilter),
        "urgent",
        "flag_crisis",
        "flag_medication",
        "flag_identity",
        "series",
    ]
    # Deliberately not the email: it stays off the editors' screens unless they open a story (and no query
    # string filters by it, nor by the private link's keys).
    search_fields = ["title", "credit_name", "body"]
    private_fields = ("email", "public_id", "submission_key", "link_version")
    list_select_related = ["assigned_to", "series"]
    ordering = ["-urgent", "status_changed_at"]
    actions = [
        start_review,
        assign_to_me,
        request_changes,
        propose_edits,
        withdraw_proposal,
        approve,
        decline,
        promote,
        clear_urgent,
    ]
    inlines = [StoryMessageInline, EditorialNoteInline, StoryEventInline]
    fieldsets = [
        ("Workflow", {"fields": ["status", "status_changed_at", "assigned_to", "safety_flags", "published_post"]}),
        (
            "The story",
            {
                "fields": [
                    "title",
                    "body",
                    "proposed_title",
                    "proposed_body",
                    "proposed_excerpt",
                    "proposed_tags",
                    "proposed_content_notes",
                    "photo_preview",
                    "content_notes",
                    "suggested_tags",
                    "series",
                ]
            },
        ),
        ("The writer", {"fields": ["credit", "credit_name", "email"]}),
        (
            "Consent",
            {
                "fields": [
                    "consent_version",
                    "consented_at",
                    "consent_publish",
                    "consent_editing",
                    "consent_adult",
                    "approved_by",
                    "approved_at",
                    "submitted_at",
                ]
            },
        ),
    ]
    readonly_fields = [
        "status",
        "status_changed_at",
        "assigned_to",
        "safety_flags",
        "published_post",
        "title",
        "body",
        "proposed_title",
        "proposed_body",
        "proposed_excerpt",
        "proposed_tags",
        "proposed_content_notes",
        "photo_preview",
        "content_notes",
        "suggested_tags",
        "series",
        "credit",
        "credit_name",
        "email",
        "consent_version",
        "consented_at",
        "consent_publish",
        "consent_editing",
        "consent_adult",
        "approved_by",
        "approved_at",
        "submitted_at",
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        last_from_writer = Max("messages__created", filter=Q(messages__from_editor=False))
        return (
            super().get_queryset(request).prefetch_related("content_notes").annotate(last_from_writer=last_from_writer)
        )

    def quick_filters(self, request: HttpRequest) -> list[dict]:
        """The links above the queue: each is the list filters' own query, so the sidebar shows it selected."""
        filters = [
            ("Waiting for an editor", {}),
            ("Urgent", {"urgent__exact": "1"}),
            ("Assigned to me", {"assigned_to__id__exact": str(request.user.pk)}),
            ("Waiting on the writer", {TurnFilter.parameter_name: "writer"}),
        ]
        current = {key: value for key, value in request.GET.items() if key not in ("o", "p", "q")}
        return [
            {"label": label, "url": "?" + urlencode(query) if query else "?", "selected": current == query}
            for label, query in filters
        ]

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        return super().changelist_view(request, {"quick_filters": self.quick_filters(request), **(extra_context or {})})

    def render_change_form(self, request: HttpRequest, context, add=False, change=False, form_url="", obj=None):
        # Whatever the address looked like and whatever the method (a GET, a POST that failed validation), the
        # story rendered here is the one whose email the page shows: that showing is recorded.
        if obj is not None:
            ContactAccess.record(story=obj, editor=request.user)
            context["story_steps"] = self.story_steps(request, obj)
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)

    def get_inlines(self, request: HttpRequest, obj: Story | None):
        if obj is not None and obj.is_erased:
            return [StoryEventInline]
        return self.inlines

    def has_change_permission(self, request: HttpRequest, obj: Story | None = None) -> bool:
        # A withdrawn or erased story holds nothing to work on: no messages, notes or assignments any more.
        if obj is not None and obj.is_erased:
            return False
        return super().has_change_permission(request, obj)

    @admin.display(description="Urgent", ordering="-urgent")
    def urgent_mark(self, story: Story) -> str:
        return format_html('<strong class="queue-urgent">⚠ {}</strong>', "Urgent") if story.urgent else ""

    @admin.display(description="Writer wrote", boolean=True)
    def writer_wrote(self, story: Story) -> bool:
        """A message from the writer since the story last changed state."""
        return bool(story.last_from_writer and story.last_from_writer > story.status_changed_at)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(description="Days waiting", ordering="status_changed_at")
    def days_waiting(self, story: Story) -> int:
        return story.days_waiting

    @admin.display(description="Content notes")
    def content_note_list(self, story: Story) -> str:
        return ", ".join(note.name for note in story.content_notes.all())

    @admin.display(description="Flags")
    def flag_list(self, story: Story) -> str:
        return ", ".join(story.flags)

    @admin.display(description="Safety flags")
    def safety_flags(self, story: Story) -> str:
        labels = {
            "identity": "May reveal who or where someone is (a phone number, email or street address)",
            "medication": "Mentions doses, taper schedules or where to get medication",
            "crisis": "Words that suggest the writer may be in crisis now",
        }
        if not story.flags:
            return "None"
        return format_html_join("", "<p>⚠ {}</p>", ((labels[flag],) for flag in story.flags))

    @admin.display(description="Photo")
    def photo_preview(self, story: Story) -> str:
        if not story.photo:
            return "No photo"
        url = reverse("admin:stories_story_photo", args=[story.pk])
        return format_html(
            '<a href="{}"><img src="{}" alt="{}" style="max-width:20rem"></a><br>Described as: {}',
            url,
            url,
            story.photo_alt,
            story.photo_alt,
        )

    def get_urls(self) -> list:
        photo = self.admin_site.admin_view(self.photo_view)
        step = self.admin_site.admin_view(self.step_view)
        return [
            path("<int:object_id>/photo/", photo, name="stories_story_photo"),
            path("<int:object_id>/step/<slug:step>/", step, name="stories_story_step"),
            *super().get_urls(),
        ]

    def story_steps(self, request: HttpRequest, story: Story) -> list[dict]:
        """The story page's buttons: one for each step the story's state allows, none for the others."""
        if not self.has_change_permission(request, story):
            return []
        return [
            {
                "name": name,
                "label": DESK_STEPS[name].label,
                "url": reverse("admin:stories_story_step", args=[story.pk, name]),
                "one_click": DESK_STEPS[name].form is None,
            }
            for name in story.available_steps()
        ]

    def step_view(self, request: HttpRequest, object_id: int, step: str) -> HttpResponse:
        """One step on one story, from its page: its form, then the guarded transition, then back to the story
        with a message. A step the story's state does not allow (a stale page, a forged form) changes nothing."""
        story = get_object_or_404(Story.objects.select_related("post"), pk=object_id)
        desk_step = DESK_STEPS.get(step)
        if desk_step is None:
            raise Http404("No such step.")
        if not self.has_change_permission(request, story):
            raise PermissionDenied
        story_url = reverse("admin:stories_story_change", args=[story.pk])
        if (refusal := story.step_refusal(step)) is not None:
            self.message_user(request, refusal, messages.ERROR)
            return redirect(story_url)
        posted = request.method == "POST"
        form = desk_step.form(story, request.POST if posted else None) if desk_step.form else None
        if posted and isinstance(form, SavedAnswersMixin) and "use_answer" in request.POST:
            form = form.with_answer()
        elif posted and (form is None or ("preview" not in request.POST and form.is_valid())):
            try:
                result = desk_step.apply(story, request.user, form)
            except InvalidTransition as refusal:
                if form is None:
                    self.message_user(request, str(refusal), messages.ERROR)
                    return redirect(story_url)
                form.add_error(None, str(refusal))
            else:
                self.message_user(request, desk_step.done or self._promoted(result), messages.SUCCESS)
                return redirect(story_url)
        context = {
            **self.admin_site.each_context(request),
            "title": f"{desk_step.label.rstrip('…')}: {story}",
            "opts": self.model._meta,
            "story": story,
            "step": step,
            "desk_step": desk_step,
            "form": form,
            "saved_answers": form.saved_answers() if isinstance(form, SavedAnswersMixin) else {},
            "story_url": story_url,
            "dated": form is not None and "publish_at" in form.fields,
        }
        if step == "promote":
            data = form.cleaned_data if form.is_bound and form.is_valid() else {}
            series = data["series"] if data else (story.post.series if story.post_id else story.series)
            context["preview"] = PostPreview(story, series=series, when=data.get("go_live_at"))
        return TemplateResponse(request, "admin/stories/story/step.html", context)

    @staticmethod
    def _promoted(post: Post) -> str:
        if post.is_published():
            return f"Published: “{post.title}” is live at {post.get_absolute_url()}. The writer is told."
        when = timezone.localtime(post.publish_at)
        return f"Scheduled: “{post.title}” goes live on {when:%-d %B %Y at %H:%M}. The writer is told."

    def photo_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        """The story's photo, streamed from private storage to editors who may see the story."""
        story = get_object_or_404(Story, pk=object_id)
        if not self.has_view_permission(request, story) or not story.photo:
            raise Http404("No photo here.")
        return private_file_response(story.photo)

    @admin.display(description="Published as")
    def published_post(self, story: Story) -> str:
        if not story.post_id:
            return "Not published"
        return format_html('<a href="{}">{}</a>', story.post.get_absolute_url(), story.post.title)

    def save_formset(self, request, form, formset, change) -> None:
        instances = formset.save(commit=False)
        for instance in instances:
            if isinstance(instance, StoryMessage):
                instance.from_editor = True
                instance.author = request.user
                instance.save()
                instance.story.notify_writer_of_message(instance)
            elif isinstance(instance, EditorialNote):
                instance.author = instance.author or request.user
                instance.save()
        formset.save_m2m()


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "purpose"]
    list_filter = ["purpose"]
    search_fields = ["name", "body"]


@admin.register(ConsentVersion)
class ConsentVersionAdmin(admin.ModelAdmin):
    """Consent wording is added as a new version, never edited: stories point at the words they agreed to."""

    list_display = ["version", "created"]

    def get_readonly_fields(self, request, obj=None):
        return ["version", "publish_text", "editing_text", "age_text"] if obj else []


@admin.register(ContactAccess)
class ContactAccessAdmin(PrivateLookupsMixin, admin.ModelAdmin):
    """Who opened which submitter's contact details, and when. Read-only."""

    list_display = ["created", "editor", "story"]
    list_filter = [("editor", admin.RelatedOnlyFieldListFilter)]
    date_hierarchy = "created"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadersPostForm(forms.ModelForm):
    """The post form: on a post made from a story, the notes its writer chose cannot be unticked."""

    def clean_content_notes(self):
        notes = self.cleaned_data["content_notes"]
        story = _story_of(self.instance)
        if story is not None:
            dropped = story.content_notes.exclude(pk__in=[note.pk for note in notes])
            if dropped:
                raise forms.ValidationError(
                    "The writer chose “%(notes)s”: a writer's content note stays (propose its removal on the story). "
                    "You may add notes.",
                    params={"notes": ", ".join(note.name for note in dropped)},
                )
        return notes


def _story_of(post: Post | None) -> Story | None:
    return getattr(post, "story", None) if post is not None and post.pk else None


class ReadersPostAdmin(PostAdmin):
    """The post admin, with what a reader's story adds: where the post came from, and the writer's lock."""

    form = ReadersPostForm
    # A reader's post is the writer's: these change only by an edit the writer approves (propose edits on the
    # story). Editors may still add content notes, never remove the writer's.
    WRITERS_FIELDS = (
        "title",
        "body",
        "excerpt",
        "feature_image",
        "feature_image_alt",
        "tags",
        "byline",
        "contributor",
        "from_reader",
    )

    def get_readonly_fields(self, request, obj=None):
        fields = [*super().get_readonly_fields(request, obj), "provenance"]
        if _story_of(obj) is not None:
            fields += self.WRITERS_FIELDS
        return fields

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        return [
            (name, {**options, "fields": [*options["fields"], "provenance"]})
            if name == "Provenance"
            else (name, options)
            for name, options in fieldsets
        ]

    def get_prepopulated_fields(self, request, obj=None):
        return {} if _story_of(obj) is not None else super().get_prepopulated_fields(request, obj)

    def restorable_fields(self, request, post: Post) -> tuple[str, ...]:
        """A restore on a reader's post leaves the writer's fields alone, and the content notes (a restore could
        drop the writer's)."""
        fields = super().restorable_fields(request, post)
        if _story_of(post) is None:
            return fields
        return tuple(field for field in fields if field not in (*self.WRITERS_FIELDS, "content_notes"))

    @admin.display(description="Made from")
    def provenance(self, post: Post) -> str:
        story = _story_of(post)
        if story is None:
            return "Written for the site"
        return format_html(
            'A reader\'s story (<a href="{}">the submission</a>), consent wording v{} given {}, approved by {} on {}',
            reverse("admin:stories_story_change", args=[story.pk]),
            story.consent_version.version,
            story.consented_at.strftime("%-d %b %Y"),
            story.approved_by or "an editor",
            story.approved_at.strftime("%-d %b %Y") if story.approved_at else "—",
        )


admin.site.unregister(Post)
admin.site.register(Post, ReadersPostAdmin)


class ContactReplyInline(admin.TabularInline):
    model = ContactReply
    fields = ["created", "sent_by", "body"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = "Our replies"

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class ContactMessageForm(forms.ModelForm):
    """The message as the reader wrote it, and a box for the editors' reply (sent by the site, from its address)."""

    reply = forms.CharField(
        label="Reply",
        required=False,
        max_length=ContactMessage.BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Sent to the writer by email from the site's address when you save; their address is never shown.",
    )
    close = forms.BooleanField(label="Close this message (nothing more to do)", required=False)

    class Meta:
        model = ContactMessage
        fields: list[str] = []

    def clean(self) -> dict:
        cleaned = super().clean()
        if self.instance.closed_at is not None and cleaned.get("reply", "").strip():
            self.add_error("reply", "This message is closed; it takes no reply.")
        return cleaned


@admin.register(ContactMessage)
class ContactMessageAdmin(PrivateLookupsMixin, admin.ModelAdmin):
    """ "Write to us" messages: urgent first, then the oldest waiting. The writer's address is never shown."""

    form = ContactMessageForm
    list_display = ["name", "excerpt", "urgent", "created", "reply_count", "closed_at"]
    list_filter = ["urgent", ("closed_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "body"]
    private_fields = ("email", "form_key")
    ordering = ["closed_at", "-urgent", "created"]
    fields = ["name", "created", "urgent", "flag_crisis", "closed_at", "content_notes", "body", "reply", "close"]
    readonly_fields = ["name", "created", "urgent", "flag_crisis", "closed_at", "content_notes", "body"]
    inlines = [ContactReplyInline]

    def has_add_permission(self, request) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).annotate(replies_sent=Count("replies"))

    @admin.display(description="Message")
    def excerpt(self, message: ContactMessage) -> str:
        return message.body[:80]

    @admin.display(description="Replies", ordering="replies_sent")
    def reply_count(self, message: ContactMessage) -> int:
        return message.replies_sent

    def save_model(self, request: HttpRequest, obj: ContactMessage, form, change: bool) -> None:
        if text := form.cleaned_data.get("reply", "").strip():
            obj.reply(editor=request.user, body=text)
            self.message_user(request, "Your reply is on its way to the writer.", messages.SUCCESS)
        if form.cleaned_data.get("close") and obj.closed_at is None:
            obj.close()
