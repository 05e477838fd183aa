"""Revisions: every save of a post keeps one; the history shows what changed; a restore brings an earlier version
back (never its status) and is itself a revision."""

import pytest
from django.contrib.admin.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from series.models import Post, PostRevision
from series.models.revisions import word_diff
from stories.models import Story
from stories.services import story_promote
from tests.factories import (
    ContentNoteFactory,
    PostFactory,
    SeriesFactory,
    StoryFactory,
    TopicFactory,
    image_bytes,
)

pytestmark = pytest.mark.django_db


def change_form(post: Post, **overrides) -> dict:
    """What the post's change form sends for the post as it is, with `overrides`."""
    moment = timezone.localtime(post.publish_at) if post.publish_at else None
    data = {
        "title": post.title,
        "contributor": post.contributor_id,
        "body": post.body,
        "excerpt": post.excerpt,
        "series": post.series_id or "",
        "part_number": post.part_number or "",
        "feature_image_alt": post.feature_image_alt,
        "content_notes": [note.pk for note in post.content_notes.all()],
        "tags": ", ".join(post.tags.names()),
        "publish_at_0": moment.strftime("%Y-%m-%d") if moment else "",
        "publish_at_1": moment.strftime("%H:%M:%S") if moment else "",
        "comments_open": "on",
        "byline": post.byline,
    }
    if post.status == Post.Status.DRAFT:
        data["slug"] = post.slug
    data.update(overrides)
    return data


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="image/png")


def save(client, post: Post, **overrides):
    response = client.post(reverse("admin:series_post_change", args=[post.pk]), change_form(post, **overrides))
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    post.refresh_from_db()
    return response


def restore(client, revision: PostRevision, **kwargs):
    url = reverse("admin:series_post_revision_restore", args=[revision.post_id, revision.pk])
    return client.post(url, **kwargs)


