"""A writer's or commenter's email is read only by opening their record, and every showing is recorded."""

import pytest
from django.urls import reverse

from series.models import Comment
from stories.models import ContactAccess, Story
from tests.factories import PostFactory, StoryFactory

pytestmark = pytest.mark.django_db

PRIVATE_LOOKUPS = [
    "email=tumi@example.org",
    "email__istartswith=t",
    "email__regex=^t",
    "email__iexact=TUMI@example.org",
    "email__contains=example",
    "email__gt=a",
]


@pytest.mark.parametrize("lookup", [*PRIVATE_LOOKUPS, "public_id__startswith=a", "submission_key__isnull=False"])
def test_the_story_queue_refuses_to_filter_by_a_private_field(editor_client, lookup):
    story = StoryFactory(email="tumi@example.org")
    response = editor_client.get(reverse("admin:stories_story_changelist") + "?turn=all&" + lookup)
    assert response.status_code == 400
    assert story.title not in response.content.decode()
    assert not ContactAccess.objects.exists()


@pytest.mark.parametrize("lookup", PRIVATE_LOOKUPS)
def test_the_comment_queue_refuses_to_filter_by_the_email(editor_client, lookup):
    Comment.objects.create(
        post=PostFactory(), name="Tumi", email="tumi@example.org", body="Thank you", status="pending"
    )
    response = editor_client.get(reverse("admin:series_comment_changelist") + "?queue=all&" + lookup)
    assert response.status_code == 400
    assert "Thank you" not in response.content.decode()


@pytest.mark.parametrize(
    "changelist",
    ["admin:stories_contactaccess_changelist", "admin:series_post_changelist"],
)
def test_no_other_list_reaches_a_writers_email_through_the_story(admin_client, changelist):
    StoryFactory(email="tumi@example.org")
    response = admin_client.get(reverse(changelist) + "?story__email__istartswith=t")
    assert response.status_code == 400


def test_the_queue_still_filters_by_what_is_not_private(editor_client):
    story = StoryFactory(email="tumi@example.org")
    response = editor_client.get(reverse("admin:stories_story_changelist") + "?turn=all&status__exact=submitted")
    assert response.status_code == 200
    assert story.title in response.content.decode()


@pytest.mark.parametrize("object_id", ["{pk}", "+{pk}", "%20{pk}", "{pk}%20", "0_{pk}", "0{pk}"])
def test_each_address_that_shows_the_email_records_exactly_one_opening(editor_client, editor, object_id):
    # A number of our choosing: the admin reads "_" followed by some digits as an escape ("0_226" is not a
    # number to it), so a sequence's next value could turn "0_{pk}" into a page that is not found at all.
    story = StoryFactory(pk=1001, email="tumi@example.org")
    url = f"/admin/stories/story/{object_id.format(pk=story.pk)}/change/"
    response = editor_client.get(url)
    assert response.status_code == 200
    assert "tumi@example.org" in response.content.decode()
    access = ContactAccess.objects.get()
    assert (access.story, access.editor) == (story, editor)


def test_a_change_that_fails_validation_records_the_page_shown_again(editor_client, editor):
    story = StoryFactory(email="tumi@example.org")
    url = reverse("admin:stories_story_change", args=[story.pk])
    data = {
        "messages-TOTAL_FORMS": "1",
        "messages-INITIAL_FORMS": "0",
        "messages-0-body": "x" * 5001,  # over the limit: the page is shown again, with the email
        "notes-TOTAL_FORMS": "0",
        "notes-INITIAL_FORMS": "0",
        "events-TOTAL_FORMS": "0",
        "events-INITIAL_FORMS": "0",
    }
    response = editor_client.post(url, data)
    assert response.status_code == 200
    assert response.context["errors"]
    assert "tumi@example.org" in response.content.decode()
    assert ContactAccess.objects.filter(story=story, editor=editor).count() == 1
    assert not story.messages.exists()


def test_a_page_without_an_email_records_nothing(editor_client, editor):
    story = StoryFactory(email="tumi@example.org")
    story.withdraw()
    assert editor_client.get(reverse("admin:stories_story_change", args=[story.pk])).status_code == 200
    assert not ContactAccess.objects.exists()


def test_a_change_that_is_saved_records_nothing_more(editor_client):
    story = StoryFactory(email="tumi@example.org")
    Story.objects.filter(pk=story.pk).update(status=Story.Status.IN_REVIEW)
    url = reverse("admin:stories_story_change", args=[story.pk])
    data = {
        "messages-TOTAL_FORMS": "0",
        "messages-INITIAL_FORMS": "0",
        "notes-TOTAL_FORMS": "1",
        "notes-INITIAL_FORMS": "0",
        "notes-0-body": "Read it twice.",
        "events-TOTAL_FORMS": "0",
        "events-INITIAL_FORMS": "0",
    }
    assert editor_client.post(url, data).status_code == 302  # nothing shown: redirected to the queue
    assert story.notes.get().body == "Read it twice."
    assert not ContactAccess.objects.exists()
