import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from series.models import Post
from tests.factories import ContributorFactory, PostFactory, image_bytes

pytestmark = pytest.mark.django_db


def _post_form(contributor, **overrides) -> dict:
    data = {
        "title": "An editor's post",
        "slug": "",
        "contributor": contributor.pk,
        "body": "Some *text*.",
        "excerpt": "",
        "series": "",
        "part_number": "",
        "feature_image_alt": "",
        "tags": "",
        "status": "draft",
        "publish_at_0": "",
        "publish_at_1": "",
    }
    data.update(overrides)
    return data


def _upload(name: str, content: bytes, content_type: str = "image/png"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type=content_type)


class TestPostAdmin:
    def test_changelist_with_filters_and_search(self, staff_client):
        PostFactory(title="Findable")
        url = reverse("admin:series_post_changelist")
        assert staff_client.get(url, {"q": "Findable"}).status_code == 200
        assert staff_client.get(url, {"status__exact": "draft", "featured__exact": "1"}).status_code == 200

    def test_add_a_draft(self, staff_client):
        contributor = ContributorFactory()
        response = staff_client.post(reverse("admin:series_post_add"), _post_form(contributor))
        assert response.status_code == 302
        post = Post.objects.get()
        assert post.slug == "an-editors-post" and post.status == Post.Status.DRAFT

    def test_image_upload_makes_renditions(self, staff_client):
        contributor = ContributorFactory()
        data = _post_form(contributor, feature_image=_upload("a.png", image_bytes(900, 700)), feature_image_alt="Sky")
        assert staff_client.post(reverse("admin:series_post_add"), data).status_code == 302
        post = Post.objects.get()
        assert post.image_card and post.image_social and post.image_wide

    @pytest.mark.parametrize(
        "name, content, message",
        [
            ("notes.png", b"this is plain text, not a picture", "could not be read as an image"),
            ("shell.jpg", b"<?php echo 'hi'; ?>", "could not be read as an image"),
            ("truncated.png", image_bytes(200, 200)[:120], "could not be read as an image"),
            ("picture.gif", image_bytes(fmt="GIF"), "Please upload a JPEG, PNG or WebP image"),
            ("disguised.png", image_bytes(fmt="TIFF"), "Please upload a JPEG, PNG or WebP image"),
        ],
    )
    def test_files_that_are_not_images_are_refused(self, staff_client, name, content, message):
        contributor = ContributorFactory()
        data = _post_form(contributor, feature_image=_upload(name, content), feature_image_alt="x")
        response = staff_client.post(reverse("admin:series_post_add"), data)
        assert response.status_code == 200
        assert message in response.content.decode()
        assert not Post.objects.exists()
        assert response.context["adminform"].form["title"].value() == "An editor's post"

    def test_decompression_bomb_is_refused(self, staff_client):
        buffer = io.BytesIO()
        Image.new("1", (20_000, 20_000)).save(buffer, format="PNG")  # 400 megapixels, a few KB
        contributor = ContributorFactory()
        data = _post_form(contributor, feature_image=_upload("bomb.png", buffer.getvalue()), feature_image_alt="x")
        response = staff_client.post(reverse("admin:series_post_add"), data)
        assert response.status_code == 200
        assert "too many pixels" in response.content.decode()
        assert not Post.objects.exists()

    def test_slug_is_read_only_once_published(self, staff_client):
        post = PostFactory()
        response = staff_client.get(reverse("admin:series_post_change", args=[post.pk]))
        assert 'name="slug"' not in response.content.decode()
        draft = PostFactory(draft=True)
        response = staff_client.get(reverse("admin:series_post_change", args=[draft.pk]))
        assert 'name="slug"' in response.content.decode()

    def test_status_is_read_only_in_the_post_form_a_new_post_is_a_draft(self, staff_client):
        contributor = ContributorFactory()
        form = staff_client.get(reverse("admin:series_post_add")).content.decode()
        assert 'name="status"' not in form
        data = _post_form(contributor, status="published")
        assert staff_client.post(reverse("admin:series_post_add"), data).status_code == 302
        assert Post.objects.get().status == Post.Status.DRAFT
        assert not Post.objects.published().exists()

    def test_status_cannot_be_changed_through_the_change_form(self, staff_client):
        draft = PostFactory(draft=True)
        data = _post_form(draft.contributor, title=draft.title, slug=draft.slug, status="published")
        assert staff_client.post(reverse("admin:series_post_change", args=[draft.pk]), data).status_code == 302
        draft.refresh_from_db()
        assert draft.status == Post.Status.DRAFT


