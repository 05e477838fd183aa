"""Erasure, proven: after a writer withdraws a published story and a commenter erases their comments, no
public surface (pages, cached pages, feeds, search, sitemap) and no database table holds their words, names
or addresses, and their files are gone."""

from __future__ import annotations

import datetime
import os
import re
from pathlib import Path

import pytest
from django.contrib.admin.models import DELETION, LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from series.models import Comment, Post
from stories.services import story_promote
from tests.factories import PostFactory, StaffFactory, StoryFactory, TopicFactory, image_bytes

pytestmark = pytest.mark.django_db

CANARIES = [
    "Zephyrlantern",  # the story's title
    "quixotrelbloom",  # a word of its text
    "Mavrodine Tellier",  # the writer's pen name
    "canary.writer@example.org",
    "Corvalline",  # a commenter's name
    "sprocketwhimsy",  # a word of their comment
    "canary.commenter@example.org",
]


def public_surfaces(post_url: str) -> list[str]:
    searches = [f"{reverse('series:search')}?q={word.split()[0]}" for word in CANARIES if "@" not in word]
    return [
        reverse("series:home"),
        post_url,
        reverse("series:feed"),
        reverse("series:feed_atom"),
        reverse("series:tag", kwargs={"slug": "sleep"}),
        reverse("series:tag_feed", kwargs={"slug": "sleep"}),
        reverse("series:archive"),
        reverse("series:contributor_list"),
        reverse("sitemap"),
        reverse("sitemap_section", kwargs={"section": "posts"}),
        *searches,
    ]


def leaks(text: str) -> list[str]:
    return [canary for canary in CANARIES if canary.lower() in text.lower()]


def database_leaks() -> dict[str, list[str]]:
    found = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 - our own table names
            text = " ".join(str(value) for row in cursor.fetchall() for value in row)
            if hits := leaks(text):
                found[table] = hits
    return found


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.OLE_PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return [settings.MEDIA_ROOT, settings.OLE_PRIVATE_MEDIA_ROOT]


def files_under(folders: list[Path]) -> list[str]:
    return [name for folder in folders for _root, _dirs, names in os.walk(folder) for name in names]


def test_erasure_leaves_nothing_anywhere(media, django_capture_on_commit_callbacks):
    _erasure_leaves_nothing_anywhere(media, django_capture_on_commit_callbacks, trash=False)


def test_erasure_reaches_revisions_the_trash_and_the_admins_history_of_the_deletion(
    media, django_capture_on_commit_callbacks
):
    """The post was edited (revisions, restored once), then deleted in the admin (trash, a deletion history row),
    and the commenter's comment too: the withdrawal and the erasure still leave nothing."""
    _erasure_leaves_nothing_anywhere(media, django_capture_on_commit_callbacks, trash=True)


