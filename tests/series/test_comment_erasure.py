"""A commenter's erasure reaches the admin's own history: no log line keeps their name or words."""

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.test import Client
from django.urls import reverse

from series.models import Comment
from tests.factories import PostFactory

pytestmark = pytest.mark.django_db

NAME, WORDS, ADDRESS = "Thandiwe Quillfeather", "marrowlight", "thandiwe.q@example.org"


def logged(comment: Comment, editor_client, editor) -> None:
    """An editor saves the comment in the admin (Django logs its title), and a log line quotes its words."""
    inline = {"reports-TOTAL_FORMS": "0", "reports-INITIAL_FORMS": "0"}  # the readers' reports, shown read-only
    response = editor_client.post(
        reverse("admin:series_comment_change", args=[comment.pk]), {"_save": "Save", **inline}
    )
    assert response.status_code == 302
    LogEntry.objects.log_actions(editor.pk, [comment], CHANGE, change_message=f"Approved: {comment.body}")
    assert LogEntry.objects.filter(object_repr__contains=NAME).exists()


def leftovers() -> list[tuple[str, str]]:
    return [
        (entry.object_repr, entry.change_message)
        for entry in LogEntry.objects.all()
        if any(word.lower() in f"{entry.object_repr} {entry.change_message}".lower() for word in (NAME, WORDS))
    ]


def comment(post, **extra) -> Comment:
    fields = {"name": NAME, "email": ADDRESS, "body": f"The {WORDS} of mornings.", "status": "approved"}
    return Comment.objects.create(post=post, **{**fields, **extra})


def test_erasing_by_link_leaves_no_log_line_with_the_name_or_words(editor_client, editor):
    post = PostFactory()
    alone = comment(post)
    answered = comment(post)
    Comment.objects.create(
        post=post, parent=answered, depth=1, name="Other", email="o@example.org", body="Hi", status="approved"
    )
    for each in (alone, answered):
        logged(each, editor_client, editor)
    assert Client().post(alone.erase_url()).status_code == 200
    assert Comment.objects.get(pk=answered.pk).status == "removed"  # a placeholder: it has a reply
    assert leftovers() == []
    assert LogEntry.objects.filter(object_repr="Comment removed by its writer").count() == 4


def test_deleting_through_the_edit_link_leaves_no_log_line_with_the_name_or_words(editor_client, editor):
    mine = comment(PostFactory())
    logged(mine, editor_client, editor)
    url = reverse("series:comment_delete", kwargs={"pk": mine.pk, "token": mine.edit_token()})
    assert Client().post(url).status_code == 302
    assert leftovers() == []


def test_an_editors_removal_keeps_the_log(editor_client, editor):
    theirs = comment(PostFactory())
    logged(theirs, editor_client, editor)
    theirs.remove()
    assert leftovers() != []
