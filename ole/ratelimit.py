"""Rate limits that hold across processes and servers: counters in the database (`ole.models.Counter`).

Counters never live in the cache: pages there may evict them (a flood of made-up addresses would unlock a
locked account), and a cache's increment is a read then a write that loses counts under load.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import threading
import time
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.db import DatabaseError, connection, transaction
from django.db.models import F
from django.http import HttpRequest, HttpResponse

from .models import Counter

logger = logging.getLogger(__name__)

_TABLE = Counter._meta.db_table
# One statement adds one, or starts the window again once it has closed; both databases take it (SQLite >= 3.35).
_INCREMENT = f"""
    INSERT INTO {_TABLE} ("key", "count", "window_ends") VALUES (%s, 1, %s)
    ON CONFLICT ("key") DO UPDATE SET
        "count" = CASE WHEN {_TABLE}."window_ends" <= %s THEN 1 ELSE {_TABLE}."count" + 1 END,
        "window_ends" = CASE WHEN {_TABLE}."window_ends" <= %s
            THEN excluded."window_ends" ELSE {_TABLE}."window_ends" END
    RETURNING "count"
"""  # noqa: S608 - the table name is ours; every value is a parameter


def client_address(request: HttpRequest) -> str:
    """The client's address. Behind OLE_TRUSTED_PROXIES proxies, it is read from X-Forwarded-For (the entry
    the nearest trusted proxy added), since REMOTE_ADDR would be the proxy's own address for everyone."""
    proxies = settings.OLE_TRUSTED_PROXIES
    if proxies:
        chain = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(chain) >= proxies:
            return chain[-proxies]
    return request.META.get("REMOTE_ADDR", "")


class UntrustedProxyWarningMiddleware:
    """Logs once per process that requests carry X-Forwarded-For while OLE_TRUSTED_PROXIES is 0: behind a
    proxy, every visitor would then share the proxy's address and its limits. Not loaded when proxies are set."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        if settings.OLE_TRUSTED_PROXIES:
            raise MiddlewareNotUsed
        self.get_response = get_response
        self.warned = False
        self.lock = threading.Lock()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not self.warned and "HTTP_X_FORWARDED_FOR" in request.META:
            with self.lock:
                if not self.warned:
                    self.warned = True
                    logger.warning(
                        "Requests arrive with X-Forwarded-For but OLE_TRUSTED_PROXIES is 0: if a proxy stands in "
                        "front of the app, every visitor is counted as the proxy's address (set "
                        "OLE_TRUSTED_PROXIES to the number of proxies). Said once per process."
                    )
        return self.get_response(request)


def allow(scope: str, request: HttpRequest, *, limit: int, window: int, fail_open: bool = False) -> bool:
    """Count one attempt in `scope` for this client; False once `limit` attempts fall within `window` seconds."""
    return allow_key(scope, client_address(request), limit=limit, window=window, fail_open=fail_open)


def allow_key(scope: str, value: str, *, limit: int, window: int, fail_open: bool = False) -> bool:
    """Count one attempt for any value (hashed, so e.g. an email address is never stored).

    If the counters cannot be written, a light action (`fail_open`, such as a like) goes through; anything else
    fails closed: the DatabaseError is raised, so the form's "busy, nothing lost" answer (or the 503 page of
    ole.dbdown) applies and a flood stays stopped.
    """
    try:
        count = increment(counter_key(scope, value), window=window)
    except DatabaseError as error:
        logger.warning("Rate limit %s: the counters cannot be written (%s).", scope, type(error).__name__)
        if fail_open:
            return True
        raise
    return count <= limit


def counter_key(scope: str, value: str) -> str:
    return f"{scope}:{keyed_digest(value)}"


def keyed_digest(value: str) -> str:
    """A keyed hash of a value (an address, a username): counts are kept without keeping the value."""
    return hashlib.blake2b(value.encode(), key=settings.SECRET_KEY.encode()[:64], digest_size=16).hexdigest()


def increment(key: str, *, window: int) -> int:
    """Add one to a counter whose `window` seconds start at its first count; the new count."""
    now = int(time.time())
    # Inside a transaction, a savepoint: a refused write leaves the transaction usable. Alone, one statement.
    guard = transaction.atomic() if connection.in_atomic_block else contextlib.nullcontext()
    with guard, connection.cursor() as cursor:
        cursor.execute(_INCREMENT, [key, now + window, now, now])
        return cursor.fetchone()[0]


def take_back(key: str) -> None:
    """Count one attempt less (one that turned out not to count, such as a successful sign-in)."""
    Counter.objects.filter(key=key, count__gt=0).update(count=F("count") - 1)


def forget(key: str) -> None:
    Counter.objects.filter(key=key).delete()


def delete_closed_windows() -> int:
    """Remove counters whose window has closed (the retention command runs this); returns how many."""
    return Counter.objects.filter(window_ends__lte=int(time.time())).delete()[0]
