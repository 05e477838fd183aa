"""The page cache: shared anonymous pages, precise invalidation, proxy headers, and forms that still work."""

import datetime
import io
import re

import pytest
from django.core.cache import cache
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ole import pagecache
from series.models import Comment, Post
from stories.services import story_promote
from tests.factories import PostFactory, StaffFactory, StoryFactory

pytestmark = pytest.mark.django_db

HIT = "X-Page-Cache"


@pytest.fixture
def post():
    return PostFactory(title="Counting the days", body="Some days are long.\n\nOthers pass.")


def url(post: Post) -> str:
    return post.get_absolute_url()


def get_twice(client: Client, path: str):
    return client.get(path), client.get(path)


class TestSharedPages:
    def test_the_second_anonymous_visit_comes_from_the_cache_without_a_query(
        self, client, post, django_assert_num_queries
    ):
        first = client.get(url(post))
        assert first.status_code == 200 and HIT not in first
        with django_assert_num_queries(0):
            second = client.get(url(post))
        assert second[HIT] == "hit"
        assert second.content == first.content

    @pytest.mark.parametrize(
        "name",
        ["series:home", "series:feed", "series:tag_list", "series:series_list", "series:archive", "series:help"],
    )
    def test_public_pages_are_cached_and_shareable_by_a_proxy(self, client, post, name):
        first, second = get_twice(client, reverse(name))
        assert second[HIT] == "hit"
        for response in (first, second):
            control = response["Cache-Control"]
            assert "public" in control and "s-maxage=60" in control and "max-age=0" in control
            assert not response.cookies
            assert "Cookie" not in response.get("Vary", "")

    @pytest.mark.parametrize("name", ["series:home", "series:help", "series:feed", "series:search"])
    def test_a_shared_page_does_not_vary_by_cookie(self, client, post, name):
        # A proxy keeps one copy per distinct Cookie header when a page varies by cookie: one per visitor.
        for path in (reverse(name), url(post)):
            first, second = get_twice(Client(), path)
            assert "Cookie" not in first.get("Vary", "") and "Cookie" not in second.get("Vary", ""), path

    def test_a_shared_page_carries_no_csrf_token_and_says_where_to_get_one(self, client, post):
        response = client.get(url(post))
        html = response.content.decode()
        fields = re.findall(r'<input type="hidden" name="csrfmiddlewaretoken"[^>]*>', html)
        assert fields, "the comment and like forms are there"
        assert all('value=""' in field and "data-csrf-fill" in field for field in fields)
        assert reverse("series:form_token") in html
        assert "csrftoken" not in response.cookies

    def test_a_signed_in_editor_gets_a_private_page_with_a_real_token(self, client, post):
        client.force_login(StaffFactory())
        client.get(url(post))
        response = client.get(url(post))
        assert HIT not in response
        assert "private" in response["Cache-Control"]
        assert re.search(r'name="csrfmiddlewaretoken" value="\w{64}"', response.content.decode())

    @pytest.mark.parametrize("cookie", ["messages", "sessionid"])
    def test_a_visitor_with_personal_state_is_never_served_a_shared_copy(self, client, post, cookie):
        client.get(url(post))
        client.cookies[cookie] = "anything"
        response = client.get(url(post))
        assert HIT not in response
        assert "private" in response["Cache-Control"]
        assert "Cookie" in response["Vary"]

    def test_a_page_rendered_for_a_personal_visitor_is_not_handed_to_others(self, client, post):
        client.post(reverse("series:like", kwargs={"kind": "post", "pk": post.pk}))
        assert "Liked</button>" in client.get(url(post)).content.decode()
        stranger = Client().get(url(post)).content.decode()
        assert "Liked</button>" not in stranger

    def test_the_cache_switch_turns_it_off(self, client, post, settings):
        settings.OLE_PAGE_CACHE = False
        _, second = get_twice(client, url(post))
        assert HIT not in second
        assert "s-maxage" in second["Cache-Control"], "proxies may still keep it"


