"""Throttling sign-in to the admin: after repeated attempts a username (or a connection) is locked for a while.

Every sign-in attempt is counted before the password is checked, and a success clears the username's count, so
the count is the failures since the last success. With a second factor (`ole.twofactor`) each code typed is an
attempt too, counted against the username that passed the password step, and only the whole sign-in is a
success: a correct password followed by wrong codes never clears the count. Counts live in the database
(`ole.ratelimit`), keyed by keyed hashes: they hold across app servers, store no username or address in clear,
and nothing evicts them. When they cannot be written, nobody signs in (a lock that cannot count is no lock).
"""

from __future__ import annotations

import unicodedata

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse

from .ratelimit import client_address, counter_key, forget, increment, take_back
from .twofactor import pending_username

LOCK_SECONDS = 15 * 60


def _counters(request: HttpRequest, username: str) -> list[tuple[str, int]]:
    # The same clean-up Django applies before signing in (NFKC, no surrounding spaces): " Editor" is "editor".
    username = unicodedata.normalize("NFKC", username).strip().lower()
    return [
        (counter_key("login-user", username), settings.OLE_LOGIN_FAILURES_PER_USER),
        (counter_key("login-client", client_address(request)), settings.OLE_LOGIN_FAILURES_PER_CLIENT),
    ]


def attempt_allowed(request: HttpRequest, username: str) -> bool:
    """Count this attempt; False once the username or the connection is past its limit. DatabaseError when the
    counters cannot be written."""
    counts = [(increment(key, window=LOCK_SECONDS), limit) for key, limit in _counters(request, username)]
    return all(count <= limit for count, limit in counts)


def clear_failures(sender, request: HttpRequest, user, **kwargs) -> None:
    """A successful sign-in forgives the username's earlier failures, and is itself no failure of the connection's
    (an office behind one address signs in many times a day)."""
    if request is not None:
        (user_key, _), (client_key, _) = _counters(request, user.get_username())
        forget(user_key)
        take_back(client_key)


def code_step_passed(request: HttpRequest) -> None:
    """The code that completed a sign-in is no failure of the connection's either (`clear_failures`, which
    signing in runs, takes back the password step)."""
    take_back(counter_key("login-client", client_address(request)))


def _attempted_username(request: HttpRequest) -> str | None:
    """The username a POST tries to sign in as: the password step's, or the one waiting at the code step."""
    if request.path == reverse("admin:login"):
        return request.POST.get("username", "")
    if request.path in (reverse("admin:second_factor"), reverse("admin:second_factor_enrol")):
        return pending_username(request)
    return None


class LoginThrottleMiddleware:
    """Answers 429 to a sign-in attempt (a password or a code) while its username or connection is locked, and
    503 when attempts cannot be counted."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        username = _attempted_username(request) if request.method == "POST" else None
        if username is not None:
            try:
                allowed = attempt_allowed(request, username)
            except DatabaseError:
                return HttpResponse(render_to_string("admin/unavailable.html", request=request), status=503)
            if not allowed:
                return HttpResponse(render_to_string("admin/locked.html", request=request), status=429)
        return self.get_response(request)
