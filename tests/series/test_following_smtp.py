"""Followers' email through a real SMTP server on 127.0.0.1: the headers a mail client needs, the one-click
unsubscribe it posts, and a mail server that refuses an address for good."""

from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.utils import timezone

from ole.models import OutboundEmail
from ole.outbox import deliver_due
from series.models import Subscription
from series.models.following import announce_due
from tests.factories import PostFactory

pytestmark = pytest.mark.django_db
ADDRESS = "reader@example.org"


def follower(email: str = ADDRESS) -> Subscription:
    return Subscription.objects.create(email=email, confirmed_at=timezone.now() - timezone.timedelta(days=1))


def publish_and_send(title: str = "A new post") -> None:
    PostFactory(title=title, publish_at=timezone.now())
    announce_due()
    OutboundEmail.objects.filter(state=OutboundEmail.State.PENDING).update(send_after=timezone.now())
    deliver_due(limit=1000)


def test_the_follower_email_received_carries_one_click_unsubscribe_message_id_and_date(smtp_server):
    subscription = follower()
    publish_and_send("Week six")
    [message] = smtp_server.wait_for(1)
    assert message["To"] == ADDRESS and message["Subject"] == "Week six"
    unsubscribe = str(message["List-Unsubscribe"]).strip()  # a long header arrives folded
    assert unsubscribe.startswith("<http") and unsubscribe.endswith(">")
    assert urlsplit(unsubscribe[1:-1]).path == subscription.get_unsubscribe_url()
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["Message-ID"].startswith("<outbox.") and message["Date"]
    assert message.get_content_type() == "text/plain"


def test_a_one_click_post_to_the_list_unsubscribe_url_stops_the_emails(smtp_server):
    follower()
    publish_and_send("First")
    [message] = smtp_server.wait_for(1)
    url = urlsplit(str(message["List-Unsubscribe"]).strip()[1:-1])
    # What a mail client sends (RFC 8058): no cookie, no CSRF token, just this body.
    response = Client(enforce_csrf_checks=True).post(
        url.path, data="List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    assert not Subscription.objects.exists()
    publish_and_send("Second")
    assert [m["Subject"] for m in smtp_server.messages] == ["First"]


def test_a_server_refusing_the_address_three_times_in_a_row_stops_the_follower(smtp_server):
    subscription = follower()
    smtp_server.inbox.refuse.add(ADDRESS)
    for n in range(3):
        publish_and_send(f"Refused {n}")
    assert len(smtp_server.inbox.refusals) == 3  # each was tried once: a 5xx is not retried
    subscription.refresh_from_db()
    assert subscription.refusals == 3 and subscription.stopped_at is not None
    smtp_server.inbox.refuse.clear()
    publish_and_send("After")
    assert smtp_server.messages == [] and len(smtp_server.inbox.refusals) == 3
