""" "Remember me in this browser": the commenter's details live in a cookie only their browser reads, so the post
page stays the one every visitor shares; "Forget me" deletes it."""

import base64
import json
import re

import pytest
from django.urls import reverse

from series.community import COMMENTER_COOKIE
from tests.factories import CommentFactory, PostFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def post():
    post = PostFactory()
    CommentFactory(post=post, email="known@example.org")  # a known writer: the next comment is shown at once
    return post


def post_comment(client, post, **data):
    payload = {"name": "Zanele", "email": "known@example.org", "body": "Thank you for this.", **data}
    return client.post(reverse("series:comment_create", kwargs={"slug": post.slug}), payload)


def details(cookie) -> dict:
    return json.loads(base64.urlsafe_b64decode(cookie.value))


def test_asking_to_be_remembered_keeps_name_email_and_website_in_a_cookie_the_page_script_reads(client, post):
    response = post_comment(client, post, website="https://zanele.example.org", remember="on")
    assert response.status_code == 302
    cookie = response.cookies[COMMENTER_COOKIE]
    assert details(cookie) == {
        "name": "Zanele",
        "email": "known@example.org",
        "website": "https://zanele.example.org",
    }
    assert not cookie["httponly"] and cookie["samesite"] == "Lax" and cookie["max-age"] > 0


def test_names_outside_ascii_survive_the_cookie(client, post):
    response = post_comment(client, post, name="Thabo Ñúñez 🌿", remember="on")
    assert details(response.cookies[COMMENTER_COOKIE])["name"] == "Thabo Ñúñez 🌿"


def test_without_the_tick_nothing_is_kept_and_an_earlier_cookie_goes(client, post):
    assert COMMENTER_COOKIE not in post_comment(client, post).cookies
    client.cookies[COMMENTER_COOKIE] = "e30="
    response = post_comment(client, post, body="Another thought.")
    assert response.cookies[COMMENTER_COOKIE].value == ""
    assert response.cookies[COMMENTER_COOKIE]["max-age"] == 0


def test_a_form_with_errors_keeps_the_tick_and_sets_nothing(client, post):
    response = post_comment(client, post, email="not an address", remember="on")
    assert response.status_code == 200
    assert COMMENTER_COOKIE not in response.cookies
    assert re.search(r"<input[^>]*name=\"remember\"[^>]*checked", response.content.decode())


def test_the_remembered_details_never_make_the_page_personal(client, post):
    shared = client.get(post.get_absolute_url())
    client.cookies[COMMENTER_COOKIE] = base64.urlsafe_b64encode(b'{"name": "Zanele"}').decode()
    remembered = client.get(post.get_absolute_url())
    assert "private" not in remembered["Cache-Control"]
    assert remembered.content == shared.content
    assert "Zanele" not in remembered.content.decode()


def test_forget_me_deletes_the_cookie_and_goes_back(client, post):
    client.cookies[COMMENTER_COOKIE] = "e30="
    response = client.post(reverse("series:comment_forget_me"), {"next": post.get_absolute_url() + "#comment-form"})
    assert response.status_code == 302
    assert response["Location"] == post.get_absolute_url() + "#comment-form"
    assert response.cookies[COMMENTER_COOKIE]["max-age"] == 0


@pytest.mark.parametrize("target", ["https://evil.example.org/", "//evil.example.org/", "javascript:alert(1)", ""])
def test_forget_me_never_sends_anyone_elsewhere(client, target):
    response = client.post(reverse("series:comment_forget_me"), {"next": target})
    assert response["Location"] == reverse("series:home")


def test_forget_me_answers_only_a_post(client):
    assert client.get(reverse("series:comment_forget_me")).status_code == 405
