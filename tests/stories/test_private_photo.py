"""A story's photo is private until the story is published: kept outside public media, shown only to the writer
(through the private link) and to editors, copied into public media for the post, deleted on withdrawal."""

import io
import os
import re
import time
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import resolve, reverse
from PIL import Image

from ole.storage import private_storage
from stories.models import Story
from stories.services import story_promote
from tests.factories import StoryFactory, UserFactory, image_bytes, image_file
from tests.stories.test_submission import submit

pytestmark = pytest.mark.django_db


def story_with_photo(**kwargs) -> Story:
    story = StoryFactory(**kwargs)
    story.photo, story.photo_alt = image_file("me.png", width=120, height=90), "A window at dawn"
    story.save()
    return story


def approved_story_with_photo(editor) -> Story:
    story = story_with_photo()
    story.start_review(editor=editor)
    story.approve(editor=editor)
    return story


def test_a_submitted_photo_is_stored_privately_and_not_under_public_media(client, settings):
    photo = SimpleUploadedFile("IMG_0001.jpg", image_bytes(200, 150, fmt="JPEG"), "image/jpeg")
    assert submit(client, photo=photo).status_code == 302
    story = Story.objects.get()
    assert story.photo.storage is private_storage
    stored = Path(settings.OLE_PRIVATE_MEDIA_ROOT) / story.photo.name
    assert stored.is_file()
    assert not Path(settings.MEDIA_ROOT, story.photo.name).exists()
    assert not str(stored).startswith(str(settings.MEDIA_ROOT))
    with pytest.raises(ValueError, match="no public address"):
        story.photo.url  # noqa: B018
    # Nor can it be fetched by guessing its name under MEDIA_URL.
    assert client.get(f"{settings.MEDIA_URL}{story.photo.name}").status_code == 404


def test_the_writer_sees_their_photo_through_the_private_link_and_it_is_never_cached(client):
    story = story_with_photo()
    page = client.get(story.get_status_url())
    # Private links are signed with the time: follow the one on the page rather than making another.
    found = re.search(r'src="(/stories/status/[^"]+/photo/)"', page.content.decode())
    assert found, "the status page shows the photo"
    photo_url = found.group(1)
    link = resolve(photo_url)
    assert link.view_name == "stories:photo" and Story.from_token(link.kwargs["token"]) == story
    response = client.get(photo_url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert "no-store" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "same-origin"
    body = b"".join(response.streaming_content)
    with story.photo.open("rb") as stored:
        assert body == stored.read()


def test_the_photo_view_refuses_a_void_or_forged_link_and_a_story_without_photo(client):
    story = story_with_photo()
    old_token = story.status_token()
    story.issue_new_link()
    assert client.get(reverse("stories:photo", kwargs={"token": old_token})).status_code == 404
    assert client.get(reverse("stories:photo", kwargs={"token": "forged"})).status_code == 404
    plain = StoryFactory()
    assert client.get(reverse("stories:photo", kwargs={"token": plain.status_token()})).status_code == 404


def test_editors_see_the_photo_in_the_admin_streamed_and_not_cached(editor_client):
    story = story_with_photo()
    url = reverse("admin:stories_story_photo", args=[story.pk])
    assert url in editor_client.get(reverse("admin:stories_story_change", args=[story.pk])).content.decode()
    response = editor_client.get(url)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    with Image.open(io.BytesIO(b"".join(response.streaming_content))) as image:
        assert image.size == (120, 90)


def test_only_staff_reach_the_admin_photo_view(client):
    story = story_with_photo()
    url = reverse("admin:stories_story_photo", args=[story.pk])
    response = client.get(url)
    assert response.status_code == 302 and reverse("admin:login") in response["Location"]
    client.force_login(UserFactory(username="reader"))
    assert client.get(url).status_code == 302
    staff_without_rights = UserFactory(username="intern", is_staff=True)
    client.force_login(staff_without_rights)
    assert client.get(url).status_code == 404


def test_promotion_copies_the_photo_into_public_media_and_keeps_the_private_one(editor, settings):
    story = approved_story_with_photo(editor)
    post = story_promote(story=story, editor=editor, series=None)
    assert post.feature_image.storage is default_storage
    assert default_storage.exists(post.feature_image.name)
    assert Path(settings.MEDIA_ROOT, post.feature_image.name).is_file()
    assert post.image_card and default_storage.exists(post.image_card.name)
    assert post.feature_image.name != story.photo.name
    assert private_storage.exists(story.photo.name)
    assert not default_storage.exists(story.photo.name)


def test_withdrawal_deletes_the_private_photo_and_the_public_copy(editor, django_capture_on_commit_callbacks):
    story = approved_story_with_photo(editor)
    post = story_promote(story=story, editor=editor, series=None)
    private_name, public_names = story.photo.name, [post.feature_image.name, post.image_card.name]
    story.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        story.withdraw()
    assert not private_storage.exists(private_name)
    assert not any(default_storage.exists(name) for name in public_names)
    assert not Story.objects.get(pk=story.pk).photo


def test_the_orphan_sweep_covers_private_storage_too(settings):
    story = story_with_photo()
    orphan = private_storage.save("stories/left-by-a-crash.jpg", image_file())
    two_hours_ago = time.time() - 7200
    for name in (orphan, story.photo.name):
        os.utime(private_storage.path(name), (two_hours_ago, two_hours_ago))
    call_command("sweep_orphan_files", verbosity=0)
    assert not private_storage.exists(orphan)
    assert private_storage.exists(story.photo.name)
