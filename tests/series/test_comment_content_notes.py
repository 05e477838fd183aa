"""A commenter may say what their comment talks about. The notes are shown before it, and a note that signals a
crisis ("suicidal thoughts", "self-harm") counts like words of crisis: the comment waits for an editor, who is
alerted, and the writer sees the crisis lines at once."""

import uuid

import pytest
from django.urls import reverse

from ole.models import OutboundEmail
from series.models import Comment, ContentNote
from tests.factories import CommentFactory, PostFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def post():
    post = PostFactory()
    CommentFactory(post=post, email="known@example.org")
    return post


def send(client, post, *notes, **data):
    payload = {
        "name": "Sipho",
        "email": "known@example.org",
        "body": "Thank you for writing this.",
        "form_key": uuid.uuid4(),
        "content_notes": [note.pk for note in notes],
        **data,
    }
    return client.post(reverse("series:comment_create", kwargs={"slug": post.slug}), payload)


def own_comment_cookie(client, post) -> None:
    """This browser proves it is the known commenter's (their comment cookie names an approved comment)."""
    from django.http import HttpResponse
    from django.test import RequestFactory

    from series.community import remember_comment

    response = HttpResponse()
    remember_comment(RequestFactory().get("/"), response, Comment.objects.get(email="known@example.org"))
    client.cookies.update(response.cookies)


@pytest.mark.parametrize("slug", ["suicidal-thoughts", "self-harm"])
def test_a_crisis_note_holds_the_comment_alerts_the_editors_and_shows_the_lines(client, post, slug):
    own_comment_cookie(client, post)
    response = send(client, post, ContentNote.objects.get(slug=slug))
    comment = Comment.objects.get(name="Sipho")
    assert comment.status == Comment.Status.PENDING
    assert "content note about crisis" in comment.held_reason
    assert OutboundEmail.objects.filter(kind="comment.crisis", object_id=comment.pk).exists()
    assert (response.status_code == 200 and "0800" in response.content.decode()) or "help" in response.content.decode()


def test_other_notes_are_shown_before_the_comment_and_change_nothing_else(client, post):
    own_comment_cookie(client, post)
    note = ContentNote.objects.exclude(signals_crisis=True).first()
    response = send(client, post, note)
    comment = Comment.objects.get(name="Sipho")
    assert comment.status == Comment.Status.APPROVED
    assert list(comment.content_notes.all()) == [note]
    page = client.get(response["Location"]).content.decode()
    assert page.index(f"Content notes: {note.name}") < page.index("Thank you for writing this.</p>")


def test_the_form_offers_the_notes_and_keeps_the_choice_on_an_error(client, post):
    note = ContentNote.objects.get(slug="self-harm")
    response = send(client, post, note, email="not an address")
    page = response.content.decode()
    assert "Does your comment talk about any of these?" in page
    assert f'value="{note.pk}"' in page and "checked" in page.split(f'value="{note.pk}"')[1][:40]
    assert not Comment.objects.filter(name="Sipho").exists()


def test_a_note_that_is_not_a_note_is_refused(client, post):
    response = send(client, post, body="Hello", content_notes=[999999])
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Comment.objects.filter(name="Sipho").exists()
