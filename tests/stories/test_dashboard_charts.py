"""The dashboard's charts: weekly counts and the median first reply against known data, empty weeks, the week's
start in the site's time zone, and SVG that parses as XML and draws exactly the numbers of its table."""

import datetime
import re
import xml.etree.ElementTree as ET

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from series.models import Comment
from stories import insight
from stories.models import Story, StoryEvent, StoryMessage
from tests.factories import CommentFactory, PostFactory, StoryFactory, UserFactory

pytestmark = pytest.mark.django_db

S = Story.Status
INDEX = reverse("admin:index")
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(autouse=True)
def site_time_zone(settings):
    settings.TIME_ZONE = "Africa/Johannesburg"  # UTC+2 all year: a local Monday starts on Sunday at 22:00 UTC


@pytest.fixture
def weeks() -> list[datetime.date]:
    return insight.week_starts(timezone.localdate(timezone=timezone.get_default_timezone()))


def at(day: datetime.date, hour: int = 10, minute: int = 0, *, days: float = 0) -> datetime.datetime:
    """A local time of the site on `day`, `days` later."""
    moment = datetime.datetime.combine(day, datetime.time(hour, minute))
    return timezone.make_aware(moment, timezone.get_default_timezone()) + datetime.timedelta(days=days)


def submitted(when: datetime.datetime, **fields) -> Story:
    story = StoryFactory(**fields)
    Story.objects.filter(pk=story.pk).update(submitted_at=when)
    story.refresh_from_db()
    return story


def step(story: Story, from_status: str, to_status: str, when: datetime.datetime, **fields) -> StoryEvent:
    return StoryEvent.objects.create(story=story, from_status=from_status, to_status=to_status, created=when, **fields)


def message(story: Story, when: datetime.datetime, *, from_editor: bool = True) -> StoryMessage:
    return StoryMessage.objects.create(story=story, from_editor=from_editor, body="Thank you.", created=when)


def weekly() -> insight.Weekly:
    return insight.gather_weekly(with_comments=True)


def only(empty, **at_index) -> list:
    """Twelve weeks' values: those given by index (w0 the oldest week), every other week `empty`."""
    expected = [empty] * insight.WEEKS
    for key, value in at_index.items():
        expected[int(key.removeprefix("w"))] = value
    return expected


def test_the_twelve_weeks_start_on_mondays_and_end_with_this_one():
    weeks = insight.week_starts(datetime.date(2026, 12, 3))  # a Thursday
    assert len(weeks) == 12 and all(week.weekday() == 0 for week in weeks)
    assert weeks[-1] == datetime.date(2026, 11, 30) and weeks[0] == datetime.date(2026, 9, 14)
    assert insight.week_starts(datetime.date(2026, 11, 30))[-1] == datetime.date(2026, 11, 30)


def test_stories_received_are_counted_in_the_week_they_arrived(weeks):
    submitted(at(weeks[2]), title="Monday")
    submitted(at(weeks[2], days=6))  # the Sunday of the same week
    submitted(at(weeks[5]), status=S.DECLINED)
    submitted(at(weeks[0], days=-1))  # the Sunday before the twelve weeks
    assert weekly().received == only(0, w2=2, w5=1)


def test_a_week_starts_at_midnight_on_monday_in_the_site_time_zone(weeks):
    submitted(at(weeks[4], 0, 30))  # 22:30 UTC on the Sunday
    submitted(at(weeks[4], 23, 30, days=-1))  # the Sunday, local time
    assert at(weeks[4], 0, 30).astimezone(datetime.UTC).weekday() == 6
    assert weekly().received == only(0, w3=1, w4=1)


def test_stories_decided_are_those_approved_or_declined_that_week(weeks):
    approved, declined, both = StoryFactory.create_batch(3)
    step(approved, S.IN_REVIEW, S.APPROVED, at(weeks[5]))
    step(declined, S.IN_REVIEW, S.DECLINED, at(weeks[5], days=3))
    step(both, S.IN_REVIEW, S.APPROVED, at(weeks[7]))
    step(both, S.APPROVED, S.DECLINED, at(weeks[7], days=1))  # one story decided once in a week
    step(approved, S.APPROVED, S.APPROVED, at(weeks[6]), editors_only=True, message="Urgent mark cleared: fine")
    step(declined, S.SUBMITTED, S.IN_REVIEW, at(weeks[4]))
    step(declined, S.IN_REVIEW, S.CHANGES_REQUESTED, at(weeks[4], days=1))
    step(approved, S.APPROVED, S.PUBLISHED, at(weeks[8]))
    step(approved, S.IN_REVIEW, S.DECLINED, at(weeks[0], days=-2))  # before the twelve weeks
    assert weekly().decided == only(0, w5=2, w7=1)