class TestInvalidation:
    def test_publishing_shows_on_the_next_request(self, client, post):
        draft = PostFactory(title="A new morning", status=Post.Status.DRAFT, publish_at=None)
        client.get(reverse("series:home"))
        draft.publish_now()
        assert "A new morning" in client.get(reverse("series:home")).content.decode()

    def test_editing_a_post_shows_on_the_next_request(self, client, post):
        client.get(url(post))
        post.title = "Counting the good days"
        post.save()
        assert "Counting the good days" in client.get(url(post)).content.decode()

    def test_an_approved_comment_shows_and_a_held_one_keeps_the_cache(self, client, post):
        client.get(url(post))
        held = Comment.objects.create(post=post, name="N", email="n@example.org", body="Held for now.")
        assert client.get(url(post))[HIT] == "hit", "a held comment changes nothing anyone sees"
        held.approve()
        response = client.get(url(post))
        assert HIT not in response
        assert "Held for now." in response.content.decode()

    def test_a_like_shows_on_the_next_request(self, client, post):
        client.get(url(post))
        Client().post(reverse("series:like", kwargs={"kind": "post", "pk": post.pk}))
        assert "Liked by 1 person" in client.get(url(post)).content.decode()

    def test_a_like_moves_only_its_post(self, client, post):
        other = PostFactory()
        client.get(url(other))
        post.like()
        assert client.get(url(other))[HIT] == "hit"

    def test_a_withdrawn_story_leaves_the_pages_at_once(self, client):
        editor = StaffFactory()
        story = StoryFactory(title="What the nights were like")
        story.start_review(editor=editor)
        story.approve(editor=editor)
        post = story_promote(story=story, editor=editor, series=None)
        assert "What the nights were like" in client.get(reverse("series:home")).content.decode()
        assert client.get(url(post)).status_code == 200
        story.withdraw()
        assert "What the nights were like" not in client.get(reverse("series:home")).content.decode()
        assert client.get(url(post)).status_code == 404

    def test_a_scheduled_post_going_live_bounds_how_long_pages_are_kept(self, post):
        PostFactory(status=Post.Status.SCHEDULED, publish_at=timezone.now() + datetime.timedelta(seconds=30))
        assert 1 <= pagecache._lifetime() <= 30

    def test_without_a_scheduled_post_pages_are_kept_for_the_configured_time(self, post, settings):
        assert pagecache._lifetime() == settings.OLE_PAGE_CACHE_SECONDS

    def test_a_published_post_given_a_later_moment_bounds_how_long_pages_are_kept_too(self, post):
        PostFactory(status=Post.Status.PUBLISHED, publish_at=timezone.now() + datetime.timedelta(seconds=30))
        assert 1 <= pagecache._lifetime() <= 30


def stored_bytes() -> bytes:
    """Everything the shared cache holds, as raw bytes (decoded where the backend encodes): what a copy or a backup
    of the cache's store would carry."""
    import base64

    from django.core.cache import caches
    from django.core.cache.backends.db import DatabaseCache
    from django.core.cache.backends.redis import RedisCache
    from django.db import connections, router

    store = caches["default"]
    if isinstance(store, RedisCache):
        client = store._cache.get_client(write=False)
        return b"".join(client.get(key) or b"" for key in client.scan_iter())
    assert isinstance(store, DatabaseCache)
    database = router.db_for_read(store.cache_model_class)
    with connections[database].cursor() as cursor:
        cursor.execute(f"SELECT value FROM {store._table}")  # noqa: S608 - the cache's own table name
        return b"".join(base64.b64decode(value) for (value,) in cursor.fetchall())


class TestWhatAPageIsKeptUnder:
    def test_made_up_query_parameters_share_one_entry(self, client, post):
        client.get(reverse("series:home"), {"utm_source": "a"})
        assert client.get(reverse("series:home"), {"utm_source": "b", "x": "1"})[HIT] == "hit"
        assert client.get(reverse("series:home"))[HIT] == "hit"

    def test_the_parameters_a_view_reads_keep_entries_apart(self, client, post):
        PostFactory.create_batch(settings_posts_per_page())
        client.get(reverse("series:home"))
        second_page = client.get(reverse("series:home"), {"page": "2"})
        assert HIT not in second_page
        searches = [client.get(reverse("series:search"), {"q": word}) for word in ("days", "nights")]
        assert all(HIT not in response for response in searches)

    def test_a_search_page_never_carries_parameters_it_does_not_read(self, client, post):
        PostFactory.create_batch(settings_posts_per_page(), title="Counting the days again")
        client.get(reverse("series:search"), {"q": "days", "tracker": "someone-else"})
        shared = client.get(reverse("series:search"), {"q": "days"})
        assert shared[HIT] == "hit"
        assert "tracker" not in shared.content.decode()

    def test_two_changes_at_once_never_write_the_same_version(self, monkeypatch):
        # Two processes that read the version at the same moment (here: every read answers the same) still
        # write two different values: a version is never derived from the one before (a read then a write).
        written = []
        real = cache.set

        def noting(key, value, *args, **kwargs):
            if key == pagecache.SITE_VERSION:
                written.append(value)
            return real(key, value, *args, **kwargs)

        monkeypatch.setattr(cache, "get", lambda *args, **kwargs: "the same old version")
        monkeypatch.setattr(cache, "get_many", lambda keys, **kwargs: dict.fromkeys(keys, "the same old version"))
        monkeypatch.setattr(cache, "set", noting)
        pagecache.site_changed()
        pagecache.site_changed()
        assert len(written) >= 2 and len(set(written)) == len(written)  # (retried: the stand-in never reads back)
        assert "the same old version" not in written


