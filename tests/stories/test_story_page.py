"""The story page is the desk: a button for each legal step, each step's form, and back to the story after it."""

import datetime
import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ole.models import OutboundEmail
from ole.outbox import deliver_due
from ole.workflow import InvalidTransition
from series.models import Post
from stories.models import MessageTemplate, Story, StoryEvent
from stories.services import story_promote
from tests.factories import SeriesFactory, StoryFactory

pytestmark = pytest.mark.django_db

S = Story.Status
BODY = "The winter I stopped, I counted the days on the kitchen calendar. " * 10


def page_of(story: Story) -> str:
    return reverse("admin:stories_story_change", args=[story.pk])


def step_url(story: Story, step: str) -> str:
    return reverse("admin:stories_story_step", args=[story.pk, step])


def story_in(status: str, **kwargs) -> Story:
    story = StoryFactory(body=BODY, **kwargs)
    Story.objects.filter(pk=story.pk).update(status=status)
    story.refresh_from_db()
    return story


def published(editor, **kwargs) -> Story:
    story = story_in(S.APPROVED, **kwargs)
    story_promote(story=story, editor=editor, series=None)
    story.refresh_from_db()
    return story


def published_with_proposal(editor, **kwargs) -> Story:
    story = published(editor, **kwargs)
    story.propose_edits(editor=editor, title="A better title", body=BODY + " An edit.")
    return story


def withdrawn(editor, **kwargs) -> Story:
    story = story_in(S.IN_REVIEW, **kwargs)
    story.withdraw()
    return story


# Every state a story can be in, with and without the urgent mark, and the published states with their post.
CASES = {
    **{
        f"{status}{' urgent' if urgent else ''}": (lambda e, s=status, u=urgent: story_in(s, urgent=u))
        for status in S.values
        if status not in (S.PUBLISHED, S.WITHDRAWN)
        for urgent in (False, True)
    },
    "published": lambda e: published(e),
    "published urgent": lambda e: published(e, urgent=True),
    "edits proposed on a published story": lambda e: published_with_proposal(e),
    "withdrawn": lambda e: withdrawn(e),
}
TRIES = {
    "start_review": lambda story, e: story.start_review(editor=e),
    "assign": lambda story, e: story.assign(editor=e),
    "request_changes": lambda story, e: story.request_changes(editor=e, message="Shorter, please."),
    "propose_edits": lambda story, e: story.propose_edits(editor=e, title="Edited", body=BODY + " Edited."),
    "withdraw_proposal": lambda story, e: story.withdraw_proposal(editor=e),
    "approve": lambda story, e: story.approve(editor=e),
    "decline": lambda story, e: story.decline(editor=e, message="Sorry."),
    "promote": lambda story, e: story_promote(story=story, editor=e, series=None),
    "clear_urgent": lambda story, e: story.clear_urgent(editor=e, reason="Safe now."),
}


def legal_steps(make, editor) -> set[str]:
    """Which steps go through, found by trying each on a fresh story in the case's state."""
    legal = set()
    for step, attempt in TRIES.items():
        try:
            attempt(make(editor), editor)
        except InvalidTransition:
            continue
        legal.add(step)
    return legal


def buttons_on(page: str) -> set[str]:
    return set(re.findall(r'data-step="([a-z_]+)"', page))


@pytest.mark.parametrize("case", list(CASES))
def test_the_story_page_shows_a_button_for_exactly_the_legal_steps(editor_client, editor, case):
    assert set(TRIES) == set(Story.EDITOR_STEPS)  # every step the page can offer is tried
    legal = legal_steps(CASES[case], editor)
    story = CASES[case](editor)
    page = editor_client.get(page_of(story)).content.decode()
    assert buttons_on(page) == legal
    assert set(story.available_steps()) == (legal if not story.is_erased else set())


def test_a_submitted_story_offers_review_assign_and_decline_only(editor_client):
    story = story_in(S.SUBMITTED)
    assert buttons_on(editor_client.get(page_of(story)).content.decode()) == {"start_review", "assign", "decline"}


