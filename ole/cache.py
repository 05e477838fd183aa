"""The Redis cache backend, with one client per connection pool instead of one per command."""

from __future__ import annotations

import logging
from typing import Any

from django.core.cache.backends import redis as django_redis
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


class RedisCacheClient(django_redis.RedisCacheClient):
    # Django builds a new redis.Redis for every command, and redis-py fills its table of reply parsers each
    # time: a measurable part of a page-cache hit. A client is thread-safe and holds nothing but its pool.
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: str | None = None, *, write: bool = False) -> Any:
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(django_redis.RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = RedisCacheClient


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
