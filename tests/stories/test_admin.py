"""The editors' desk in the admin: permissions, the queue, and each workflow action."""

import pytest
from django.urls import reverse

from ole.models import OutboundEmail
from series.models import Post
from stories.models import MessageTemplate, Story
from tests.factories import SeriesFactory, StaffFactory, StoryFactory, UserFactory

pytestmark = pytest.mark.django_db

S = Story.Status
CHANGELIST = reverse("admin:stories_story_changelist")
ALL = CHANGELIST + "?turn=all"


def act(client, action: str, stories, **data):
    payload = {"action": action, "_selected_action": [s.pk for s in stories], **data}
    return client.post(ALL, payload)


class TestPermissions:
    def test_editors_are_staff_but_not_superusers(self, editor):
        assert editor.is_staff and not editor.is_superuser

    @pytest.mark.parametrize(
        "url",
        [
            reverse("admin:auth_user_changelist"),
            reverse("admin:auth_user_add"),
            reverse("admin:auth_group_changelist"),
            reverse("admin:auth_group_add"),
        ],
    )
    def test_an_editor_cannot_change_users_or_permissions(self, editor_client, url):
        assert editor_client.get(url).status_code == 403

    def test_an_editor_cannot_delete_stories_and_may_move_posts_to_the_trash(self, editor):
        assert not editor.has_perm("stories.delete_story")
        assert editor.has_perm("series.delete_post")  # into the trash only: see tests/series/test_trash.py
        assert editor.has_perm("stories.change_story") and editor.has_perm("series.add_post")

    def test_an_editor_works_the_queue_and_writes_posts(self, editor_client):
        assert editor_client.get(CHANGELIST).status_code == 200
        assert editor_client.get(reverse("admin:series_post_add")).status_code == 200

    def test_an_ordinary_user_cannot_reach_the_queue(self, client):
        client.force_login(UserFactory())
        assert client.get(CHANGELIST).status_code == 302

    def test_a_superuser_sees_the_queue(self, client):
        client.force_login(StaffFactory())
        assert client.get(CHANGELIST).status_code == 200


class TestQueue:
    def test_urgent_first_then_oldest_waiting_with_days_and_flags(self, editor_client):
        import datetime

        from django.utils import timezone

        old = StoryFactory(title="Old one")
        Story.objects.filter(pk=old.pk).update(status_changed_at=timezone.now() - datetime.timedelta(days=12))
        StoryFactory(title="New one")
        StoryFactory(title="Urgent one", urgent=True, flag_crisis=True)
        response = editor_client.get(CHANGELIST)
        html = response.content.decode()
        assert html.index("Urgent one") < html.index("Old one") < html.index("New one")
        assert ">12<" in html

    def test_search_covers_title_pen_name_and_text_but_not_email(self, editor_client):
        StoryFactory(title="Night shifts", credit_name="Sipho", email="hidden@example.org")
        assert "Night shifts" in editor_client.get(CHANGELIST, {"q": "Sipho"}).content.decode()
        assert "Night shifts" not in editor_client.get(CHANGELIST, {"q": "hidden@example.org"}).content.decode()

    def test_the_email_is_not_on_the_queue_screen(self, editor_client):
        StoryFactory(email="hidden@example.org")
        assert "hidden@example.org" not in editor_client.get(CHANGELIST).content.decode()

    @pytest.mark.parametrize("query", ["status__exact=submitted", "urgent__exact=1", "flag_medication__exact=1"])
    def test_filters(self, editor_client, query):
        assert editor_client.get(f"{CHANGELIST}?{query}").status_code == 200

    def test_opening_a_story_shows_the_email(self, editor_client):
        story = StoryFactory(email="hidden@example.org")
        html = editor_client.get(reverse("admin:stories_story_change", args=[story.pk])).content.decode()
        assert "hidden@example.org" in html

    def test_hostile_text_is_inert_in_the_admin(self, editor_client):
        story = StoryFactory(title="<script>alert(1)</script>", body="<img src=x onerror=alert(2)> " * 20)
        html = editor_client.get(reverse("admin:stories_story_change", args=[story.pk])).content.decode()
        assert "<script>alert(1)</script>" not in html and "<img src=x onerror" not in html


