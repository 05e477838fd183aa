"""Counters that guard sign-in and floods live where no cache can evict them, and fail closed when they cannot count.

Before, they shared a 300-entry cache with page copies: 350 requests to made-up addresses unlocked a locked
staff account and reset the flood limits.
"""

import shutil
import socket
import subprocess
import time

import pytest
from django.core.cache import caches
from django.db import OperationalError
from django.test import Client, RequestFactory
from django.urls import reverse

from ole import pagecache
from series.models import Comment
from stories.models import Story
from tests.factories import PostFactory, StaffFactory
from tests.stories.test_submission import form_data

pytestmark = pytest.mark.django_db

PAGE_VARIANTS = 10_000
PASSWORD = "a-long-test-password-42"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(params=["configured", "redis with allkeys-lru"])
def page_store(request, settings, tmp_path):
    """The cache as configured (the database cache on this pass, Redis on CI's second), or a Redis of the test's
    own that evicts any key under a small memory limit."""
    if request.param == "configured":
        yield
        return
    redis_server = shutil.which("redis-server")
    if not redis_server:
        pytest.skip("redis-server is not installed (CI installs it for its second pass)")
    port = _free_port()
    server = subprocess.Popen(  # noqa: S603
        [redis_server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--maxmemory", "4mb", "--maxmemory-policy", "allkeys-lru", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        for _ in range(100):
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.05)
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": f"redis://127.0.0.1:{port}/0",
            }
        }
        yield
    finally:
        server.terminate()
        server.wait(10)


def fill_with_search_pages(client: Client) -> None:
    """Store PAGE_VARIANTS search pages, as that many visitors searching for different words would."""
    first = client.get(reverse("series:search"), {"q": "variant 0"})
    assert client.get(reverse("series:search"), {"q": "variant 0"})["X-Page-Cache"] == "hit"
    factory = RequestFactory()
    params = ("page", "q", "series", "tag")
    versions = (caches["default"].get(pagecache.SITE_VERSION),)
    for number in range(1, PAGE_VARIANTS):
        request = factory.get(reverse("series:search"), {"q": f"variant {number}"})
        pagecache._store(pagecache._page_key(request, params), [pagecache.SITE_VERSION], versions, first)


def test_stored_pages_never_unlock_a_locked_account(client, page_store):
    StaffFactory(username="editor-lin", password=PASSWORD)
    login = reverse("admin:login")
    for _ in range(5):
        assert client.post(login, {"username": "editor-lin", "password": "wrong-password-123"}).status_code == 200
    fill_with_search_pages(Client())
    locked = client.post(login, {"username": "editor-lin", "password": PASSWORD})
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


def test_stored_pages_never_reset_the_flood_limits(client, page_store, settings):
    settings.OLE_COMMENTS_PER_HOUR = 1
    settings.OLE_LIKES_PER_HOUR = 1
    settings.OLE_STORY_SUBMISSIONS_PER_HOUR = 1
    settings.OLE_LOST_LINK_REQUESTS_PER_HOUR = 1
    post, other = PostFactory(), PostFactory()
    comment = reverse("series:comment_create", kwargs={"slug": post.slug})
    typed = {"name": "Reader", "email": "reader@example.org", "body": "Thank you for this."}
    assert client.post(comment, typed).status_code == 302
    assert client.post(reverse("series:like", kwargs={"kind": "post", "pk": post.pk})).status_code == 302
    assert client.post(reverse("stories:submit"), form_data(title="The first")).status_code == 302
    assert client.post(reverse("stories:lost_link"), {"email": "a@example.org"}).status_code == 200

    fill_with_search_pages(Client())

    assert client.post(comment, {**typed, "body": "And once more."}).status_code == 429
    assert client.post(reverse("series:like", kwargs={"kind": "post", "pk": other.pk})).status_code == 429
    assert client.post(reverse("stories:submit"), form_data(title="The second")).status_code == 429
    assert client.post(reverse("stories:lost_link"), {"email": "a@example.org"}).status_code == 429
    assert Comment.objects.count() == 1
    assert Story.objects.count() == 1


@pytest.fixture
def counters_refuse_writes(monkeypatch):
    def refused(key: str, *, window: int) -> int:
        raise OperationalError("attempt to write a readonly database")

    monkeypatch.setattr("ole.ratelimit.increment", refused)
    monkeypatch.setattr("ole.loginguard.increment", refused)


def test_sign_in_fails_closed_when_attempts_cannot_be_counted(client, counters_refuse_writes):
    StaffFactory(username="editor-lin", password=PASSWORD)
    response = client.post(reverse("admin:login"), {"username": "editor-lin", "password": PASSWORD})
    assert response.status_code == 503
    assert "Signing in is paused" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_story_fails_closed_and_keeps_what_was_typed(client, counters_refuse_writes):
    response = client.post(reverse("stories:submit"), form_data(title="Typed while counting failed"))
    assert response.status_code == 503
    assert response.context["form"]["title"].value() == "Typed while counting failed"
    assert not Story.objects.exists()


def test_a_comment_fails_closed(client, counters_refuse_writes):
    post = PostFactory()
    typed = {"name": "Reader", "email": "reader@example.org", "body": "Written while counting failed."}
    response = client.post(reverse("series:comment_create", kwargs={"slug": post.slug}), typed)
    assert response.status_code == 503
    assert "Written while counting failed." in response.content.decode()
    assert not Comment.objects.exists()


def test_a_like_still_counts_when_its_limit_cannot(client, counters_refuse_writes):
    post = PostFactory()
    assert client.post(reverse("series:like", kwargs={"kind": "post", "pk": post.pk})).status_code == 302
    post.refresh_from_db()
    assert post.like_count == 1
