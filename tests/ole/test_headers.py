"""Headers on every response: the Permissions-Policy turns off every powerful browser feature; CSP stays strict."""

import pytest
from django.test import Client
from django.urls import reverse

from ole.headers import PERMISSIONS_POLICY
from tests.factories import PostFactory

pytestmark = pytest.mark.django_db

OFF = ["camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()", "serial=()", "hid=()", "midi=()"]


def features_off(response) -> list[str]:
    return [part.strip() for part in response["Permissions-Policy"].split(",")]


def test_the_powerful_features_are_off_on_a_page_and_on_a_page_served_from_the_cache():
    url = PostFactory().get_absolute_url()
    first, second = Client().get(url), Client().get(url)
    assert first.status_code == second.status_code == 200
    for response in (first, second):
        assert set(OFF) <= set(features_off(response))
        assert all(part.endswith("=()") for part in features_off(response)), "nothing is allowed, not even us"


def test_a_missing_page_sends_the_policy(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Permissions-Policy"] == PERMISSIONS_POLICY


def test_the_admin_sends_the_policy(client, editor_client):
    assert Client().get(reverse("admin:login"))["Permissions-Policy"] == PERMISSIONS_POLICY
    response = editor_client.get(reverse("admin:index"))
    assert response.status_code == 200
    assert response["Permissions-Policy"] == PERMISSIONS_POLICY


def test_static_files_send_the_policy():
    response = Client().get("/static/css/ole.css")
    assert response.status_code == 200
    assert response["Permissions-Policy"] == PERMISSIONS_POLICY


def test_the_content_security_policy_stays_strict(client):
    policy = client.get("/")["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert directives["object-src"] == "'none'" and directives["base-uri"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