class TestErasedTextLeavesTheCache:
    def test_a_withdrawal_deletes_every_stored_copy(self, client):
        editor = StaffFactory()
        story = StoryFactory(title="Words to be withdrawn", body="A canary of the withdrawn story text.")
        story.start_review(editor=editor)
        story.approve(editor=editor)
        post = story_promote(story=story, editor=editor, series=None)
        client.get(reverse("series:home"))
        client.get(url(post))
        assert b"A canary of the withdrawn story text." in stored_bytes()
        story.withdraw()
        assert b"Words to be withdrawn" not in stored_bytes()
        assert b"A canary of the withdrawn story text." not in stored_bytes()

    def test_a_commenters_erasure_deletes_every_stored_copy(self, client, post):
        comment = Comment.objects.create(
            post=post, name="N", email="n@example.org", body="A canary comment.", status=Comment.Status.APPROVED
        )
        client.get(url(post))
        assert b"A canary comment." in stored_bytes()
        comment.remove_by_writer()
        assert b"A canary comment." not in stored_bytes()

    def test_a_comment_deleted_in_the_admin_leaves_the_store(self, client, post, admin_client):
        comment = Comment.objects.create(
            post=post, name="N", email="n@example.org", body="A canary the editors delete.", status="approved"
        )
        client.get(url(post))
        assert b"A canary the editors delete." in stored_bytes()
        delete = reverse("admin:series_comment_delete", args=[comment.pk])
        assert admin_client.post(delete, {"post": "yes"}).status_code == 302
        assert b"A canary the editors delete." not in stored_bytes()

    def test_a_post_deleted_in_the_admin_leaves_the_store(self, client, post, admin_client):
        client.get(url(post))
        assert b"Counting the days" in stored_bytes()
        delete = reverse("admin:series_post_delete", args=[post.pk])
        assert admin_client.post(delete, {"post": "yes"}).status_code == 302
        assert Post.objects.get(pk=post.pk).trashed_at is not None  # in the trash, restorable; no page shows it
        assert b"Counting the days" not in stored_bytes()

    def test_a_page_stored_after_a_change_began_is_not_kept(self, client, post, monkeypatch):
        # The page rendered from the data before an erasure, stored just after it: never served, and not kept.
        real = pagecache._lifetime

        def change_meanwhile() -> int:
            pagecache.site_changed()
            return real()

        monkeypatch.setattr(pagecache, "_lifetime", change_meanwhile)
        client.get(url(post))
        assert b"Counting the days" not in stored_bytes()


class TestChangesNobodySees:
    def test_a_held_comment_checked_again_moves_no_version(self, post):
        held = Comment.objects.create(post=post, name="N", email="n@example.org", body="Waiting.")
        before = cache.get(pagecache.SITE_VERSION)
        again = Comment.objects.get(pk=held.pk)
        again.held_reason = "Looked at again"
        again.save()
        again.delete()
        assert cache.get(pagecache.SITE_VERSION) == before

    def test_a_shown_comment_hidden_again_moves_the_version(self, post):
        comment = Comment.objects.create(post=post, name="N", email="n@example.org", body="Shown.", status="approved")
        before = cache.get(pagecache.SITE_VERSION)
        comment.mark_spam()
        assert cache.get(pagecache.SITE_VERSION) != before


