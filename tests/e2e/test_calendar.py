"""The editorial calendar in Chromium: reached from the admin's header, readable at 1280 px and 390 px in light and
dark mode with no serious axe finding, and a scheduled post moved from it with its own small form."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from playwright.sync_api import expect

from series.models import Post, Series
from tests.conftest import reseed
from tests.e2e.accessibility import assert_accessible, fits_the_screen
from tests.factories import PostFactory, SeriesFactory, StoryFactory, UserFactory

LAPTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def next_month(day: int, hour: int = 9, minute: int = 0) -> datetime.datetime:
    first = (timezone.localdate().replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
    return timezone.make_aware(datetime.datetime.combine(first.replace(day=day), datetime.time(hour, minute)))


@pytest.fixture
def planned(live_server, transactional_db):
    reseed()
    editor = UserFactory(username="thandi", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    column = SeriesFactory(title="Mental Floss Mondays", kind=Series.Kind.COLUMN, cadence_weekday=0)
    PostFactory(
        title="A scheduled post with a rather long title that has to wrap in a narrow day",
        status=Post.Status.SCHEDULED,
        publish_at=next_month(10),
        series=column,
    )
    PostFactory(title="A draft for later", draft=True)
    PostFactory(title="Out last week", publish_at=timezone.now() - datetime.timedelta(days=7))
    StoryFactory(title="An approved story waiting for its post", status="approved", approved_at=timezone.now())
    return live_server


@pytest.mark.parametrize("viewport, scheme", [(LAPTOP, "light"), (PHONE, "dark")], ids=["1280px-light", "390px-dark"])
def test_an_editor_reads_the_calendar_and_moves_a_scheduled_post(browser, planned, viewport, scheme):
    page = browser.new_context(viewport=viewport, color_scheme=scheme).new_page()
    page.goto(planned.url + "/admin/login/")
    page.get_by_label("Username").fill("thandi")
    page.get_by_label("Password").fill("a-long-test-password-42")
    page.get_by_role("button", name="Log in").click()

    page.get_by_role("navigation", name="Editors’ pages").get_by_role("link", name="Editorial calendar").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Editorial calendar")
    expect(page.locator(".cal-item-story")).to_contain_text("Approved story")
    expect(page.locator(".cal-item-draft")).to_contain_text("A draft for later")
    assert fits_the_screen(page)
    assert_accessible(page)

    page.get_by_role("link", name="→").click()  # the next month
    post = page.locator(".cal-item-scheduled")
    expect(post).to_contain_text("Scheduled")
    expect(page.locator(".cal-item-gap").first).to_contain_text("Gap")
    assert fits_the_screen(page)
    assert_accessible(page)

    target = next_month(20, 18, 30)
    post.locator("summary").click()
    post.get_by_label("New date").fill(target.date().isoformat())
    post.get_by_label("Time").fill("18:30")
    assert_accessible(page)  # the open form too
    post.get_by_role("button", name="Move").click()

    expect(page.locator(".messagelist")).to_contain_text("now goes live on")
    expect(page.locator(f"#day-{target.date().isoformat()} .cal-item-scheduled")).to_contain_text("18:30")
    moved = Post.objects.get(status=Post.Status.SCHEDULED)
    assert moved.publish_at == target
    assert fits_the_screen(page)
