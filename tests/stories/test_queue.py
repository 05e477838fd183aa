"""The story queue: what decides the next story to open in the first columns, and the quick filters."""

import re

import pytest
from django.urls import reverse

from stories.models import Story
from tests.factories import StoryFactory, UserFactory

pytestmark = pytest.mark.django_db

S = Story.Status
CHANGELIST = reverse("admin:stories_story_changelist")


def column_order(html: str) -> list[str]:
    return re.findall(r'<th scope="col" class="[^"]*column-([\w_]+)', html)


def quick_filters(html: str) -> str:
    start = html.index('aria-label="Quick filters"')
    return html[start : html.index("</nav>", start)]


def titles(response) -> set[str]:
    return {story.title for story in response.context["cl"].result_list}


def test_urgent_days_waiting_and_writer_wrote_are_the_first_columns(editor_client):
    StoryFactory()
    columns = column_order(editor_client.get(CHANGELIST).content.decode())
    assert columns[:3] == ["urgent_mark", "days_waiting", "writer_wrote"]


def test_an_urgent_story_is_marked_in_words_and_the_title_opens_it(editor_client):
    story = StoryFactory(title="Help now", urgent=True, flag_crisis=True)
    StoryFactory(title="Calm")
    html = editor_client.get(CHANGELIST).content.decode()
    assert html.count("⚠ Urgent</strong>") == 1
    assert f'href="{reverse("admin:stories_story_change", args=[story.pk])}' in html


def test_assigned_to_me_shows_only_my_stories(editor_client, editor):
    StoryFactory(title="Mine", assigned_to=editor)
    StoryFactory(title="Someone else's", assigned_to=UserFactory(is_staff=True))
    StoryFactory(title="Nobody's")
    response = editor_client.get(CHANGELIST, {"assigned_to__id__exact": editor.pk})
    assert titles(response) == {"Mine"}


def test_urgent_shows_only_urgent_stories_waiting_for_an_editor(editor_client):
    StoryFactory(title="Urgent", urgent=True)
    StoryFactory(title="Not urgent")
    assert titles(editor_client.get(CHANGELIST, {"urgent__exact": "1"})) == {"Urgent"}


def test_waiting_on_the_writer_shows_changes_requested_and_proposed_edits(editor_client):
    StoryFactory(title="Changes", status=S.CHANGES_REQUESTED)
    StoryFactory(title="Edits", status=S.EDITS_PROPOSED)
    StoryFactory(title="Submitted")
    assert titles(editor_client.get(CHANGELIST, {"turn": "writer"})) == {"Changes", "Edits"}


def test_the_quick_filter_links_sit_above_the_list_and_mark_the_current_one(editor_client, editor):
    html = editor_client.get(CHANGELIST, {"assigned_to__id__exact": editor.pk}).content.decode()
    nav = quick_filters(html)
    links = dict(re.findall(r'<a href="([^"]*)"[^>]*>([^<]+)</a>', nav))
    assert links == {
        "?": "Waiting for an editor",
        "?urgent__exact=1": "Urgent",
        f"?assigned_to__id__exact={editor.pk}": "Assigned to me",
        "?turn=writer": "Waiting on the writer",
    }
    assert re.search(r'aria-current="page">Assigned to me<', nav)
    assert nav.count("aria-current") == 1


def test_no_quick_filter_is_marked_on_another_filter(editor_client):
    html = editor_client.get(CHANGELIST, {"status__exact": "submitted"}).content.decode()
    assert "aria-current" not in quick_filters(html)