class TestRefusals:
    def test_a_forged_post_for_an_illegal_step_is_refused_and_changes_nothing(self, editor_client):
        story = story_in(S.SUBMITTED)
        events = StoryEvent.objects.count()
        response = editor_client.post(step_url(story, "approve"), {"message": "Lovely."}, follow=True)
        assert response.redirect_chain[-1][0] == page_of(story)
        assert "cannot be approved" in response.content.decode()
        story.refresh_from_db()
        assert story.status == S.SUBMITTED and story.approved_by is None
        assert StoryEvent.objects.count() == events
        assert not OutboundEmail.objects.exclude(kind="story.received").exists()

    def test_a_forged_one_click_step_is_refused_too(self, editor_client):
        story = story_in(S.APPROVED)
        response = editor_client.post(step_url(story, "start_review"), follow=True)
        assert "cannot be taken into review" in response.content.decode()
        story.refresh_from_db()
        assert story.status == S.APPROVED

    def test_a_published_story_is_not_declined_from_a_forged_form(self, editor_client, editor):
        story = published_with_proposal(editor)
        response = editor_client.post(step_url(story, "decline"), {"message": "No."}, follow=True)
        assert "A published story is not declined" in response.content.decode()
        story.refresh_from_db()
        assert story.status == S.EDITS_PROPOSED and story.post.is_published()

    def test_a_step_without_the_csrf_token_is_refused(self, editor):
        client = Client(enforce_csrf_checks=True)
        client.force_login(editor)
        story = story_in(S.SUBMITTED)
        assert client.post(step_url(story, "start_review")).status_code == 403
        story.refresh_from_db()
        assert story.status == S.SUBMITTED and story.events.count() == 0

    def test_an_unknown_step_is_not_found(self, editor_client):
        assert editor_client.get(step_url(story_in(S.SUBMITTED), "publish_everything")).status_code == 404

    def test_a_withdrawn_story_takes_no_step(self, editor_client, editor):
        story = withdrawn(editor)
        assert editor_client.post(step_url(story, "decline"), {"message": "x"}).status_code == 403


class TestSteps:
    def test_a_one_click_step_brings_the_editor_back_to_the_story_with_a_message(self, editor_client, editor):
        story = story_in(S.SUBMITTED)
        response = editor_client.post(step_url(story, "start_review"), follow=True)
        assert response.redirect_chain == [(page_of(story), 302)]
        assert "Taken into review." in response.content.decode()
        story.refresh_from_db()
        assert story.status == S.IN_REVIEW and story.assigned_to == editor

    def test_a_one_click_step_asked_for_by_address_shows_its_button_first(self, editor_client):
        story = story_in(S.SUBMITTED)
        response = editor_client.get(step_url(story, "start_review"))
        assert response.status_code == 200 and 'value="Start review"' in response.content.decode()
        story.refresh_from_db()
        assert story.status == S.SUBMITTED

    @pytest.mark.parametrize(
        ("status", "step", "data", "kind", "after"),
        [
            (
                S.IN_REVIEW,
                "request_changes",
                {"message": "Shorter, please."},
                "story.changes_requested",
                S.CHANGES_REQUESTED,
            ),
            (
                S.IN_REVIEW,
                "propose_edits",
                {"title": "Edited", "body": BODY + " Edited."},
                "story.edits_proposed",
                S.EDITS_PROPOSED,
            ),
            (S.IN_REVIEW, "approve", {"message": ""}, "story.approved", S.APPROVED),
            (S.IN_REVIEW, "decline", {"message": "Not for us, with thanks."}, "story.declined", S.DECLINED),
            (S.APPROVED, "promote", {"publish_now": "1", "featured": "on"}, "story.published", S.PUBLISHED),
        ],
    )
    def test_each_step_emails_the_writer_and_returns_to_the_story(self, editor_client, status, step, data, kind, after):
        story = story_in(status, email="writer@example.org")
        OutboundEmail.objects.all().delete()
        response = editor_client.post(step_url(story, step), data, follow=True)
        assert response.redirect_chain == [(page_of(story), 302)], response.content.decode()[-3000:]
        assert 'class="success"' in response.content.decode()
        story.refresh_from_db()
        assert story.status == after
        assert list(OutboundEmail.objects.values_list("kind", flat=True)) == [kind]
        assert deliver_due() == (1, 0)
        assert mail.outbox[-1].to == ["writer@example.org"]

    def test_a_message_step_keeps_what_was_typed_on_an_error(self, editor_client):
        story = story_in(S.IN_REVIEW)
        typed = "Could you say more about the second winter? " * 120  # over the 5,000 characters
        response = editor_client.post(step_url(story, "request_changes"), {"message": typed})
        assert response.status_code == 200
        assert typed.strip() in response.content.decode()
        story.refresh_from_db()
        assert story.status == S.IN_REVIEW and not OutboundEmail.objects.exclude(kind="story.received").exists()

    def test_an_unchanged_edit_is_refused_in_its_form_with_the_text_kept(self, editor_client):
        story = story_in(S.IN_REVIEW)
        response = editor_client.post(
            step_url(story, "propose_edits"), {"title": story.title, "body": story.body, "message": "My note"}
        )
        page = response.content.decode()
        assert response.status_code == 200 and "the same as the writer" in page and "My note" in page
        story.refresh_from_db()
        assert story.status == S.IN_REVIEW


