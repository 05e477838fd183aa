"""The Redis cache backend: one client per connection pool instead of one per command, and an optional mirror
in each process of the keys under one prefix (the page cache's), kept true by Redis's reports of changes."""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from collections.abc import Iterable
from typing import Any

from django.core.cache.backends import redis as django_redis
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.utils.functional import cached_property
from redis import ConnectionPool
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)
MISSING = object()  # a key Redis does not have, known as such here


class Mirror:
    """Copies, in this process, of the values under one key prefix, kept true to Redis.

    Redis is asked to report every key under the prefix that is written, deleted, expires or is evicted, by
    anyone (CLIENT TRACKING in broadcast mode, the reports sent to a connection of our own), and every read
    first takes in what has been reported, without waiting. A value changed by another app server is
    therefore never served once its report has reached this machine, which it does before that server's own
    answer reaches its visitor. Without the reporting connection nothing is copied and every read asks Redis.
    """

    RETRY_SECONDS = 5.0
    REPORTS = "__redis__:invalidate"
    _shared: dict[tuple[str, str, int], Mirror] = {}
    _shared_lock = threading.Lock()

    @classmethod
    def shared(cls, url: str, prefix: str, size: int) -> Mirror:
        """One mirror per process for a server and prefix: Django makes a cache object per thread."""
        with cls._shared_lock:
            mirror = cls._shared.get((url, prefix, size))
            if mirror is None:
                mirror = cls._shared[(url, prefix, size)] = cls(url, prefix, size)
            return mirror

    def __init__(self, url: str, prefix: str, size: int) -> None:
        self.url, self.prefix, self.size = url, prefix, size
        self._values: dict[str, Any] = {}
        self._lock = threading.Lock()
        self._reports: Any = None
        self._pid = os.getpid()
        self._retry_at = 0.0
        self._changes = 0  # reports taken in so far: a value read from Redis is kept only if none came meanwhile

    def covers(self, keys: Iterable[str]) -> bool:
        return all(key.startswith(self.prefix) for key in keys)

    def read(self, keys: list[str]) -> tuple[dict[str, Any] | None, int | None]:
        """(values, None) when every key is known here (missing ones left out); else (None, a mark for keep())."""
        with self._lock:
            if not self._take_in():
                return None, None
            if all(key in self._values for key in keys):
                return {key: self._values[key] for key in keys if self._values[key] is not MISSING}, None
            return None, self._changes

    def keep(self, keys: list[str], found: dict[str, Any], mark: int | None) -> None:
        """Copy what was just read from Redis, unless a report came in since `mark` (it may be older than that)."""
        if mark is None:
            return
        with self._lock:
            if not self._take_in() or self._changes != mark:
                return
            for key in keys:
                self._values.pop(key, None)
                self._values[key] = found.get(key, MISSING)
            while len(self._values) > self.size:
                del self._values[next(iter(self._values))]  # the oldest copy goes first

    def forget(self, keys: Iterable[str] | None = None) -> None:
        """This process is writing these keys (or everything): drop them now, before Redis's report arrives."""
        with self._lock:
            self._changes += 1
            if keys is None:
                self._values.clear()
            else:
                for key in keys:
                    self._values.pop(key, None)

    def _take_in(self) -> bool:
        if self._pid != os.getpid():  # a forked worker: the connection and the copies were its parent's
            self._pid, self._reports = os.getpid(), None
            self._values.clear()
        if self._reports is None and not self._listen():
            return False
        try:
            while self._reports.can_read(timeout=0):
                report = self._reports.read_response()
                if report[0] != b"message":
                    continue
                self._changes += 1
                if report[2] is None:  # the database was flushed
                    self._values.clear()
                else:
                    for key in report[2]:
                        self._values.pop(key.decode(), None)
        except (RedisError, OSError) as error:
            logger.warning("Page mirror: lost the reports from Redis (%s); reading from Redis.", type(error).__name__)
            self._stop()
            return False
        return True

    def _listen(self) -> bool:
        if time.monotonic() < self._retry_at:
            return False
        pool = ConnectionPool.from_url(self.url, protocol=2)
        reports = pool.connection_class(**pool.connection_kwargs)
        try:
            reports.connect()
            reports.send_command("CLIENT", "ID")
            own_id = reports.read_response()
            reports.send_command("CLIENT", "TRACKING", "ON", "REDIRECT", own_id, "BCAST", "PREFIX", self.prefix)
            reports.read_response()
            reports.send_command("SUBSCRIBE", self.REPORTS)
            reports.read_response()
        except (RedisError, OSError) as error:
            logger.warning("Page mirror: Redis will not report changes (%s); reading from Redis.", type(error).__name__)
            reports.disconnect()
            self._retry_at = time.monotonic() + self.RETRY_SECONDS
            return False
        self._reports = reports
        self._values.clear()  # nothing was reported while nobody listened
        self._changes += 1
        return True

    def _stop(self) -> None:
        with contextlib.suppress(RedisError, OSError):
            self._reports.disconnect()
        self._reports = None
        self._values.clear()
        self._changes += 1
        self._retry_at = time.monotonic() + self.RETRY_SECONDS


