"""Actions that cross models or send mail: submitting a story, and promoting it to a featured post."""

from __future__ import annotations

import datetime
import logging
import uuid
from collections.abc import Callable
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from ole.outbox import queue_email
from series.models import ContentNote, Contributor, Post, Series, Topic

from .models import ConsentVersion, ContactMessage, Story, StoryEvent, StoryMessage

logger = logging.getLogger(__name__)
READERS_CONTRIBUTOR = {"slug": "readers", "display_name": "Our readers"}


class SubmissionRefused(Exception):
    """A new story was not allowed (too many from one address); nothing was saved."""


def story_submit(
    *,
    submission_key: uuid.UUID,
    consent: ConsentVersion,
    fields: dict[str, Any],
    content_notes: list[ContentNote],
    photo=None,
    allow_new: Callable[[], bool] = lambda: True,
) -> tuple[Story | None, bool]:
    """Save a new story with its consent, flags and history, and queue the writer's email, all or nothing.

    A second submission with the same key (a double click, a resent form) returns the first story
    and False instead of making another; `allow_new` (a rate limit) is asked only before a new story,
    and SubmissionRefused is raised when it says no.
    """
    if (answer := _resent(submission_key, fields)) is not None:
        return answer
    if not allow_new():
        # The same form sent twice at once may have been saved by the other request meanwhile.
        if (answer := _resent(submission_key, fields)) is not None:
            return answer
        raise SubmissionRefused
    try:
        with transaction.atomic():
            story = Story(
                **fields,
                submission_key=submission_key,
                consent_version=consent,
                consented_at=timezone.now(),
                consent_publish=True,
                consent_editing=True,
                consent_adult=True,
            )
            story.refresh_flags(content_notes=content_notes)
            if photo:
                story.photo = photo  # re-encoded without metadata as it is stored
            story.save()
            if content_notes:
                story.content_notes.add(*content_notes)
            StoryEvent.objects.create(story=story, to_status=Story.Status.SUBMITTED, by_writer=True)
            queue_email("story.received", story)
            if story.urgent:
                queue_email("story.urgent", story)
    except IntegrityError:
        # The same form, submitted twice at once: the other request saved it first.
        if (answer := _resent(submission_key, fields)) is None:
            raise
        return answer
    return story, True


def _resent(submission_key: uuid.UUID, fields: dict[str, Any]) -> tuple[Story | None, bool] | None:
    """The answer to a form already saved under this key, or None if none was. A resent form gets its story
    back only if it is the same writer's; a copied key gets nothing."""
    earlier = Story.objects.filter(submission_key=submission_key).first()
    if earlier is None:
        return None
    same_writer = earlier.email.lower() == str(fields.get("email", "")).lower()
    return (earlier if same_writer else None), False


def writer_reply(*, story: Story, body: str) -> StoryMessage:
    """A message from the writer to the editors (any time until the story is closed)."""
    if story.is_erased:
        raise ValueError("A withdrawn or erased story takes no messages.")
    return StoryMessage.objects.create(story=story, from_editor=False, body=body)


def suggested_tags(story: Story) -> list[Topic]:
    """The site's existing tags that the writer suggested. A writer's words never become a new public tag
    page by themselves: editors create tags."""
    slugs = {slugify(part)[:90] for part in story.suggested_tags.split(",") if part.strip()}
    return list(Topic.objects.filter(slug__in=slugs - {""}))


def _photo_copy(story: Story) -> ContentFile | None:
    """A public copy of the story's private photo for its post, or None (no photo, or its file is missing)."""
    if not story.photo:
        return None
    try:
        with story.photo.open("rb") as photo:
            return ContentFile(photo.read(), name="story.jpg")
    except OSError:
        logger.warning("Story %s: its photo file is missing; promoted without it.", story.pk)
        return None


def story_promote(
    *,
    story: Story,
    editor,
    series: Series | None,
    featured: bool = True,
    when: datetime.datetime | None = None,
) -> Post:
    """Create (or, when promoted again, update) the post made from an approved story: live at once, or
    scheduled for `when`; featured on the home page unless the editor says not."""
    with transaction.atomic():
        story.lock()  # a writer may be withdrawing this very moment: act on the current row only
        story.require_step("promote")
        readers, _created = Contributor.objects.get_or_create(
            slug=READERS_CONTRIBUTOR["slug"], defaults={"display_name": READERS_CONTRIBUTOR["display_name"]}
        )
        post = story.post or Post(contributor=readers, from_reader=True)
        post.publish_from(
            story,
            series=series,
            tags=suggested_tags(story),
            content_notes=story.content_notes.all(),
            image=None if post.feature_image else _photo_copy(story),
            featured=featured,
            when=when,
            by=editor,
        )
        story.mark_published(editor=editor, post=post)
    return post


def contact_submit(
    *,
    form_key: uuid.UUID,
    fields: dict[str, Any],
    content_notes: list[ContentNote] = (),
    allow_new: Callable[[], bool] = lambda: True,
) -> tuple[ContactMessage | None, bool]:
    """Save a "Write to us" message and, when it is urgent, alert the editors, all or nothing.

    The same form sent again (a double click) returns the first message and False; a key used with another
    address returns None. `allow_new` is asked only before a new message; SubmissionRefused when it says no.
    """
    if (answer := _contact_resent(form_key, fields)) is not None:
        return answer
    if not allow_new():
        if (answer := _contact_resent(form_key, fields)) is not None:
            return answer
        raise SubmissionRefused
    try:
        with transaction.atomic():
            message = ContactMessage(**fields, form_key=form_key)
            message.refresh_flags(content_notes=content_notes)
            message.save()
            if content_notes:
                message.content_notes.set(content_notes)
            if message.urgent:
                queue_email("contact.urgent", message)
    except IntegrityError:
        if (answer := _contact_resent(form_key, fields)) is None:
            raise
        return answer
    return message, True


def _contact_resent(form_key: uuid.UUID, fields: dict[str, Any]) -> tuple[ContactMessage | None, bool] | None:
    earlier = ContactMessage.objects.filter(form_key=form_key).first()
    if earlier is None:
        return None
    return (earlier if earlier.email.lower() == str(fields.get("email", "")).lower() else None), False
