"""Following a series by email, in Chromium: from part 2, confirm from the email, part 3 goes live and
arrives, and one click on the link in it stops the emails."""

import re
from urllib.parse import urlsplit

from django.core import mail
from django.utils import timezone
from playwright.sync_api import Page, expect

from ole.models import OutboundEmail
from ole.outbox import deliver_due
from series.models import Post, Subscription
from series.models.following import announce_due
from tests.conftest import reseed
from tests.e2e.accessibility import assert_accessible
from tests.factories import PostFactory, SeriesFactory

ADDRESS = "visitor@example.org"


def send_all() -> list:
    mail.outbox.clear()
    OutboundEmail.objects.filter(state=OutboundEmail.State.PENDING).update(send_after=timezone.now())
    deliver_due(limit=100)
    return list(mail.outbox)


def local_link(site_url: str, body: str, path: str) -> str:
    """A link from an email, on the live test server (emails name the configured site address)."""
    link = re.search(rf"https?://\S+{re.escape(path)}\S*", body).group(0)
    return site_url + urlsplit(link).path


def test_follow_a_series_from_part_two_confirm_receive_part_three_and_stop_in_one_click(
    page: Page, live_server, transactional_db
):
    reseed()
    site_url = live_server.url
    series = SeriesFactory(title="Coming off slowly")
    PostFactory(series=series, part_number=1, title="Part one: the first weeks")
    part_two = PostFactory(series=series, part_number=2, title="Part two: the middle")
    part_three = PostFactory(series=series, part_number=3, title="Part three: the last steps", scheduled=True)
    announce_due()  # the worker has seen parts 1 and 2 go live

    # On part 2, the visitor goes to the series page and asks to hear about the next part.
    page.goto(site_url + part_two.get_absolute_url())
    page.locator(".series-position").get_by_role("link", name="Coming off slowly").click()
    expect(page.get_by_role("heading", name="Hear about the next part by email")).to_be_visible()
    form = page.locator("form.follow-form")
    form.get_by_label("Your email address").fill(ADDRESS)
    form.get_by_role("button", name="Follow").click()
    expect(page.get_by_role("status")).to_contain_text("we have emailed it a link to confirm")
    assert_accessible(page)

    # Nothing but the confirmation is sent; its link shows a button, and pressing it confirms.
    [confirmation] = send_all()
    assert confirmation.to == [ADDRESS]
    page.goto(local_link(site_url, confirmation.body, "/follow/confirm/"))
    expect(page.get_by_role("heading", name=re.compile("Follow “Coming off slowly”"))).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Yes, follow").click()
    expect(page.get_by_role("status")).to_contain_text("Done: you follow “Coming off slowly”")
    assert_accessible(page)
    subscription = Subscription.objects.get()
    assert subscription.series == series and subscription.confirmed_at is not None

    # Part 3's time comes, with nobody saving anything; the worker announces it and the email arrives.
    Post.objects.filter(pk=part_three.pk).update(publish_at=timezone.now())
    assert announce_due() == 1
    [email] = send_all()
    assert email.to == [ADDRESS] and email.subject == "Part three: the last steps"
    assert email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert urlsplit(email.extra_headers["List-Unsubscribe"][1:-1]).path == subscription.get_unsubscribe_url()

    # One click on the link in the email: the page, then its button.
    page.goto(local_link(site_url, email.body, "/follow/stop/"))
    assert_accessible(page)
    page.get_by_role("button", name="Yes, stop these emails").click()
    expect(page.get_by_role("status")).to_contain_text("You will receive no more of these emails.")
    assert not Subscription.objects.exists()
    PostFactory(series=series, part_number=4, publish_at=timezone.now())
    announce_due()
    assert send_all() == []
