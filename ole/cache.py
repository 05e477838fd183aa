"""The Redis cache backend: one client per connection pool instead of one per command, and an optional mirror
in each process of the keys under one prefix (the page cache's; the page fragments'), kept true by Redis's
reports of changes."""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable
from typing import Any

from django.core.cache.backends import redis as django_redis
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.utils.functional import cached_property
from redis import ConnectionPool
from redis.exceptions import RedisError, ResponseError

logger = logging.getLogger(__name__)
MISSING = object()  # a key Redis does not have, known as such here


class Mirror:
    """Copies, in this process, of the values under one key prefix, kept true to Redis.

    Redis is asked to report every key under the prefix that is written, deleted, expires or is evicted, by
    anyone (CLIENT TRACKING in broadcast mode, the reports sent to a connection of this process's own), and
    every read first takes in what has been reported, without waiting. Redis sends a report before it answers
    the write that caused it, but on another connection, so one could still be on its way: a process that
    has not looked for a while, or that has just taken reports in (more may follow), first asks Redis for
    everything up to now (a PING on the reporting connection; its answer comes after every report queued
    before it). Without the reporting connection nothing is copied and every read asks Redis.
    """

    REPORTS = "__redis__:invalidate"
    CONFIRM_AFTER_SECONDS = 0.02
    RETRY_SECONDS = (1.0, 60.0)  # the first wait before listening again, and the longest
    CONNECT_SECONDS = 0.5
    _shared: dict[tuple[str, str, int], Mirror] = {}
    _shared_lock = threading.Lock()

    @classmethod
    def shared(cls, url: str, prefix: str, size_bytes: int) -> Mirror:
        """One mirror per process for a server and prefix: Django makes a cache object per thread."""
        with cls._shared_lock:
            mirror = cls._shared.get((url, prefix, size_bytes))
            if mirror is None:
                mirror = cls._shared[(url, prefix, size_bytes)] = cls(url, prefix, size_bytes)
            return mirror

    def __init__(self, url: str, prefix: str, size_bytes: int) -> None:
        self.url, self.prefix, self.size_bytes = url, prefix, size_bytes
        self._values: OrderedDict[str, tuple[Any, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self._reports: Any = None
        self._pid = os.getpid()
        self._connecting = False
        self._refused = False
        self._retry_at = 0.0
        self._retry_wait = self.RETRY_SECONDS[0]
        self._looked_at = 0.0
        self._changes = 0  # reports taken in so far: a value read from Redis is kept only if none came meanwhile
        self.own_id: int | None = None  # the reporting connection's id in Redis (CLIENT LIST names it ole-page-mirror)

    def covers(self, keys: Iterable[str]) -> bool:
        return all(key.startswith(self.prefix) for key in keys)

    def read(self, keys: list[str]) -> tuple[dict[str, Any] | None, int | None]:
        """(values, None) when every key is known here (missing ones left out); else (None, a mark for keep())."""
        if not self._ready():
            return None, None
        with self._lock:
            if not self._take_in():
                return None, None
            if all(key in self._values for key in keys):
                found = {}
                for key in keys:
                    self._values.move_to_end(key)
                    value = self._values[key][0]
                    if value is not MISSING:
                        found[key] = value
                return found, None
            return None, self._changes

    def keep(self, keys: list[str], found: dict[str, Any], mark: int | None) -> None:
        """Copy what was just read from Redis, unless a report came in since `mark` (it may be older than that)."""
        if mark is None:
            return
        with self._lock:
            if not self._take_in() or self._changes != mark:
                return
            for key in keys:
                self._drop(key)
                value = found.get(key, MISSING)
                size = _size(value) + 200
                self._values[key] = (value, size)
                self._bytes += size
            while self._bytes > self.size_bytes and self._values:
                self._drop(next(iter(self._values)))  # the copy used longest ago goes first

    def forget(self, keys: Iterable[str] | None = None) -> None:
        """This process is writing these keys (or everything): drop them now, before Redis's report arrives."""
        with self._lock:
            self._changes += 1
            if keys is None:
                self._drop_all()
            else:
                for key in keys:
                    self._drop(key)

    def _drop_all(self) -> None:
        self._values.clear()
        self._bytes = 0

    def _drop(self, key: str) -> None:
        kept = self._values.pop(key, None)
        if kept is not None:
            self._bytes -= kept[1]

    def _ready(self) -> bool:
        """Whether the reports are being received; if not, and it is time, listen again (outside the lock, so
        other threads read from Redis meanwhile instead of waiting)."""
        with self._lock:
            if self._pid != os.getpid():  # a forked worker: the connection and the copies were its parent's
                self._pid, self._reports, self._connecting = os.getpid(), None, False
                self._drop_all()
            if self._reports is not None:
                return True
            if self._refused or self._connecting or time.monotonic() < self._retry_at:
                return False
            self._connecting = True
        reports = self._listen()
        with self._lock:
            self._connecting = False
            if reports is None:
                self._retry_at = time.monotonic() + self._retry_wait
                self._retry_wait = min(self._retry_wait * 2, self.RETRY_SECONDS[1])
                return False
            self._reports, self._retry_wait = reports, self.RETRY_SECONDS[0]
            self._drop_all()  # nothing was reported while nobody listened
            self._changes += 1
            self._looked_at = time.monotonic()
            return True

    def _listen(self) -> Any:
        pool = ConnectionPool.from_url(
            self.url, protocol=2, socket_connect_timeout=self.CONNECT_SECONDS, socket_timeout=self.CONNECT_SECONDS
        )
        reports = pool.connection_class(**pool.connection_kwargs)
        try:
            reports.connect()
            reports.send_command("CLIENT", "SETNAME", "ole-page-mirror")
            reports.read_response()
            reports.send_command("CLIENT", "ID")
            own_id = self.own_id = reports.read_response()
            reports.send_command("CLIENT", "TRACKING", "ON", "REDIRECT", own_id, "BCAST", "PREFIX", self.prefix)
            reports.read_response()
            reports.send_command("SUBSCRIBE", self.REPORTS)
            reports.read_response()
        except ResponseError as error:  # this Redis will not report changes (too old, or not allowed): stop asking
            logger.warning("Page mirror: Redis refuses to report changes (%s); pages are read from Redis.", error)
            self._refused = True
            reports.disconnect()
            return None
        except (RedisError, OSError) as error:
            logger.warning("Page mirror: no reports from Redis (%s); pages are read from Redis.", type(error).__name__)
            reports.disconnect()
            return None
        return reports

    def _take_in(self) -> bool:
        """Apply what Redis has reported (under the lock). False when the reports are not being received."""
        if self._reports is None:
            return False
        try:
            taken = self._drain()
            if taken or time.monotonic() - self._looked_at > self.CONFIRM_AFTER_SECONDS:
                self._confirm()
            self._looked_at = time.monotonic()
        except BaseException as error:
            logger.warning("Page mirror: lost the reports from Redis (%s); reading from Redis.", type(error).__name__)
            self._stop()
            if not isinstance(error, Exception):
                raise
            return False
        return True

    def _drain(self) -> int:
        taken = 0
        while self._reports.is_connected and self._reports.can_read(timeout=0):
            self._apply(self._reports.read_response())
            taken += 1
        if not self._reports.is_connected:
            raise ConnectionError("the reporting connection closed")
        return taken

    def _confirm(self) -> None:
        """Everything Redis queued for this process up to now: what comes before the answer to a PING."""
        self._reports.send_command("PING")
        while True:
            report = self._reports.read_response()
            if report in ([b"pong", b""], b"PONG"):
                return
            self._apply(report)

    def _apply(self, report: Any) -> None:
        if not (isinstance(report, list) and len(report) == 3 and report[0] == b"message"):
            raise ValueError("an unexpected message on the reporting connection")
        self._changes += 1
        if report[2] is None:  # the database was flushed
            self._drop_all()
        else:
            for key in report[2]:
                self._drop(key.decode())

    def _stop(self) -> None:
        with contextlib.suppress(Exception):
            self._reports.disconnect()
        self._reports = None
        self._drop_all()
        self._changes += 1
        self._retry_at = time.monotonic() + self._retry_wait


def _size(value: Any) -> int:
    """Roughly what a copy holds: the text and bytes in it (a page entry's content, a rendered fragment)."""
    if isinstance(value, str | bytes):
        return len(value)
    if isinstance(value, tuple | list):
        return sum(len(part) for part in value if isinstance(part, str | bytes))
    return 0


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

    def get(self, key: str, default: Any) -> Any:
        if self.mirror is not None and self.mirror.covers([key]):
            return self.get_many([key]).get(key, default)
        return super().get(key, default)

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
    """OPTIONS may name a `mirror_prefix` (and `mirror_bytes`, its size): keys under it are mirrored in each
    process (see Mirror). Only with one server: with replicas, a read could come from one that lags."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = RedisCacheClient

    @cached_property
    def _cache(self) -> RedisCacheClient:
        options = dict(self._options)
        prefix, size = options.pop("mirror_prefix", None), options.pop("mirror_bytes", 16 * 1024 * 1024)
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
