"""A writer's own signals that they may be in crisis: the content notes they choose and the words they write."""

import pytest
from django.urls import reverse

from ole.models import OutboundEmail
from series.models import ContentNote
from stories.models import Story
from tests.factories import ContentNoteFactory
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
