"""The editorial calendar: what stands on each day of a month (in the site's time zone), the columns' days and their
gaps, moving a scheduled post and every way that is refused, who may see it, and a query count that does not grow."""

import calendar as stdlib_calendar
import datetime

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from series.models import Post, Series
from stories import calendar
from stories.models import Story
from tests.factories import ContributorFactory, PostFactory, SeriesFactory, StoryFactory, UserFactory

pytestmark = pytest.mark.django_db

S = Story.Status
NEXT_YEAR = timezone.localdate().year + 1
PAST_YEAR = 2025


def local(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(year, month, day, hour, minute))


def month_url(year: int, month: int) -> str:
    return reverse("admin:calendar_month", kwargs={"year": year, "month": month})


def scheduled(title: str, when: datetime.datetime, **fields) -> Post:
    return PostFactory(title=title, status=Post.Status.SCHEDULED, publish_at=when, **fields)


def draft(title: str, *, publish_at=None, changed=None, **fields) -> Post:
    post = PostFactory(title=title, draft=True, **fields)
    Post.objects.filter(pk=post.pk).update(publish_at=publish_at, updated=changed or post.updated)
    return post


def approved_story(title: str, approved_at: datetime.datetime) -> Story:
    story = StoryFactory(title=title, status=S.APPROVED)
    Story.objects.filter(pk=story.pk).update(approved_at=approved_at, status_changed_at=approved_at)
    return story


def counts(response) -> dict[int, dict[str, int]]:
    """{day of the month: {kind: how many}} for the days that have something."""
    shown = {}
    for day in response.context["month"].days():
        kinds = {kind: day.count(kind) for kind in ("published", "scheduled", "draft", "story") if day.count(kind)}
        if kinds:
            shown[day.date.day] = kinds
    return shown


def titles_on(response, day: int) -> list[str]:
    month = response.context["month"]
    return [item.title for item in month.day(month.first.replace(day=day)).items]


@pytest.fixture
def known_month():
    """March next year: scheduled posts, drafts, an approved story, and things that must not show."""
    scheduled("Morning post", local(NEXT_YEAR, 3, 3, 9))
    scheduled("Late post", local(NEXT_YEAR, 3, 3, 23, 30))
    scheduled("Tenth", local(NEXT_YEAR, 3, 10, 12))
    draft("Planned draft", publish_at=local(NEXT_YEAR, 3, 3, 8))
    draft("Undated draft", changed=local(NEXT_YEAR, 3, 20, 15))
    approved_story("An approved story", local(NEXT_YEAR, 3, 5, 11))
    story = StoryFactory(title="Still in review", status=S.IN_REVIEW)
    Story.objects.filter(pk=story.pk).update(status_changed_at=local(NEXT_YEAR, 3, 5))
    gone = scheduled("In the trash", local(NEXT_YEAR, 3, 3, 10))
    Post.objects.filter(pk=gone.pk).update(trashed_at=timezone.now())
    PostFactory(title="Still being imported", status=Post.Status.IMPORTING, publish_at=local(NEXT_YEAR, 3, 3, 11))
    scheduled("Next month", local(NEXT_YEAR, 4, 1, 0, 30))
    scheduled("Last month", local(NEXT_YEAR, 2, 28, 23, 30))


def test_each_day_counts_its_posts_and_approved_stories(editor_client, known_month):
    response = editor_client.get(month_url(NEXT_YEAR, 3))
    assert response.status_code == 200
    assert counts(response) == {
        3: {"scheduled": 2, "draft": 1},
        5: {"story": 1},
        10: {"scheduled": 1},
        20: {"draft": 1},
    }
    assert titles_on(response, 3) == ["Planned draft", "Morning post", "Late post"]
    html = response.content.decode()
    assert "In the trash" not in html and "Still in review" not in html and "being imported" not in html
    assert "Next month" not in html and "Last month" not in html


def test_each_entry_is_labelled_with_its_kind_in_words_and_links_to_its_admin_page(editor_client, known_month):
    response = editor_client.get(month_url(NEXT_YEAR, 3))
    html = response.content.decode()
    post = Post.objects.get(title="Tenth")
    story = Story.objects.get(title="An approved story")
    assert f'<a href="{reverse("admin:series_post_change", args=[post.pk])}">Tenth</a>' in html
    assert f'<a href="{reverse("admin:stories_story_change", args=[story.pk])}">An approved story</a>' in html
    for label in ("Scheduled</span>", "Draft</span>", "Approved story</span>"):
        assert 'class="cal-kind cal-kind-' in html and label in html
    assert '<th scope="col"><abbr title="Monday">Mon</abbr></th>' in html
    assert "<caption" in html and 'id="day-' in html


