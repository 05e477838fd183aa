"""Every commenter can erase: an erase link is emailed on request, answering alike whether or not the address has
comments, and limited per connection and per address."""

import re

import pytest
from django.core import mail
from django.db import OperationalError, connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ole.models import OutboundEmail
from ole.outbox import deliver_due
from series.models import Comment, EraseLinkRequest
from tests.factories import PostFactory

pytestmark = pytest.mark.django_db

URL = "/comments/erase-link/"


@pytest.fixture
def mine():
    return Comment.objects.create(
        post=PostFactory(), name="Sipho", email="sipho@example.org", body="Thank you.", status="approved"
    )


def ask(email: str, client: Client | None = None):
    return (client or Client()).post(URL, {"email": email})


def test_the_page_is_where_its_name_says_and_private(client):
    assert reverse("series:erase_link_request") == URL
    response = client.get(URL)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex, nofollow"


def test_a_known_and_an_unknown_address_get_the_same_page_and_the_same_work(mine):
    Client().get(URL)  # a first request of its own: what a first request alone costs

    def asked(email):
        with CaptureQueriesContext(connection) as queries:
            response = ask(email)
        shape = re.compile(r"'[^']*'|\"s\d+_x\d+\"|\b\d+\b")
        return response, [shape.sub("?", query["sql"]) for query in queries]

    known, known_sql = asked("SIPHO@example.org")
    unknown, unknown_sql = asked("nobody@example.org")
    assert known.status_code == unknown.status_code == 200
    assert known.content == unknown.content
    assert known_sql == unknown_sql and "series_comment" not in " ".join(known_sql)
    assert EraseLinkRequest.objects.count() == 2


def test_a_known_address_receives_a_working_erase_link(mine):
    ask("Sipho@Example.org")
    deliver_due()  # the request becomes the link email
    deliver_due()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["sipho@example.org"]
    assert not EraseLinkRequest.objects.exists()  # the address goes once resolved
    link = re.search(r"https?://\S+(/comments/erase/\S+/)", mail.outbox[0].body).group(1)
    assert "@" not in link
    visitor = Client()
    assert visitor.get(link).status_code == 200
    assert "erased 1 comment" in visitor.post(link).content.decode()
    assert not Comment.objects.filter(pk=mine.pk).exists()


def test_an_unknown_address_receives_nothing(mine):
    assert ask("nobody@example.org").status_code == 200
    deliver_due()
    deliver_due()
    assert mail.outbox == []
    assert not EraseLinkRequest.objects.exists()
    assert not OutboundEmail.objects.filter(kind="comment.erase_link").exists()


def test_requests_are_limited_per_connection(settings, mine):
    settings.OLE_LOST_LINK_REQUESTS_PER_HOUR = 2
    client = Client()
    assert ask("a@example.org", client).status_code == 200
    assert ask("b@example.org", client).status_code == 200
    refused = ask("sipho@example.org", client)
    assert refused.status_code == 429
    assert "several times" in refused.content.decode()
    assert refused.context["form"]["email"].value() == "sipho@example.org"
    assert not EraseLinkRequest.objects.filter(email="sipho@example.org").exists()


def test_requests_are_limited_per_address_whatever_the_connection(mine):
    for number in range(5):
        response = Client(REMOTE_ADDR=f"198.51.100.{number}").post(URL, {"email": "sipho@example.org"})
        assert response.status_code == 200  # the same answer: the limit tells nothing about the address
    assert EraseLinkRequest.objects.count() == 3


@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ("", "Please give the email address you commented with."),
        ("not an address", "That does not look like an email address"),
        ("a" * 250 + "@example.org", "An email address has at most 254 characters"),
    ],
)
def test_bad_input_is_explained_and_kept(client, typed, error):
    response = client.post(URL, {"email": typed})
    assert response.status_code == 200
    page = response.content.decode()
    assert error in page
    assert f'value="{typed}"' in page if typed else 'name="email"' in page
    assert not EraseLinkRequest.objects.exists()


def test_only_get_and_post_are_answered(client):
    assert client.put(URL, {"email": "sipho@example.org"}).status_code == 405
    assert client.delete(URL).status_code == 405


def test_a_request_without_its_security_key_is_refused_with_a_clear_page(mine):
    response = Client(enforce_csrf_checks=True).post(URL, {"email": "sipho@example.org"})
    assert response.status_code == 403
    assert "This form has expired" in response.content.decode()
    assert not EraseLinkRequest.objects.exists()


def test_the_privacy_page_and_the_comment_form_link_to_it(client, mine):
    assert URL in client.get(reverse("series:privacy")).content.decode()
    assert URL in client.get(mine.post.get_absolute_url()).content.decode()


def test_requests_fail_closed_when_they_cannot_be_counted(monkeypatch, mine):
    def refused(key: str, *, window: int) -> int:
        raise OperationalError("attempt to write a readonly database")

    monkeypatch.setattr("ole.ratelimit.increment", refused)
    response = ask("sipho@example.org")
    assert response.status_code == 503
    assert not EraseLinkRequest.objects.exists()
