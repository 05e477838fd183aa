"""The persistent mail queue: sent once after commit, retried with back-off, never holding personal data."""

import datetime
import logging

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from ole.models import OutboundEmail
from ole.outbox import deliver_due, queue_email
from ole.outbox import message_id as outbox_message_id
from stories.models import Story
from tests.factories import StoryFactory

pytestmark = pytest.mark.django_db


class DownBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError(f"could not deliver to {messages[0].to[0]}")


def test_the_queue_holds_a_kind_and_an_id_only():
    story = StoryFactory(email="secret@example.org", title="Very private title")
    queue_email("story.received", story)
    row = OutboundEmail.objects.values().get()
    assert "secret@example.org" not in str(row) and "Very private" not in str(row)


def test_a_mail_server_that_is_down_loses_nothing_and_logs_no_address(settings, caplog):
    story = StoryFactory(email="secret@example.org")
    queue_email("story.received", story)
    settings.EMAIL_BACKEND = "tests.ole.test_outbox.DownBackend"
    with caplog.at_level(logging.WARNING, logger="ole.outbox"):
        assert deliver_due() == (0, 1)
    assert "secret@example.org" not in caplog.text
    assert "ConnectionRefusedError" in caplog.text
    email = OutboundEmail.objects.get()
    assert email.state == "pending" and email.send_after > timezone.now()
    assert deliver_due() == (0, 0)  # not due yet: it backs off
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    OutboundEmail.objects.update(send_after=timezone.now())
    call_command("run_worker", verbosity=0)
    assert len(mail.outbox) == 1
    assert OutboundEmail.objects.get().state == "sent"
    assert deliver_due() == (0, 0)  # sent once


def test_a_builder_that_fails_is_retried_and_the_emails_behind_it_still_go(monkeypatch):
    from ole import outbox

    def broken(object_id):
        raise RuntimeError("a bug in a builder")

    monkeypatch.setitem(outbox._builders, "story.link", broken)
    stuck = queue_email("story.link", StoryFactory())
    queue_email("story.received", StoryFactory())
    assert deliver_due() == (1, 1)
    stuck.refresh_from_db()
    assert stuck.state == "pending" and stuck.attempts == 1 and stuck.last_error == "RuntimeError"
    assert len(mail.outbox) == 1


def test_each_row_is_sent_under_its_own_stable_message_id():
    queue_email("story.received", StoryFactory())
    deliver_due()
    email = OutboundEmail.objects.get()
    assert mail.outbox[0].extra_headers["Message-ID"] == outbox_message_id(email)
    assert outbox_message_id(email) == outbox_message_id(OutboundEmail.objects.get())
    assert str(email.pk) in outbox_message_id(email)


def test_gives_up_after_the_last_attempt(settings):
    queue_email("story.received", StoryFactory())
    settings.EMAIL_BACKEND = "tests.ole.test_outbox.DownBackend"
    for _ in range(OutboundEmail.MAX_ATTEMPTS):
        OutboundEmail.objects.update(send_after=timezone.now() - datetime.timedelta(seconds=1))
        deliver_due()
    assert OutboundEmail.objects.get().state == "failed"


def test_a_withdrawn_story_sends_nothing():
    story = StoryFactory()
    email = queue_email("story.received", story)
    story.withdraw()
    email.refresh_from_db()
    assert email.state == "cancelled"
    assert deliver_due() == (0, 0) and mail.outbox == []


def test_a_deleted_record_sends_nothing():
    story = StoryFactory()
    email = queue_email("story.received", story)
    Story.objects.filter(pk=story.pk).delete()
    assert deliver_due() == (1, 0)
    email.refresh_from_db()
    assert email.state == "cancelled" and mail.outbox == []


def test_published_email_carries_the_public_link_and_decline_carries_support_lines(editor):
    from stories.services import story_promote

    story = StoryFactory()
    Story.objects.filter(pk=story.pk).update(status=Story.Status.APPROVED)
    story.refresh_from_db()
    post = story_promote(story=story, editor=editor, series=None)
    deliver_due()
    assert post.get_absolute_url() in mail.outbox[-1].body
    other = StoryFactory()
    other.decline(editor=editor, message="Thank you; not this one.")
    deliver_due()
    declined = mail.outbox[-1]
    assert "Thank you; not this one." in declined.body and "0800 567 567" in declined.body


def test_urgent_stories_alert_the_editors_without_naming_anyone(editor):
    import uuid

    from stories.services import story_submit
    from tests.factories import current_consent

    story, _ = story_submit(
        submission_key=uuid.uuid4(),
        consent=current_consent(),
        fields={
            "title": "Tonight",
            "body": "I want to end it all. " * 20,
            "email": "w@example.org",
            "credit": "anonymous",
            "credit_name": "",
        },
        content_notes=[],
    )
    deliver_due()
    alert = next(m for m in mail.outbox if m.to == [editor.email])
    assert f"/admin/stories/story/{story.pk}/change/" in alert.body
    assert "w@example.org" not in alert.body and "end it all" not in alert.body