def _erasure_leaves_nothing_anywhere(media, django_capture_on_commit_callbacks, *, trash: bool):
    editor = StaffFactory()
    TopicFactory(name="Sleep", slug="sleep")
    story = StoryFactory(
        title="Zephyrlantern nights",
        body="The quixotrelbloom of the second week. " * 10,
        credit_name="Mavrodine Tellier",
        email="canary.writer@example.org",
        suggested_tags="sleep",
        photo=SimpleUploadedFile("me.png", image_bytes(width=800, height=600), content_type="image/png"),
    )
    with django_capture_on_commit_callbacks(execute=True):
        story.start_review(editor=editor)
        story.approve(editor=editor)
        post = story_promote(story=story, editor=editor, series=None)
        post.tags.add("sleep")
    other_post = PostFactory(title="Another evening")
    for target in (post, other_post):
        Comment.objects.create(
            post=target,
            name="Corvalline",
            email="canary.commenter@example.org",
            body="sprocketwhimsy helps me too.",
            status=Comment.Status.APPROVED,
        )
        target.refresh_comment_count()
    post_url = post.get_absolute_url()

    visitor = Client()
    before = " ".join(visitor.get(url).content.decode() for url in public_surfaces(post_url))
    assert set(leaks(before)) >= {"Zephyrlantern", "Mavrodine Tellier", "Corvalline", "sprocketwhimsy"}
    assert files_under(media), "the photo and its public copies were stored"

    erase_link = Comment.objects.filter(post=other_post).get().erase_url()
    if trash:
        admin = Client()
        admin.force_login(editor)
        change = reverse("admin:series_post_change", args=[post.pk])
        form = {
            "series": "",
            "part_number": "",
            "publish_at_0": timezone.localtime(post.publish_at).strftime("%Y-%m-%d"),
            "publish_at_1": timezone.localtime(post.publish_at).strftime("%H:%M:%S"),
            "featured": "on",
        }
        assert admin.post(change, {**form, "comments_open": "on"}).status_code == 302
        assert admin.post(change, form).status_code == 302
        first = post.revisions.order_by("saved_at", "pk").first()
        restore = reverse("admin:series_post_revision_restore", args=[post.pk, first.pk])
        assert admin.post(restore).status_code == 302
        assert admin.get(reverse("admin:series_post_revisions", args=[post.pk])).status_code == 200
        assert post.revisions.count() >= 3
        assert "series_postrevision" in database_leaks()
        with django_capture_on_commit_callbacks(execute=True):
            for target in (post, Comment.objects.get(post=other_post)):
                url = reverse(f"admin:series_{target._meta.model_name}_delete", args=[target.pk])
                assert admin.post(url, {"post": "yes"}).status_code == 302
        assert Post.objects.get(pk=post.pk).trashed_at is not None
        assert Comment.everything.filter(trashed_at__isnull=False).count() == 1
        deletion = LogEntry.objects.get(action_flag=DELETION, object_id=str(post.pk))
        assert deletion.object_repr == "Zephyrlantern nights"
    with django_capture_on_commit_callbacks(execute=True):
        story.withdraw()
        assert visitor.post(erase_link).status_code == 200

    for url in public_surfaces(post_url):
        response = visitor.get(url)
        assert response.status_code in (200, 404), url
        page = response.content.decode()
        if "search" in url:  # the page repeats the visitor's own query; it must find nothing
            assert not re.search(r'class="card', page), f"{url} still finds something"
            page = page.replace(url.split("q=")[1], "")
        assert not leaks(page), url
    assert database_leaks() == {}
    assert files_under(media) == []


def declined_canary_story(editor_client, editor, **fields):
    """A declined story holding the canaries in its text, pen name, email, photo, messages, notes and the
    admin's history."""
    story = StoryFactory(
        title="Zephyrlantern nights",
        body="The quixotrelbloom of the second week. " * 10,
        credit_name="Mavrodine Tellier",
        email="canary.writer@example.org",
        photo=SimpleUploadedFile("me.png", image_bytes(width=800, height=600), content_type="image/png"),
        **fields,
    )
    story.start_review(editor=editor)
    change = {
        "messages-TOTAL_FORMS": "1",
        "messages-INITIAL_FORMS": "0",
        "messages-0-body": "Zephyrlantern: could you say more about the second week?",
        "notes-TOTAL_FORMS": "1",
        "notes-INITIAL_FORMS": "0",
        "notes-0-body": "Mavrodine Tellier wrote to us before.",
        "events-TOTAL_FORMS": "0",
        "events-INITIAL_FORMS": "0",
    }
    assert editor_client.post(reverse("admin:stories_story_change", args=[story.pk]), change).status_code == 302
    story.decline(editor=editor, message="Zephyrlantern is not for us, with thanks.")
    return story


