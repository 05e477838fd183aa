"""The story page is the desk, in Chromium: an editor takes a story from submitted to a scheduled featured post
with the page's own buttons only, in at most ten clicks, and every step's email reaches the writer."""

import datetime
import os
import re

import pytest
from django.contrib.auth.models import Group, User
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from ole.models import OutboundEmail
from ole.outbox import deliver_due
from series.models import Post
from stories.models import EditorialNote, MessageTemplate, Story
from stories.services import writer_reply
from tests.conftest import reseed
from tests.e2e.accessibility import assert_accessible, fits_the_screen
from tests.e2e.test_desk import LAPTOP, PHONE, sign_in
from tests.e2e.test_reading import SCREENSHOTS
from tests.factories import SeriesFactory, StoryFactory, UserFactory

WRITER = "sipho@example.org"
STORY = (
    "The first winter without the tablets I slept in pieces, two hours here and an hour there. I kept a list on "
    "the fridge of the things that helped: cold water, a walk before the sun was up, my sister's voice. "
) * 3


@pytest.fixture
def newsroom(live_server, transactional_db):
    reseed()
    editor = UserFactory(username="nomsa", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    series = SeriesFactory(title="Coming off, slowly")
    story = StoryFactory(title="Sleeping in pieces", body=STORY, email=WRITER, credit_name="Sipho", series=series)
    return live_server, story


def story_page(url: str, story: Story) -> str:
    return f"{url}/admin/stories/story/{story.pk}/change/"


def test_an_editor_takes_a_story_to_a_scheduled_featured_post_from_its_page_in_ten_clicks(browser, newsroom):
    live, story = newsroom
    status_url = live.url + story.get_status_url()
    page = sign_in(browser, live.url, LAPTOP)
    writer = browser.new_context(viewport=PHONE).new_page()
    clicks = 0

    def click(locator) -> None:
        nonlocal clicks
        clicks += 1
        locator.click()

    def steps():
        return page.get_by_role("region", name=re.compile("^Next steps"))

    def told(words: str) -> None:
        expect(page.locator(".messagelist")).to_contain_text(words)
        expect(page).to_have_url(story_page(live.url, story))

    page.goto(story_page(live.url, story))
    assert_accessible(page)
    expect(steps().get_by_role("button")).to_have_text(["Start review", "Assign to me"])
    click(steps().get_by_role("button", name="Start review"))
    told("Taken into review.")

    click(steps().get_by_role("link", name="Request changes…"))
    page.get_by_label("Message").fill("Could you say a little more about your sister's calls?")
    click(page.get_by_role("button", name="Send the request for changes"))
    told("Sent back to the writer for changes")

    # The writer resubmits from their private edit page.
    writer.goto(status_url)
    writer.get_by_role("link", name="Edit my story").click()
    writer.locator("#id_body").fill(STORY + "My sister called every evening at seven, and I waited for it.")
    writer.get_by_role("button", name="Save my changes").click()
    expect(writer.get_by_role("status")).to_contain_text("Your changes are saved")

    page.reload()
    click(steps().get_by_role("button", name="Start review"))
    told("Taken into review.")
    click(steps().get_by_role("link", name="Propose edits…"))
    body = page.locator("textarea[name=body]")
    body.fill(body.input_value().replace("I waited for it.", "I waited for it all day."))
    click(page.get_by_role("button", name="Send the edited version to the writer"))
    told("The edited version is with the writer")

    # The writer approves the edited version.
    writer.goto(status_url)
    writer.get_by_role("button", name="I approve the edited version").click()
    expect(writer.get_by_role("status")).to_contain_text("You approved the edited version")

    page.reload()
    click(steps().get_by_role("link", name="Approve…"))
    click(page.get_by_role("button", name="Approve"))
    told("Approved")

    click(steps().get_by_role("link", name="Promote to a post…"))
    preview = page.get_by_role("region", name="As readers will see it")
    expect(preview.get_by_role("heading", level=1)).to_have_text("Sleeping in pieces")
    expect(preview).to_contain_text("I waited for it all day.")
    expect(preview).to_contain_text("By Sipho, a reader")
    expect(page.get_by_label("Feature it")).to_be_checked()
    assert_accessible(page)
    when = (timezone.localtime() + datetime.timedelta(days=4)).replace(hour=9, minute=0, second=0, microsecond=0)
    page.get_by_label("Or schedule it for").fill(f"{when:%Y-%m-%dT%H:%M}")
    click(page.get_by_role("button", name="Schedule", exact=True))
    told("Scheduled:")

    assert clicks <= 10, clicks
    story.refresh_from_db()
    post = story.post
    assert story.status == Story.Status.PUBLISHED
    assert (post.status, post.featured, post.series) == (Post.Status.SCHEDULED, True, story.series)
    assert post.publish_at == when and "I waited for it all day." in post.body
    expect(steps().get_by_role("link")).to_have_text(["Propose edits…", "Promote to a post…"])

    # Each step's email reaches the writer.
    steps_mail = ["story.changes_requested", "story.edits_proposed", "story.approved", "story.published"]
    assert list(OutboundEmail.objects.exclude(kind="story.received").values_list("kind", flat=True)) == steps_mail
    mail.outbox.clear()
    deliver_due()
    to_writer = [message for message in mail.outbox if message.to == [WRITER]]
    assert len(to_writer) == 4  # one for each step
    assert "will be published on" in to_writer[-1].body


def test_a_saved_answer_fills_the_message_box_to_be_read_and_edited(browser, newsroom):
    live, story = newsroom
    MessageTemplate.objects.create(
        name="A little more", purpose=MessageTemplate.Purpose.CHANGES, body="Could you tell us a little more?"
    )
    Story.objects.filter(pk=story.pk).update(status=Story.Status.IN_REVIEW)
    page = sign_in(browser, live.url, PHONE)
    page.goto(f"{live.url}/admin/stories/story/{story.pk}/step/request_changes/")
    expect(page.get_by_role("button", name="Use this answer")).to_be_hidden()
    page.get_by_label("Start from a saved answer").select_option(label="A little more")
    expect(page.get_by_label("Message")).to_have_value("Could you tell us a little more?")
    page.get_by_label("Message").fill("Could you tell us a little more, Sipho?")
    assert fits_the_screen(page)
    assert_accessible(page)
    page.get_by_role("button", name="Send the request for changes").click()
    expect(page.locator(".messagelist")).to_contain_text("Sent back to the writer")
    assert story.events.last().message == "Could you tell us a little more, Sipho?"


def test_the_story_pages_buttons_fit_a_phone(browser, newsroom):
    live, story = newsroom
    page = sign_in(browser, live.url, PHONE)
    page.goto(story_page(live.url, story))
    buttons = page.get_by_role("region", name=re.compile("^Next steps")).locator(".button")
    expect(buttons).to_have_count(3)
    for box in (buttons.nth(i).bounding_box() for i in range(buttons.count())):
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"] and box["height"] >= 24
    assert_accessible(page)


def test_screenshot_of_the_story_page(browser, newsroom, tmp_path):
    """Takes the README's screenshot of the story page; `make screenshots` writes it into docs/screenshots."""
    live, story = newsroom
    target = SCREENSHOTS if os.environ.get("OLE_UPDATE_SCREENSHOTS") else tmp_path
    target.mkdir(parents=True, exist_ok=True)
    editor = User.objects.get(username="nomsa")
    story.start_review(editor=editor)
    writer_reply(story=story, body="Thank you for reading it. Take your time; I am doing well now.")
    EditorialNote.objects.create(story=story, author=editor, body="Lovely detail about the list on the fridge.")
    page = sign_in(browser, live.url, {"width": 1280, "height": 900})
    page.goto(story_page(live.url, story), wait_until="networkidle")
    page.screenshot(path=str(target / "story-page.png"))
    assert (target / "story-page.png").stat().st_size > 10_000
