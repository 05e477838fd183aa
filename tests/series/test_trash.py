"""The trash: a post or a comment deleted in the admin waits there for Post.TRASH_DAYS, hidden from every public
surface and stored page, restorable as it was; the retention command then deletes it for good."""

import datetime

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from series.models import Comment, Post, Series, Topic
from tests.factories import (
    ContributorFactory,
    PostFactory,
    SeriesFactory,
    StaffFactory,
    StoryFactory,
    TopicFactory,
)
from tests.ole.test_pagecache import stored_bytes

pytestmark = pytest.mark.django_db

WORD = "Quorvantine"  # in the trashed post's title, text and its comment


@pytest.fixture
def admin_client(client):
    client.force_login(StaffFactory(username="admin"))
    return client


@pytest.fixture
def doomed():
    """A published, featured post in a series, tagged, with its own contributor, an approved comment and a like."""
    series = SeriesFactory(title="Winters", slug="winters")
    topic = TopicFactory(name="sleep", slug="sleep")
    PostFactory(title="A neighbour in the series", series=series, part_number=1, tags=[topic])
    post = PostFactory(
        title=f"{WORD} nights",
        body=f"The {WORD} of the second week.",
        series=series,
        part_number=2,
        tags=[topic],
        featured=True,
        contributor=ContributorFactory(slug="only-this-post"),
    )
    Comment.objects.create(
        post=post, name="Reader", email="r@example.org", body=f"{WORD} helps me too.", status="approved"
    )
    post.refresh_comment_count()
    post.like()
    post.refresh_from_db()
    return post


def public_urls(post: Post) -> list[str]:
    local = timezone.localtime(post.publish_at)
    return [
        reverse("series:home"),
        post.get_absolute_url(),
        reverse("series:series_list"),
        reverse("series:series_detail", kwargs={"slug": "winters"}),
        reverse("series:series_feed", kwargs={"slug": "winters"}),
        reverse("series:tag", kwargs={"slug": "sleep"}),
        reverse("series:tag_feed", kwargs={"slug": "sleep"}),
        reverse("series:tag_list"),
        reverse("series:contributor_list"),
        reverse("series:archive"),
        reverse("series:archive_month", kwargs={"year": local.year, "month": local.month}),
        reverse("series:search") + f"?q={WORD}",
        reverse("series:feed"),
        reverse("series:feed_atom"),
        reverse("sitemap_section", kwargs={"section": "posts"}),
        reverse("series:comments_feed"),
    ]


def visible_on(urls: list[str]) -> list[str]:
    visitor = Client()
    found = []
    for url in urls:
        response = visitor.get(url)
        assert response.status_code in (200, 404), url
        page = response.content.decode()
        if "search" in url:  # the page repeats the visitor's own words: what counts is whether it finds a post
            page = page if 'class="card' in page else ""
        if WORD.lower() in page.lower():
            found.append(url)
    return found


def delete_in_admin(client, post: Post):
    response = client.post(reverse("admin:series_post_delete", args=[post.pk]), {"post": "yes"}, follow=True)
    assert response.status_code == 200
    return response


