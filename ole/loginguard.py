"""Throttling sign-in to the admin: after repeated failures a username (or a connection) is locked for a while.

Counts live in the shared cache (Redis in production), keyed by keyed hashes, so they hold across app servers
and store no username or address in clear.
"""

from __future__ import annotations

import contextlib
import unicodedata

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse

from .ratelimit import client_address, increment, keyed_digest

LOCK_SECONDS = 15 * 60


def _key(kind: str, value: str) -> str:
    return f"login-failures:{kind}:{keyed_digest(value.lower())}"


def _keys(request: HttpRequest, username: str) -> list[tuple[str, int]]:
    # The same clean-up Django applies before signing in (NFKC, no surrounding spaces): " Editor" is "editor".
    username = unicodedata.normalize("NFKC", username).strip()
    return [
        (_key("user", username), settings.OLE_LOGIN_FAILURES_PER_USER),
        (_key("client", client_address(request)), settings.OLE_LOGIN_FAILURES_PER_CLIENT),
    ]


def record_failure(sender, credentials: dict, request: HttpRequest | None = None, **kwargs) -> None:
    if request is None:
        return
    with contextlib.suppress(Exception):  # a cache that is down counts nothing; sign-in is not blocked by it
        for key, _limit in _keys(request, str(credentials.get("username", ""))):
            increment(key, window=LOCK_SECONDS)


def clear_failures(sender, request: HttpRequest, user, **kwargs) -> None:
    with contextlib.suppress(Exception):
        cache.delete(_keys(request, user.get_username())[0][0])


def is_locked(request: HttpRequest, username: str) -> bool:
    try:
        return any((cache.get(key) or 0) >= limit for key, limit in _keys(request, username))
    except Exception:
        return False


class LoginThrottleMiddleware:
    """Answers 429 to a sign-in attempt while its username or connection is locked."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        signing_in = request.method == "POST" and request.path == reverse("admin:login")
        if signing_in and is_locked(request, request.POST.get("username", "")):
            return HttpResponse(render_to_string("admin/locked.html", request=request), status=429)
        return self.get_response(request)
