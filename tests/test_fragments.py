"""Form fields every visitor sees alike come from cached fragments; nothing personal ever goes into one."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from ole.cache import FragmentCache, RedisCache
from series.models import Comment
from stories.models import ConsentVersion
from tests.factories import PostFactory, SeriesFactory, StaffFactory, current_consent, days_ago

pytestmark = pytest.mark.django_db

STORY_FIELDS = "stories/_story_fields.html"
COMMENT_FIELDS = "includes/comment_fields.html"


def rendered(response) -> set[str]:
    return {template.name for template in response.templates}


def hidden(html: str, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]*)"', html).group(1)


class TestStoryForm:
    def test_the_second_writer_gets_the_fields_from_the_fragment_with_keys_of_their_own(self, client):
        current_consent()
        first = client.get(reverse("stories:submit"))
        second = client.get(reverse("stories:submit"))
        assert STORY_FIELDS in rendered(first)
        assert STORY_FIELDS not in rendered(second)
        for response in (first, second):
            assert 'name="title"' in response.content.decode()
            assert 'name="consent_adult"' in response.content.decode()
        assert hidden(first.content.decode(), "submission_key") != hidden(second.content.decode(), "submission_key")

    def test_a_new_series_shows_on_the_next_visit(self, client):
        current_consent()
        client.get(reverse("stories:submit"))
        SeriesFactory(title="Coming off slowly")
        assert "Coming off slowly" in client.get(reverse("stories:submit")).content.decode()

    def test_a_new_consent_wording_shows_on_the_next_visit(self, client, monkeypatch):
        from series import pagecache

        current_consent()
        client.get(reverse("stories:submit"))
        monkeypatch.setattr(pagecache, "site_changed", lambda: None)  # nothing else moves the site version
        ConsentVersion.objects.create(
            version=2, publish_text="Publish v2.", editing_text="Edit v2.", age_text="I am an adult (v2)."
        )
        page = client.get(reverse("stories:submit")).content.decode()
        assert "I am an adult (v2)." in page
        assert hidden(page, "consent_version") == "2"

    def test_a_changed_field_after_a_deploy_starts_a_new_fragment(self, client, monkeypatch):
        from stories.forms import StoryForm

        current_consent()
        client.get(reverse("stories:submit"))
        label = StoryForm.base_fields["title"].label
        monkeypatch.setattr(StoryForm.base_fields["title"], "label", "Name your story")
        page = client.get(reverse("stories:submit")).content.decode()
        assert "Name your story" in page
        assert label not in page

    def test_the_series_an_invitation_chose_stays_with_that_invitation(self, client):
        current_consent()
        chosen = SeriesFactory(title="Sleep again")
        invited = client.get(reverse("stories:submit"), {"series": chosen.slug}).content.decode()
        plain = client.get(reverse("stories:submit")).content.decode()
        again = client.get(reverse("stories:submit"), {"series": chosen.slug}).content.decode()
        option = f'<option value="{chosen.pk}" selected>'
        assert option in invited
        assert option in again
        assert option not in plain

    def test_a_form_with_errors_after_a_cached_one_keeps_what_was_typed(self, client):
        from tests.stories.test_submission import form_data

        current_consent()
        client.get(reverse("stories:submit"))
        response = client.post(reverse("stories:submit"), form_data(title="Kept <b>as typed</b>", body="Too short."))
        assert response.status_code == 200
        assert STORY_FIELDS in rendered(response)
        page = response.content.decode()
        assert "Kept &lt;b&gt;as typed&lt;/b&gt;" in page
        assert "Too short." in page


class TestCommentForm:
    def test_an_editors_name_and_email_never_reach_another_visitors_form(self, client):
        post = PostFactory()
        editor = StaffFactory(username="editor-sam", email="sam.editor@ole.example", first_name="Sam")
        client.force_login(editor)
        own = client.get(post.get_absolute_url())
        assert COMMENT_FIELDS in rendered(own)
        assert "sam.editor@ole.example" in own.content.decode()
        client.logout()
        client.cookies.clear()
        for visit in range(2):
            anonymous = client.get(post.get_absolute_url(), {"visit": visit})
            assert 'name="body"' in anonymous.content.decode()
            assert "sam.editor@ole.example" not in anonymous.content.decode()
        assert COMMENT_FIELDS not in rendered(anonymous)  # the second anonymous visit used the fragment

    def test_each_private_page_view_still_gets_its_own_form_key(self, client):
        post = PostFactory()
        client.cookies["messages"] = "x"  # personal state: the page is rendered for this visitor
        first = client.get(post.get_absolute_url()).content.decode()
        second = client.get(post.get_absolute_url()).content.decode()
        assert hidden(first, "form_key") != hidden(second, "form_key")


class TestBackends:
    def test_the_redis_client_is_made_once_per_pool_not_per_command(self):
        backend = RedisCache("redis://127.0.0.1:1/0", {})._cache
        assert backend.get_client() is backend.get_client()
        assert backend.get_client(write=True) is backend.get_client("key", write=True)

    @pytest.mark.parametrize("options", [{}, {"mirror_prefix": "template.cache."}], ids=["plain", "mirrored"])
    def test_fragments_are_skipped_not_fatal_when_redis_cannot_be_reached(self, caplog, options):
        fragments = FragmentCache("redis://127.0.0.1:1/0", {"OPTIONS": options})
        assert fragments.get("template.cache.story_form_fields", "missing") == "missing"
        fragments.set("template.cache.story_form_fields", "<p>fields</p>", 60)
        assert "Fragment cache: read failed (ConnectionError)" in caplog.text
        assert "Fragment cache: write failed (ConnectionError)" in caplog.text


class TestFooter:
    @staticmethod
    def footer(response) -> str:
        html = response.content.decode()
        return html[html.index('<footer class="site-footer">') :]

    def test_the_footer_comes_from_a_fragment_and_a_changed_crisis_line_shows_on_the_next_page(self, client):
        from series.models import CrisisLine

        first = client.get(reverse("series:privacy"))
        second = client.get(reverse("stories:share"))
        assert "includes/footer.html" in rendered(first)
        assert "includes/footer.html" not in rendered(second)
        line = CrisisLine.objects.first()
        assert line.name in self.footer(second)
        line.name = "Night line for families"
        line.save()
        assert "Night line for families" in self.footer(client.get(reverse("stories:share")))

    def test_the_footer_fragment_costs_no_query(self, client, django_assert_num_queries):
        current_consent()
        client.get(reverse("stories:submit"))
        with django_assert_num_queries(1):  # the consent wording; the crisis lines come with the footer
            client.get(reverse("stories:submit"))


class TestCommentThread:
    """A shared post page takes its comment thread from a fragment kept under the thread's own version."""

    THREAD = "includes/comment.html"

    @pytest.fixture(autouse=True)
    def _without_the_page_cache(self, settings):
        settings.OLE_PAGE_CACHE = False  # every request renders the page, so what the fragment does shows

    @pytest.fixture
    def post(self):
        return PostFactory(publish_at=days_ago(3))

    @pytest.fixture
    def comment(self, post):
        from tests.series.test_comments import approved

        return approved(post, name="Thandi", body="Slow and steady worked for me.")

    @staticmethod
    def thread_of(response) -> str:
        html = response.content.decode()
        start = html.index('id="comments"')
        return html[start : html.index("</section>", start)]

    def test_the_second_visit_takes_the_thread_from_the_fragment_without_reading_the_comments(self, client, post):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from tests.series.test_comments import approved

        first = approved(post, name="Thandi", body="Slow and steady worked for me.")
        approved(post, parent=first, name="Lee", body="Same here, thank you.")
        fresh = client.get(post.get_absolute_url())
        with CaptureQueriesContext(connection) as queries:
            again = client.get(post.get_absolute_url())
        assert self.THREAD in rendered(fresh)
        assert self.THREAD not in rendered(again)
        assert not [query for query in queries if 'FROM "series_comment"' in query["sql"]]
        before_the_form = [self.thread_of(page).split("Leave a comment")[0] for page in (fresh, again)]
        assert before_the_form[0] == before_the_form[1]
        assert "Same here, thank you." in self.thread_of(again)

    @pytest.mark.parametrize(
        "change, shown, gone",
        [
            ("new comment", "A new voice here.", None),
            ("approved", "Held until an editor read it.", None),
            ("comment liked", "Liked by 1 person", None),
            ("edited", "Edited by the moderator.", "Slow and steady worked for me."),
            ("removed by writer", "Comment removed by its writer.", "Slow and steady worked for me."),
            ("marked spam", None, "Slow and steady worked for me."),
            ("deleted", None, "Slow and steady worked for me."),
        ],
    )
    def test_a_change_to_the_comments_shows_on_the_next_visit(self, client, post, comment, change, shown, gone):
        from tests.series.test_comments import approved

        held = Comment.objects.create(
            post=post, name="New", email="new@example.org", body="Held until an editor read it.", status="pending"
        )
        before = self.thread_of(client.get(post.get_absolute_url()))
        assert "Held until an editor read it." not in before
        if change == "new comment":
            approved(post, name="Sipho", body="A new voice here.")
        elif change == "approved":
            held.approve()
        elif change == "comment liked":
            comment.like()
        elif change == "edited":
            comment.body = "Edited by the moderator."
            comment.save()
        elif change == "removed by writer":
            approved(post, parent=comment, name="Lee", body="A reply keeps the place.")
            client.get(post.get_absolute_url())  # the fragment now holds the reply
            comment.remove_by_writer()
        elif change == "marked spam":
            comment.mark_spam()
        else:
            comment.delete()
        after = self.thread_of(client.get(post.get_absolute_url()))
        if shown:
            assert shown in after
        if gone:
            assert gone not in after

    @pytest.mark.parametrize("change", ["post liked", "comment elsewhere", "post published elsewhere"])
    def test_what_does_not_touch_the_thread_leaves_its_fragment(self, client, post, comment, change):
        from tests.series.test_comments import approved

        client.get(post.get_absolute_url())
        if change == "post liked":
            post.like()
        elif change == "comment elsewhere":
            approved(PostFactory(), body="Somewhere else.")
        else:
            PostFactory(title="A new part")
        again = client.get(post.get_absolute_url())
        assert self.THREAD not in rendered(again)
        assert "Slow and steady worked for me." in self.thread_of(again)
        if change == "post liked":  # the post's own count is outside the thread, and is current
            assert "Liked by 1 person</span>" in again.content.decode().split('id="comments"')[0]

    def test_comments_closing_with_age_takes_the_reply_links_away(self, client, post, comment):
        from tests.series.test_comments import set_rules

        assert "Reply to Thandi" in self.thread_of(client.get(post.get_absolute_url()))
        set_rules(close_after_days=1)
        page = client.get(post.get_absolute_url())
        assert "Comments are closed on this post." in page.content.decode()
        assert "Reply to Thandi" not in self.thread_of(page)

    def test_a_reader_with_something_of_their_own_here_never_gets_the_shared_thread(self, client, post, comment):
        like = client.post(reverse("series:like", kwargs={"kind": "comment", "pk": comment.pk}))
        assert like.status_code == 302
        Client().get(post.get_absolute_url())  # a visitor with nothing here: the shared fragment is kept
        mine = client.get(post.get_absolute_url())
        assert self.THREAD in rendered(mine)
        assert 'aria-pressed="true"' in self.thread_of(mine)
        shared = Client().get(post.get_absolute_url())
        assert self.THREAD not in rendered(shared)
        assert 'aria-pressed="true"' not in self.thread_of(shared)
        assert "Liked by 1 person" in self.thread_of(shared)

    def test_a_cache_that_is_down_renders_the_thread_each_time(self, client, post, comment, monkeypatch):
        from django.core.cache import cache

        def down(*args, **kwargs):
            raise ConnectionError("cache down")

        monkeypatch.setattr(cache, "get_many", down)
        for _visit in range(2):
            page = client.get(post.get_absolute_url())
            assert page.status_code == 200
            assert self.THREAD in rendered(page)
            assert "Slow and steady worked for me." in self.thread_of(page)


