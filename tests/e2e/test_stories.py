"""A reader shares a story, an editor works it in the admin, and the writer stays in control: in Chromium."""

import re

from django.contrib.auth.models import Group
from playwright.sync_api import Page, expect

from ole.outbox import deliver_due
from tests.e2e.accessibility import assert_accessible
from tests.factories import UserFactory

STORY = (
    "For three years the tablets were the first thing I thought of in the morning. I did not call it dependence; "
    "I called it coping. This is the story of how I learnt to tell the difference, with a lot of help. "
) * 3


def test_a_story_from_submission_to_featured_post_and_back_out(page: Page, site_url, browser):
    # A reader opens "Share your story" from the header and reads what to expect.
    page.goto(site_url + "/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Share your story").click()
    expect(page.get_by_role("heading", name="First, how are you right now?")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="I'm ready: write my story").click()

    # They fill in the form but forget a consent box.
    page.locator("#id_title").fill("Learning the difference")
    page.locator("#id_body").fill(STORY)
    expect(page.locator("#word-count")).to_contain_text("words")
    page.get_by_label("A pen name").check()
    page.get_by_label("Pen name or first name").fill("Lindiwe")
    page.get_by_label("Your email address").fill("lindiwe@example.org")
    page.get_by_label("withdrawal symptoms").check()
    page.get_by_label("Which series").select_option(label="Benzodiazepines: the long way round")
    page.get_by_label(re.compile("I agree that OLE may publish")).check()
    page.get_by_label("I am 18 or older.").check()
    page.get_by_role("button", name="Send my story").click()

    # A clear error, and nothing they typed is lost.
    expect(page.get_by_role("alert")).to_contain_text("Please check 1 thing")
    assert_accessible(page)
    expect(page.locator("#id_title")).to_have_value("Learning the difference")
    expect(page.locator("#id_body")).to_have_value(STORY)
    expect(page.get_by_label("Pen name or first name")).to_have_value("Lindiwe")
    expect(page.get_by_label("withdrawal symptoms")).to_be_checked()
    page.get_by_label(re.compile("light edits")).check()
    page.get_by_role("button", name="Send my story").click()

    # Thanks, and the private link, shown once.
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for sharing your story")
    assert_accessible(page)
    status_url = page.get_by_label("Your private link").input_value()
    assert "/stories/status/" in status_url
    assert deliver_due() == (1, 0)

    page.goto(status_url)
    expect(page.get_by_text("We have your story.")).to_be_visible()
    assert_accessible(page)

    # An editor logs in, takes it into review and proposes an edit.
    editor = UserFactory(username="editor-eve", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    desk = browser.new_context().new_page()
    desk.goto(site_url + "/admin/")
    desk.get_by_label("Username").fill("editor-eve")
    desk.get_by_label("Password").fill("a-long-test-password-42")
    desk.get_by_role("button", name="Log in").click()
    desk.goto(site_url + "/admin/stories/story/")

    def run_action(name: str) -> None:
        desk.get_by_role("checkbox", name=re.compile("Select this object")).first.check()
        desk.locator("select[name=action]").select_option(label=name)
        desk.get_by_title("Run the selected action").click()

    run_action("Start review")
    expect(desk.locator(".messagelist")).to_contain_text("1 story taken into review")
    run_action("Propose edits…")
    edited = desk.locator("textarea[name=body]").input_value().replace("I did not call it", "I never called it", 1)
    desk.locator("textarea[name=body]").fill(edited)
    desk.get_by_role("button", name="Send the edited version to the writer").click()
    expect(desk.locator(".messagelist")).to_contain_text("proposed edits")

    # The writer sees the difference side by side and approves it.
    page.goto(status_url)
    expect(page.get_by_role("heading", name="The edited version")).to_be_visible()
    expect(page.locator(".diff ins").first).to_have_text("never called")
    assert_accessible(page)
    page.get_by_role("button", name="I approve the edited version").click()
    expect(page.get_by_role("status")).to_contain_text("You approved the edited version")

    # The editor approves it and promotes it to a featured post in its series.
    desk.goto(site_url + "/admin/stories/story/")
    run_action("Approve…")
    desk.get_by_role("button", name="Approve").click()
    run_action("Promote to featured post…")
    desk.get_by_role("button", name="Publish as a featured post").click()
    expect(desk.locator(".messagelist")).to_contain_text("promoted to posts")

    # Visitors see it first on the home page and in its series.
    page.goto(site_url + "/")
    first_featured = page.get_by_role("region", name="Featured stories").get_by_role("heading", level=3).first
    expect(first_featured).to_have_text("Learning the difference")
    page.goto(site_url + "/series/benzodiazepines-the-long-way-round/")
    expect(page.get_by_role("heading", name="Readers' stories")).to_be_visible()
    page.get_by_role("link", name="Learning the difference").click()
    expect(page.get_by_text("By Lindiwe, a reader")).to_be_visible()
    post_url = page.url

    # The writer withdraws it, and it is gone from the site, the feeds and the sitemap.
    page.goto(status_url)
    page.get_by_role("link", name="Withdraw my story").click()
    page.get_by_role("button", name="Yes, withdraw and delete my story").click()
    expect(page.get_by_text("You withdrew this story")).to_be_visible()
    assert page.goto(post_url).status == 404
    for surface in ["/", "/feed/", "/feed/atom/", "/sitemap-posts.xml", "/series/benzodiazepines-the-long-way-round/"]:
        page.goto(site_url + surface)
        assert "Learning the difference" not in page.content(), surface
        assert post_url.removeprefix(site_url) not in page.content(), surface