def test_expired_pages_are_deleted_by_the_retention_command(client, post, monkeypatch):
    from django.core.cache import caches
    from django.core.cache.backends.db import DatabaseCache
    from django.core.management import call_command

    if not isinstance(caches["default"], DatabaseCache):
        pytest.skip("Redis expires keys by itself")
    client.get(url(post))
    assert b"Counting the days" in stored_bytes()
    later = timezone.now() + datetime.timedelta(days=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    call_command("apply_retention", stdout=io.StringIO())
    monkeypatch.undo()
    assert b"Counting the days" not in stored_bytes()


def test_postgresql_without_redis_fails_the_deploy_check(settings, monkeypatch):
    from ole.checks import cache_is_shared

    monkeypatch.setitem(settings.DATABASES["default"], "ENGINE", "django.db.backends.postgresql")
    settings.REDIS_URL = ""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "t"}}
    assert [error.id for error in cache_is_shared(None)] == ["ole.E002"]


def test_a_cache_kept_in_each_process_fails_the_deploy_check(settings):
    from ole.checks import cache_is_shared

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert [error.id for error in cache_is_shared(None)] == ["ole.E001"]
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "t"}}
    assert cache_is_shared(None) == []


def settings_posts_per_page() -> int:
    from django.conf import settings

    return settings.OLE_POSTS_PER_PAGE