def test_published_posts_stand_on_their_day_and_a_scheduled_post_whose_time_came_counts_as_published(editor_client):
    PostFactory(title="Went out", publish_at=local(PAST_YEAR, 1, 14, 7))
    scheduled("Went out by itself", local(PAST_YEAR, 1, 14, 18))
    response = editor_client.get(month_url(PAST_YEAR, 1))
    assert counts(response) == {14: {"published": 2}}
    assert all(item.form is None for item in response.context["month"].items())  # nothing there can be moved


@pytest.mark.parametrize("zone", ["Africa/Johannesburg", "Pacific/Auckland", "America/Los_Angeles"])
def test_a_post_at_half_past_eleven_at_night_belongs_to_its_local_day_and_month(editor_client, settings, zone):
    settings.TIME_ZONE = zone
    PostFactory(title="Last thing in January", publish_at=local(PAST_YEAR, 1, 31, 23, 30))
    PostFactory(title="First thing in February", publish_at=local(PAST_YEAR, 2, 1, 0, 30))
    january = editor_client.get(month_url(PAST_YEAR, 1))
    february = editor_client.get(month_url(PAST_YEAR, 2))
    assert counts(january) == {31: {"published": 1}} and titles_on(january, 31) == ["Last thing in January"]
    assert counts(february) == {1: {"published": 1}} and titles_on(february, 1) == ["First thing in February"]
    assert ">23:30</time>" in january.content.decode()


def test_a_draft_without_a_date_stands_on_the_day_it_was_last_changed(editor_client):
    draft("Changed late", changed=local(PAST_YEAR, 5, 31, 23, 45))
    may = editor_client.get(month_url(PAST_YEAR, 5))
    assert counts(may) == {31: {"draft": 1}}
    assert counts(editor_client.get(month_url(PAST_YEAR, 6))) == {}


def mondays(year: int, month: int) -> list[datetime.date]:
    weeks = stdlib_calendar.Calendar().monthdatescalendar(year, month)
    return [week[0] for week in weeks if week[0].month == month]


def test_each_column_day_is_marked_and_an_empty_one_is_a_gap_with_a_link_to_schedule_into_it(editor_client):
    column = SeriesFactory(title="Mental Floss Mondays", kind=Series.Kind.COLUMN, cadence_weekday=0)
    SeriesFactory(kind=Series.Kind.COLUMN)  # no cadence: no days
    days = mondays(NEXT_YEAR, 3)
    scheduled("Filled", local(NEXT_YEAR, 3, days[1].day, 9), series=column)
    draft("Drafted", publish_at=local(NEXT_YEAR, 3, days[2].day, 9), series=column)
    scheduled("Other series that day", local(NEXT_YEAR, 3, days[0].day, 9), series=SeriesFactory())

    response = editor_client.get(month_url(NEXT_YEAR, 3))
    month = response.context["month"]
    slots = {day.date: day.slots for day in month.days() if day.slots}
    assert sorted(slots) == days
    shown = [(series.title, slot.post.title if slot.post else None) for day in days for series, slot in slots[day]]
    assert shown == [
        ("Mental Floss Mondays", None),
        ("Mental Floss Mondays", "Filled"),
        ("Mental Floss Mondays", "Drafted"),
    ] + [("Mental Floss Mondays", None)] * (len(days) - 3)
    assert sum(day.gaps for day in month.days()) == len(days) - 2
    html = response.content.decode()
    add = f"{reverse('admin:series_post_add')}?series={column.pk}&amp;publish_at={days[0].isoformat()}"
    assert f'<a href="{add}">Schedule a post' in html
    assert "(a draft, not scheduled yet)" in html
    assert html.count('class="cal-item cal-item-gap"') == len(days) - 2


def test_a_gap_in_the_past_offers_no_link_to_schedule_into_it(editor_client):
    SeriesFactory(kind=Series.Kind.COLUMN, cadence_weekday=2)
    response = editor_client.get(month_url(PAST_YEAR, 4))
    gaps = [slot for day in response.context["month"].days() for _series, slot in day.slots]
    assert gaps and all(slot.post is None and slot.add_url == "" for slot in gaps)
    assert "Schedule a post" not in response.content.decode()