@pytest.fixture
def replies(weeks):
    """Stories first answered in weeks[8] after 3, 2.5 and 14 days (median 3), in weeks[9] after 1 and 2 days
    (median 1.5), and some that do not count."""
    by_message = submitted(at(weeks[8], days=-2))
    message(by_message, at(weeks[8], days=1))  # 3 days
    step(by_message, S.IN_REVIEW, S.DECLINED, at(weeks[9]))

    by_step = submitted(at(weeks[8]))
    step(by_step, S.SUBMITTED, S.IN_REVIEW, at(weeks[8], 11))  # taking into review sends nothing
    step(by_step, S.IN_REVIEW, S.CHANGES_REQUESTED, at(weeks[8], 22, days=2))  # 2.5 days

    slow = submitted(at(weeks[8], days=-10), urgent=True)
    message(slow, at(weeks[7]), from_editor=False)  # the writer wrote: not a reply
    step(slow, S.SUBMITTED, S.SUBMITTED, at(weeks[7]), editors_only=True, message="Urgent mark cleared: fine")
    step(slow, S.IN_REVIEW, S.APPROVED, at(weeks[8], days=4))  # 14 days

    step_first = submitted(at(weeks[9]))
    step(step_first, S.IN_REVIEW, S.CHANGES_REQUESTED, at(weeks[9], days=1))  # 1 day
    message(step_first, at(weeks[9], days=3))
    message_only = submitted(at(weeks[9]))
    message(message_only, at(weeks[9], days=2))  # 2 days

    answered_long_ago = submitted(at(weeks[0], days=-20))
    step(answered_long_ago, S.IN_REVIEW, S.CHANGES_REQUESTED, at(weeks[0], days=-3))
    step(answered_long_ago, S.IN_REVIEW, S.APPROVED, at(weeks[9]))  # not its first reply
    unanswered = submitted(at(weeks[8]))
    step(unanswered, S.SUBMITTED, S.IN_REVIEW, at(weeks[8], days=1))
    resubmitted = submitted(at(weeks[6]), status=S.SUBMITTED)
    step(resubmitted, S.CHANGES_REQUESTED, S.SUBMITTED, at(weeks[6], days=2), by_writer=True)


def test_the_median_days_to_a_first_reply_is_per_week_of_the_reply(replies):
    assert weekly().median_reply_days == only(None, w8=3.0, w9=1.5)


def test_a_withdrawn_story_keeps_its_first_reply_in_the_median(weeks):
    story = submitted(at(weeks[10]))
    step(story, S.IN_REVIEW, S.APPROVED, at(weeks[10], 22, days=1))
    message(story, at(weeks[10], 22, days=1))
    story.withdraw()  # its messages go; its history lines stay, without their words
    assert not story.messages.exists()
    assert weekly().median_reply_days == only(None, w10=1.5)


def test_comments_received_and_shown_per_week(weeks):
    post = PostFactory()
    day = at(weeks[3], days=2)
    CommentFactory(post=post, created=day)
    CommentFactory(post=post, created=day, status=Comment.Status.PENDING)
    CommentFactory(post=post, created=day, status=Comment.Status.TAKEN_DOWN)
    CommentFactory(post=post, created=day, trashed_at=timezone.now())
    CommentFactory(post=PostFactory(trashed_at=timezone.now()), created=day)
    CommentFactory(post=post, created=day, status=Comment.Status.SPAM)
    CommentFactory(post=post, created=day, kind=Comment.Kind.PINGBACK, source_url="https://example.org/a")
    CommentFactory(post=post, created=at(weeks[10]))
    CommentFactory(post=post, created=at(weeks[0], days=-1))
    figures = weekly()
    assert figures.comments_received == only(0, w3=5, w10=1)
    assert figures.comments_shown == only(0, w3=1, w10=1)


def test_empty_weeks_count_zero_and_have_no_median(editor_client):
    figures = weekly()
    assert figures.received == figures.decided == figures.comments_received == [0] * 12
    assert figures.median_reply_days == [None] * 12
    html = editor_client.get(INDEX).content.decode()
    [median_table] = [table for table in tables(html) if "first reply" in table[0]]
    assert [cells for _week, cells in median_table[1]] == [["—"]] * 12


# The page: SVG that parses, and marks that draw the table's numbers ------------------------------------------


def figures_on(html: str) -> list[ET.Element]:
    blocks = re.findall(r"<figure class=\"chart\".*?</figure>", html, re.S)
    return [ET.fromstring(block) for block in blocks]  # noqa: S314 (our own page)