class TestConditionalGet:
    def test_an_unchanged_page_answers_304(self, client, post):
        first = client.get(url(post))
        assert first["ETag"]
        again = client.get(url(post), HTTP_IF_NONE_MATCH=first["ETag"])
        assert again.status_code == 304 and again.content == b""

    def test_a_changed_page_answers_in_full(self, client, post):
        first = client.get(url(post))
        post.like()
        again = client.get(url(post), HTTP_IF_NONE_MATCH=first["ETag"])
        assert again.status_code == 200

    def test_feeds_answer_304_to_if_modified_since(self, client, post):
        first = client.get(reverse("series:feed"))
        assert first["Last-Modified"]
        again = client.get(reverse("series:feed"), HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
        assert again.status_code == 304


class TestFormsOnSharedPages:
    def comment(self, browser: Client, post: Post, token: str, **data):
        payload = {
            "csrfmiddlewaretoken": token,
            "name": "Reader",
            "email": "reader@example.org",
            "body": "Thank you for this.",
            **data,
        }
        return browser.post(reverse("series:comment_create", kwargs={"slug": post.slug}), payload)

    def test_the_token_endpoint_gives_a_working_token_and_is_never_kept(self, post):
        browser = Client(enforce_csrf_checks=True)
        response = browser.get(reverse("series:form_token"))
        assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
        token = response.json()["token"]
        assert "csrftoken" in response.cookies
        assert self.comment(browser, post, token).status_code == 302
        assert Comment.objects.filter(body="Thank you for this.").count() == 1

    def test_the_cookie_value_itself_works_as_the_token_as_the_script_sends_it(self, post):
        browser = Client(enforce_csrf_checks=True)
        browser.get(reverse("series:form_token"))
        assert self.comment(browser, post, browser.cookies["csrftoken"].value).status_code == 302

    def test_without_a_token_the_comment_is_offered_again_filled_in(self, post):
        browser = Client(enforce_csrf_checks=True)
        body = "Everything I typed <b>stays</b> here."
        response = self.comment(browser, post, "", body=body, form_key="8a4a7c5e-2a4e-4a8e-9a49-6b7b1f3c2d10")
        assert response.status_code == 403
        html = response.content.decode()
        assert "Please send your comment again" in html
        assert "Everything I typed &lt;b&gt;stays&lt;/b&gt; here." in html
        assert "8a4a7c5e-2a4e-4a8e-9a49-6b7b1f3c2d10" not in html, "a shared page's key is replaced"
        assert not Comment.objects.exists()
        token = re.search(r'name="csrfmiddlewaretoken" value="(\w+)"', html).group(1)
        key = re.search(r'name="form_key" value="([\w-]+)"', html).group(1)
        assert self.comment(browser, post, token, body=body, form_key=key).status_code == 302
        assert Comment.objects.get().body == body

    def test_without_a_token_a_like_is_offered_again(self, post):
        browser = Client(enforce_csrf_checks=True)
        like = reverse("series:like", kwargs={"kind": "post", "pk": post.pk})
        response = browser.post(like)
        assert response.status_code == 403 and "Like this?" in response.content.decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="(\w+)"', response.content.decode()).group(1)
        assert browser.post(like, {"csrfmiddlewaretoken": token}).status_code == 302
        post.refresh_from_db()
        assert post.like_count == 1

    def test_other_forms_without_a_token_get_a_clear_page(self):
        response = Client(enforce_csrf_checks=True).post(reverse("stories:share"), {"title": "x"})
        assert response.status_code == 403
        assert "This form has expired" in response.content.decode()

    def test_two_readers_sending_the_shared_form_key_both_get_their_comment(self, post):
        key = "1b7c3d2e-4f5a-4b6c-8d7e-9f0a1b2c3d4e"
        for email, body in (("a@example.org", "First reader."), ("b@example.org", "Second reader.")):
            browser = Client(enforce_csrf_checks=True)
            token = browser.get(reverse("series:form_token")).json()["token"]
            assert self.comment(browser, post, token, email=email, body=body, form_key=key).status_code == 302
        assert Comment.objects.count() == 2


class TestWhatIsPersonalWhere:
    """Own comments and likes show only on post pages: a browser that has them gets every other page shared."""

    @pytest.mark.parametrize("cookie", ["ole_likes", "ole_comments"])
    @pytest.mark.parametrize("name", ["series:home", "series:feed", "series:series_list", "series:help"])
    def test_comment_and_like_cookies_leave_other_pages_shared(self, client, post, cookie, name):
        client.get(reverse(name))
        client.cookies[cookie] = "anything"
        response = client.get(reverse(name))
        assert response[HIT] == "hit"
        assert "public" in response["Cache-Control"]

    @pytest.mark.parametrize("cookie", ["messages", "sessionid"])
    def test_a_session_or_a_message_makes_every_page_personal(self, client, post, cookie):
        client.get(reverse("series:home"))
        client.cookies[cookie] = "anything"
        response = client.get(reverse("series:home"))
        assert HIT not in response
        assert "private" in response["Cache-Control"]

    @pytest.mark.parametrize(
        "name", ["series:home", "series:series_list", "series:tag_list", "series:archive", "series:feed", "series:help"]
    )
    def test_a_reader_who_liked_and_commented_sees_the_same_pages_as_a_stranger(self, client, post, name):
        client.post(reverse("series:like", kwargs={"kind": "post", "pk": post.pk}))
        comment = {"name": "Reader", "email": "first-time@example.org", "body": "My own words, not yet approved."}
        client.post(reverse("series:comment_create", kwargs={"slug": post.slug}), comment)
        assert {"ole_likes", "ole_comments"} <= set(client.cookies)
        assert Comment.objects.get(body=comment["body"]).status == Comment.Status.PENDING
        own_post_page = client.get(url(post))
        assert "private" in own_post_page["Cache-Control"], "their post page is still their own"
        assert comment["body"] in own_post_page.content.decode()
        del client.cookies["messages"]  # shown on that page and expired by it; a browser drops it, the test client not

        stranger = Client().get(reverse(name))
        mine = client.get(reverse(name))
        assert mine[HIT] == "hit"
        assert mine.content == stranger.content
        assert comment["body"] not in mine.content.decode()


def signed_cookie(client: Client, name: str, items: list) -> None:
    """Put entries in a community cookie exactly as series.community signs them (old formats, odd values)."""
    from django.core import signing

    signed = HttpResponse()
    signed.set_signed_cookie(name, signing.json.dumps(items), salt=name)
    client.cookies[name] = signed.cookies[name].value


class TestOwnActivityOnAPost:
    """A post page is a browser's own only where it commented or liked (the post or one of its comments)."""

    @pytest.fixture(autouse=True)
    def pks_that_differ(self):
        # Posts and comments numbered apart, so a post pk taken for a comment pk (or the reverse) shows.
        others = PostFactory.create_batch(3)
        for n in range(7):
            Comment.objects.create(post=others[0], name="N", email="n@example.org", body=f"{n}", status="approved")

    @staticmethod
    def like(client: Client, kind: str, pk: int):
        return client.post(reverse("series:like", kwargs={"kind": kind, "pk": pk}))

    @staticmethod
    def comment(client: Client, post: Post, body: str):
        payload = {"name": "Reader", "email": "new-here@example.org", "body": body}
        client.post(reverse("series:comment_create", kwargs={"slug": post.slug}), payload)
        client.get(url(post))  # shows (and expires) the thank-you message
        del client.cookies["messages"]  # a browser drops an expired cookie; the test client keeps it

    def test_a_like_makes_that_post_page_its_own_and_leaves_the_others_shared(self, client, post):
        other = PostFactory(title="Another day")
        self.like(client, "post", post.pk)
        own = client.get(url(post))
        assert "Liked</button>" in own.content.decode() and "private" in own["Cache-Control"]
        stranger = Client().get(url(other))
        mine = client.get(url(other))
        assert mine[HIT] == "hit" and mine.content == stranger.content
        assert "Liked</button>" not in mine.content.decode()

    def test_a_like_on_a_comment_makes_its_post_page_its_own(self, client, post):
        other = PostFactory(title="Another day")
        comment = Comment.objects.create(post=post, name="Known", email="k@example.org", body="Hi", status="approved")
        self.like(client, "comment", comment.pk)
        assert "Liked</button>" in client.get(url(post)).content.decode()
        Client().get(url(other))
        assert client.get(url(other))[HIT] == "hit"

    def test_a_comment_waiting_for_moderation_shows_to_its_writer_only_on_its_post(self, client, post):
        other = PostFactory(title="Another day")
        self.comment(client, post, "Mine, still waiting.")
        assert Comment.objects.get(body="Mine, still waiting.").status == Comment.Status.PENDING
        own = client.get(url(post))
        assert "Mine, still waiting." in own.content.decode() and "private" in own["Cache-Control"]
        assert "Mine, still waiting." not in Client().get(url(post)).content.decode()
        Client().get(url(other))
        assert client.get(url(other))[HIT] == "hit"

    def test_the_shared_copy_is_never_one_rendered_for_a_writer(self, client, post):
        self.comment(client, post, "Mine, still waiting.")
        client.get(url(post))
        for _ in range(2):
            assert "Mine, still waiting." not in Client().get(url(post)).content.decode()

    def test_a_page_first_rendered_for_a_browser_with_activity_elsewhere_is_the_strangers_page(self, client, post):
        other = PostFactory(title="Another day")
        self.like(client, "post", other.pk)
        self.comment(client, other, "Mine, on the other post.")
        mine = client.get(url(post))
        assert HIT not in mine, "rendered now, for this browser"
        stranger = Client().get(url(post))
        assert stranger[HIT] == "hit" and stranger.content == mine.content
        assert "Liked</button>" not in stranger.content.decode()

    def test_a_shared_page_never_reads_the_browsers_own_comments_even_if_one_moved_post(self, client, post):
        other = PostFactory(title="Another day")
        self.comment(client, other, "Written on the other post.")
        Comment.objects.filter(body="Written on the other post.").update(post=post)  # e.g. a data fix
        client.get(url(post))
        assert "Written on the other post." not in Client().get(url(post)).content.decode()

    @pytest.mark.parametrize(
        "items",
        [
            [True, -3, [1, 2, 3], [True, 1], {"a": 1}, 0],
            ["comment:1@\u00b2", "post:\u00b2", "post:-1", "post:99999999999999999999999"],
            [[99999999999999999999999, 1]],
        ],
    )
    def test_odd_entries_are_ignored_not_a_500(self, client, post, items):
        Client().get(url(post))
        for name in ("ole_comments", "ole_likes"):
            signed_cookie(client, name, items)
            response = client.get(url(post))
            assert response.status_code == 200

    def test_an_unreadable_cookie_shows_nothing_of_anyone_and_gets_the_shared_page(self, client, post):
        Client().get(url(post))
        client.cookies["ole_likes"] = "forged"
        assert client.get(url(post))[HIT] == "hit"

    def test_a_cached_copy_of_the_post_a_browser_liked_is_not_what_it_gets(self, client, post):
        comment = Comment.objects.create(post=post, name="Known", email="k@example.org", body="Hi", status="approved")
        self.like(client, "comment", comment.pk)
        stranger = Client()
        stranger.get(url(post))
        assert stranger.get(url(post))[HIT] == "hit", "a shared copy is there"
        own = client.get(url(post))
        assert HIT not in own and "Liked</button>" in own.content.decode()

    def test_liking_twice_still_counts_once(self, client, post):
        comment = Comment.objects.create(post=post, name="Known", email="k@example.org", body="Hi", status="approved")
        for _ in range(2):
            self.like(client, "comment", comment.pk)
            self.like(client, "post", post.pk)
        comment.refresh_from_db()
        post.refresh_from_db()
        assert (comment.like_count, post.like_count) == (1, 1)