class TestActions:
    def test_start_review_and_assign_to_me(self, editor_client, editor):
        story = StoryFactory()
        act(editor_client, "start_review", [story])
        story.refresh_from_db()
        assert story.status == S.IN_REVIEW and story.assigned_to == editor

    def test_start_review_refusal_is_reported(self, editor_client):
        story = StoryFactory()
        Story.objects.filter(pk=story.pk).update(status=S.DECLINED)
        response = editor_client.post(ALL, {"action": "start_review", "_selected_action": [story.pk]}, follow=True)
        assert "cannot be taken into review" in response.content.decode()

    def test_request_changes_shows_a_form_then_sends_the_message(self, editor_client):
        story = StoryFactory()
        Story.objects.filter(pk=story.pk).update(status=S.IN_REVIEW)
        step = act(editor_client, "request_changes", [story])
        assert step.status_code == 200 and "Request changes" in step.content.decode()
        missing = act(editor_client, "request_changes", [story], apply="1", message="")
        assert "Write a message to the writer" in missing.content.decode()
        done = act(editor_client, "request_changes", [story], apply="1", message="Could it be shorter?")
        assert done.status_code == 302
        story.refresh_from_db()
        assert story.status == S.CHANGES_REQUESTED
        assert story.messages.get().body == "Could it be shorter?"

    def test_decline_can_start_from_a_saved_answer(self, editor_client):
        story = StoryFactory()
        template = MessageTemplate.objects.filter(purpose="decline").first()
        act(editor_client, "decline", [story], apply="1", template=template.pk, message="")
        story.refresh_from_db()
        assert story.status == S.DECLINED
        assert story.messages.get().body == template.body
        assert "story.declined" in OutboundEmail.objects.values_list("kind", flat=True)

    def test_propose_edits_prefills_the_text_and_sends_the_version(self, editor_client):
        story = StoryFactory()
        Story.objects.filter(pk=story.pk).update(status=S.IN_REVIEW)
        step = act(editor_client, "propose_edits", [story])
        assert step.context["form"].initial["body"] == story.body
        too_short = act(editor_client, "propose_edits", [story], apply="1", title="Edited", body="Too short.")
        assert "Please write at least 50 words" in too_short.content.decode()
        edited = "An edited version, a little shorter and clearer. " * 8
        act(editor_client, "propose_edits", [story], apply="1", title="Edited", body=edited, message="")
        story.refresh_from_db()
        assert (story.status, story.proposed_title) == (S.EDITS_PROPOSED, "Edited")

    def test_propose_edits_to_two_stories_is_refused(self, editor_client):
        stories = StoryFactory.create_batch(2)
        response = editor_client.post(
            ALL, {"action": "propose_edits", "_selected_action": [s.pk for s in stories]}, follow=True
        )
        assert "one story at a time" in response.content.decode()

    def test_approve_then_promote_to_a_featured_post_in_a_series(self, editor_client, editor, client):
        from tests.factories import TopicFactory

        series = SeriesFactory(title="Benzodiazepines", slug="benzos")
        TopicFactory(name="sleep", slug="sleep")
        story = StoryFactory(
            title="Thandi's story", credit="anonymous", credit_name="", suggested_tags="Sleep, Jane Doe 0821234567"
        )
        Story.objects.filter(pk=story.pk).update(status=S.IN_REVIEW)
        act(editor_client, "approve", [story], apply="1", message="")
        story.refresh_from_db()
        assert story.status == S.APPROVED and story.approved_by == editor
        act(editor_client, "promote", [story], apply="1", series=series.pk, featured="on")
        story.refresh_from_db()
        post = story.post
        assert story.status == S.PUBLISHED
        assert (post.featured, post.from_reader, post.byline, post.series) == (True, True, "Anonymous", series)
        assert post.is_published()
        # Only existing tags are used: a writer's words never become a new public tag page.
        assert [tag.slug for tag in post.tags.all()] == ["sleep"]
        assert client.get("/tags/jane-doe-0821234567/").status_code == 404
        home = client.get("/").content.decode()
        assert home.index("Featured stories") < home.index("Thandi&#x27;s story")
        assert "Readers' stories" in client.get(series.get_absolute_url()).content.decode()
        provenance = editor_client.get(reverse("admin:series_post_change", args=[post.pk])).content.decode()
        assert "consent wording v1" in provenance

    def test_promoting_again_updates_the_same_post(self, editor):
        from stories.services import story_promote

        story = StoryFactory()
        Story.objects.filter(pk=story.pk).update(status=S.APPROVED)
        story.refresh_from_db()
        first = story_promote(story=story, editor=editor, series=None)
        story.title = "A better title"
        story.save()
        second = story_promote(story=story, editor=editor, series=None)
        assert first.pk == second.pk and Post.objects.count() == 1
        assert Post.objects.get().title == "A better title"
        assert first.slug == second.slug

    def test_a_story_that_is_not_approved_cannot_be_promoted(self, editor_client):
        story = StoryFactory()
        response = act(editor_client, "promote", [story], apply="1", series="")
        assert response.status_code == 302
        assert not Post.objects.exists()
        assert Story.objects.get(pk=story.pk).status == S.SUBMITTED

    def test_an_editor_message_is_added_to_the_thread_and_emailed(self, editor_client, editor):
        story = StoryFactory()
        url = reverse("admin:stories_story_change", args=[story.pk])
        data = {
            "assigned_to": "",
            "messages-TOTAL_FORMS": "1",
            "messages-INITIAL_FORMS": "0",
            "messages-MIN_NUM_FORMS": "0",
            "messages-MAX_NUM_FORMS": "1000",
            "messages-0-body": "We loved it. One question:",
            "notes-TOTAL_FORMS": "1",
            "notes-INITIAL_FORMS": "0",
            "notes-MIN_NUM_FORMS": "0",
            "notes-MAX_NUM_FORMS": "1000",
            "notes-0-body": "Check the dates in paragraph 3.",
            "events-TOTAL_FORMS": "0",
            "events-INITIAL_FORMS": "0",
            "events-MIN_NUM_FORMS": "0",
            "events-MAX_NUM_FORMS": "1000",
        }
        response = editor_client.post(url, data)
        assert response.status_code == 302, response.content.decode()[:2000]
        message = story.messages.get()
        assert message.from_editor and message.author == editor
        assert story.notes.get().author == editor
        assert "story.message" in OutboundEmail.objects.values_list("kind", flat=True)
