"""A reader's post is the writer's: what editors may change on it, and how the writer approves the rest."""

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from ole.workflow import InvalidTransition
from series.models import ContentNote, Post
from stories.models import Story
from stories.services import story_promote
from tests.factories import ContentNoteFactory, PostFactory, StoryFactory, TopicFactory

pytestmark = pytest.mark.django_db

S = Story.Status


@pytest.fixture
def suicide():
    return ContentNoteFactory(name="suicide", slug="suicide")


@pytest.fixture
def published(editor, suicide) -> Story:
    """A reader's story, published, with the content note its writer chose and one existing tag suggested."""
    TopicFactory(name="sleep", slug="sleep")
    story = StoryFactory(suggested_tags="sleep")
    story.content_notes.add(suicide)
    Story.objects.filter(pk=story.pk).update(status=S.APPROVED)
    story.refresh_from_db()
    story_promote(story=story, editor=editor, series=None)
    story.refresh_from_db()
    return story


def _change_form(post: Post, **overrides) -> dict:
    """What the post's change form sends (the read-only fields are not in it; a browser could add them)."""
    moment = timezone.localtime(post.publish_at)
    data = {
        "series": "",
        "part_number": "",
        "content_notes": [note.pk for note in post.content_notes.all()],
        "publish_at_0": moment.strftime("%Y-%m-%d"),
        "publish_at_1": moment.strftime("%H:%M:%S"),
        "featured": "on",
        "comments_open": "on",
    }
    data.update(overrides)
    return data


def _save(client, post: Post, **overrides):
    return client.post(reverse("admin:series_post_change", args=[post.pk]), _change_form(post, **overrides))


class TestTheLockInTheAdmin:
    def test_post_from_story_excerpt_is_read_only_in_admin(self, editor_client, published):
        post = published.post
        page = editor_client.get(reverse("admin:series_post_change", args=[post.pk])).content.decode()
        assert 'name="excerpt"' not in page
        response = _save(editor_client, post, excerpt="An editor's summary under the reader's name")
        assert response.status_code == 302
        post.refresh_from_db()
        assert post.excerpt == ""

    @pytest.mark.parametrize(
        "field", ["title", "body", "excerpt", "feature_image", "feature_image_alt", "tags", "byline", "contributor"]
    )
    def test_the_writers_fields_are_read_only_on_a_post_from_a_story(self, editor_client, published, field):
        page = editor_client.get(reverse("admin:series_post_change", args=[published.post.pk])).content.decode()
        assert f'name="{field}"' not in page

    def test_alt_text_tags_byline_and_contributor_sent_anyway_are_ignored(self, editor_client, published):
        post = published.post
        other = PostFactory().contributor
        response = _save(
            editor_client,
            post,
            feature_image_alt="Changed",
            tags="invented",
            byline="Someone else",
            contributor=other.pk,
        )
        assert response.status_code == 302
        post.refresh_from_db()
        assert (post.feature_image_alt, post.byline, post.contributor.slug) == ("", "Quiet Reader", "readers")
        assert [tag.slug for tag in post.tags.all()] == ["sleep"]

    def test_a_post_written_for_the_site_keeps_every_field_editable(self, editor_client):
        post = PostFactory()
        page = editor_client.get(reverse("admin:series_post_change", args=[post.pk])).content.decode()
        assert 'name="excerpt"' in page and 'name="title"' in page and 'name="tags"' in page
        assert "Written for the site" in page

    def test_editor_cannot_remove_a_writers_content_note(self, editor_client, published, suicide):
        post = published.post
        response = _save(editor_client, post, content_notes=[])
        assert response.status_code == 200
        assert "a writer&#x27;s content note stays" in response.content.decode()
        assert list(post.content_notes.all()) == [suicide]

    def test_editor_may_add_a_content_note(self, editor_client, published, suicide):
        post = published.post
        self_harm = ContentNoteFactory(name="self-harm", slug="self-harm")
        response = _save(editor_client, post, content_notes=[suicide.pk, self_harm.pk])
        assert response.status_code == 302
        assert set(post.content_notes.all()) == {suicide, self_harm}

    def test_an_editors_own_note_can_be_removed_again(self, editor_client, published, suicide):
        post = published.post
        post.content_notes.add(ContentNoteFactory(name="self-harm", slug="self-harm"))
        assert _save(editor_client, post, content_notes=[suicide.pk]).status_code == 302
        assert list(post.content_notes.all()) == [suicide]


