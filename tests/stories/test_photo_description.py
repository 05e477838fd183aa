"""The writer describes their photo: required with a photo, its alt text wherever it is shown, carried to the post."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError
from django.urls import reverse

from stories.forms import PHOTO_ALT_MISSING
from stories.models import Story
from stories.services import story_promote
from tests.factories import StaffFactory, StoryFactory, image_bytes, image_file
from tests.stories.test_submission import submit

pytestmark = pytest.mark.django_db


def a_photo() -> SimpleUploadedFile:
    return SimpleUploadedFile("me.png", image_bytes(), content_type="image/png")


def test_a_photo_without_a_description_is_refused_and_what_was_typed_is_kept(client):
    response = submit(client, photo=a_photo(), photo_alt="  ", title="Kept on the page")
    assert response.status_code == 200
    assert not Story.objects.exists()
    page = response.content.decode()
    assert PHOTO_ALT_MISSING in page
    assert 'href="#id_photo_alt"' in page  # the summary at the top leads to the field
    assert 'value="Kept on the page"' in page
    assert "Please choose it again before sending" in page  # browsers cannot keep a chosen file


def test_the_description_typed_is_kept_when_the_form_comes_back(client):
    response = submit(client, photo=a_photo(), photo_alt="My dog on the beach", title="")
    assert response.status_code == 200
    assert 'value="My dog on the beach"' in response.content.decode()


def test_a_description_is_saved_with_the_photo_and_is_its_alt_text_on_the_status_page(client):
    assert submit(client, photo=a_photo(), photo_alt="  A cup of tea by the window ").status_code == 302
    story = Story.objects.get()
    assert story.photo and story.photo_alt == "A cup of tea by the window"
    page = client.get(story.get_status_url()).content.decode()
    assert re.search(r'<img src="/stories/status/[^"]+/photo/" alt="A cup of tea by the window"', page)


def test_a_description_without_a_photo_is_not_kept(client):
    assert submit(client, photo_alt="A photo I forgot to choose").status_code == 302
    assert Story.objects.get().photo_alt == ""


def test_a_description_longer_than_the_posts_alt_text_is_refused(client):
    response = submit(client, photo=a_photo(), photo_alt="x" * (Story.PHOTO_ALT_MAX + 1))
    assert response.status_code == 200 and not Story.objects.exists()
    assert "Ensure this value has at most 200 characters" in response.content.decode()


def test_the_database_refuses_a_photo_without_a_description():
    story = StoryFactory()
    story.photo = image_file("me.png")
    with pytest.raises(IntegrityError):
        story.save()


def test_promotion_makes_the_description_the_posts_image_alt_text():
    editor = StaffFactory()
    story = StoryFactory(photo=image_file("me.png", width=800, height=600), photo_alt="Hands around a warm mug")
    story.start_review(editor=editor)
    story.approve(editor=editor)
    post = story_promote(story=story, editor=editor, series=None)
    assert post.feature_image and post.feature_image_alt == "Hands around a warm mug"


class TestTheWriterEdits:
    def test_the_writer_changes_the_description_of_their_photo(self, client):
        story = StoryFactory(photo=image_file("me.png"), photo_alt="A window")
        url = reverse("stories:edit", kwargs={"token": story.status_token()})
        data = {"title": story.title, "body": story.body, "photo_alt": "A window at dawn, frost on the glass"}
        assert client.post(url, data).status_code == 302
        story.refresh_from_db()
        assert story.photo_alt == "A window at dawn, frost on the glass"

    def test_the_description_cannot_be_emptied_while_there_is_a_photo(self, client):
        story = StoryFactory(photo=image_file("me.png"), photo_alt="A window")
        url = reverse("stories:edit", kwargs={"token": story.status_token()})
        response = client.post(url, {"title": "A new title", "body": story.body, "photo_alt": " "})
        assert response.status_code == 200 and PHOTO_ALT_MISSING in response.content.decode()
        assert 'value="A new title"' in response.content.decode()
        story.refresh_from_db()
        assert story.photo_alt == "A window" and story.title != "A new title"

    def test_without_a_photo_there_is_nothing_to_describe(self, client):
        story = StoryFactory()
        url = reverse("stories:edit", kwargs={"token": story.status_token()})
        assert "id_photo_alt" not in client.get(url).content.decode()
        assert client.post(url, {"title": "New", "body": story.body, "photo_alt": "A tree"}).status_code == 302
        story.refresh_from_db()
        assert story.title == "New" and story.photo_alt == ""

    def test_revise_refuses_an_empty_description_for_a_photo(self):
        story = StoryFactory(photo=image_file("me.png"), photo_alt="A window")
        with pytest.raises(ValueError, match="keeps its description"):
            story.revise(title=story.title, body=story.body, photo_alt="")


def test_withdrawal_erases_the_description(django_capture_on_commit_callbacks):
    story = StoryFactory(photo=image_file("me.png"), photo_alt="Me and my sister Nomsa at the river")
    with django_capture_on_commit_callbacks(execute=True):
        story.withdraw()
    story.refresh_from_db()
    assert story.photo_alt == "" and not story.photo


def test_the_writers_download_holds_the_description():
    story = StoryFactory(photo=image_file("me.png"), photo_alt="A window at dawn")
    assert story.export()["photo_description"] == "A window at dawn"
