"""Staff sessions end 12 hours after sign-in, however busy the editor has been since, and at logout."""

import datetime
from importlib import import_module

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.urls import reverse
from django.utils import timezone

from ole.apps import STAFF_SESSION_SECONDS
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db

SessionStore = import_module(settings.SESSION_ENGINE).SessionStore


@pytest.fixture
def clock(monkeypatch):
    """A clock the test moves forward; the sessions' own expiry checks read it too."""
    real_now = timezone.now

    class Clock:
        offset = datetime.timedelta()

        def advance(self, **delta) -> None:
            self.offset += datetime.timedelta(**delta)

    moving = Clock()
    monkeypatch.setattr(timezone, "now", lambda: real_now() + moving.offset)
    return moving


def sign_in(client) -> str:
    StaffFactory(username="lindiwe")
    response = client.post(
        reverse("admin:login"), {"username": "lindiwe", "password": "a-long-test-password-42", "next": "/admin/"}
    )
    assert response.status_code == 302 and response["Location"] == "/admin/"
    return client.session.session_key


def test_a_staff_session_ends_twelve_hours_after_sign_in_however_active(client, clock):
    signed_in = timezone.now()
    key = sign_in(client)
    for _hour in range(11):
        clock.advance(hours=1)
        assert client.get(reverse("admin:index")).status_code == 200
        session = SessionStore(session_key=key)
        session["last_seen"] = timezone.now().isoformat()  # activity that writes to the session
        session.save()
    expires = Session.objects.get(session_key=key).expire_date
    assert abs(expires - (signed_in + datetime.timedelta(seconds=STAFF_SESSION_SECONDS))).total_seconds() < 5
    # A cached copy (Redis) lives only as long as the time left at its last save: about one hour here.
    assert 3500 < session.get_expiry_age() <= 3600
    clock.advance(minutes=61)
    if hasattr(session, "cache_key"):  # the real clock did not move, so drop it as Redis would have by now
        caches[settings.SESSION_CACHE_ALIAS].delete(session.cache_key)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))


def test_logout_ends_the_session(client):
    key = sign_in(client)
    client.post(reverse("admin:logout"))
    assert not Session.objects.filter(session_key=key).exists()
    assert client.get(reverse("admin:index")).status_code == 302
