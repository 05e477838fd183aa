"""The editors' dashboard on the admin index: counts against known data, each a link to the list that shows the
same rows, the oldest wait against the share page's promise, and a query count that does not grow."""

import datetime
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ole.models import OutboundEmail
from series.models import Comment, CommentReport, CrisisLine, Post, Series
from stories.models import ContactMessage, Story, StoryEvent, StoryMessage
from tests.factories import (
    CommentFactory,
    CrisisLineFactory,
    PostFactory,
    SeriesFactory,
    StaffFactory,
    StoryFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

S = Story.Status
INDEX = reverse("admin:index")


def days_ago(days: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days, minutes=5)


def waiting_since(story: Story, days: int) -> None:
    Story.objects.filter(pk=story.pk).update(status_changed_at=days_ago(days))


def contact_message(**fields) -> ContactMessage:
    return ContactMessage.objects.create(
        name="Ayanda", email="a@example.org", body="Hello", form_key=uuid.uuid4(), **fields
    )


@pytest.fixture
def known_data():
    waiting_since(StoryFactory(title="Oldest"), 9)
    StoryFactory(urgent=True, flag_crisis=True)
    StoryFactory(status=S.IN_REVIEW)
    StoryFactory(status=S.CHANGES_REQUESTED)  # the writer's turn
    waiting_since(StoryFactory(status=S.DECLINED), 40)  # closed: not waiting

    post = PostFactory()
    CommentFactory.create_batch(2, post=post, status=Comment.Status.PENDING)
    CommentFactory(post=post, status=Comment.Status.PENDING, trashed_at=timezone.now())
    CommentFactory(post=post, status=Comment.Status.PENDING, kind=Comment.Kind.WEBMENTION)
    CommentFactory(post=post, status=Comment.Status.UNVERIFIED, kind=Comment.Kind.PINGBACK)
    reported = CommentFactory(post=post)
    CommentReport.objects.create(comment=reported, reason=CommentReport.Reason.UNKIND)
    CommentReport.objects.create(comment=reported, reason=CommentReport.Reason.SPAM)
    answered = CommentFactory(post=post)
    CommentReport.objects.create(comment=answered, reason=CommentReport.Reason.SPAM, resolved_at=timezone.now())

    contact_message()
    contact_message(urgent=True)
    contact_message(closed_at=timezone.now())

    OutboundEmail.objects.create(kind="test", object_id=1, state=OutboundEmail.State.FAILED)
    OutboundEmail.objects.create(kind="test", object_id=2, state=OutboundEmail.State.SENT)

    CrisisLine.objects.update(verified=True)
    CrisisLineFactory.create_batch(2)

    PostFactory(title="Second out", scheduled=True, publish_at=timezone.now() + datetime.timedelta(days=9))
    PostFactory(title="First out", scheduled=True, publish_at=timezone.now() + datetime.timedelta(days=2))
    PostFactory(title="A draft", draft=True)


def figures(response) -> dict[str, int]:
    return {figure.label: figure.count for figure in response.context["dashboard"].figures}


def test_the_dashboard_counts_what_waits(editor_client, known_data):
    assert figures(editor_client.get(INDEX)) == {
        "stories wait for an editor": 3,
        "urgent": 1,
        "comments wait for moderation": 2,
        "comment reported by readers": 1,
        "mention waits for moderation": 1,
        "“Write to us” messages wait": 2,
        "email could not be sent": 1,
        "crisis lines not yet verified": 2,
    }


def test_each_number_links_to_a_list_of_exactly_those_rows(editor_client, known_data):
    for figure in editor_client.get(INDEX).context["dashboard"].figures:
        listed = editor_client.get(figure.url)
        assert listed.status_code == 200, figure.url
        assert listed.context["cl"].result_count == figure.count, figure.label


def test_the_oldest_wait_is_shown_within_the_promise(editor_client, known_data):
    response = editor_client.get(INDEX)
    assert response.context["dashboard"].oldest_wait_days == 9
    html = response.content.decode()
    assert "usually within two weeks" in html
    assert "past the promise" not in html and "desk-late" not in html


def test_a_wait_past_fourteen_days_is_shown_red_and_in_words(editor_client):
    waiting_since(StoryFactory(), 15)
    html = editor_client.get(INDEX).content.decode()
    assert "desk-late" in html and "past the promise" in html and ">15</span> days" in html


def test_fourteen_days_is_still_within_the_promise(editor_client):
    waiting_since(StoryFactory(), 14)
    assert "past the promise" not in editor_client.get(INDEX).content.decode()


def test_the_next_scheduled_posts_soonest_first(editor_client, known_data):
    response = editor_client.get(INDEX)
    assert [post.title for post in response.context["dashboard"].scheduled] == ["First out", "Second out"]
    html = response.content.decode()
    assert html.index("First out") < html.index("Second out") and "A draft" not in html


def test_an_empty_desk_says_so(editor_client):
    html = editor_client.get(INDEX).content.decode()
    assert "No story waits for an editor." in html and "Nothing is scheduled." in html


def test_the_app_list_stays_below_the_dashboard(editor_client):
    html = editor_client.get(INDEX).content.decode()
    assert html.index('id="desk-title"') < html.index('class="app-stories')


def test_staff_who_do_not_work_the_queue_get_the_plain_index(client):
    client.force_login(UserFactory(is_staff=True))
    response = client.get(INDEX)
    assert response.status_code == 200
    assert response.context["dashboard"] is None and "desk-title" not in response.content.decode()


def test_a_superuser_sees_the_dashboard(client):
    client.force_login(StaffFactory())
    assert "What waits for the editors" in client.get(INDEX).content.decode()


def at_nine(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)))