def test_the_calendar_opens_on_this_month_with_links_to_the_months_either_side(editor_client):
    today = timezone.localdate()
    response = editor_client.get(reverse("admin:calendar"))
    assert response.context["month"].first == today.replace(day=1)
    html = editor_client.get(month_url(NEXT_YEAR, 1)).content.decode()
    assert f'href="{month_url(NEXT_YEAR - 1, 12)}" rel="prev"' in html
    assert f'href="{month_url(NEXT_YEAR, 2)}" rel="next"' in html
    assert f"Editorial calendar</a> › January {NEXT_YEAR}" in html  # the breadcrumbs


@pytest.mark.parametrize("path", ["/admin/calendar/2026/13/", "/admin/calendar/2026/0/", "/admin/calendar/1/1/"])
def test_a_month_that_does_not_exist_is_not_found(editor_client, path):
    assert editor_client.get(path).status_code == 404


def test_the_dashboard_and_the_header_link_to_the_calendar(editor_client):
    html = editor_client.get(reverse("admin:index")).content.decode()
    assert html.count(f'href="{reverse("admin:calendar")}"') == 2


# Who may see it ----------------------------------------------------------------------------------------------


def test_staff_without_the_editors_permissions_are_refused(client):
    client.force_login(UserFactory(is_staff=True))
    assert client.get(reverse("admin:calendar")).status_code == 403
    assert client.post(reverse("admin:calendar"), {"post": 1}).status_code == 403
    assert 'href="/admin/calendar/"' not in client.get(reverse("admin:index")).content.decode()


def test_a_visitor_is_sent_to_sign_in(client):
    response = client.get(reverse("admin:calendar"))
    assert response.status_code == 302 and response.url.startswith(reverse("admin:login"))


# Moving a scheduled post ---------------------------------------------------------------------------------------


@pytest.fixture
def planned():
    return scheduled("On the move", local(NEXT_YEAR, 3, 10, 9))


def move(client, post_id, date: str, time: str = "18:15", month=(NEXT_YEAR, 3)):
    return client.post(month_url(*month), {"post": post_id, "date": date, "time": time})


def test_a_scheduled_post_is_given_a_new_date_and_time(editor_client, editor, planned):
    response = move(editor_client, planned.pk, f"{NEXT_YEAR}-04-02")
    assert response.status_code == 302
    assert response.url == f"{month_url(NEXT_YEAR, 4)}#day-{NEXT_YEAR}-04-02"
    planned.refresh_from_db()
    assert planned.status == Post.Status.SCHEDULED and planned.publish_at == local(NEXT_YEAR, 4, 2, 18, 15)
    revision = planned.revisions.latest("saved_at")
    assert revision.saved_by == editor and revision.note == "Scheduled"
    page = editor_client.get(response.url).content.decode()
    assert "“On the move” now goes live on " in page and f"2 Apr {NEXT_YEAR} at 18:15" in page


def test_each_scheduled_post_has_its_own_move_form_filled_with_its_time(editor_client, planned):
    html = editor_client.get(month_url(NEXT_YEAR, 3)).content.decode()
    assert f'id="id_move_{planned.pk}_date"' in html and f'value="{NEXT_YEAR}-03-10"' in html
    assert 'type="time" name="time" value="09:00"' in html
    assert 'name="csrfmiddlewaretoken"' in html


def assert_unchanged(post: Post) -> None:
    before = (post.status, post.publish_at)
    post.refresh_from_db()
    assert (post.status, post.publish_at) == before


def test_a_moment_in_the_past_is_refused_and_what_was_typed_is_kept(editor_client, planned):
    response = move(editor_client, planned.pk, "2020-01-02", "07:45")
    assert response.status_code == 200
    assert_unchanged(planned)
    html = response.content.decode()
    assert "That moment has passed" in html and "The post was not moved" in html
    assert 'value="2020-01-02"' in html and 'value="07:45"' in html
    assert '<details class="cal-move" open>' in html


