"""The pages behind a commenter's links are private pages, and no link carries the commenter's address."""

import pytest
from django.core import signing
from django.urls import reverse

from series.models import Comment
from series.models.comments import ERASE_SALT, UNPROVEN_ADDRESS
from tests.factories import PostFactory

pytestmark = pytest.mark.django_db


def assert_private(response) -> None:
    assert response.status_code in (200, 302), response.status_code
    assert "no-store" in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.fixture
def comment():
    return Comment.objects.create(
        post=PostFactory(), name="Lerato", email="lerato.m@example.org", body="Thank you.", status="approved"
    )


def test_the_edit_page_is_private(client, comment):
    assert_private(client.get(comment.get_edit_url()))


def test_the_delete_answer_is_private(client, comment):
    assert_private(
        client.post(reverse("series:comment_delete", kwargs={"pk": comment.pk, "token": comment.edit_token()}))
    )


def test_the_unsubscribe_page_is_private_for_both_methods(client, comment):
    assert_private(client.get(comment.get_unsubscribe_url()))
    assert_private(client.post(comment.get_unsubscribe_url()))


def test_the_erase_page_is_private_for_both_methods(client, comment):
    assert_private(client.get(comment.erase_url()))
    assert_private(client.post(comment.erase_url()))


def test_the_confirm_page_is_private(client, comment):
    waiting = Comment.objects.create(
        post=comment.post,
        name="Lerato",
        email=comment.email,
        body="Again.",
        status="pending",
        held_reason=UNPROVEN_ADDRESS,
    )
    assert_private(client.get(waiting.get_confirm_url()))
    assert_private(client.post(waiting.get_confirm_url()))


def test_the_erase_link_carries_no_part_of_the_address(comment):
    url = comment.erase_url()
    assert "@" not in url and "%40" not in url
    for part in ("lerato", "example", "org"):
        assert part not in url.lower()


def test_an_erase_link_signed_over_the_address_is_refused(client, comment):
    old_style = signing.TimestampSigner(salt=ERASE_SALT).sign(comment.email)
    url = reverse("series:comment_erase", kwargs={"token": old_style})
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    assert Comment.objects.filter(pk=comment.pk).exists()


def test_an_erase_link_erases_every_comment_from_the_address_and_is_then_spent(client, comment):
    other = Comment.objects.create(
        post=comment.post, name="L", email="LERATO.M@example.org", body="2", status="approved"
    )
    url = comment.erase_url()
    assert client.post(url).status_code == 200
    assert not Comment.objects.filter(pk__in=[comment.pk, other.pk]).exists()
    assert client.get(url).status_code == 404  # nothing left to erase: the link is spent
