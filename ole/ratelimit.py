"""Cache-based rate limits that hold across processes (Redis in production)."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """The client's address. Behind OLE_TRUSTED_PROXIES proxies, it is read from X-Forwarded-For (the entry
    the nearest trusted proxy added), since REMOTE_ADDR would be the proxy's own address for everyone."""
    proxies = settings.OLE_TRUSTED_PROXIES
    if proxies:
        chain = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(chain) >= proxies:
            return chain[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def allow(scope: str, request: HttpRequest, *, limit: int, window: int) -> bool:
    """Count one attempt in `scope` for this client; False once `limit` attempts fall within `window` seconds."""
    return allow_key(scope, client_address(request), limit=limit, window=window)


def allow_key(scope: str, value: str, *, limit: int, window: int) -> bool:
    """Count one attempt for any value (hashed, so e.g. an email address is never stored in the cache)."""
    digest = hashlib.blake2b(value.encode(), key=settings.SECRET_KEY.encode()[:64], digest_size=16).hexdigest()
    key = f"ratelimit:{scope}:{digest}"
    if cache.add(key, 1, timeout=window):
        return True
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window)
        return True
    return count <= limit
