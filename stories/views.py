"""The writer's side: share a story, follow it on a private page, edit it, reply, withdraw. No account needed."""

from __future__ import annotations

import contextlib
import re

from django import forms
from django.conf import settings
from django.contrib import messages
from django.db import OperationalError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from ole import images, ratelimit
from ole.privacy import private
from ole.storage import private_file_response
from ole.text import render_markdown, side_by_side
from ole.workflow import InvalidTransition
from series.models import CrisisLine, Series

from .forms import ContactForm, LostLinkForm, ReplyForm, StoryEditForm, StoryForm, error_summary
from .models import ConsentVersion, LostLinkRequest, Story
from .services import SubmissionRefused, contact_submit, story_submit, writer_reply

# The thank-you page shows the private link once, from a short-lived signed cookie that only that page receives:
# no session (nor a row holding the link) is made for it.
THANKS_COOKIE = "ole_thanks"
THANKS_SECONDS = 600
# After "Write to us", the confirmation page learns only whether to show the crisis lines first.
CONTACT_COOKIE = "ole_contact"
SLUG = re.compile(r"[-a-zA-Z0-9_]{1,160}")


def _story_or_404(token: str) -> Story:
    story = Story.from_token(token)
    if story is None:
        raise Http404("No story behind this link.")
    return story


def _series_from(request: HttpRequest) -> Series | None:
    """The series an invitation named, if the parameter is a real slug (anything else is ignored)."""
    slug = request.GET.get("series", "")
    return Series.objects.filter(slug=slug).first() if SLUG.fullmatch(slug) else None


@require_safe
def share(request: HttpRequest) -> HttpResponse:
    """What to expect, and a wellbeing check, before the form."""
    series = _series_from(request)
    return render(request, "stories/share.html", {"series": series, "crisis_lines": CrisisLine.objects.all()})


@private
@require_http_methods(["GET", "POST"])
def submit(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = StoryForm(request.POST, request.FILES, consent=_consent_shown(request.POST))
        if form.is_bot:
            return _thanks_for(request, None)  # accepted silently; nothing is kept
        return _submit(request, form)
    series = _series_from(request)
    form = StoryForm(
        consent=ConsentVersion.current(), initial={"series": series, "submission_key": StoryForm.new_key()}
    )
    return _render_form(request, form)


def _consent_shown(posted: QueryDict) -> ConsentVersion:
    """The wording the writer was shown, recorded even if a new version was added since."""
    shown = ConsentVersion.objects.filter(version=_int(posted.get("consent_version"))).first()
    return shown or ConsentVersion.current()


def _submit(request: HttpRequest, form: StoryForm) -> HttpResponse:
    if form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.Meta.fields if name not in ("photo", "content_notes")}
        try:
            story, _created = story_submit(
                submission_key=form.cleaned_data["submission_key"],
                consent=form.consent,
                fields=data,
                content_notes=list(form.cleaned_data["content_notes"]),
                photo=form.cleaned_data.get("photo"),
                allow_new=lambda: ratelimit.allow(
                    "story-submit", request, limit=settings.OLE_STORY_SUBMISSIONS_PER_HOUR, window=3600
                ),
            )
        except SubmissionRefused:
            return _render_form(request, form, status=429, too_many=True)
        except OperationalError:
            # The database stayed busy past its timeout (SQLite under a burst): nothing was saved.
            return _render_form(request, form, status=503, busy=True)
        except images.StorageUnavailable:
            # The photo could not be stored (a full disk): the story was rolled back with it.
            return _render_form(request, form, status=503, storage_full=True)
        return _thanks_for(request, story)  # None: someone else's form key; they learn nothing about that story
    return _render_form(request, form)


def _thanks_for(request: HttpRequest, story: Story | None) -> HttpResponse:
    """To the thank-you page, with this story's link for it, and never a link left from an earlier story."""
    response = redirect("stories:thanks")
    if story is None:
        return _take_back_link(response)
    return _for_the_thanks_page(request, response, THANKS_COOKIE, story.status_token(), page="stories:thanks")


