"""The editors' desk in Chromium: the queue's deciding columns and the dashboard fit a laptop and a phone."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from playwright.sync_api import Page, expect

from series.models import ContentNote, Series
from stories.models import Story
from tests.conftest import reseed
from tests.e2e.accessibility import assert_accessible, fits_the_screen
from tests.factories import PostFactory, SeriesFactory, StoryFactory, UserFactory

LAPTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
FIRST_COLUMNS = ["urgent_mark", "days_waiting", "writer_wrote"]


@pytest.fixture
def desk(live_server, transactional_db):
    reseed()
    editors = Group.objects.get(name="Editors")
    editor = UserFactory(username="nomsa", is_staff=True)
    editor.groups.add(editors)
    notes = list(ContentNote.objects.all()[:4])
    long_ago = timezone.now() - datetime.timedelta(days=20)
    for n, urgent in enumerate([True, False, False, True, False]):
        story = StoryFactory(
            title=f"A long title about the year everything slowed down and the tablets stayed, part {n}",
            urgent=urgent,
            flag_crisis=urgent,
            flag_medication=True,
            flag_identity=True,
            assigned_to=editor if n % 2 else None,
        )
        story.content_notes.set(notes)
    Story.objects.filter(urgent=False).update(status_changed_at=long_ago)
    return live_server


def sign_in_on(page: Page, url: str) -> None:
    page.goto(url + "/admin/login/")
    page.get_by_label("Username").fill("nomsa")
    page.get_by_label("Password").fill("a-long-test-password-42")
    page.get_by_role("button", name="Log in").click()


def sign_in(browser, url: str, viewport: dict) -> Page:
    page = browser.new_context(viewport=viewport).new_page()
    sign_in_on(page, url)
    return page


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["1280px", "390px"])
def test_the_queue_shows_urgent_days_waiting_and_writer_wrote_without_scrolling_sideways(browser, desk, viewport):
    page = sign_in(browser, desk.url, viewport)
    page.goto(desk.url + "/admin/stories/story/")
    expect(page.locator("#result_list tbody tr")).to_have_count(5)
    assert fits_the_screen(page)
    for column in FIRST_COLUMNS:
        cells = page.locator(f"#result_list .column-{column}, #result_list .field-{column}")
        assert cells.count() == 6  # the heading and five stories
        for box in (cells.nth(i).bounding_box() for i in range(cells.count())):
            assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"], (column, box)
    first_row = page.locator("#result_list tbody tr").first
    expect(first_row.locator(".field-urgent_mark")).to_have_text("⚠ Urgent")

    page.get_by_role("navigation", name="Quick filters").get_by_role("link", name="Assigned to me").click()
    expect(page.locator("#result_list tbody tr")).to_have_count(2)
    assert fits_the_screen(page)
    assert_accessible(page)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_dashboard_fits_a_phone_and_passes_axe(browser, desk, scheme):
    PostFactory(title="A scheduled post with a rather long title that has to wrap on a phone", scheduled=True)
    column = SeriesFactory(title="Mental Floss Mondays", kind=Series.Kind.COLUMN, cadence_weekday=0)
    first_slot = column.next_slots(today=timezone.localdate())[0]
    page = browser.new_context(viewport=PHONE, color_scheme=scheme).new_page()
    sign_in_on(page, desk.url)
    expect(page.get_by_role("heading", name="What waits for the editors")).to_be_visible()
    expect(page.locator(".desk-oldest")).to_contain_text("past the promise")
    expect(page.locator(".desk-figures")).to_contain_text("“Write to us” messages wait")
    assert fits_the_screen(page)
    assert_accessible(page)

    expect(page.locator(".desk-slots .desk-gap")).to_have_count(4)

    page.get_by_role("link", name=f"Add a post for {first_slot:%a} {first_slot.day} {first_slot:%b}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add post")
    expect(page.locator("#id_publish_at_0")).to_have_value(first_slot.isoformat())
    expect(page.locator("#id_series")).to_have_value(str(column.pk))
    assert fits_the_screen(page)

    page.go_back()
    page.get_by_role("link", name="2 urgent").click()
    expect(page.locator("#result_list tbody tr")).to_have_count(2)
