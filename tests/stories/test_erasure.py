"""Erasure, proven: after a writer withdraws a published story and a commenter erases their comments, no
public surface (pages, cached pages, feeds, search, sitemap) and no database table holds their words, names
or addresses, and their files are gone."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse

from series.models import Comment
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