class TestTheLockInTheModel:
    @pytest.mark.parametrize(
        "remove",
        [
            lambda post, note: post.content_notes.remove(note),
            lambda post, note: post.content_notes.set([]),
            lambda post, note: post.content_notes.clear(),
            lambda post, note: note.posts.remove(post),
            lambda post, note: note.posts.clear(),
        ],
        ids=["remove", "set", "clear", "from-the-note", "clear-from-the-note"],
    )
    def test_a_writers_content_note_cannot_be_removed_by_any_model_path(self, published, suicide, remove):
        post = Post.objects.get(pk=published.post_id)
        with pytest.raises(InvalidTransition), transaction.atomic():
            remove(post, ContentNote.objects.get(pk=suicide.pk))
        assert list(post.content_notes.all()) == [suicide]

    def test_promoting_again_keeps_the_notes_editors_added(self, published, editor, suicide):
        post = published.post
        self_harm = ContentNoteFactory(name="self-harm", slug="self-harm")
        post.content_notes.add(self_harm)
        story_promote(story=published, editor=editor, series=None)
        assert set(post.content_notes.all()) == {suicide, self_harm}


class TestProposedEditsToALivePost:
    def _propose(self, story: Story, editor, **changes) -> None:
        fields = {"title": story.title, "body": story.body, **changes}
        story.propose_edits(editor=editor, **fields)

    def test_approving_applies_excerpt_tags_and_note_removal_to_the_live_post(self, client, published, editor, suicide):
        post = published.post
        hope = TopicFactory(name="hope", slug="hope")
        self._propose(published, editor, excerpt="A year, and the way back.", tags=[hope], content_notes=[])
        published.refresh_from_db()
        assert published.status == S.EDITS_PROPOSED
        # Meanwhile the post stays live, as the writer last approved it.
        post.refresh_from_db()
        assert post.is_published() and post.excerpt == "" and list(post.content_notes.all()) == [suicide]
        assert client.get(post.get_absolute_url()).status_code == 200

        page = client.get(published.get_status_url()).content.decode()
        assert "A year, and the way back." in page and "hope" in page and "suicide" in page
        response = client.post(reverse("stories:accept_edits", kwargs={"token": published.status_token()}))
        assert response.status_code == 302

        published.refresh_from_db()
        post.refresh_from_db()
        assert published.status == S.PUBLISHED and post.is_published()
        assert post.excerpt == "A year, and the way back." and post.summary == "A year, and the way back."
        assert [tag.slug for tag in post.tags.all()] == ["hope"]
        assert not post.content_notes.exists() and not published.content_notes.exists()
        assert published.proposed_excerpt == "" and not published.proposed_tags.exists()

    def test_a_new_title_approved_by_the_writer_reaches_the_live_post(self, client, published, editor):
        self._propose(published, editor, title="The way back")
        published.accept_edits()
        assert Post.objects.get(pk=published.post_id).title == "The way back"
        assert Story.objects.get(pk=published.pk).status == S.PUBLISHED

    def test_editors_can_take_back_a_proposal_and_the_story_stays_published(self, published, editor, suicide):
        self._propose(published, editor, content_notes=[])
        published.withdraw_proposal(editor=editor)
        published.refresh_from_db()
        assert published.status == S.PUBLISHED and not published.has_proposal
        assert list(published.post.content_notes.all()) == [suicide]

    def test_an_unchanged_proposal_is_refused(self, published, editor):
        with pytest.raises(InvalidTransition):
            self._propose(published, editor)

    def test_excerpt_and_tags_are_proposed_only_once_published(self, editor):
        story = StoryFactory()
        Story.objects.filter(pk=story.pk).update(status=S.IN_REVIEW)
        story.refresh_from_db()
        with pytest.raises(InvalidTransition):
            story.propose_edits(editor=editor, title=story.title, body=story.body, excerpt="Card text")

    def test_a_published_story_is_not_declined_while_edits_are_proposed(self, published, editor):
        self._propose(published, editor, title="The way back")
        with pytest.raises(InvalidTransition):
            published.decline(editor=editor, message="No.")
        assert Story.objects.get(pk=published.pk).status == S.EDITS_PROPOSED

    def test_the_admin_proposes_the_excerpt_and_a_note_removal(self, editor_client, published):
        changelist = reverse("admin:stories_story_changelist") + "?turn=all"
        step = editor_client.post(changelist, {"action": "propose_edits", "_selected_action": [published.pk]})
        form = step.content.decode()
        assert 'name="excerpt"' in form and 'name="tags"' in form and 'name="content_notes"' in form
        editor_client.post(
            changelist,
            {
                "action": "propose_edits",
                "_selected_action": [published.pk],
                "apply": "1",
                "title": published.title,
                "body": published.body,
                "excerpt": "A year, and the way back.",
                "tags": [tag.pk for tag in published.post.tags.all()],
                "content_notes": [],
            },
        )
        published.refresh_from_db()
        assert published.status == S.EDITS_PROPOSED
        assert published.proposed_excerpt == "A year, and the way back."
        assert not published.proposed_content_notes.exists()
        assert published.content_notes.exists()
