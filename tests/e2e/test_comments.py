"""A conversation under a post, moderated in the admin, in Chromium."""

import re

from django.contrib.auth.models import Group
from django.core import mail
from playwright.sync_api import Page, expect

from ole.outbox import deliver_due
from tests.e2e.accessibility import assert_accessible
from tests.factories import UserFactory

POST = "/posts/withdrawal-and-how-to-get-through-it/"


def test_comment_moderate_reply_notify_and_like(page: Page, site_url, browser):
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

    # A first-time visitor comments and sees it waiting.
    page.goto(site_url + POST)
    page.locator("#id_body").fill('This helped me. <script>alert("x")</script> More at javascript:alert(1)')
    page.locator("#id_name").fill("Ayanda")
    page.locator("#id_email").fill("ayanda@example.org")
    page.get_by_label("Email me when someone replies").check()
    page.get_by_role("button", name="Post comment").click()
    expect(page.get_by_text("Your comment is waiting for moderation").first).to_be_visible()
    first_comment = page.locator(".comment").first
    expect(first_comment).to_contain_text("This helped me.")

    # An editor approves it in the admin.
    editor = UserFactory(username="moderator", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    desk = browser.new_context().new_page()
    desk.goto(site_url + "/admin/")
    desk.get_by_label("Username").fill("moderator")
    desk.get_by_label("Password").fill("a-long-test-password-42")
    desk.get_by_role("button", name="Log in").click()
    desk.goto(site_url + "/admin/series/comment/?status__exact=pending")
    expect(desk.get_by_text("First comment from this address")).to_be_visible()
    desk.get_by_role("checkbox", name=re.compile("Select this object")).first.check()
    desk.locator("select[name=action]").select_option(label="Approve")
    desk.get_by_title("Run the selected action").click()
    expect(desk.locator(".messagelist")).to_contain_text("1 comment approved")

    # A second visitor replies (the form moves under the comment).
    other = browser.new_context().new_page()
    other.goto(site_url + POST)
    expect(other.get_by_role("heading", name="1 comment")).to_be_visible()
    other.get_by_role("link", name="Reply to Ayanda").click()
    other.locator("#id_body").fill("So glad it helped. Go gently.")
    other.locator("#id_name").fill("Sam")
    other.locator("#id_email").fill("sam@example.org")
    other.get_by_role("button", name="Post comment").click()
    expect(other.get_by_text("waiting for moderation").first).to_be_visible()
    desk.goto(site_url + "/admin/series/comment/?status__exact=pending")
    desk.get_by_role("checkbox", name=re.compile("Select this object")).first.check()
    desk.locator("select[name=action]").select_option(label="Approve")
    desk.get_by_title("Run the selected action").click()

    # The first visitor gets the reply email.
    deliver_due()
    reply_mail = next(m for m in mail.outbox if m.to == ["ayanda@example.org"])
    assert "Sam replied to your comment" in reply_mail.subject
    assert "So glad it helped" in reply_mail.body

    # They like Sam's reply; the count updates in place.
    page.goto(site_url + POST)
    reply = page.locator(".comment-replies .comment").first
    expect(reply).to_contain_text("So glad it helped")
    reply.get_by_role("button", name="Like").click()
    expect(reply.get_by_text("Liked by 1 person")).to_be_visible()
    page.reload()
    expect(page.locator(".comment-replies .comment").first.get_by_role("button", name="Liked")).to_be_disabled()

    # Nothing the first visitor typed ran as script.
    assert dialogs == []
    assert page.locator(".comment-body script").count() == 0
    assert page.locator('.comment-body a[href^="javascript"]').count() == 0
    assert_accessible(page)


def test_a_commenter_is_remembered_in_this_browser_until_they_forget(page: Page, site_url):
    page.goto(site_url + POST)
    expect(page.locator("form[data-forget-me]")).to_be_hidden()
    page.locator("#id_body").fill("Thank you for writing this.")
    page.locator("#id_name").fill("Lindiwe")
    page.locator("#id_email").fill("lindiwe@example.org")
    page.locator("#id_website").fill("https://lindiwe.example.org")
    page.get_by_label("Remember my name, email and website in this browser").check()
    page.get_by_role("button", name="Post comment").click()
    expect(page.get_by_text("Your comment is waiting for moderation").first).to_be_visible()
    assert re.search(r"#comment-\d+$", page.url), page.url  # the page lands on the new comment

    page.goto(site_url + "/posts/dependence-and-tolerance-two-sides-of-one-coin/")
    expect(page.locator("#id_name")).to_have_value("Lindiwe")
    expect(page.locator("#id_email")).to_have_value("lindiwe@example.org")
    expect(page.locator("#id_website")).to_have_value("https://lindiwe.example.org")
    expect(page.get_by_label("Remember my name, email and website in this browser")).to_be_checked()
    expect(page.locator("#id_body")).to_have_value("")

    page.get_by_role("button", name="Forget me").click()
    expect(page.get_by_text("Forgotten: this browser no longer keeps your details.")).to_be_visible()
    expect(page.locator("#id_name")).to_have_value("")
    assert "ole_commenter" not in {cookie["name"] for cookie in page.context.cookies()}
    page.reload()
    expect(page.locator("#id_email")).to_have_value("")
    expect(page.locator("form[data-forget-me]")).to_be_hidden()
