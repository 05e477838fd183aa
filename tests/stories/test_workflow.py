"""Every transition of a story, legal and illegal, and what each records and sends."""

import pytest

from ole.models import OutboundEmail
from ole.outbox import deliver_due
from ole.workflow import InvalidTransition
from series.models import Post
from stories.models import Story
from tests.factories import StoryFactory

pytestmark = pytest.mark.django_db

S = Story.Status


def story_in(status: str, **kwargs) -> Story:
    story = StoryFactory(**kwargs)
    Story.objects.filter(pk=story.pk).update(status=status)
    story.refresh_from_db()
    return story


def queued(story: Story) -> list[str]:
    """Kinds of email queued (each test has one story; step emails name the history line, not the story)."""
    return list(OutboundEmail.objects.values_list("kind", flat=True))


LEGAL = [
    (S.SUBMITTED, "start_review", S.IN_REVIEW, {}),
    (S.IN_REVIEW, "request_changes", S.CHANGES_REQUESTED, {"message": "Shorter, please."}),
    (S.EDITS_PROPOSED, "request_changes", S.CHANGES_REQUESTED, {"message": "Actually, you edit it."}),
    (S.IN_REVIEW, "propose_edits", S.EDITS_PROPOSED, {"title": "New title", "body": "Edited text."}),
    (S.IN_REVIEW, "approve", S.APPROVED, {}),
    (S.SUBMITTED, "decline", S.DECLINED, {"message": "Sorry."}),
    (S.IN_REVIEW, "decline", S.DECLINED, {"message": "Sorry."}),
    (S.APPROVED, "decline", S.DECLINED, {"message": "Sorry."}),
]
ILLEGAL = [
    (S.IN_REVIEW, "start_review", {}),
    (S.APPROVED, "start_review", {}),
    (S.SUBMITTED, "approve", {}),
    (S.CHANGES_REQUESTED, "approve", {}),
    (S.DECLINED, "approve", {}),
    (S.WITHDRAWN, "approve", {}),
    (S.SUBMITTED, "request_changes", {"message": "x"}),
    (S.APPROVED, "propose_edits", {"title": "t", "body": "b"}),
    (S.DECLINED, "decline", {"message": "again"}),
    (S.WITHDRAWN, "decline", {"message": "x"}),
    (S.PUBLISHED, "decline", {"message": "x"}),
]


@pytest.mark.parametrize("start, method, end, kwargs", LEGAL)
def test_legal_transition_moves_and_is_recorded(editor, start, method, end, kwargs):
    story = story_in(start)
    getattr(story, method)(editor=editor, **kwargs)
    story.refresh_from_db()
    assert story.status == end
    event = story.events.last()
    assert (event.from_status, event.to_status, event.actor) == (start, end, editor)
    assert event.message == kwargs.get("message", "")


@pytest.mark.parametrize("start, method, kwargs", ILLEGAL)
def test_illegal_transition_is_refused_and_changes_nothing(editor, start, method, kwargs):
    story = story_in(start)
    before = (story.status, story.status_changed_at, story.title)
    with pytest.raises(InvalidTransition):
        getattr(story, method)(editor=editor, **kwargs)
    story.refresh_from_db()
    assert (story.status, story.status_changed_at, story.title) == before
    assert not story.events.exists()
    assert queued(story) == []


@pytest.mark.parametrize("method", ["request_changes", "decline"])
def test_steps_that_talk_to_the_writer_need_a_message(editor, method):
    story = story_in(S.IN_REVIEW)
    with pytest.raises(InvalidTransition):
        getattr(story, method)(editor=editor, message="   ")
    assert Story.objects.get(pk=story.pk).status == S.IN_REVIEW


@pytest.mark.parametrize(
    "start, method, kwargs, email",
    [
        (S.IN_REVIEW, "request_changes", {"message": "Shorter."}, "story.changes_requested"),
        (S.IN_REVIEW, "propose_edits", {"title": "T", "body": "B"}, "story.edits_proposed"),
        (S.IN_REVIEW, "approve", {}, "story.approved"),
        (S.IN_REVIEW, "decline", {"message": "No."}, "story.declined"),
    ],
)
def test_the_writer_is_emailed_on_each_change_that_concerns_them(editor, start, method, kwargs, email):
    story = story_in(start)
    getattr(story, method)(editor=editor, **kwargs)
    assert queued(story) == [email]


def test_decline_message_goes_into_the_conversation(editor):
    story = story_in(S.IN_REVIEW)
    story.decline(editor=editor, message="We can't publish this one.")
    assert story.messages.get().body == "We can't publish this one."


def test_start_review_assigns_an_unassigned_story(editor):
    story = story_in(S.SUBMITTED)
    story.start_review(editor=editor)
    assert Story.objects.get(pk=story.pk).assigned_to == editor


def test_every_consent_is_required_by_the_database():
    from django.db import IntegrityError, transaction

    story = story_in(S.IN_REVIEW)
    with pytest.raises(IntegrityError), transaction.atomic():
        Story.objects.filter(pk=story.pk).update(consent_editing=False)


def test_propose_edits_refuses_an_unchanged_text(editor):
    story = story_in(S.IN_REVIEW)
    with pytest.raises(InvalidTransition):
        story.propose_edits(editor=editor, title=story.title, body=story.body)