def _for_the_thanks_page(request: HttpRequest, response: HttpResponse, name: str, value: str, *, page: str):
    """A short-lived signed cookie only the thank-you page receives: what it may say, and no session for it."""
    response.set_signed_cookie(
        name,
        value,
        salt=name,
        max_age=THANKS_SECONDS,
        path=reverse(page),
        secure=request.is_secure() or settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Strict",
    )
    return response


def _take_back_link(response: HttpResponse) -> HttpResponse:
    response.delete_cookie(THANKS_COOKIE, path=reverse("stories:thanks"), samesite="Strict")
    return response


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 6 else None


def _render_form(
    request: HttpRequest, form: forms.BaseForm, *, template: str = "stories/submit.html", status: int = 200, **shown
) -> HttpResponse:
    """The form again, with every error listed at the top; `shown` names the notices above it (too_many...)."""
    context = {"form": form, "errors": error_summary(form) if form.is_bound else [], **shown}
    return render(request, template, context, status=status)


@private
@require_safe
def thanks(request: HttpRequest) -> HttpResponse:
    token = request.get_signed_cookie(THANKS_COOKIE, default="", salt=THANKS_COOKIE, max_age=THANKS_SECONDS)
    story = Story.from_token(token) if token else None  # a link replaced since is not shown
    context = {
        "status_url": request.build_absolute_uri(story.get_status_url()) if story else "",
        "urgent": bool(story and story.urgent),
        "crisis_lines": CrisisLine.objects.all(),
    }
    return _take_back_link(render(request, "stories/thanks.html", context))


@private
@require_http_methods(["GET", "POST"])
def status(request: HttpRequest, token: str) -> HttpResponse:
    story = _story_or_404(token)
    form = ReplyForm(request.POST or None)
    if request.method == "POST":
        if story.is_erased:
            raise Http404("This story was withdrawn or erased.")
        if form.is_valid():
            writer_reply(story=story, body=form.cleaned_data["body"])
            messages.success(request, "Your message has been sent to the editors.")
            return redirect(story.get_status_url())
    context = {
        "story": story,
        "token": token,
        "form": form,
        "events": story.events.for_writer(),
        "conversation": story.messages.all(),
        "story_html": render_markdown(story.body),
        "crisis_lines": CrisisLine.objects.all(),
    }
    if story.has_proposal:
        context["diff_title"] = side_by_side(story.title, story.proposed_title)
        context["diff_body"] = side_by_side(story.body, story.proposed_body)
        context["proposed_changes"] = story.proposed_changes()
    return render(request, "stories/status.html", context)


@private
@require_POST
def accept_edits(request: HttpRequest, token: str) -> HttpResponse:
    story = _story_or_404(token)
    try:
        story.accept_edits()
    except InvalidTransition as refusal:
        messages.error(request, str(refusal))
    else:
        if story.status == Story.Status.PUBLISHED:
            messages.success(request, "Thank you. You approved the edited version; your published story shows it now.")
        else:
            messages.success(request, "Thank you. You approved the edited version; the editors will take it from here.")
    return redirect(story.get_status_url())


@private
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, token: str) -> HttpResponse:
    story = _story_or_404(token)
    if story.status not in Story.WRITER_CAN_EDIT:
        messages.error(request, "Your story cannot be edited at this stage. You can still write to the editors.")
        return redirect(story.get_status_url())
    form = StoryEditForm(request.POST or None, instance=story)
    if request.method == "POST" and form.is_valid():
        try:
            story.revise(
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                photo_alt=form.cleaned_data.get("photo_alt"),
            )
        except InvalidTransition:
            messages.error(
                request,
                "An editor has just started on your story, so it can't be edited now. "
                "You can still write to the editors.",
            )
        else:
            messages.success(request, "Your changes are saved.")
        return redirect(story.get_status_url())
    context = {"story": story, "form": form, "errors": error_summary(form) if form.is_bound else []}
    return render(request, "stories/edit.html", context)


@private
@require_http_methods(["GET", "POST"])
def withdraw(request: HttpRequest, token: str) -> HttpResponse:
    story = _story_or_404(token)
    if story.status == Story.Status.WITHDRAWN:
        return redirect(story.get_status_url())
    if request.method == "POST":
        with contextlib.suppress(InvalidTransition):  # withdrawn a moment ago, e.g. by a double click
            story.withdraw()
        messages.success(request, "Your story has been withdrawn. Its text, photo and your details are deleted.")
        return redirect(story.get_status_url())
    return render(request, "stories/withdraw.html", {"story": story})


