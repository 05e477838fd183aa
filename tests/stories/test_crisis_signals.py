"""A writer's own signals that they may be in crisis: the content notes they choose and the words they write."""

import pytest
from django.urls import reverse

from ole.models import OutboundEmail
from ole.workflow import InvalidTransition
from series.models import ContentNote
from stories.models import Story, StoryEvent
from tests.factories import ContentNoteFactory, StoryFactory
from tests.stories.test_submission import STORY_TEXT, submit

pytestmark = pytest.mark.django_db

CARE = "We noticed you may be going through a very hard time"


def test_the_seeded_suicide_and_self_harm_notes_signal_a_crisis():
    signalling = set(ContentNote.objects.filter(signals_crisis=True).values_list("slug", flat=True))
    assert signalling == {"suicidal-thoughts", "self-harm"}


@pytest.mark.parametrize("slug", ["suicidal-thoughts", "self-harm"])
def test_a_writer_who_picks_a_crisis_note_sees_the_crisis_lines_and_the_story_is_urgent(client, slug):
    note = ContentNote.objects.get(slug=slug)
    response = submit(client, content_notes=[note.pk])  # the text itself raises nothing
    story = Story.objects.get()
    assert story.urgent and story.flag_crisis
    thanks = client.get(response["Location"]).content.decode()
    assert CARE in thanks and "0800 567 567" in thanks
    assert "story.urgent" in OutboundEmail.objects.values_list("kind", flat=True)


def test_other_content_notes_do_not_make_a_story_urgent(client):
    note = ContentNote.objects.get(slug="withdrawal-symptoms")
    response = submit(client, content_notes=[note.pk])
    story = Story.objects.get()
    assert not story.urgent and not story.flag_crisis
    assert CARE not in client.get(response["Location"]).content.decode()


def test_editors_choose_which_notes_signal_a_crisis(client):
    note = ContentNoteFactory(slug="hopelessness", name="hopelessness", signals_crisis=True)
    submit(client, content_notes=[note.pk])
    assert Story.objects.get().urgent


def test_the_words_from_the_issue_make_the_story_urgent(client):
    response = submit(client, body=STORY_TEXT + " Some nights I don’t want to be here anymore.")
    assert Story.objects.get().urgent
    assert CARE in client.get(response["Location"]).content.decode()


def test_a_writers_revision_keeps_the_urgency_their_note_gave(client):
    note = ContentNote.objects.get(slug="suicidal-thoughts")
    submit(client, content_notes=[note.pk])
    story = Story.objects.get()
    story.revise(title="A new title", body=STORY_TEXT)
    story.refresh_from_db()
    assert story.urgent and story.flag_crisis


def test_the_story_form_offers_the_crisis_notes(client):
    html = client.get(reverse("stories:submit")).content.decode()
    assert "suicidal thoughts" in html and "self-harm" in html


class TestClearingTheUrgentMark:
    CHANGELIST = reverse("admin:stories_story_changelist") + "?turn=all"

    def urgent_story(self):
        return StoryFactory(urgent=True, flag_crisis=True)

    def test_an_editor_clears_it_with_a_reason_kept_in_the_history(self, editor):
        story = self.urgent_story()
        waiting_since = story.status_changed_at
        story.clear_urgent(editor=editor, reason="  Past crisis, told as recovered.  ")
        story.refresh_from_db()
        assert not story.urgent and story.flag_crisis  # the flag stays for the record
        event = story.events.get()
        assert event.message == "Urgent mark cleared: Past crisis, told as recovered."
        assert event.actor == editor and event.editors_only
        assert event.from_status == event.to_status == Story.Status.SUBMITTED
        assert story.status_changed_at == waiting_since  # not a step in the workflow: its place in the queue stays

    def test_a_reason_is_required(self, editor):
        story = self.urgent_story()
        with pytest.raises(InvalidTransition, match="Say why"):
            story.clear_urgent(editor=editor, reason="   ")
        story.refresh_from_db()
        assert story.urgent and not story.events.exists()

    def test_a_story_that_is_not_urgent_is_refused(self, editor):
        story = StoryFactory(urgent=False)
        with pytest.raises(InvalidTransition, match="not marked urgent"):
            story.clear_urgent(editor=editor, reason="Checked")
        assert not story.events.exists()

    def test_the_writer_does_not_see_the_editors_line(self, client, editor):
        story = self.urgent_story()
        StoryEvent.objects.create(story=story, to_status=Story.Status.SUBMITTED, by_writer=True)
        story.clear_urgent(editor=editor, reason="Secret assessment")
        html = client.get(story.get_status_url()).content.decode()
        assert html.count("<time datetime") == 1 and "Secret assessment" not in html
        assert len(story.export()["history"]) == 1

    def test_new_words_from_the_writer_are_judged_again(self, editor):
        story = self.urgent_story()
        story.clear_urgent(editor=editor, reason="Read it; the writer is safe")
        story.revise(title=story.title, body=STORY_TEXT + " I can't go on any more.")
        story.refresh_from_db()
        assert story.urgent

    def test_the_admin_action_asks_for_a_reason_then_clears(self, editor_client, editor):
        story = self.urgent_story()
        payload = {"action": "clear_urgent", "_selected_action": [story.pk]}
        page = editor_client.post(self.CHANGELIST, payload)
        assert page.status_code == 200 and "Why is it no longer urgent?" in page.content.decode()
        empty = editor_client.post(self.CHANGELIST, {**payload, "apply": "1", "reason": ""})
        assert empty.status_code == 200 and "This field is required" in empty.content.decode()
        story.refresh_from_db()
        assert story.urgent
        done = editor_client.post(self.CHANGELIST, {**payload, "apply": "1", "reason": "Spoke to the writer"})
        assert done.status_code == 302
        story.refresh_from_db()
        assert not story.urgent
        assert story.events.get().actor == editor

    def test_the_admin_action_reports_a_story_that_was_not_urgent(self, editor_client):
        story = StoryFactory(urgent=False)
        payload = {"action": "clear_urgent", "_selected_action": [story.pk], "apply": "1", "reason": "x"}
        response = editor_client.post(self.CHANGELIST, payload, follow=True)
        assert "not marked urgent" in response.content.decode()