def test_a_columns_next_four_slots_show_its_posts_and_the_gaps(editor_client):
    column = SeriesFactory(title="Mental Floss Mondays", kind=Series.Kind.COLUMN, cadence_weekday=0)
    days = column.next_slots(today=timezone.localdate())
    PostFactory(title="Second Monday", series=column, scheduled=True, publish_at=at_nine(days[1]))
    PostFactory(title="Third Monday draft", series=column, draft=True)
    Post.objects.filter(title="Third Monday draft").update(publish_at=at_nine(days[2]))
    PostFactory(title="Another series", series=SeriesFactory(), scheduled=True, publish_at=at_nine(days[0]))
    PostFactory(title="Being imported", series=column, status=Post.Status.IMPORTING, publish_at=at_nine(days[3]))
    SeriesFactory(kind=Series.Kind.COLUMN)  # no cadence: no slots

    response = editor_client.get(INDEX)
    [shown] = response.context["dashboard"].columns
    assert shown.series == column and [slot.day for slot in shown.slots] == days
    assert [slot.post.title if slot.post else None for slot in shown.slots] == [
        None,
        "Second Monday",
        "Third Monday draft",
        None,
    ]
    assert [slot.is_scheduled for slot in shown.slots] == [False, True, False, False]
    html = response.content.decode()
    assert "Mental Floss Mondays: a new post every Monday" in html
    assert html.count("<strong>Gap:</strong>") == 2 and "(a draft, not scheduled yet)" in html
    add = f"{reverse('admin:series_post_add')}?series={column.pk}&amp;publish_at={days[0].isoformat()}"
    assert add in html


def test_a_slot_with_a_scheduled_post_is_filled_even_beside_a_draft(editor_client):
    column = SeriesFactory(kind=Series.Kind.COLUMN, cadence_weekday=3)
    day = column.next_slots(today=timezone.localdate())[1]
    PostFactory(title="Kept as a draft", series=column, draft=True)
    Post.objects.filter(title="Kept as a draft").update(publish_at=at_nine(day))
    PostFactory(title="The one going out", series=column, scheduled=True, publish_at=at_nine(day))
    [shown] = editor_client.get(INDEX).context["dashboard"].columns
    assert shown.slots[1].post.title == "The one going out"


def dashboard_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(INDEX).status_code == 200
    return len(queries)


def answered(stories: list[Story], days: int) -> None:
    """Give the stories an editor's reply, a message and a decision `days` ago (for the charts)."""
    for story in stories:
        for to_status in (S.CHANGES_REQUESTED, S.APPROVED):
            StoryEvent.objects.create(story=story, from_status=S.IN_REVIEW, to_status=to_status, created=days_ago(days))
        StoryMessage.objects.create(story=story, from_editor=True, body="Thanks", created=days_ago(days))


def test_the_query_count_does_not_grow_with_the_number_of_stories(editor_client):
    Story.objects.bulk_create(StoryFactory.build_batch(5))
    answered(Story.objects.all()[:2], days=3)
    CommentFactory(post=PostFactory())
    PostFactory.create_batch(2, scheduled=True)
    SeriesFactory(kind=Series.Kind.COLUMN, cadence_weekday=0)
    few = dashboard_queries(editor_client)
    Story.objects.bulk_create(StoryFactory.build_batch(495, urgent=True))
    for weeks_ago in range(12):
        answered(Story.objects.filter(urgent=True)[weeks_ago * 10 : weeks_ago * 10 + 10], days=weeks_ago * 7 + 1)
        CommentFactory.create_batch(3, post=PostFactory(), created=days_ago(weeks_ago * 7))
    PostFactory.create_batch(8, scheduled=True)
    for weekday in (1, 2, 3):
        column = SeriesFactory(kind=Series.Kind.COLUMN, cadence_weekday=weekday)
        PostFactory(series=column, scheduled=True, publish_at=at_nine(column.next_slots(today=timezone.localdate())[0]))
    assert Story.objects.awaiting_editors().count() == 500
    assert dashboard_queries(editor_client) == few