@private
@require_http_methods(["GET", "POST"])
def lost_link(request: HttpRequest) -> HttpResponse:
    """Send fresh links to an address. The answer is the same whether or not the address has a story."""
    form = LostLinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not ratelimit.allow("lost-link", request, limit=settings.OLE_LOST_LINK_REQUESTS_PER_HOUR, window=3600):
            return render(request, "stories/lost_link.html", {"form": form, "too_many": True}, status=429)
        email = form.cleaned_data["email"]
        # Also limited per address, so nobody can flood a writer's inbox from many connections.
        if ratelimit.allow_key("lost-link-address", email.lower(), limit=3, window=3600):
            LostLinkRequest.make(email)  # the same work whether or not the address has a story
        return render(request, "stories/lost_link.html", {"sent": True})
    return render(request, "stories/lost_link.html", {"form": form})


@private
@require_POST
def replace_link(request: HttpRequest, token: str) -> HttpResponse:
    """The writer voids their link (e.g. someone else saw it) and gets a new one, shown and emailed."""
    story = _story_or_404(token)
    story.issue_new_link()
    messages.success(
        request, "Your private link has changed; we have emailed the new one. The old one no longer works."
    )
    return redirect(story.get_status_url())


@private
@require_safe
def photo(request: HttpRequest, token: str) -> HttpResponse:
    """The writer's own photo, streamed from private storage to whoever holds the private link."""
    story = _story_or_404(token)
    if not story.photo:
        raise Http404("This story has no photo.")
    return private_file_response(story.photo)


@private
@require_safe
def export(request: HttpRequest, token: str) -> HttpResponse:
    """Everything OLE holds about the story, as a JSON file the writer can keep."""
    story = _story_or_404(token)
    response = JsonResponse(story.export(), json_dumps_params={"indent": 2, "ensure_ascii": False})
    response["Content-Disposition"] = 'attachment; filename="my-story.json"'
    return response


@private
@require_http_methods(["GET", "POST"])
def contact(request: HttpRequest) -> HttpResponse:
    """ "Write to us": a message to the editors, kept as typed on any error, saved once however often it is sent."""
    if request.method == "GET":
        return _contact_form(request, ContactForm(initial={"form_key": ContactForm.new_key()}))
    form = ContactForm(request.POST)
    if form.is_bot:
        return redirect("stories:contact_thanks")  # accepted silently; nothing is kept
    if not form.is_valid():
        return _contact_form(request, form)
    fields = {name: form.cleaned_data[name] for name in form.Meta.fields if name != "content_notes"}
    try:
        message, _created = contact_submit(
            form_key=form.cleaned_data["form_key"],
            fields=fields,
            content_notes=list(form.cleaned_data["content_notes"]),
            allow_new=lambda: ratelimit.allow(
                "contact", request, limit=settings.OLE_CONTACT_MESSAGES_PER_HOUR, window=3600
            ),
        )
    except SubmissionRefused:
        return _contact_form(request, form, status=429, too_many=True)
    except OperationalError:
        return _contact_form(request, form, status=503, busy=True)
    outcome = "urgent" if message and message.urgent else "received"
    response = redirect("stories:contact_thanks")
    return _for_the_thanks_page(request, response, CONTACT_COOKIE, outcome, page="stories:contact_thanks")


def _contact_form(request: HttpRequest, form: ContactForm, *, status: int = 200, **shown) -> HttpResponse:
    return _render_form(request, form, template="stories/contact.html", status=status, **shown)


@private
@require_safe
def contact_thanks(request: HttpRequest) -> HttpResponse:
    outcome = request.get_signed_cookie(CONTACT_COOKIE, default="", salt=CONTACT_COOKIE, max_age=THANKS_SECONDS)
    context = {"urgent": outcome == "urgent", "crisis_lines": CrisisLine.objects.all()}
    return render(request, "stories/contact_thanks.html", context)
