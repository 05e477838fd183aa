"""Cache-based rate limits that hold across processes (Redis in production)."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest


def client_key(request: HttpRequest) -> str:
    """A keyed hash of the client's address: limits work without storing the address itself."""
    address = request.META.get("REMOTE_ADDR", "")
    return hashlib.blake2b(address.encode(), key=settings.SECRET_KEY.encode()[:64], digest_size=16).hexdigest()


def allow(scope: str, request: HttpRequest, *, limit: int, window: int) -> bool:
    """Count one attempt in `scope` for this client; False once `limit` attempts fall within `window` seconds."""
    key = f"ratelimit:{scope}:{client_key(request)}"
    if cache.add(key, 1, timeout=window):
        return True
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window)
        return True
    return count <= limit
