"""A commenter on a new browser proves an address by a link sent to it: the other proof besides this browser's
own comment cookie. The address alone never publishes anything."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from ole.outbox import deliver_due
from series.community import MY_COMMENTS_COOKIE
from series.models import Comment
from tests.factories import PostFactory
from tests.series.test_comments import A, P, approved, post_form, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def post():
    return PostFactory()


def confirmation_link() -> str:
    deliver_due()
    (message,) = [sent for sent in mail.outbox if "Is this your comment" in sent.subject]
    return re.search(r"http\S+/comments/confirm/\S+/", message.body).group(0).split("testserver", 1)[-1]


def test_an_approved_address_from_a_new_browser_gets_a_link_sent_to_it(post):
    approved(post)
    comment = submit(post, name="On my phone").comment
    assert comment.status == P
    deliver_due()
    (message,) = [sent for sent in mail.outbox if "Is this your comment" in sent.subject]
    assert message.to == ["known@example.org"]
    assert "/comments/confirm/" in message.body


def test_an_address_with_no_approved_comment_gets_no_link(post):
    submit(post, email="new@example.org")
    deliver_due()
    assert not [sent for sent in mail.outbox if "Is this your comment" in sent.subject]


def test_opening_the_link_publishes_nothing_and_confirming_publishes_and_remembers(client, post):
    approved(post)
    comment = submit(post, name="On my phone", body="Written on my phone.").comment
    link = confirmation_link()
    page = client.get(link)
    assert page.status_code == 200
    assert page["X-Robots-Tag"] == "noindex, nofollow"
    assert "Written on my phone." in page.content.decode()
    comment.refresh_from_db()
    assert comment.status == P  # a mail scanner following the link publishes nothing
    response = client.post(link)
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.status == A
    assert MY_COMMENTS_COOKIE in response.cookies
    # This browser is now the address's: its next comment appears at once.
    assert post_form(client, post, body="And one more.").status_code == 302
    assert Comment.objects.get(body="And one more.").status == A


def test_confirming_lifts_only_the_address_hold(client, post):
    approved(post)
    comment = submit(post, body="Call me on 082 123 4567").comment
    client.post(confirmation_link())
    comment.refresh_from_db()
    assert comment.status == P
    assert "not commented with it" not in comment.held_reason
    assert "phone number or email" in comment.held_reason


@pytest.mark.parametrize("token", ["1:nonsense", "x" * 40, "1"])
def test_a_forged_or_broken_link_is_a_404(client, token):
    assert client.get(reverse("series:comment_confirm", kwargs={"token": token})).status_code == 404
    assert client.post(reverse("series:comment_confirm", kwargs={"token": token})).status_code == 404


def test_a_link_to_a_comment_already_decided_is_a_404(client, post):
    approved(post)
    comment = submit(post).comment
    link = confirmation_link()
    comment.mark_spam()
    assert client.post(link).status_code == 404


def test_a_stranger_typing_an_address_cannot_flood_its_inbox(post):
    approved(post)
    for number in range(6):
        submit(post, body=f"Pretending, take {number}.", sender=f"198.51.100.{number}")
    deliver_due()
    assert len([sent for sent in mail.outbox if "Is this your comment" in sent.subject]) == 3


def test_the_answer_to_the_writer_is_the_same_for_a_known_and_an_unknown_address(post):
    approved(post)
    known = post_form(Client(), post, name="Someone", body="Known address, new browser.")
    unknown = post_form(Client(), post, name="Someone", email="nobody@example.org", body="Unknown address.")
    assert known.status_code == unknown.status_code == 302
    assert known.cookies.keys() == unknown.cookies.keys()


def test_other_methods_are_refused(client, post):
    approved(post)
    submit(post)
    link = confirmation_link()
    assert client.put(link).status_code == 405
    assert client.delete(link).status_code == 405


def test_the_confirmation_page_is_never_cached_or_shared(client, post):
    approved(post)
    submit(post)
    page = client.get(confirmation_link())
    assert "no-store" in page["Cache-Control"] or "max-age=0" in page["Cache-Control"]
    assert "X-Page-Cache" not in page
