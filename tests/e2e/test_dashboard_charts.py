"""The dashboard's charts in Chromium: they pass axe in the light and the dark theme, fit a phone, draw in the
theme's colours, and give the README its screenshot of the dashboard (`make screenshots`)."""

import datetime
import os
import re
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from playwright.sync_api import Page, expect

from series.models import Comment, Series
from stories.models import Story, StoryEvent, StoryMessage
from tests.conftest import reseed
from tests.e2e.accessibility import assert_accessible, fits_the_screen
from tests.factories import CommentFactory, PostFactory, SeriesFactory, StoryFactory, UserFactory

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
S = Story.Status
# Twelve weeks, oldest first: stories received, decided, days to the first reply, comments.
RECEIVED = [3, 5, 2, 4, 6, 3, 0, 4, 7, 5, 3, 2]
DECIDED = [1, 3, 2, 2, 4, 0, 1, 0, 5, 4, 3, 1]
WAIT_DAYS = [9, 6, 4, 5, 3, None, 8, 4, 2, 3, 2, 1]
COMMENTS = [4, 9, 6, 12, 8, 5, 3, 10, 14, 9, 11, 4]


@pytest.fixture
def charted(live_server, transactional_db):
    """An editor, a few stories waiting, and twelve weeks of stories, replies, decisions and comments."""
    reseed()
    editor = UserFactory(username="nomsa", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    now = timezone.now()
    monday = timezone.localdate() - datetime.timedelta(days=timezone.localdate().weekday())
    post = PostFactory(title="The worry window")
    for n in range(12):
        day = monday - datetime.timedelta(weeks=11 - n)
        week = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)))
        stories = [StoryFactory(title=f"Week {n} story {i}") for i in range(RECEIVED[n])]
        Story.objects.filter(pk__in=[s.pk for s in stories]).update(submitted_at=min(week, now))
        if n < 10:  # the older ones are long since dealt with
            Story.objects.filter(pk__in=[s.pk for s in stories]).update(status=S.DECLINED)
        for i in range(DECIDED[n]):
            decided = StoryFactory(title=f"Decided {n}.{i}", status=S.PUBLISHED if i % 3 else S.DECLINED)
            waited = datetime.timedelta(days=WAIT_DAYS[n] + i % 3)  # a decision is a reply, if the first
            Story.objects.filter(pk=decided.pk).update(submitted_at=min(week, now) - waited)
            StoryEvent.objects.create(
                story=decided,
                from_status=S.IN_REVIEW,
                to_status=S.APPROVED if i % 3 else S.DECLINED,
                created=min(week, now),
                actor=editor,
            )
        if WAIT_DAYS[n] is not None:
            answered = StoryFactory(title=f"Answered {n}", status=S.IN_REVIEW)
            Story.objects.filter(pk=answered.pk).update(
                submitted_at=min(week, now) - datetime.timedelta(days=WAIT_DAYS[n])
            )
            StoryMessage.objects.create(story=answered, from_editor=True, body="Thank you", created=min(week, now))
        for i in range(COMMENTS[n]):
            status = Comment.Status.PENDING if i % 4 == 0 else Comment.Status.APPROVED
            CommentFactory(post=post, created=min(week, now), status=status)
    waiting = StoryFactory(title="Waiting since last week", urgent=True, flag_crisis=True)
    Story.objects.filter(pk=waiting.pk).update(status_changed_at=now - datetime.timedelta(days=9))
    SeriesFactory(title="Mental Floss Mondays", kind=Series.Kind.COLUMN, cadence_weekday=0)
    PostFactory(title="Sleep, and what finally helped", scheduled=True)
    return live_server


def signed_in(browser, url: str, **context) -> Page:
    page = browser.new_context(**context).new_page()
    page.goto(url + "/admin/login/")
    page.get_by_label("Username").fill("nomsa")
    page.get_by_label("Password").fill("a-long-test-password-42")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="The last twelve weeks")).to_be_visible()
    return page


def rgb(colour: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", colour)[:3])


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_charts_pass_axe_and_follow_the_theme(browser, charted, scheme):
    page = signed_in(browser, charted.url, viewport=DESKTOP, color_scheme=scheme)
    charts = page.get_by_role("img", name=re.compile("Stories received and decided|first reply|Comments per week"))
    expect(charts).to_have_count(3)
    for summary in page.locator(".chart-numbers summary").all():
        summary.click()  # the tables are checked open too
    expect(page.get_by_role("table", name="Comments per week, week by week")).to_be_visible()
    assert_accessible(page)

    text = rgb(page.locator(".chart-svg text").first.evaluate("t => getComputedStyle(t).fill"))
    background = rgb(page.evaluate("getComputedStyle(document.body).backgroundColor"))
    assert (sum(text) > sum(background)) == (scheme == "dark"), (text, background)
    bar = rgb(page.locator(".chart-bar.chart-filled").first.evaluate("b => getComputedStyle(b).fill"))
    assert bar != background


def test_the_charts_fit_a_phone(browser, charted):
    page = signed_in(browser, charted.url, viewport=PHONE)
    assert fits_the_screen(page)
    for box in (svg.bounding_box() for svg in page.locator(".chart-svg").all()):
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"] and box["height"] > 150, box


def test_screenshot_of_the_dashboard(browser, charted, tmp_path):
    """The README's screenshot of the dashboard; `make screenshots` writes it into docs/screenshots."""
    target = SCREENSHOTS if os.environ.get("OLE_UPDATE_SCREENSHOTS") else tmp_path
    target.mkdir(parents=True, exist_ok=True)
    page = signed_in(browser, charted.url, viewport=DESKTOP, color_scheme="light")
    bottom = page.locator(".desk-charts").evaluate("section => section.getBoundingClientRect().bottom + scrollY")
    clip = {"x": 0, "y": 0, "width": DESKTOP["width"], "height": bottom + 16}  # the app list left out
    page.screenshot(path=str(target / "dashboard.png"), full_page=True, clip=clip)
    assert (target / "dashboard.png").stat().st_size > 10_000
