"""Cached pages and their versions mirrored in each process: a hit asks Redis nothing, and a change made by
any other process is seen by the next read. Runs where Redis is (the PostgreSQL + Redis pass of .ci/run)."""

from __future__ import annotations

import os
import uuid

import pytest
import redis

from ole.cache import Mirror, RedisCache

REDIS_URL = os.environ.get("REDIS_URL", "")
pytestmark = pytest.mark.skipif(not REDIS_URL, reason="needs Redis (REDIS_URL): the PostgreSQL + Redis pass")


def app_server(prefix: str, **options) -> RedisCache:
    """This process's cache, as an app server has it."""
    return RedisCache(REDIS_URL, {"KEY_PREFIX": prefix, "OPTIONS": {"mirror_prefix": "pages:", **options}})


def another_process(prefix: str) -> RedisCache:
    """Another app server's writes reach Redis only: nothing here hears of them but through Redis's reports."""
    return RedisCache(REDIS_URL, {"KEY_PREFIX": prefix})


@pytest.fixture
def servers():
    prefix = f"mirror-{uuid.uuid4().hex[:8]}"
    yield app_server(prefix), another_process(prefix)
    connection = redis.Redis.from_url(REDIS_URL)
    for key in connection.scan_iter(f"{prefix}:*"):
        connection.delete(key)


def asks_redis(cache: RedisCache, monkeypatch) -> list[str]:
    asked: list[str] = []
    real = cache._cache.get_client

    def counting(*args, **kwargs):
        asked.append("command")
        return real(*args, **kwargs)

    monkeypatch.setattr(cache._cache, "get_client", counting)
    return asked


def test_a_second_read_asks_redis_nothing(servers, monkeypatch):
    one, other = servers
    other.set("pages:v:site", 7)
    other.set("pages:abc", ("entry",))
    assert one.get_many(["pages:v:site", "pages:abc", "pages:none"]) == {"pages:v:site": 7, "pages:abc": ("entry",)}
    asked = asks_redis(one, monkeypatch)
    assert one.get_many(["pages:v:site", "pages:abc", "pages:none"]) == {"pages:v:site": 7, "pages:abc": ("entry",)}
    assert asked == []


def test_a_change_made_by_another_process_is_seen_by_the_next_read(servers):
    one, other = servers
    other.set("pages:v:site", 0)
    for value in range(1, 301):
        one.get_many(["pages:v:site"])  # a copy is kept here
        other.incr("pages:v:site")
        assert one.get_many(["pages:v:site"]) == {"pages:v:site": value}


def test_a_key_deleted_elsewhere_and_a_flush_are_seen(servers):
    one, other = servers
    other.set("pages:abc", "page")
    assert one.get_many(["pages:abc"]) == {"pages:abc": "page"}
    other.delete("pages:abc")
    assert one.get_many(["pages:abc"]) == {}
    other.set("pages:abc", "again")
    assert one.get_many(["pages:abc"]) == {"pages:abc": "again"}
    redis.Redis.from_url(REDIS_URL).flushdb()
    assert one.get_many(["pages:abc"]) == {}


def test_keys_outside_the_prefix_are_always_read_from_redis(servers, monkeypatch):
    one, other = servers
    other.set("limits:x", 1)
    one.get_many(["limits:x"])
    asked = asks_redis(one, monkeypatch)
    assert one.get_many(["limits:x"]) == {"limits:x": 1}
    assert asked == ["command"]


def test_a_change_landing_while_a_read_is_on_its_way_is_seen_by_the_next_read(servers, monkeypatch):
    from django.core.cache.backends import redis as django_redis

    one, other = servers
    other.set("pages:v:site", 1)
    real = django_redis.RedisCacheClient.get_many

    def read_then_changed_elsewhere(self, keys):
        found = real(self, keys)
        other.incr("pages:v:site")  # after Redis answered, before the answer is kept here
        return found

    monkeypatch.setattr(django_redis.RedisCacheClient, "get_many", read_then_changed_elsewhere)
    assert one.get_many(["pages:v:site"]) == {"pages:v:site": 1}
    monkeypatch.setattr(django_redis.RedisCacheClient, "get_many", real)
    assert one.get_many(["pages:v:site"]) == {"pages:v:site": 2}


def test_without_the_reports_every_read_goes_to_redis_until_they_are_back(servers, monkeypatch):
    one, other = servers
    monkeypatch.setattr(Mirror, "RETRY_SECONDS", (0.0, 0.0))
    other.set("pages:v:site", 1)
    one.get_many(["pages:v:site"])
    redis.Redis.from_url(REDIS_URL).client_kill_filter(_id=one._cache.mirror.own_id)  # Redis drops it
    other.set("pages:v:site", 2)
    assert one.get_many(["pages:v:site"]) == {"pages:v:site": 2}
    other.set("pages:v:site", 3)  # listening again: the change is reported and seen
    assert one.get_many(["pages:v:site"]) == {"pages:v:site": 3}
    asked = asks_redis(one, monkeypatch)
    assert one.get_many(["pages:v:site"]) == {"pages:v:site": 3}
    assert asked == []  # copies are kept again