class TestPostParts:
    """The post's meta tags, header and text (with its tags, notes and series navigation) are shared fragments."""

    TEXT = "series/_post_text.html"

    @pytest.fixture(autouse=True)
    def _without_the_page_cache(self, settings):
        settings.OLE_PAGE_CACHE = False

    @pytest.fixture
    def series(self):
        return SeriesFactory(title="Coming off slowly")

    @pytest.fixture
    def post(self, series):
        return PostFactory(series=series, part_number=1, publish_at=days_ago(2), title="The first step")

    def test_the_second_visit_takes_the_text_and_navigation_from_fragments(self, client, post, series):
        PostFactory(series=series, part_number=2, publish_at=days_ago(1), title="The second step")
        fresh = client.get(post.get_absolute_url())
        again = client.get(post.get_absolute_url())
        assert self.TEXT in rendered(fresh)
        assert self.TEXT not in rendered(again)
        assert "The second step" in again.content.decode()
        assert "Part 1 of 2 in" in again.content.decode()
        assert again.content.decode().replace(hidden(again.content.decode(), "form_key"), "") == (
            fresh.content.decode().replace(hidden(fresh.content.decode(), "form_key"), "")
        )

    @pytest.mark.parametrize("change", ["edited", "new part", "tagged", "series renamed"])
    def test_a_change_shows_on_the_next_visit(self, client, post, series, change):
        client.get(post.get_absolute_url())
        if change == "edited":
            post.title, post.body = "The first step, revised", "A new paragraph about mornings."
            post.save()
            expected = ["The first step, revised", "A new paragraph about mornings.", 'content="The first step, rev']
        elif change == "new part":
            PostFactory(series=series, part_number=2, publish_at=days_ago(1), title="The second step")
            expected = ["The second step", "Part 1 of 2 in"]
        elif change == "tagged":
            from tests.factories import TopicFactory

            post.tags.add(TopicFactory(name="Sleep"))
            expected = ['rel="tag">Sleep</a>']
        else:
            series.title = "Tapering, slowly"
            series.save()
            expected = ["Tapering, slowly"]
        page = client.get(post.get_absolute_url()).content.decode()
        for text in expected:
            assert text in page

    def test_a_part_going_live_at_its_time_shows_without_a_save(self, client, post, series, monkeypatch):
        import datetime
        import time

        from django.utils import timezone

        from series.models import Post

        live_at = timezone.now() + datetime.timedelta(seconds=60)
        PostFactory(series=series, part_number=2, status=Post.Status.SCHEDULED, publish_at=live_at, title="Step two")
        assert "Step two" not in client.get(post.get_absolute_url()).content.decode()
        # Ninety seconds on: well within the fragments' lifetime, so only their key can bring the new part in.
        later = live_at + datetime.timedelta(seconds=30)
        monkeypatch.setattr(timezone, "now", lambda: later)
        monkeypatch.setattr(time, "time", lambda: later.timestamp())
        page = client.get(post.get_absolute_url()).content.decode()
        assert "Step two" in page
        assert "Part 1 of 2 in" in page

    def test_an_edit_landing_between_reading_the_post_and_rendering_it_is_not_kept(self, client, post, monkeypatch):
        from series.models import Post
        from series.views import PostDetailView

        real = PostDetailView.get_object
        edits = []

        def read_then_edited(view, queryset=None):
            found = real(view, queryset)
            if not edits:  # an editor's save commits while this page is being put together
                edits.append(Post.objects.get(pk=post.pk))
                edits[0].title = "Renamed while rendering"
                edits[0].save()
            return found

        monkeypatch.setattr(PostDetailView, "get_object", read_then_edited)
        first = client.get(post.get_absolute_url()).content.decode()
        assert "<h1>The first step</h1>" in first  # rendered from what it read
        again = client.get(post.get_absolute_url()).content.decode()
        assert "<h1>Renamed while rendering</h1>" in again

    def test_a_like_on_the_post_leaves_its_text_and_thread_and_shows_the_count(self, client, post):
        client.get(post.get_absolute_url())
        post.like()
        again = client.get(post.get_absolute_url())
        assert self.TEXT not in rendered(again)
        assert "Liked by 1 person" in again.content.decode()

    def test_each_address_the_site_answers_at_gets_its_own_links(self, client, post):
        client.get(post.get_absolute_url(), HTTP_HOST="localhost")
        page = client.get(post.get_absolute_url(), HTTP_HOST="127.0.0.1").content.decode()
        assert f'<link rel="canonical" href="http://127.0.0.1{post.get_absolute_url()}">' in page
        assert "http://localhost" not in page

    def test_a_preview_never_goes_into_a_shared_fragment(self, staff_client, series):
        from series.models import Post

        draft = PostFactory(series=series, status=Post.Status.DRAFT, publish_at=None, body="Draft words, not final.")
        preview = staff_client.get(reverse("series:post_preview", kwargs={"slug": draft.slug}))
        assert "Draft words, not final." in preview.content.decode()
        # Published without a save that moves the site version: a fragment kept by the preview would now be served.
        Post.objects.filter(pk=draft.pk).update(
            status=Post.Status.PUBLISHED,
            publish_at=days_ago(1),
            body="Final words.",
            body_html="<p>Final words.</p>",
            summary="Final words.",
        )
        public = Client().get(draft.get_absolute_url())
        assert self.TEXT in rendered(public)
        assert "Final words." in public.content.decode()
        assert "Draft words, not final." not in public.content.decode()
