"""Edge cases found in review: consent wording, resent forms, lost and replaced links, logs, the queue."""

import io
import logging
import re
import uuid

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from ole.logging import RedactPrivateLinks
from ole.models import OutboundEmail
from ole.outbox import deliver_due
from stories.models import ConsentVersion, Story
from tests.factories import StoryFactory
from tests.stories.test_submission import form_data

pytestmark = pytest.mark.django_db

S = Story.Status


def test_the_consent_wording_recorded_is_the_one_the_writer_saw(client):
    page = client.get(reverse("stories:submit")).content.decode()
    assert 'name="consent_version" value="1"' in page
    ConsentVersion.objects.create(version=2, publish_text="New words", editing_text="New", age_text="18+")
    client.post(reverse("stories:submit"), form_data(consent_version="1"))
    assert Story.objects.get().consent_version.version == 1


def test_a_resent_form_at_the_rate_limit_still_shows_the_story(client, settings):
    settings.OLE_STORY_SUBMISSIONS_PER_HOUR = 1
    data = form_data()
    assert client.post(reverse("stories:submit"), data).status_code == 302
    assert client.post(reverse("stories:submit"), data).status_code == 302
    assert Story.objects.count() == 1


def test_a_copied_form_key_reveals_nothing(client):
    from django.test import Client

    data = form_data()
    client.post(reverse("stories:submit"), data)
    story = Story.objects.get()
    stranger = Client()
    response = stranger.post(reverse("stories:submit"), {**data, "email": "stranger@example.org"})
    thanks = stranger.get(response["Location"]).content.decode()
    assert story.get_status_url() not in thanks
    assert Story.objects.count() == 1


def test_lost_link_resends_the_current_link_without_voiding_it(client):
    story = StoryFactory(email="tumi@example.org")
    url = story.get_status_url()
    client.post(reverse("stories:lost_link"), {"email": "tumi@example.org"})
    deliver_due()  # the worker resolves the request into the link emails
    assert client.get(url).status_code == 200
    assert OutboundEmail.objects.filter(kind="story.link").count() == 1


def test_the_lost_link_page_and_email_say_earlier_links_keep_working(client, mailoutbox):
    story = StoryFactory(email="tumi@example.org")
    old = story.get_status_url()
    form = client.get(reverse("stories:lost_link")).content.decode()
    sent = client.post(reverse("stories:lost_link"), {"email": "tumi@example.org"}).content.decode()
    deliver_due()  # the request becomes the link email
    deliver_due()
    (email,) = mailoutbox
    for text in (form, sent, email.body):
        assert "no longer work" not in text
    assert "new link" not in sent.lower() and "new link" not in email.body.lower()
    assert "keeps working" in sent
    assert client.get(old).status_code == 200
    (emailed,) = re.findall(r"/stories/status/[^/\s]+/", email.body)
    assert client.get(emailed).status_code == 200  # and the emailed one opens too: both are the current link


def test_lost_link_emails_to_one_address_are_limited(settings):
    from django.test import Client

    settings.OLE_LOST_LINK_REQUESTS_PER_HOUR = 100
    StoryFactory(email="tumi@example.org")
    for _ in range(5):
        Client().post(reverse("stories:lost_link"), {"email": "tumi@example.org"})
    deliver_due()
    assert OutboundEmail.objects.filter(kind="story.link").count() == 3


def test_the_writer_can_replace_their_link(client):
    story = StoryFactory()
    old = story.get_status_url()
    response = client.post(reverse("stories:replace_link", kwargs={"token": story.status_token()}))
    story.refresh_from_db()
    assert client.get(response["Location"]).status_code == 200  # the new link (signed with a time) opens
    assert response["Location"] != old
    assert client.get(old).status_code == 404
    assert OutboundEmail.objects.filter(kind="story.new_link").count() == 1


def test_private_links_never_reach_the_logs():
    record = logging.LogRecord(
        "django.request", logging.WARNING, __file__, 1, "Not Found: %s", ("/stories/status/abc:def:ghi/edit/",), None
    )
    RedactPrivateLinks().filter(record)
    assert record.getMessage() == "Not Found: /stories/status/[redacted]/edit/"
    from django.conf import settings

    handlers = settings.LOGGING["loggers"]["django.request"]["handlers"]
    assert handlers == ["console", "mail_admins"]  # the log, and the error reports (ole/errors.py)
    for handler in handlers:
        assert "redact_private_links" in settings.LOGGING["handlers"][handler]["filters"], handler


