"""Readers report a comment; it stays shown until an editor decides, and editors find it in the queue."""

import pytest
from django.test import Client
from django.urls import reverse

from ole.workflow import InvalidTransition
from series.models import Comment, CommentReport
from tests.factories import CommentFactory, PostFactory

pytestmark = pytest.mark.django_db
A = Comment.Status.APPROVED


@pytest.fixture
def comment():
    return CommentFactory(name="Sipho", body="Words someone finds hurtful.")


def report_url(comment) -> str:
    return reverse("series:comment_report", kwargs={"pk": comment.pk})


def test_a_reader_reports_a_comment_and_it_stays_shown(client, comment):
    page = client.get(report_url(comment))
    assert page.status_code == 200 and "Words someone finds hurtful." in page.content.decode()
    response = client.post(report_url(comment), {"reason": "unkind", "note": "Calls another reader names."})
    assert response.status_code == 200
    assert "An editor will read the comment" in response.content.decode()
    report = CommentReport.objects.get()
    assert (report.comment, report.reason, report.note) == (comment, "unkind", "Calls another reader names.")
    comment.refresh_from_db()
    assert comment.status == A
    assert "Words someone finds hurtful." in client.get(comment.post.get_absolute_url()).content.decode()


def test_every_shown_comment_offers_a_report_link(client, comment):
    page = client.get(comment.post.get_absolute_url()).content.decode()
    assert f'href="{report_url(comment)}"' in page


@pytest.mark.parametrize("status", [Comment.Status.PENDING, Comment.Status.SPAM, Comment.Status.REMOVED])
def test_only_a_shown_comment_can_be_reported(client, status):
    hidden = CommentFactory(status=status)
    assert client.get(report_url(hidden)).status_code == 404
    assert client.post(report_url(hidden), {"reason": "spam"}).status_code == 404
    with pytest.raises(InvalidTransition):
        hidden.report(reason="spam")
    assert not CommentReport.objects.exists()


def test_a_comment_on_a_draft_cannot_be_reported(client):
    hidden = CommentFactory(post=PostFactory(draft=True))
    assert client.get(report_url(hidden)).status_code == 404


@pytest.mark.parametrize(
    "data, message",
    [
        ({}, "Please choose what is wrong with the comment."),
        ({"reason": "nonsense"}, "Select a valid choice."),
        ({"reason": "other", "note": "x" * 501}, "Please keep it to 500 characters (it has 501)."),
    ],
)
def test_a_bad_report_explains_itself_and_keeps_what_was_typed(client, comment, data, message):
    response = client.post(report_url(comment), {"note": "My words", **data})
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert (data.get("note") or "My words") in page
    assert not CommentReport.objects.exists()


def test_html_in_a_note_is_kept_as_text(client, comment):
    client.post(report_url(comment), {"reason": "other", "note": "<script>alert(1)</script>"})
    assert CommentReport.objects.get().note == "<script>alert(1)</script>"


def test_one_connection_counts_once_per_comment_a_day(client, comment):
    for _ in range(3):
        assert client.post(report_url(comment), {"reason": "unkind"}).status_code == 200
    assert CommentReport.objects.count() == 1


def test_a_flood_of_reports_is_refused_with_what_was_typed_kept(client, settings):
    settings.OLE_REPORTS_PER_HOUR = 2
    comments = [CommentFactory() for _ in range(3)]
    for comment in comments[:2]:
        client.post(report_url(comment), {"reason": "spam"})
    response = client.post(report_url(comments[2]), {"reason": "spam", "note": "Third one"})
    assert response.status_code == 429
    assert "Third one" in response.content.decode()
    assert CommentReport.objects.count() == 2


def test_the_report_page_is_private_and_needs_csrf(comment):
    response = Client().get(report_url(comment))
    assert "no-store" in response["Cache-Control"]
    assert "noindex" in response["X-Robots-Tag"]
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(report_url(comment), {"reason": "spam"}).status_code == 403
    assert not CommentReport.objects.exists()
    assert Client().put(report_url(comment)).status_code == 405


def test_editors_find_reported_comments_in_the_queue_and_keep_them(admin_client, admin_user, comment):
    other = CommentFactory(body="Nobody minds this one.")
    comment.report(reason="unkind", note="Names")
    queue = admin_client.get(reverse("admin:series_comment_changelist")).content.decode()
    assert "Words someone finds hurtful." in queue
    assert "Nobody minds this one." not in queue
    response = admin_client.post(
        reverse("admin:series_comment_changelist") + "?queue=all",
        {"action": "keep_reported", "_selected_action": [comment.pk, other.pk]},
        follow=True,
    )
    page = response.content.decode()
    assert "1 comment kept." in page and "has no reports waiting" in page
    report = CommentReport.objects.get()
    assert report.resolved_by == admin_user and report.resolved_at
    queue = admin_client.get(reverse("admin:series_comment_changelist")).content.decode()
    assert "Words someone finds hurtful." not in queue
    comment.refresh_from_db()
    assert comment.status == A


def test_removing_a_reported_comment_answers_and_forgets_its_reports(comment):
    comment.report(reason="unsafe", note="It quotes: Words someone finds hurtful.")
    comment.remove()
    assert not CommentReport.objects.exists()