class TestTrashingAPost:
    def test_an_admin_delete_moves_the_post_to_the_trash(self, admin_client, doomed):
        response = delete_in_admin(admin_client, doomed)
        doomed.refresh_from_db()
        assert doomed.trashed_at is not None
        assert doomed.comments.exists() and doomed.tags.exists()
        assert "Moved to the trash" in response.content.decode()

    def test_the_delete_confirmation_says_the_post_moves_to_the_trash_and_deletes_nothing_else(
        self, admin_client, doomed
    ):
        url = reverse("admin:series_post_delete", args=[doomed.pk])
        page = admin_client.get(url).content.decode()
        assert "It moves to the trash" in page and "Reader on" not in page
        doomed.trash()
        page = admin_client.get(url).content.decode()
        assert "deleting it now deletes it for good" in page and "Reader on" in page

    def test_the_bulk_delete_action_moves_posts_to_the_trash(self, admin_client):
        posts = PostFactory.create_batch(2)
        changelist = reverse("admin:series_post_changelist")
        response = admin_client.post(
            changelist, {"action": "delete_selected", "_selected_action": [p.pk for p in posts], "post": "yes"}
        )
        assert response.status_code == 302
        assert Post.objects.filter(trashed_at__isnull=False).count() == 2
        assert not Post.objects.published().exists()

    def test_a_trashed_post_is_gone_from_every_public_page_feed_sitemap_and_search(self, doomed):
        urls = public_urls(doomed)
        lists = ("/series/", "/tags/", "/contributors/", "/archive/")  # names and counts, no titles
        assert visible_on(urls) == [url for url in urls if url not in lists]
        doomed.trash()
        assert visible_on(urls) == []
        assert Series.objects.count_published_posts().get(slug="winters").post_count == 1
        assert Topic.objects.count_published_posts().get(slug="sleep").post_count == 1
        assert Client().get(doomed.get_absolute_url()).status_code == 404
        assert Client().get(doomed.contributor.get_absolute_url()).status_code == 404
        assert Client().post(reverse("series:like", kwargs={"kind": "post", "pk": doomed.pk})).status_code == 404
        comment = doomed.comments.get()
        assert Client().post(reverse("series:like", kwargs={"kind": "comment", "pk": comment.pk})).status_code == 404

    def test_trashing_drops_its_stored_pages(self, doomed):
        visible_on(public_urls(doomed))
        assert WORD.encode() in stored_bytes()
        doomed.trash()
        assert WORD.encode() not in stored_bytes()

    def test_the_changelist_hides_the_trash_and_the_trash_filter_shows_it(self, admin_client, doomed):
        changelist = reverse("admin:series_post_changelist")
        doomed.trash()
        assert WORD not in admin_client.get(changelist).content.decode()
        trash = admin_client.get(changelist, {"trash": "in"}).content.decode()
        assert WORD in trash and "Restore from the trash" in trash

    def test_restore_brings_back_the_post_with_its_comments_likes_and_tags(self, admin_client, doomed):
        before = Client().get(doomed.get_absolute_url()).content.decode()
        delete_in_admin(admin_client, doomed)
        changelist = reverse("admin:series_post_changelist")
        response = admin_client.post(
            changelist + "?trash=in", {"action": "restore_from_trash", "_selected_action": [doomed.pk]}
        )
        assert response.status_code == 302
        doomed.refresh_from_db()
        assert doomed.trashed_at is None and doomed.is_published() and doomed.featured
        assert (doomed.comment_count, doomed.like_count) == (1, 1)
        assert list(doomed.tags.names()) == ["sleep"]
        after = Client().get(doomed.get_absolute_url()).content.decode()
        assert f"{WORD} helps me too." in after and f"{WORD} helps me too." in before
        assert visible_on(public_urls(doomed))

    def test_deleting_a_post_already_in_the_trash_deletes_it_for_good(self, admin_client, doomed):
        doomed.trash()
        delete_in_admin(admin_client, doomed)
        assert not Post.objects.filter(pk=doomed.pk).exists()
        assert not Comment.everything.filter(body__contains=WORD).exists()

    def test_an_editor_moves_a_post_to_the_trash_and_restores_it(self, editor_client, doomed):
        delete_in_admin(editor_client, doomed)
        doomed.refresh_from_db()
        assert doomed.trashed_at is not None
        changelist = reverse("admin:series_post_changelist")
        editor_client.post(changelist + "?trash=in", {"action": "restore_from_trash", "_selected_action": [doomed.pk]})
        doomed.refresh_from_db()
        assert doomed.trashed_at is None

    def test_an_editor_cannot_delete_a_post_in_the_trash_for_good(self, editor_client, doomed):
        doomed.trash()
        response = editor_client.post(reverse("admin:series_post_delete", args=[doomed.pk]), {"post": "yes"})
        assert response.status_code == 403
        changelist = reverse("admin:series_post_changelist")
        response = editor_client.post(
            changelist + "?trash=in", {"action": "delete_selected", "_selected_action": [doomed.pk], "post": "yes"}
        )
        assert response.status_code == 403
        assert Post.objects.filter(pk=doomed.pk, trashed_at__isnull=False).exists()

    def test_a_story_withdrawn_while_its_post_is_in_the_trash_deletes_the_post(self, editor):
        from stories.models import Story
        from stories.services import story_promote

        story = StoryFactory(title=f"{WORD} mornings")
        Story.objects.filter(pk=story.pk).update(status=Story.Status.APPROVED)
        story.refresh_from_db()
        post = story_promote(story=story, editor=editor, series=None)
        post.trash()
        story.refresh_from_db()
        story.withdraw()
        assert not Post.objects.filter(pk=post.pk).exists()

    def test_promoting_a_story_again_while_its_post_is_in_the_trash_is_refused(self, editor):
        from ole.workflow import InvalidTransition
        from stories.models import Story
        from stories.services import story_promote

        story = StoryFactory(title=f"{WORD} mornings")
        Story.objects.filter(pk=story.pk).update(status=Story.Status.APPROVED)
        story.refresh_from_db()
        post = story_promote(story=story, editor=editor, series=None)
        post.trash()
        story.refresh_from_db()
        with pytest.raises(InvalidTransition, match="in the trash"):
            story_promote(story=story, editor=editor, series=None)
        post.refresh_from_db()
        assert post.trashed_at is not None and not Post.objects.published().exists()