def test_writer_accepting_edits_replaces_the_text_and_returns_it_to_review(editor):
    story = story_in(S.IN_REVIEW)
    story.propose_edits(editor=editor, title="Edited title", body="Edited body with a call to 0821234567.")
    story.accept_edits()
    story.refresh_from_db()
    assert (story.status, story.title, story.body) == (
        S.IN_REVIEW,
        "Edited title",
        "Edited body with a call to 0821234567.",
    )
    assert story.proposed_body == ""
    assert story.flag_identity
    assert story.events.last().by_writer


def test_writer_cannot_accept_edits_that_were_never_proposed():
    story = story_in(S.IN_REVIEW)
    with pytest.raises(InvalidTransition):
        story.accept_edits()


def test_writer_revision_after_changes_goes_back_to_the_queue(editor):
    story = story_in(S.IN_REVIEW)
    story.request_changes(editor=editor, message="Shorter please.")
    story.revise(title="Shorter", body="A shorter text.")
    story.refresh_from_db()
    assert (story.status, story.title) == (S.SUBMITTED, "Shorter")


@pytest.mark.parametrize("status", [S.IN_REVIEW, S.EDITS_PROPOSED, S.APPROVED, S.PUBLISHED, S.DECLINED])
def test_writer_cannot_revise_outside_their_turn(status):
    story = story_in(status)
    with pytest.raises(InvalidTransition):
        story.revise(title="New", body="New text")
    assert Story.objects.get(pk=story.pk).title == story.title


def test_withdrawal_erases_personal_data_and_keeps_an_anonymous_audit_line(editor, django_capture_on_commit_callbacks):
    from tests.factories import ContentNoteFactory, image_file

    story = story_in(S.IN_REVIEW, email="private@example.org", credit_name="Tumi")
    story.photo, story.photo_alt = image_file("me.jpg", fmt="JPEG"), "Tumi at the kitchen table"
    story.save()
    photo_path = story.photo.path
    story.content_notes.add(ContentNoteFactory())
    story.request_changes(editor=editor, message="Can you cut the second half?")
    story.notes.create(author=editor, body="Private note about Tumi")
    with django_capture_on_commit_callbacks(execute=True):
        story.withdraw()
    story.refresh_from_db()
    assert story.status == S.WITHDRAWN
    assert (story.title, story.body, story.email, story.credit_name, story.photo_alt) == ("", "", "", "", "")
    assert not story.photo
    assert not story.messages.exists() and not story.notes.exists() and not story.content_notes.exists()
    assert all(event.message == "" and event.actor is None for event in story.events.all())
    assert story.events.last().to_status == S.WITHDRAWN
    import os

    assert not os.path.exists(photo_path)
    assert set(OutboundEmail.objects.values_list("state", flat=True)) == {"cancelled"}
    assert deliver_due() == (0, 0)


def test_withdrawal_of_a_published_story_takes_the_post_down(editor):
    from stories.services import story_promote

    story = story_in(S.APPROVED)
    post = story_promote(story=story, editor=editor, series=None)
    assert Post.objects.published().filter(pk=post.pk).exists()
    story.withdraw()
    assert not Post.objects.filter(pk=post.pk).exists()


def test_a_withdrawn_story_cannot_be_withdrawn_again():
    story = story_in(S.SUBMITTED)
    story.withdraw()
    with pytest.raises(InvalidTransition):
        story.withdraw()


def test_queue_puts_urgent_first_then_the_longest_waiting():
    import datetime

    from django.utils import timezone

    old = story_in(S.SUBMITTED)
    new = story_in(S.SUBMITTED)
    urgent = story_in(S.SUBMITTED)
    Story.objects.filter(pk=old.pk).update(status_changed_at=timezone.now() - datetime.timedelta(days=9))
    Story.objects.filter(pk=urgent.pk).update(urgent=True)
    story_in(S.DECLINED)
    assert list(Story.objects.awaiting_editors()) == [urgent, old, new]


def test_a_stale_copy_cannot_promote_a_withdrawn_story(editor):
    from stories.services import story_promote

    story = story_in(S.APPROVED)
    stale = Story.objects.get(pk=story.pk)
    story.withdraw()
    with pytest.raises(InvalidTransition):
        story_promote(story=stale, editor=editor, series=None)
    assert not Post.objects.exists()
    assert Story.objects.get(pk=story.pk).status == S.WITHDRAWN


def test_a_stale_copy_withdrawing_still_takes_the_post_down(editor):
    from stories.services import story_promote

    story = story_in(S.APPROVED)
    stale = Story.objects.get(pk=story.pk)
    story_promote(story=story, editor=editor, series=None)
    stale.withdraw()
    assert not Post.objects.exists()


def test_two_editors_acting_on_stale_copies_leave_a_true_history(editor):
    story = story_in(S.IN_REVIEW)
    first, second, third = (Story.objects.get(pk=story.pk) for _ in range(3))
    first.approve(editor=editor)
    with pytest.raises(InvalidTransition):
        second.approve(editor=editor)
    third.decline(editor=editor, message="On reflection, no.")
    history = [(e.from_status, e.to_status) for e in story.events.all()]
    assert history == [(S.IN_REVIEW, S.APPROVED), (S.APPROVED, S.DECLINED)]


def test_a_double_withdraw_records_one_line():
    story = story_in(S.SUBMITTED)
    stale = Story.objects.get(pk=story.pk)
    story.withdraw()
    with pytest.raises(InvalidTransition):
        stale.withdraw()
    assert story.events.filter(to_status=S.WITHDRAWN).count() == 1


def test_edits_proposed_can_still_be_declined(editor):
    story = story_in(S.EDITS_PROPOSED)
    story.decline(editor=editor, message="We can't go on with this one.")
    assert Story.objects.get(pk=story.pk).status == S.DECLINED