@pytest.fixture
def staff_user_queries():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(client, url: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    return count


class TestRecording:
    def test_every_admin_save_keeps_a_revision_with_who_and_when(self, staff_client):
        post = PostFactory(title="First title", body="The first words.")
        save(staff_client, post, title="Second title", tags="sleep, work")
        revision = post.revisions.get()
        assert revision.saved_by.username == "editor"
        assert revision.snapshot["title"] == "Second title"
        assert revision.snapshot["tags"] == ["sleep", "work"]
        assert revision.snapshot["status"] == Post.Status.PUBLISHED
        assert timezone.now() - revision.saved_at < timezone.timedelta(minutes=1)

    def test_a_save_that_changes_nothing_adds_no_revision(self, staff_client):
        post = PostFactory()
        save(staff_client, post, body="Changed once.")
        save(staff_client, post)
        assert post.revisions.count() == 1

    def test_a_revision_keeps_the_framing_too(self, staff_client):
        post = PostFactory(draft=True)
        series, note = SeriesFactory(), ContentNoteFactory()
        save(staff_client, post, series=series.pk, part_number="2", content_notes=[note.pk], feature_image_alt="Rain")
        snapshot = post.revisions.get().snapshot
        assert (snapshot["series"], snapshot["part_number"]) == (series.pk, 2)
        assert snapshot["content_notes"] == [note.pk] and snapshot["feature_image_alt"] == "Rain"

    def test_the_guarded_status_changes_keep_a_revision_with_the_editor(self, staff_client):
        draft = PostFactory(draft=True)
        staff_client.post(
            reverse("admin:series_post_changelist"), {"action": "publish_now", "_selected_action": [draft.pk]}
        )
        revision = draft.revisions.get()
        assert revision.snapshot["status"] == Post.Status.PUBLISHED and revision.saved_by.username == "editor"

    def test_saves_from_code_record_no_user(self, editor):
        story = StoryFactory(title="A reader's nights")
        Story.objects.filter(pk=story.pk).update(status=Story.Status.APPROVED)
        story.refresh_from_db()
        post = story_promote(story=story, editor=editor, series=None)
        revision = post.revisions.get()
        assert revision.saved_by is None and revision.saved_by_label == "the site itself"
        assert revision.snapshot["title"] == "A reader's nights"


class TestHistoryPage:
    def test_the_history_shows_a_word_diff_against_the_current_text(self, staff_client):
        post = PostFactory(body="I slept badly that winter.")
        save(staff_client, post, body="I slept badly that winter.")  # the first revision: the text as it was
        save(staff_client, post, body="I slept well that spring.")
        page = staff_client.get(reverse("admin:series_post_revisions", args=[post.pk])).content.decode()
        assert "<del>badly</del><ins>well</ins>" in page
        assert "<del>winter.</del><ins>spring.</ins>" in page
        assert "The same as the post now." in page  # the newest revision

    def test_every_word_in_the_history_is_escaped(self, staff_client):
        post = PostFactory(title="Plain")
        save(staff_client, post, title="<script>alert(1)</script> then")
        save(staff_client, post, title="Plain again")
        page = staff_client.get(reverse("admin:series_post_revisions", args=[post.pk])).content.decode()
        assert "<script>alert(1)" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page

    def test_the_history_page_reads_a_fixed_number_of_queries(self, staff_client, staff_user_queries):
        post = PostFactory(series=SeriesFactory())
        note = ContentNoteFactory()
        for n in range(3):
            post.title = f"Title {n}"
            post.save()
            post.content_notes.set([note] if n % 2 else [])
            post.record_revision()
        few = staff_user_queries(staff_client, reverse("admin:series_post_revisions", args=[post.pk]))
        for n in range(3, 20):
            post.title = f"Title {n}"
            post.save()
            post.record_revision()
        many = staff_user_queries(staff_client, reverse("admin:series_post_revisions", args=[post.pk]))
        assert few == many

    def test_word_diff_marks_removed_and_added_words(self):
        assert word_diff("a b c", "a x c") == "a <del>b</del><ins>x</ins> c"
        assert word_diff("", "<b>") == "<ins>&lt;b&gt;</ins>"

    def test_the_change_form_links_to_the_history(self, staff_client):
        post = PostFactory()
        page = staff_client.get(reverse("admin:series_post_change", args=[post.pk])).content.decode()
        assert reverse("admin:series_post_revisions", args=[post.pk]) in page


class TestRestore:
    def test_restore_brings_the_old_text_back_and_records_who_restored_it(self, staff_client, editor_client):
        post = PostFactory()
        save(staff_client, post, title="The old title", body="The old words.", tags="sleep")
        old = post.revisions.get()
        save(staff_client, post, title="A new title", body="New words.", tags="work")

        response = restore(editor_client, old)

        assert response.status_code == 302
        post.refresh_from_db()
        assert (post.title, post.body, list(post.tags.names())) == ("The old title", "The old words.", ["sleep"])
        assert "old words" in post.body_html  # rendered afresh, as any save does
        newest = post.revisions.first()
        assert newest.saved_by.username == "ed" and newest.note.startswith("Restored the version of")
        assert newest.snapshot["title"] == "The old title"
        assert post.revisions.count() == 3  # the restore is a revision; none is lost
        assert LogEntry.objects.filter(object_id=str(post.pk), change_message__startswith="Restored").exists()

    def test_a_restore_never_changes_the_status(self, staff_client):
        post = PostFactory(draft=True)
        save(staff_client, post, title="Written as a draft")
        draft_revision = post.revisions.get()
        post.publish_now()
        restore(staff_client, draft_revision)
        post.refresh_from_db()
        assert post.title == "Written as a draft"
        assert post.status == Post.Status.PUBLISHED and post.is_published()

        live_revision = post.revisions.filter(snapshot__status=Post.Status.PUBLISHED).first()
        post.unpublish()
        restore(staff_client, live_revision)
        post.refresh_from_db()
        assert post.status == Post.Status.DRAFT and not Post.objects.published().filter(pk=post.pk).exists()

    def test_restore_on_a_story_made_post_leaves_the_writers_fields_alone(self, editor_client, editor):
        TopicFactory(name="sleep", slug="sleep")
        story = StoryFactory(title="The writer's first title", body="The writer's first words.")
        Story.objects.filter(pk=story.pk).update(status=Story.Status.APPROVED)
        story.refresh_from_db()
        post = story_promote(story=story, editor=editor, series=None)
        first = post.revisions.get()
        story.refresh_from_db()
        story.propose_edits(editor=editor, title="The approved title", body="The approved words.")
        story.accept_edits()
        post.refresh_from_db()
        series = SeriesFactory()
        response = editor_client.post(
            reverse("admin:series_post_change", args=[post.pk]),
            {
                **change_form(post, series=series.pk),
                "featured": "on",
            },
        )
        assert response.status_code == 302

        assert restore(editor_client, first).status_code == 302

        post.refresh_from_db()
        assert (post.title, post.body) == ("The approved title", "The approved words.")
        assert post.series is None  # what editors may change is restored
        page = editor_client.get(reverse("admin:series_post_revisions", args=[post.pk])).content.decode()
        assert "leaves what the writer owns" in page

    def test_restore_brings_back_an_earlier_image_with_fresh_sizes(self, staff_client, settings, tmp_path):
        settings.MEDIA_ROOT = tmp_path
        post = PostFactory()
        red = image_bytes(900, 700, color=(200, 30, 30))
        save(staff_client, post, feature_image=upload("red.png", red), feature_image_alt="Red")
        first = post.revisions.get()
        blue = image_bytes(900, 700, color=(30, 30, 200))
        save(staff_client, post, feature_image=upload("blue.png", blue), feature_image_alt="Blue")
        blue_card = post.image_card.name

        restore(staff_client, first)

        post.refresh_from_db()
        assert post.feature_image_alt == "Red"
        assert post.image_card.name != blue_card
        with post.image_card.open("rb") as card:
            assert Image.open(card).convert("RGB").getpixel((10, 10))[0] > 150  # red again

    def test_the_orphan_sweep_keeps_an_earlier_revisions_image_until_the_post_is_erased(
        self, staff_client, settings, tmp_path
    ):
        import os
        import time

        from django.core.management import call_command

        settings.MEDIA_ROOT = tmp_path
        post = PostFactory()
        save(staff_client, post, feature_image=upload("red.png", image_bytes(900, 700)), feature_image_alt="Red")
        earlier = post.feature_image.path
        save(staff_client, post, feature_image=upload("b.png", image_bytes(900, 700)), feature_image_alt="Now")
        replaced_card = [os.path.join(root, name) for root, _dirs, names in os.walk(tmp_path) for name in names]
        two_hours_ago = time.time() - 7200
        for path in replaced_card:
            os.utime(path, (two_hours_ago, two_hours_ago))
        call_command("sweep_orphan_files", verbosity=0)
        assert os.path.exists(earlier)
        post.erase()
        call_command("sweep_orphan_files", verbosity=0)
        assert not os.path.exists(earlier)

    def test_an_image_whose_file_is_gone_is_not_restored_and_the_editor_is_told(self, staff_client, settings, tmp_path):
        settings.MEDIA_ROOT = tmp_path
        post = PostFactory()
        save(staff_client, post, feature_image=upload("red.png", image_bytes(900, 700)), feature_image_alt="Red")
        first = post.revisions.get()
        post.feature_image.storage.delete(first.snapshot["feature_image"])
        save(staff_client, post, feature_image=upload("b.png", image_bytes(900, 700)), feature_image_alt="Now")
        now = post.feature_image.name
        response = restore(staff_client, first, follow=True)
        assert "Not restored: the image (its file is gone)" in response.content.decode()
        post.refresh_from_db()
        assert post.feature_image.name == now and post.feature_image_alt == "Red"

    def test_restoring_a_part_another_post_now_holds_is_refused_with_a_message(self, staff_client):
        series = SeriesFactory()
        post = PostFactory(series=series, part_number=1)
        save(staff_client, post)
        first = post.revisions.get()
        save(staff_client, post, part_number="3")
        PostFactory(series=series, part_number=1)
        response = restore(staff_client, first, follow=True)
        assert "Another post is now part 1" in response.content.decode()
        post.refresh_from_db()
        assert post.part_number == 3

    def test_a_restore_is_a_post_only(self, staff_client):
        post = PostFactory()
        save(staff_client, post, title="Once")
        revision = post.revisions.get()
        save(staff_client, post, title="Twice")
        url = reverse("admin:series_post_revision_restore", args=[post.pk, revision.pk])
        assert staff_client.get(url).status_code == 405
        post.refresh_from_db()
        assert post.title == "Twice"

    def test_a_revision_of_another_post_is_not_found(self, staff_client):
        post, other = PostFactory(), PostFactory()
        save(staff_client, other, title="Someone else's")
        url = reverse("admin:series_post_revision_restore", args=[post.pk, other.revisions.get().pk])
        assert staff_client.post(url).status_code == 404
