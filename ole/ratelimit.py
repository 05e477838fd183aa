"""Cache-based rate limits that hold across processes (Redis in production)."""

from __future__ import annotations

import hashlib
import logging

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

logger = logging.getLogger(__name__)


def client_address(request: HttpRequest) -> str:
    """The client's address. Behind OLE_TRUSTED_PROXIES proxies, it is read from X-Forwarded-For (the entry
    the nearest trusted proxy added), since REMOTE_ADDR would be the proxy's own address for everyone."""
    proxies = settings.OLE_TRUSTED_PROXIES
    if proxies:
        chain = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(chain) >= proxies:
            return chain[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def allow(scope: str, request: HttpRequest, *, limit: int, window: int, fail_open: bool = False) -> bool:
    """Count one attempt in `scope` for this client; False once `limit` attempts fall within `window` seconds."""
    return allow_key(scope, client_address(request), limit=limit, window=window, fail_open=fail_open)


def allow_key(scope: str, value: str, *, limit: int, window: int, fail_open: bool = False) -> bool:
    """Count one attempt for any value (hashed, so e.g. an email address is never stored in the cache).

    If the cache itself is down, the answer is `fail_open`: writing (stories, comments, mentions) waits until
    it is back, so floods stay stopped; light actions such as a like go through.
    """
    try:
        count = increment(f"ratelimit:{scope}:{keyed_digest(value)}", window=window)
    except Exception as error:
        logger.warning("Rate limit %s: the cache is not answering (%s).", scope, type(error).__name__)
        return fail_open
    return count <= limit


def keyed_digest(value: str) -> str:
    """A keyed hash of a value (an address, a username): counts are kept without keeping the value."""
    return hashlib.blake2b(value.encode(), key=settings.SECRET_KEY.encode()[:64], digest_size=16).hexdigest()


def increment(key: str, *, window: int) -> int:
    """Add one to a counter in the shared cache whose `window` seconds start at the first count."""
    if cache.add(key, 1, timeout=window):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window)
        return 1