class TestTrashingAComment:
    def test_an_admin_delete_moves_the_comment_to_the_trash_and_hides_it(self, admin_client, doomed):
        comment = doomed.comments.get()
        page = Client().get(doomed.get_absolute_url()).content.decode()
        assert f"{WORD} helps me too." in page and WORD.encode() in stored_bytes()
        response = admin_client.post(reverse("admin:series_comment_delete", args=[comment.pk]), {"post": "yes"})
        assert response.status_code == 302
        comment.refresh_from_db()
        doomed.refresh_from_db()
        assert comment.trashed_at is not None and doomed.comment_count == 0
        assert f"{WORD} helps me too." not in Client().get(doomed.get_absolute_url()).content.decode()
        assert f"{WORD} helps me too.".encode() not in stored_bytes()
        assert not Comment.objects.filter(pk=comment.pk).exists()  # every public query leaves it out
        like = reverse("series:like", kwargs={"kind": "comment", "pk": comment.pk})
        assert Client().post(like).status_code == 404

    def test_restoring_a_comment_brings_it_back_as_it_was(self, admin_client, doomed):
        comment = doomed.comments.get()
        comment.trash()
        changelist = reverse("admin:series_comment_changelist")
        assert f"{WORD} helps me too." in admin_client.get(changelist, {"trash": "in"}).content.decode()
        admin_client.post(changelist + "?trash=in", {"action": "restore_from_trash", "_selected_action": [comment.pk]})
        comment.refresh_from_db()
        doomed.refresh_from_db()
        assert comment.trashed_at is None and comment.status == Comment.Status.APPROVED
        assert doomed.comment_count == 1
        assert f"{WORD} helps me too." in Client().get(doomed.get_absolute_url()).content.decode()

    def test_a_commenters_erasure_reaches_a_comment_in_the_trash(self, doomed):
        comment = doomed.comments.get()
        link = comment.erase_url()
        comment.trash()
        assert Client().post(link).status_code == 200
        assert not Comment.everything.filter(pk=comment.pk).exists()


class TestRetentionEmptiesTheTrash:
    def test_after_30_days_the_retention_command_deletes_for_good(self, doomed):
        other = PostFactory()
        kept_comment = Comment.objects.create(post=other, name="A", body="Kept a while.", status="approved")
        gone_comment = Comment.objects.create(post=other, name="B", body="Long gone.", status="approved")
        doomed.trash()
        kept_comment.trash()
        gone_comment.trash()
        long_ago = timezone.now() - datetime.timedelta(days=Post.TRASH_DAYS + 1)
        Post.objects.filter(pk=doomed.pk).update(trashed_at=long_ago)
        Comment.everything.filter(pk=gone_comment.pk).update(trashed_at=long_ago)
        Comment.everything.filter(pk=kept_comment.pk).update(
            trashed_at=timezone.now() - datetime.timedelta(days=Post.TRASH_DAYS - 1)
        )

        call_command("apply_retention", verbosity=0)

        assert not Post.objects.filter(pk=doomed.pk).exists()
        assert not Comment.everything.filter(body__contains=WORD).exists()
        assert not Comment.everything.filter(pk=gone_comment.pk).exists()
        assert Comment.everything.filter(pk=kept_comment.pk).exists()
        assert Post.objects.filter(pk=other.pk).exists()

    def test_a_post_trashed_29_days_ago_is_kept(self, doomed):
        doomed.trash()
        Post.objects.filter(pk=doomed.pk).update(
            trashed_at=timezone.now() - datetime.timedelta(days=Post.TRASH_DAYS - 1)
        )
        call_command("apply_retention", verbosity=0)
        assert Post.objects.filter(pk=doomed.pk).exists()