def test_a_redis_that_will_not_report_changes_is_simply_read_each_time(servers, monkeypatch, caplog):
    one, other = servers
    real = redis.connection.Connection.send_command

    def refusing(self, *args, **kwargs):
        if args[:2] == ("CLIENT", "TRACKING"):
            args = ("CLIENT", "TRACKING", "NOT-AN-OPTION")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(redis.connection.Connection, "send_command", refusing)
    other.set("pages:v:site", 1)
    assert one.get_many(["pages:v:site"]) == {"pages:v:site": 1}
    asked = asks_redis(one, monkeypatch)
    other.set("pages:v:site", 2)
    assert one.get_many(["pages:v:site"]) == {"pages:v:site": 2}
    assert asked == ["command"]
    assert "refuses to report changes" in caplog.text
    assert one.get_many(["pages:v:site"]) == {"pages:v:site": 2}
    assert caplog.text.count("refuses to report changes") == 1  # not asked again


def test_copies_are_kept_up_to_a_size_and_the_one_used_longest_ago_goes_first(servers):
    one = app_server(servers[0].key_prefix, mirror_bytes=3000)
    for number in range(4):
        servers[1].set(f"pages:{number}", ("versions", b"x" * 1000))
        one.get_many([f"pages:{number}"])
        one.get_many(["pages:0"])  # used again each time
    mirror = one._cache.mirror
    assert set(mirror._values) == {f"{mirror.prefix}0", f"{mirror.prefix}3"}
    assert mirror._bytes <= 3000


def test_the_threads_of_a_process_share_one_mirror(servers):
    import threading

    one = servers[0]
    seen = []
    thread = threading.Thread(target=lambda: seen.append(app_server(one.key_prefix)._cache.mirror))
    thread.start()
    thread.join()
    assert seen == [one._cache.mirror]


def test_a_single_key_read_is_mirrored_too(servers, monkeypatch):
    one, other = servers
    other.set("pages:next-publication", (7, None))
    assert one.get("pages:next-publication") == (7, None)
    asked = asks_redis(one, monkeypatch)
    assert one.get("pages:next-publication") == (7, None)
    assert one.get("pages:never-written", "absent") == "absent"
    assert one.get("pages:never-written", "absent") == "absent"
    assert asked == ["command"]  # only the first read of the missing key
    other.set("pages:next-publication", (8, None))
    assert one.get("pages:next-publication") == (8, None)


def test_page_fragments_are_mirrored_and_a_fragment_rendered_elsewhere_is_seen(monkeypatch):
    from ole.cache import FragmentCache

    prefix = f"fragments-{uuid.uuid4().hex[:8]}"
    one = FragmentCache(REDIS_URL, {"KEY_PREFIX": prefix, "OPTIONS": {"mirror_prefix": "template.cache."}})
    other = FragmentCache(REDIS_URL, {"KEY_PREFIX": prefix})
    try:
        other.set("template.cache.post_text.abc", "<p>The first text.</p>", 60)
        assert one.get("template.cache.post_text.abc") == "<p>The first text.</p>"
        asked = asks_redis(one, monkeypatch)
        assert one.get("template.cache.post_text.abc") == "<p>The first text.</p>"
        assert asked == []
        other.set("template.cache.post_text.abc", "<p>The text, rendered again.</p>", 60)
        assert one.get("template.cache.post_text.abc") == "<p>The text, rendered again.</p>"
    finally:
        connection = redis.Redis.from_url(REDIS_URL)
        for key in connection.scan_iter(f"{prefix}:*"):
            connection.delete(key)


def test_a_mirror_counts_what_a_page_entry_weighs():
    import time

    mirror = Mirror(REDIS_URL, "any:", 50_000)
    assert mirror._ready()
    # As series.pagecache._store keeps a page: versions, end, status, headers, content, what it is about.
    entry = ((1, 2), time.time() + 60, 200, {"ETag": '"x"'}, b"<p>page</p>" * 1_000, 7)
    mirror.keep(["any:page"], {"any:page": entry}, mirror._changes)
    assert mirror._bytes >= 11_000
    mirror._stop()


def test_a_mirror_counts_what_its_fragments_weigh_and_drops_the_oldest():
    mirror = Mirror(REDIS_URL, "any:", 50_000)
    assert mirror._ready()
    for number in range(10):
        mirror.keep([f"any:{number}"], {f"any:{number}": "x" * 10_000}, mirror._changes)
    assert mirror._bytes <= 50_000
    assert "any:9" in mirror._values and "any:0" not in mirror._values
    mirror._stop()