class TestSavedAnswers:
    def test_choosing_a_saved_answer_without_javascript_fills_the_message_box(self, editor_client):
        answer = MessageTemplate.objects.create(
            name="Too long", purpose=MessageTemplate.Purpose.CHANGES, body="Could you make it shorter, please?"
        )
        story = story_in(S.IN_REVIEW)
        response = editor_client.post(
            step_url(story, "request_changes"), {"template": answer.pk, "message": "", "use_answer": "1"}
        )
        page = response.content.decode()
        assert re.search(r"<textarea[^>]*>\s*Could you make it shorter, please\?</textarea>", page)
        story.refresh_from_db()
        assert story.status == S.IN_REVIEW and story.events.count() == 0

    def test_the_page_carries_the_answers_for_its_own_script_and_no_inline_script(self, editor_client):
        MessageTemplate.objects.create(name="Thanks", purpose=MessageTemplate.Purpose.DECLINE, body="Thank you for")
        page = editor_client.get(step_url(story_in(S.IN_REVIEW), "decline")).content.decode()
        assert '<script id="saved-answers" type="application/json">' in page
        assert "js/saved-answers.js" in page
        assert not re.search(r"<script(?![^>]*(src=|application/json))[^>]*>", page)

    def test_the_edited_answer_is_what_is_sent(self, editor_client):
        answer = MessageTemplate.objects.create(name="Thanks", purpose=MessageTemplate.Purpose.DECLINE, body="Thanks.")
        story = story_in(S.IN_REVIEW)
        editor_client.post(step_url(story, "decline"), {"template": answer.pk, "message": "Thanks, Sam. Not for us."})
        assert story.events.last().message == "Thanks, Sam. Not for us."