def test_withdrawal_scrubs_the_admin_history(editor):
    story = StoryFactory(title="Jane Doe from Springfield")
    LogEntry.objects.create(
        user=editor,
        content_type=ContentType.objects.get_for_model(Story),
        object_id=str(story.pk),
        object_repr=str(story),
        action_flag=CHANGE,
        change_message="Changed title",
    )
    story.withdraw()
    entry = LogEntry.objects.get()
    assert (entry.object_repr, entry.change_message) == ("Withdrawn story", "")


def test_the_queue_opens_on_what_waits_for_an_editor(editor_client):
    StoryFactory(title="Waiting one")
    declined = StoryFactory(title="Declined one")
    Story.objects.filter(pk=declined.pk).update(status=S.DECLINED)
    changelist = reverse("admin:stories_story_changelist")
    html = editor_client.get(changelist).content.decode()
    assert "Waiting one" in html and "Declined one" not in html
    assert "Declined one" in editor_client.get(changelist + "?turn=closed").content.decode()


def test_a_withdrawn_story_is_read_only_in_the_admin(editor_client):
    story = StoryFactory()
    story.withdraw()
    url = reverse("admin:stories_story_change", args=[story.pk])
    assert 'name="messages-0-body"' not in editor_client.get(url).content.decode()
    assert editor_client.post(url, {}).status_code == 403


def test_the_queue_shows_when_the_writer_wrote(editor_client, client):
    story = StoryFactory(title="Has a reply")
    client.post(story.get_status_url(), {"body": "A question for you."})
    html = editor_client.get(reverse("admin:stories_story_changelist")).content.decode()
    assert 'alt="True"' in html


def test_contact_details_in_the_name_or_tags_are_flagged(client):
    client.post(reverse("stories:submit"), form_data(suggested_tags="call 082 123 4567"))
    assert Story.objects.get().flag_identity


def test_declined_status_page_carries_the_support_lines(client, editor):
    story = StoryFactory()
    story.decline(editor=editor, message="Not this one, with thanks.")
    html = client.get(story.get_status_url()).content.decode()
    assert "Writing it down still matters" in html and "0800 567 567" in html


def test_an_unpublished_reader_post_is_not_offered_as_a_link(client, editor):
    from stories.services import story_promote

    story = StoryFactory()
    Story.objects.filter(pk=story.pk).update(status=S.APPROVED)
    story.refresh_from_db()
    post = story_promote(story=story, editor=editor, series=None)
    assert "Read it on the site" in client.get(story.get_status_url()).content.decode()
    post.unpublish()
    assert "Read it on the site" not in client.get(story.get_status_url()).content.decode()


def test_an_edit_racing_an_editor_is_explained_not_a_500(client, editor):
    story = StoryFactory()
    url = reverse("stories:edit", kwargs={"token": story.status_token()})
    page = client.get(url)
    assert page.status_code == 200
    Story.objects.get(pk=story.pk).start_review(editor=editor)
    # The form was open before the editor started: the writer's post arrives after.
    response = client.post(url, {"title": "Mine", "body": "word " * 60}, follow=True)
    assert response.status_code == 200
    assert Story.objects.get(pk=story.pk).title == story.title


def test_phone_photos_in_multi_picture_jpeg_are_accepted(client):
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (10, 20, 30)).save(
        buffer, "MPO", save_all=True, append_images=[Image.new("RGB", (64, 48))]
    )
    photo = SimpleUploadedFile("IMG_2024.jpg", buffer.getvalue(), "image/jpeg")
    assert client.post(reverse("stories:submit"), {**form_data(), "photo": photo}).status_code == 302
    assert Story.objects.get().photo


def test_rate_limits_see_the_real_client_behind_a_proxy(settings):
    from django.test import Client

    settings.OLE_TRUSTED_PROXIES = 1
    settings.OLE_STORY_SUBMISSIONS_PER_HOUR = 1
    for address in ("198.51.100.1", "198.51.100.2"):
        response = Client(HTTP_X_FORWARDED_FOR=address).post(
            reverse("stories:submit"), form_data(submission_key=str(uuid.uuid4()))
        )
        assert response.status_code == 302
    assert Story.objects.count() == 2


def test_a_readers_post_text_is_changed_only_through_the_story(editor_client, editor):
    from stories.services import story_promote

    story = StoryFactory()
    Story.objects.filter(pk=story.pk).update(status=S.APPROVED)
    story.refresh_from_db()
    post = story_promote(story=story, editor=editor, series=None)
    html = editor_client.get(reverse("admin:series_post_change", args=[post.pk])).content.decode()
    assert 'name="body"' not in html and 'name="title"' not in html