def tables(html: str) -> list[tuple[str, list[tuple[str, list[str]]]]]:
    """Each chart's table: its caption and rows of (week, values)."""
    result = []
    for figure in figures_on(html):
        table = figure.find(".//table")
        rows = [(row.find("th").text, [cell.text for cell in row.findall("td")]) for row in table.iter("tr")]
        result.append((table.find("caption").text, rows[1:]))
    return result


def value_axis(svg: ET.Element) -> tuple[float, float]:
    """The baseline's y and the height of one unit, read from the value axis' ticks."""
    ticks = [(float(t.get("y")), float(t.text)) for t in svg.iter(f"{SVG}text") if t.get("class") == "chart-value-tick"]
    (base, zero), (top, most) = ticks[0], ticks[-1]
    assert zero == 0 and most > 0
    return base, (base - top) / most


@pytest.fixture
def busy_weeks(weeks, replies):
    for n, count in enumerate([1, 0, 3, 0, 0, 7, 2, 0, 0, 4, 0, 1]):
        for _ in range(count):
            submitted(at(weeks[n], days=1))
    for _ in range(3):
        step(submitted(at(weeks[11], 9)), S.IN_REVIEW, S.APPROVED, at(weeks[11], 10))  # an hour: 0.0 days
    post = PostFactory()
    for n in (1, 1, 1, 6):
        CommentFactory(post=post, created=at(weeks[n]))
    CommentFactory(post=post, created=at(weeks[6]), status=Comment.Status.PENDING)


def test_each_chart_is_an_svg_image_with_a_title_a_description_and_axis_labels(editor_client, busy_weeks):
    figures = figures_on(editor_client.get(INDEX).content.decode())
    assert len(figures) == 3
    for figure in figures:
        svg = figure.find(f"{SVG}svg")
        assert svg.get("role") == "img" and svg.get("width") == "100%" and svg.get("viewBox")
        title, desc = svg.find(f"{SVG}title"), svg.find(f"{SVG}desc")
        assert svg.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
        assert title.text and "The table gives each week." in desc.text
        labels = [t.text for t in svg.iter(f"{SVG}text") if t.get("class") == "chart-axis-label"]
        assert labels[0] == "Week starting (Monday)" and labels[1] in ("Stories", "Days", "Comments")
        assert figure.find(".//details/table/caption").text.startswith(title.text)


def test_the_bars_draw_the_numbers_in_the_table(editor_client, busy_weeks):
    html = editor_client.get(INDEX).content.decode()
    drawn = 0
    for figure, (caption, rows) in zip(figures_on(html), tables(html), strict=True):
        svg = figure.find(f"{SVG}svg")
        bars = [rect for rect in svg.iter(f"{SVG}rect") if "chart-bar" in rect.get("class", "")]
        if not bars:
            continue
        base, unit = value_axis(svg)
        columns = len(rows[0][1])
        assert len(bars) == 12 * columns
        for n, bar in enumerate(bars):
            y, height = float(bar.get("y")), float(bar.get("height"))
            assert y + height == pytest.approx(base, abs=0.15)
            assert height / unit == pytest.approx(int(rows[n // columns][1][n % columns]), abs=0.05), caption
        drawn += 1
    assert drawn == 2
    stories_table = tables(html)[0][1]
    # busy_weeks' stories, and those of `replies` (weeks 6 to 9) and of the three approved this week
    assert [int(values[0]) for _week, values in stories_table] == [1, 0, 3, 0, 0, 7, 4, 1, 2, 6, 0, 4]
    assert [int(values[1]) for _week, values in stories_table] == only(0, w8=1, w9=2, w11=3)


def test_the_line_has_a_point_for_each_median_in_the_table_and_none_for_a_dash(editor_client, busy_weeks):
    html = editor_client.get(INDEX).content.decode()
    [(figure, (_caption, rows))] = [
        pair for pair in zip(figures_on(html), tables(html), strict=True) if "first reply" in pair[1][0]
    ]
    svg = figure.find(f"{SVG}svg")
    base, unit = value_axis(svg)
    points = [(float(c.get("cx")), float(c.get("cy"))) for c in svg.iter(f"{SVG}circle")]
    medians = [values[0] for _week, values in rows]
    assert medians == ["—"] * 8 + ["3", "1.5", "—", "0"]
    assert [(base - y) / unit for _x, y in points] == pytest.approx([3, 1.5, 0], abs=0.05)
    assert points[0][0] < points[1][0] < points[2][0]
    assert [path.get("d").count("L") for path in svg.iter(f"{SVG}path")] == [1, 0]  # broken at the empty week


def test_staff_who_cannot_see_comments_get_no_comments_chart(client):
    user = UserFactory(is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_story"))
    client.force_login(user)
    charts = client.get(INDEX).context["dashboard"].charts
    assert [chart.slug for chart in charts] == ["stories", "first-reply"]
