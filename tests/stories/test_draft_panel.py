"""The story form's on-device draft is offered by its script only, and its choice is never part of the form."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_draft_choice_is_hidden_without_javascript_and_sits_outside_the_form(client):
    html = client.get(reverse("stories:submit")).content.decode()
    panel = re.search(r'<section class="draft-panel" id="story-draft"[^>]*>', html).group(0)
    assert panel.endswith(" hidden>")  # static/js/story-draft.js shows it
    assert html.index('id="story-draft"') < html.index("<form")  # never sent with the story
    keep = re.search(r'<input[^>]*id="keep-draft"[^>]*>', html).group(0)
    assert "name=" not in keep
    assert "story-draft.js" in html and "{#" not in html and "{% comment" not in html
    assert 'data-story-draft="new"' in html


def test_a_form_sent_back_is_marked_so_the_draft_does_not_overwrite_it(client):
    html = client.post(reverse("stories:submit"), {"title": "Kept"}).content.decode()
    assert 'data-story-draft="returned"' in html


def test_the_thank_you_page_tells_the_script_to_delete_the_draft(client):
    html = client.get(reverse("stories:thanks")).content.decode()
    assert "data-story-sent" in html and "story-draft.js" in html
