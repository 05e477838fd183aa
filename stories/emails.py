"""The emails a writer (and the editors) receive. Each is built when it is sent, from the story as it is then:
a withdrawn story sends nothing, and the queue itself never holds an address or any text."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse

from ole.mail import absolute, editor_addresses
from ole.outbox import register
from series.models import CrisisLine

from .models import (
    WRITER_EMAIL_SOURCES,
    ContactMessage,
    ContactReply,
    LostLinkRequest,
    Story,
    StoryEvent,
    StoryMessage,
)

SUBJECTS = {
    "story.received": "We have your story: “{title}”",
    "story.changes_requested": "The editors have asked for changes to “{title}”",
    "story.edits_proposed": "An edited version of “{title}” is waiting for you",
    "story.approved": "“{title}” has been approved",
    "story.published": "“{title}” is published",
    "story.declined": "About your story “{title}”",
    "story.new_link": "Your new private link",
    "story.link": "Your private link",
    "story.message": "A message from the editors about “{title}”",
}


def _source(kind: str, object_id: int) -> tuple[Story | None, str]:
    """The story an email is about, and the editors' words for it (if any)."""
    if WRITER_EMAIL_SOURCES[kind] == "event":
        event = StoryEvent.objects.select_related("story").filter(pk=object_id).first()
        return (event.story, event.message) if event else (None, "")
    if WRITER_EMAIL_SOURCES[kind] == "message":
        message = StoryMessage.objects.select_related("story").filter(pk=object_id).first()
        return (message.story, message.body) if message else (None, "")
    return Story.objects.filter(pk=object_id).first(), ""


def _writer_email(kind: str):
    def build(object_id: int) -> EmailMessage | None:
        story, words = _source(kind, object_id)
        if story is None or story.status == Story.Status.WITHDRAWN or not story.email:
            return None
        context = {
            "story": story,
            "words": words,
            "status_url": absolute(story.get_status_url()),
            "post_url": absolute(story.post.get_absolute_url()) if story.post_id else "",
            "help_url": absolute(reverse("series:help")),
            "crisis_lines": CrisisLine.objects.all(),
            "site_name": settings.OLE_SITE_NAME,
        }
        body = render_to_string(f"stories/email/{kind.removeprefix('story.')}.txt", context)
        subject = SUBJECTS[kind].format(title=story.title[:80])
        return EmailMessage(subject=subject, body=body, to=[story.email])

    return build


for _kind in SUBJECTS:
    register(_kind)(_writer_email(_kind))


@register("story.urgent")
def urgent_alert(story_id: int) -> EmailMessage | None:
    """Tell the editors a writer may be in crisis. The email names no one: it links to the story in the admin."""
    story = Story.objects.filter(pk=story_id, urgent=True).exclude(status=Story.Status.WITHDRAWN).first()
    editors = editor_addresses()
    if story is None or not editors:
        return None
    admin_url = absolute(reverse("admin:stories_story_change", args=[story.pk]))
    body = render_to_string("stories/email/urgent.txt", {"admin_url": admin_url, "story": story})
    return EmailMessage(subject="A new story may need urgent care", body=body, to=editors)


@register("story.lost_link")
def resolve_lost_link(request_id: int) -> None:
    """Not an email of its own: a lost-link request becomes one link email per story of its address (none
    for an address without a story), and the request is deleted."""
    request = LostLinkRequest.objects.filter(pk=request_id).first()
    if request is not None:
        request.resolve()
    return None


@register("contact.reply")
def contact_reply(reply_id: int) -> EmailMessage | None:
    """An editor's answer to a "Write to us" message, from the site's own address (never an editor's)."""
    reply = ContactReply.objects.select_related("message").filter(pk=reply_id).first()
    if reply is None:
        return None
    context = {
        "reply": reply,
        "message": reply.message,
        "contact_url": absolute(reverse("stories:contact")),
        "help_url": absolute(reverse("series:help")),
        "crisis_lines": CrisisLine.objects.all(),
        "site_name": settings.OLE_SITE_NAME,
    }
    body = render_to_string("stories/email/contact_reply.txt", context)
    return EmailMessage(subject=f"Your message to {settings.OLE_SITE_NAME}", body=body, to=[reply.message.email])


@register("contact.urgent")
def contact_urgent_alert(message_id: int) -> EmailMessage | None:
    """Tell the editors a message's writer may be in crisis; the email names no one and quotes nothing."""
    message = ContactMessage.objects.filter(pk=message_id, urgent=True).first()
    editors = editor_addresses()
    if message is None or not editors:
        return None
    admin_url = absolute(reverse("admin:stories_contactmessage_change", args=[message.pk]))
    body = render_to_string("stories/email/contact_urgent.txt", {"admin_url": admin_url})
    return EmailMessage(subject="A message may need urgent care", body=body, to=editors)