class RedisCacheClient(django_redis.RedisCacheClient):
    # Django builds a new redis.Redis for every command, and redis-py fills its table of reply parsers each
    # time: a measurable part of a page-cache hit. A client is thread-safe and holds nothing but its pool.
    def __init__(self, *args: Any, mirror: Mirror | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}
        self.mirror = mirror

    def get_client(self, key: str | None = None, *, write: bool = False) -> Any:
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client

    def get_many(self, keys: Iterable[str]) -> dict[str, Any]:
        keys, mark = list(keys), None
        if self.mirror is not None and self.mirror.covers(keys):
            known, mark = self.mirror.read(keys)
            if known is not None:
                return known
        found = super().get_many(keys)
        if mark is not None:
            self.mirror.keep(keys, found, mark)
        return found

    # Every write drops this process's copies before it is sent and again once Redis has answered, so a copy
    # read by another thread in between is not kept either; other processes learn of it from Redis's report.
    @contextlib.contextmanager
    def _writing(self, keys: Iterable[str] | None) -> Any:
        if self.mirror is None:
            yield
            return
        keys = None if keys is None else list(keys)
        self.mirror.forget(keys)
        try:
            yield
        finally:
            self.mirror.forget(keys)

    def add(self, key: str, value: Any, timeout: Any) -> bool:
        with self._writing([key]):
            return super().add(key, value, timeout)

    def set(self, key: str, value: Any, timeout: Any) -> None:
        with self._writing([key]):
            super().set(key, value, timeout)

    def touch(self, key: str, timeout: Any) -> bool:
        with self._writing([key]):
            return super().touch(key, timeout)

    def delete(self, key: str) -> bool:
        with self._writing([key]):
            return super().delete(key)

    def incr(self, key: str, delta: int) -> int:
        with self._writing([key]):
            return super().incr(key, delta)

    def set_many(self, data: dict[str, Any], timeout: Any) -> None:
        with self._writing(data):
            super().set_many(data, timeout)

    def delete_many(self, keys: Iterable[str]) -> None:
        keys = list(keys)
        with self._writing(keys):
            super().delete_many(keys)

    def clear(self) -> bool:
        with self._writing(None):
            return super().clear()


class RedisCache(django_redis.RedisCache):
    """OPTIONS may name a `mirror_prefix` (and a `mirror_size`, in values): keys under it are mirrored in each
    process (see Mirror). Only with one server: with replicas, a read could come from one that lags."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = RedisCacheClient

    @cached_property
    def _cache(self) -> RedisCacheClient:
        options = dict(self._options)
        prefix, size = options.pop("mirror_prefix", None), options.pop("mirror_size", 300)
        mirror = None
        if prefix and len(self._servers) == 1:
            mirror = Mirror.shared(self._servers[0], self.make_key(prefix), size)
        return self._class(self._servers, mirror=mirror, **options)


class FragmentCache(RedisCache):
    """Rendered parts of pages (Django's {% cache %} tag reads the "template_fragments" alias). A fragment
    is only a shortcut: when Redis cannot be reached the part is rendered in full and the page still served."""

    def get(self, key: str, default: Any = None, version: int | None = None) -> Any:
        try:
            return super().get(key, default, version)
        except (RedisError, OSError) as error:
            logger.warning("Fragment cache: read failed (%s).", type(error).__name__)
            return default

    def set(self, key: str, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> None:
        try:
            super().set(key, value, timeout, version)
        except (RedisError, OSError) as error:
            logger.warning("Fragment cache: write failed (%s).", type(error).__name__)