@pytest.mark.parametrize(
    "date, time",
    [
        (f"{NEXT_YEAR}-02-30", "09:00"),
        ("next tuesday", "09:00"),
        ("", "09:00"),
        (f"{NEXT_YEAR}-04-02", "25:61"),
        ("99999-01-01", "09:00"),
    ],
)
def test_a_malformed_date_or_time_is_refused_with_a_message_beside_the_form(editor_client, planned, date, time):
    response = move(editor_client, planned.pk, date, time)
    assert response.status_code == 200
    assert_unchanged(planned)
    html = response.content.decode()
    assert "The post was not moved" in html and 'class="errorlist' in html
    assert f'value="{date}"' in html or date == ""


@pytest.mark.parametrize("change", ["publish", "unpublish", "trash"])
def test_a_post_that_is_not_scheduled_any_more_is_refused(editor_client, planned, change):
    if change == "publish":
        planned.publish_now()
    elif change == "unpublish":
        planned.unpublish()
    else:
        planned.trash()
    planned.refresh_from_db()
    response = move(editor_client, planned.pk, f"{NEXT_YEAR}-04-02", month=(NEXT_YEAR, 3))
    assert response.status_code == 200
    assert_unchanged(planned)
    html = response.content.decode()
    assert "Nothing was changed." in html


def test_a_scheduled_post_already_live_is_not_moved(editor_client):
    live = scheduled("Went out by itself", local(PAST_YEAR, 6, 1))
    response = move(editor_client, live.pk, f"{NEXT_YEAR}-04-02", month=(PAST_YEAR, 6))
    assert response.status_code == 200
    assert_unchanged(live)
    assert "is not scheduled any more (published already). Nothing was changed." in response.content.decode()


@pytest.mark.parametrize("post_id", ["999999", "abc", "", "-1", "1e9", "9" * 30, str(2**63 - 1)])
def test_a_forged_post_id_is_refused_with_a_message(editor_client, planned, post_id):
    response = move(editor_client, post_id, f"{NEXT_YEAR}-04-02")
    assert response.status_code == 200
    assert_unchanged(planned)
    assert "Nothing was changed." in response.content.decode()


def test_a_move_without_the_csrf_token_is_refused(editor, planned):
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    assert move(client, planned.pk, f"{NEXT_YEAR}-04-02").status_code == 403
    assert_unchanged(planned)


def test_staff_who_may_see_posts_but_not_change_them_cannot_move_one(client, planned):
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(
        *Permission.objects.filter(
            codename__in=["view_post", "view_story"], content_type__app_label__in=["series", "stories"]
        )
    )
    client.force_login(viewer)
    html = client.get(month_url(NEXT_YEAR, 3)).content.decode()
    assert "On the move" in html and "cal-move" not in html
    assert move(client, planned.pk, f"{NEXT_YEAR}-04-02").status_code == 403
    assert_unchanged(planned)


# Queries ---------------------------------------------------------------------------------------------------------


def calendar_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def fill_month(count: int, start: int) -> None:
    contributor = ContributorFactory()
    column = SeriesFactory(kind=Series.Kind.COLUMN, cadence_weekday=start % 7)
    posts = []
    for n in range(count):
        day = 1 + n % 28
        kind = n % 3
        posts.append(
            Post(
                title=f"Post {start + n}",
                slug=f"post-{start + n}",
                contributor=contributor,
                body="Text.",
                series=column if n % 5 == 0 else None,
                status=[Post.Status.SCHEDULED, Post.Status.DRAFT, Post.Status.PUBLISHED][kind],
                publish_at=local(NEXT_YEAR, 3, day, n % 24),
            )
        )
    Post.objects.bulk_create(posts)
    Story.objects.bulk_create(
        StoryFactory.build_batch(
            count, status=S.APPROVED, approved_at=local(NEXT_YEAR, 3, 15), status_changed_at=local(NEXT_YEAR, 3, 15)
        )
    )


def test_a_month_takes_one_query_for_posts_one_for_stories_and_one_for_columns(django_assert_num_queries):
    fill_month(5, 0)
    with django_assert_num_queries(3):
        month = calendar.month_of(NEXT_YEAR, 3, can_add=True)
    assert len(month.items()) == 10 and any(day.slots for day in month.days())


def test_the_query_count_does_not_grow_with_the_number_of_posts_and_stories(editor_client):
    url = month_url(NEXT_YEAR, 3)
    fill_month(5, 0)
    few = calendar_queries(editor_client, url)
    fill_month(495, 5)
    assert len(editor_client.get(url).context["month"].items()) == 1000
    assert calendar_queries(editor_client, url) == few