class TestBulkActions:
    def _act(self, client, action, posts):
        return client.post(
            reverse("admin:series_post_changelist"),
            {"action": action, "_selected_action": [p.pk for p in posts]},
            follow=True,
        )

    def test_publish_now(self, staff_client):
        draft, live = PostFactory(draft=True), PostFactory()
        response = self._act(staff_client, "publish_now", [draft, live])
        draft.refresh_from_db()
        assert draft.is_published()
        text = response.content.decode()
        assert "1 post published" in text
        assert "is already published" in text

    def test_feature_and_unfeature(self, staff_client):
        post = PostFactory()
        self._act(staff_client, "feature", [post])
        post.refresh_from_db()
        assert post.featured
        self._act(staff_client, "unfeature", [post])
        post.refresh_from_db()
        assert not post.featured

    def _schedule(self, client, posts, when: str):
        changelist = reverse("admin:series_post_changelist")
        data = {"action": "schedule", "_selected_action": [p.pk for p in posts], "apply": "1", "publish_at": when}
        return client.post(changelist, data, follow=True)

    def test_schedule_asks_for_a_time_then_schedules(self, staff_client):
        draft = PostFactory(draft=True)
        step = staff_client.post(
            reverse("admin:series_post_changelist"), {"action": "schedule", "_selected_action": [draft.pk]}
        )
        assert step.status_code == 200 and 'name="publish_at"' in step.content.decode()
        when = timezone.localtime() + datetime.timedelta(days=2)
        response = self._schedule(staff_client, [draft], when.strftime("%Y-%m-%d %H:%M"))
        assert "1 post scheduled" in response.content.decode()
        draft.refresh_from_db()
        assert draft.status == Post.Status.SCHEDULED and draft.publish_at > timezone.now()
        assert not draft.is_published()

    def test_schedule_without_a_time_or_in_the_past_is_refused(self, staff_client):
        draft = PostFactory(draft=True)
        missing = self._schedule(staff_client, [draft], "")
        assert "This field is required" in missing.content.decode()
        past = self._schedule(staff_client, [draft], "2020-01-01 08:00")
        assert "only be scheduled for a time in the future" in past.content.decode()
        draft.refresh_from_db()
        assert draft.status == Post.Status.DRAFT

    def test_unpublish(self, staff_client):
        post = PostFactory()
        self._act(staff_client, "unpublish", [post])
        assert not Post.objects.published().exists()

    def test_non_staff_cannot_reach_the_admin(self, client):
        from tests.factories import UserFactory

        client.force_login(UserFactory())
        response = client.get(reverse("admin:series_post_changelist"))
        assert response.status_code == 302


def test_other_admin_pages_load(staff_client):
    for name in ("series", "contributor", "contentnote", "topic", "crisisline"):
        assert staff_client.get(reverse(f"admin:series_{name}_changelist")).status_code == 200
        assert staff_client.get(reverse(f"admin:series_{name}_add")).status_code == 200


def test_editors_find_the_unverified_crisis_lines_in_the_admin(staff_client):
    from series.models import CrisisLine
    from tests.factories import CrisisLineFactory

    CrisisLineFactory(name="A line someone called", verified=True)
    unverified = list(CrisisLine.objects.filter(verified=False).values_list("name", flat=True))
    assert unverified, "the seeded lines are unverified"
    url = reverse("admin:series_crisisline_changelist")
    html = staff_client.get(url, {"verified__exact": "0"}).content.decode()
    assert all(name in html for name in unverified)
    assert "A line someone called" not in html
    assert "A line someone called" in staff_client.get(url).content.decode()