def test_a_declined_story_is_erased_after_the_retention_period(
    editor_client, editor, media, settings, django_capture_on_commit_callbacks
):
    from django.contrib.admin.models import LogEntry
    from django.core.management import call_command
    from django.utils import timezone

    from stories.models import Story

    story = declined_canary_story(editor_client, editor)
    assert LogEntry.objects.filter(object_repr="Zephyrlantern nights").exists()
    assert set(database_leaks()) >= {"stories_story", "stories_storymessage", "stories_editorialnote"}
    assert files_under(media)
    lines = [(e.from_status, e.to_status) for e in story.events.all()]
    declined_at = timezone.now() - datetime.timedelta(days=settings.OLE_RETENTION_DAYS + 1)
    Story.objects.filter(pk=story.pk).update(status_changed_at=declined_at)

    with django_capture_on_commit_callbacks(execute=True):
        call_command("apply_retention", verbosity=0)
    call_command("apply_retention", verbosity=0)  # safe to run again

    assert database_leaks() == {}
    assert files_under(media) == []
    story.refresh_from_db()
    assert story.status == Story.Status.DECLINED and story.is_erased
    assert story.status_changed_at == declined_at  # the history keeps its dates
    assert [(e.from_status, e.to_status) for e in story.events.all()] == lines
    assert not story.events.exclude(message="").exists()
    assert not story.messages.exists() and not story.notes.exists()
    status = Client().get(story.get_status_url())
    assert status.status_code == 200
    assert f"deleted {settings.OLE_RETENTION_DAYS} days after it was declined" in status.content.decode()
    assert 'name="body"' not in status.content.decode()  # nothing to reply to: the story is gone
    assert Client().post(story.get_status_url(), {"body": "Still there?"}).status_code == 404
    change = reverse("admin:stories_story_change", args=[story.pk])
    assert editor_client.get(change).status_code == 200  # read-only, like a withdrawn story
    message = {"messages-TOTAL_FORMS": "1", "messages-INITIAL_FORMS": "0", "messages-0-body": "Hello?"}
    assert editor_client.post(change, message).status_code == 403
    assert not story.messages.exists()


def test_a_declined_story_within_the_retention_period_is_kept(
    editor_client, editor, media, settings, django_capture_on_commit_callbacks
):
    from django.core.management import call_command
    from django.utils import timezone

    from stories.models import Story

    story = declined_canary_story(editor_client, editor)
    almost = timezone.now() - datetime.timedelta(days=settings.OLE_RETENTION_DAYS - 1)
    Story.objects.filter(pk=story.pk).update(status_changed_at=almost)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("apply_retention", verbosity=0)
    story.refresh_from_db()
    assert (story.title, story.credit_name, story.email) == (
        "Zephyrlantern nights",
        "Mavrodine Tellier",
        "canary.writer@example.org",
    )
    assert story.photo and files_under(media)
    assert story.messages.count() == 2 and story.notes.count() == 1


def test_retention_leaves_published_and_withdrawn_stories_as_they_are(
    editor, media, settings, django_capture_on_commit_callbacks
):
    from django.core.management import call_command
    from django.utils import timezone

    from stories.models import Story

    long_ago = timezone.now() - datetime.timedelta(days=settings.OLE_RETENTION_DAYS * 3)
    with django_capture_on_commit_callbacks(execute=True):
        published = StoryFactory(title="Zephyrlantern nights", email="canary.writer@example.org")
        published.start_review(editor=editor)
        published.approve(editor=editor)
        post = story_promote(story=published, editor=editor, series=None)
        withdrawn = StoryFactory()
        withdrawn.withdraw()
    Story.objects.update(status_changed_at=long_ago)
    before = {s.pk: (s.title, s.body, s.email, s.status, s.events.count()) for s in Story.objects.all()}

    with django_capture_on_commit_callbacks(execute=True):
        call_command("apply_retention", verbosity=0)

    assert {s.pk: (s.title, s.body, s.email, s.status, s.events.count()) for s in Story.objects.all()} == before
    post.refresh_from_db()
    assert post.title == "Zephyrlantern nights" and post.is_published()
    assert Story.objects.get(pk=withdrawn.pk).status == Story.Status.WITHDRAWN