class TestPromote:
    def test_the_promote_step_shows_the_post_as_readers_will_see_it(self, editor_client):
        series = SeriesFactory(title="Coming off")
        story = story_in(S.APPROVED, title="The kitchen calendar", credit_name="Robin", series=series)
        page = editor_client.get(step_url(story, "promote")).content.decode()
        assert "As readers will see it" in page
        assert "<h1>The kitchen calendar</h1>" in page
        assert "I counted the days on the kitchen calendar" in page
        assert "Robin, a reader" in page and "Coming off" in page
        assert "not medical advice" in page  # the public post's own parts
        assert not Post.objects.exists()

    def test_publish_now_makes_a_live_featured_post(self, editor_client):
        story = story_in(S.APPROVED)
        editor_client.post(step_url(story, "promote"), {"publish_now": "1", "featured": "on"})
        story.refresh_from_db()
        assert story.status == S.PUBLISHED and story.post.is_published() and story.post.featured

    def test_a_date_and_time_makes_a_scheduled_post(self, editor_client, settings):
        story = story_in(S.APPROVED)
        when = timezone.localtime() + datetime.timedelta(days=3)
        response = editor_client.post(
            step_url(story, "promote"), {"schedule": "1", "publish_at": f"{when:%Y-%m-%dT%H:%M}"}, follow=True
        )
        assert "Scheduled:" in response.content.decode()
        story.refresh_from_db()
        post = story.post
        assert story.status == S.PUBLISHED
        assert post.status == Post.Status.SCHEDULED and not post.is_published() and not post.featured
        assert timezone.localtime(post.publish_at).strftime("%Y-%m-%d %H:%M") == f"{when:%Y-%m-%d %H:%M}"
        assert post.revisions.filter(note="Scheduled").exists()
        assert deliver_due()[0] >= 1
        assert "will be published on" in mail.outbox[-1].body

    @pytest.mark.parametrize(
        ("typed", "error"),
        [
            ("", "Choose the date and time it goes live."),
            ("next tuesday-ish", "Enter a valid date/time."),
            ("2001-01-01T09:00", "Choose a date and time still to come."),
        ],
    )
    def test_a_bad_date_is_refused_with_what_was_typed_kept(self, editor_client, typed, error):
        story = story_in(S.APPROVED)
        response = editor_client.post(step_url(story, "promote"), {"schedule": "1", "publish_at": typed})
        page = response.content.decode()
        assert response.status_code == 200 and error in page
        assert f'value="{typed}"' in page or not typed
        story.refresh_from_db()
        assert story.status == S.APPROVED and not Post.objects.exists()
        assert not OutboundEmail.objects.filter(kind="story.published").exists()

    def test_a_live_post_is_updated_without_a_date_to_choose(self, editor_client, editor):
        story = published(editor)
        story.post.set_featured(False)
        page = editor_client.get(step_url(story, "promote")).content.decode()
        assert 'name="publish_at"' not in page and 'value="Update the post"' in page
        assert re.search(r'<input type="checkbox" name="featured"(?![^>]*checked)', page)  # as the post is now


def test_the_queues_bulk_step_fills_the_message_box_with_a_saved_answer_too(editor_client):
    answer = MessageTemplate.objects.create(name="Sorry", purpose=MessageTemplate.Purpose.DECLINE, body="With thanks.")
    story = story_in(S.IN_REVIEW)
    payload = {"action": "decline", "_selected_action": [story.pk], "apply": "1", "template": answer.pk}
    page = editor_client.post(reverse("admin:stories_story_changelist"), {**payload, "use_answer": "1"})
    assert re.search(r"<textarea[^>]*>\s*With thanks\.</textarea>", page.content.decode())
    story.refresh_from_db()
    assert story.status == S.IN_REVIEW


def test_updating_the_preview_promotes_nothing(editor_client):
    series = SeriesFactory(title="Night shifts")
    story = story_in(S.APPROVED)
    page = editor_client.post(step_url(story, "promote"), {"series": series.pk, "preview": "1"}).content.decode()
    assert "Night shifts" in page[page.index("As readers will see it") :]
    story.refresh_from_db()
    assert story.status == S.APPROVED and not Post.objects.exists()


def test_proposed_edits_can_start_their_note_from_a_saved_answer_keeping_the_edited_text(editor_client):
    answer = MessageTemplate.objects.create(
        name="Light edits", purpose=MessageTemplate.Purpose.EDITS, body="We tidied a few sentences; see below."
    )
    story = story_in(S.IN_REVIEW)
    edited = BODY + " A sentence the editor added."
    data = {"title": "Edited title", "body": edited, "template": answer.pk, "message": ""}
    page = editor_client.post(step_url(story, "propose_edits"), {**data, "use_answer": "1"}).content.decode()
    assert "A sentence the editor added." in page and 'value="Edited title"' in page
    assert re.search(r"<textarea[^>]*>\s*We tidied a few sentences; see below\.</textarea>", page)
    story.refresh_from_db()
    assert story.status == S.IN_REVIEW
    editor_client.post(step_url(story, "propose_edits"), data)
    story.refresh_from_db()
    assert story.status == S.EDITS_PROPOSED and story.proposed_title == "Edited title"
    assert story.events.last().message == "We tidied a few sentences; see below."
