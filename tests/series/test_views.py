import pytest
from django.urls import reverse

from series.models import CrisisLine, Post, Series
from series.views.reading import HomeView
from tests.factories import (
    ContentNoteFactory,
    CrisisLineFactory,
    PostFactory,
    SeriesFactory,
    TopicFactory,
    UserFactory,
    days_ago,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def series_with_parts():
    series = SeriesFactory(title="Benzodiazepines", slug="benzos", planned_parts=4)
    topic = TopicFactory(name="withdrawal", slug="withdrawal", description="Coming off, slowly.")
    note = ContentNoteFactory(name="withdrawal symptoms", slug="withdrawal-symptoms")
    parts = [
        PostFactory(
            title=f"Part {n} title",
            series=series,
            part_number=n,
            publish_at=days_ago(30 - n),
            tags=[topic],
            content_notes=[note] if n == 2 else [],
        )
        for n in (1, 2, 3)
    ]
    return series, parts, topic


class TestHome:
    def test_featured_first_then_latest(self, client):
        PostFactory(title="Ordinary post", publish_at=days_ago(1))
        PostFactory(title="Featured story", featured=True, publish_at=days_ago(20))
        html = client.get(reverse("series:home")).content.decode()
        assert html.index("Featured story") < html.index("Ordinary post")

    def test_latest_column_entry_is_shown(self, client):
        column = SeriesFactory(title="Mental Floss Mondays", kind=Series.Kind.COLUMN)
        PostFactory(series=column, title="Older entry", publish_at=days_ago(14))
        PostFactory(series=column, title="Newest entry", publish_at=days_ago(7))
        response = client.get(reverse("series:home"))
        assert response.context["latest_column_entry"].title == "Newest entry"
        assert "This week in Mental Floss Mondays" in response.content.decode()

    def test_home_with_only_featured_posts_does_not_say_there_are_none(self, client):
        PostFactory(featured=True)
        assert "No posts yet" not in client.get(reverse("series:home")).content.decode()

    def test_paginates(self, client, settings):
        PostFactory.create_batch(12)
        first = client.get(reverse("series:home"))
        second = client.get(reverse("series:home") + "?page=2")
        assert len(first.context["posts"]) == 10
        assert len(second.context["posts"]) == 2

    @pytest.mark.parametrize("page_number", ["abc", "999", "-1", "0", "1.5", "%00", "9" * 400])
    def test_malformed_page_numbers_are_not_found(self, client, page_number):
        PostFactory()
        response = client.get(reverse("series:home"), {"page": page_number})
        assert response.status_code == 404
        assert "Need help now?" in response.content.decode()


class TestPost:
    def test_shows_series_position_navigation_and_notes(self, client, series_with_parts):
        _series, (one, two, three), _topic = series_with_parts
        html = client.get(two.get_absolute_url()).content.decode()
        assert "Part 2 of 4 in" in html
        assert f'href="{one.get_absolute_url()}" rel="prev"' in html
        assert f'href="{three.get_absolute_url()}" rel="next"' in html
        assert "Content notes" in html and "withdrawal symptoms" in html
        assert "not medical advice" in html
        assert "min read" in html
        assert reverse("stories:share") + "?series=benzos" in html
        assert "Share your own experience of benzodiazepines" in html
        assert 'rel="tag"' in html

    def test_post_without_notes_has_no_notice(self, client, series_with_parts):
        _series, (one, _two, _three), _topic = series_with_parts
        assert "Content notes" not in client.get(one.get_absolute_url()).content.decode()

    def test_share_links_load_no_third_party_script(self, client):
        import re

        html = client.get(PostFactory().get_absolute_url()).content.decode()
        scripts = re.findall(r"<script[^>]*>", html)
        assert scripts and all(re.fullmatch(r'<script src="/static/[^"]+" defer>', tag) for tag in scripts)
        assert "wa.me/?text=" in html

    def test_social_card_uses_the_social_image(self, client):
        from tests.factories import image_file

        post = PostFactory(feature_image=image_file(width=1300, height=800), feature_image_alt="Hills at dawn")
        html = client.get(post.get_absolute_url()).content.decode()
        assert f'content="http://testserver{post.image_social.url}"' in html
        assert 'name="twitter:card" content="summary_large_image"' in html
        assert f'<link rel="canonical" href="http://testserver{post.get_absolute_url()}">' in html
        assert f'width="{post.image_wide_width}" height="{post.image_wide_height}"' in html

    @pytest.mark.parametrize("trait", ["draft", "scheduled"])
    def test_unpublished_posts_are_not_found(self, client, trait):
        post = PostFactory(**{trait: True})
        assert client.get(post.get_absolute_url()).status_code == 404

    def test_staff_preview_shows_a_draft_without_caching(self, staff_client):
        post = PostFactory(draft=True, title="Work in progress")
        response = staff_client.get(post.get_preview_url())
        assert response.status_code == 200
        assert "Work in progress" in response.content.decode()
        assert "no-cache" in response["Cache-Control"]
        assert response["X-Robots-Tag"] == "noindex, nofollow"

    def test_preview_is_for_staff_only(self, client):
        post = PostFactory(draft=True, title="Work in progress")
        assert client.get(post.get_preview_url()).status_code == 302
        client.force_login(UserFactory())
        response = client.get(post.get_preview_url())
        assert response.status_code == 302
        assert "Work in progress" not in response.content.decode()

    def test_canonical_url_drops_tracking_parameters(self, client):
        post = PostFactory()
        html = client.get(post.get_absolute_url() + "?utm_source=x&ref=y").content.decode()
        assert f'<link rel="canonical" href="http://testserver{post.get_absolute_url()}">' in html
        listing = client.get("/tags/?utm_source=x").content.decode()
        assert '<link rel="canonical" href="http://testserver/tags/">' in listing

    def test_og_image_follows_an_absolute_media_url(self, client, settings):
        from tests.factories import image_file

        post = PostFactory(feature_image=image_file(width=800, height=500), feature_image_alt="Hills")
        settings.MEDIA_URL = "https://cdn.example.org/media/"
        html = client.get(post.get_absolute_url()).content.decode()
        assert f'content="https://cdn.example.org/media/{post.image_social.name}"' in html

    def test_unknown_slug_is_not_found(self, client):
        assert client.get(reverse("series:post", kwargs={"slug": "no-such-post"})).status_code == 404

    def test_wrong_method_is_refused(self, client):
        post = PostFactory()
        assert client.post(post.get_absolute_url()).status_code == 405
        assert client.get(reverse("series:comment_create", kwargs={"slug": post.slug})).status_code == 405
        assert client.delete(post.get_absolute_url()).status_code == 405


class TestListings:
    def test_series_page_lists_published_parts_in_order(self, client, series_with_parts):
        series, parts, _topic = series_with_parts
        PostFactory(series=series, part_number=4, scheduled=True, title="Future part")
        html = client.get(series.get_absolute_url()).content.decode()
        positions = [html.index(part.title) for part in parts]
        assert positions == sorted(positions)
        assert "Future part" not in html
        assert "A series in 4 parts" in html

    def test_series_list_hides_series_without_published_parts(self, client, series_with_parts):
        SeriesFactory(title="Nothing yet")
        PostFactory(series=SeriesFactory(title="Only drafts"), draft=True)
        html = client.get(reverse("series:series_list")).content.decode()
        assert "Benzodiazepines" in html
        assert "Nothing yet" not in html and "Only drafts" not in html

    def test_contributor_page_lists_their_posts(self, client):
        post = PostFactory(title="Mine")
        PostFactory(title="Someone else's")
        html = client.get(post.contributor.get_absolute_url()).content.decode()
        assert "Mine" in html and "Someone else&#x27;s" not in html

    def test_tag_page_shows_description_and_posts(self, client, series_with_parts):
        _series, parts, topic = series_with_parts
        html = client.get(topic.get_absolute_url()).content.decode()
        assert "Coming off, slowly." in html
        assert all(part.title in html for part in parts)

    @pytest.mark.parametrize("listing", ["contributor", "tag", "series"])
    def test_pages_of_things_with_nothing_published_are_not_found(self, client, listing):
        from tests.factories import TopicFactory

        topic = TopicFactory()
        series = SeriesFactory()
        draft = PostFactory(draft=True, tags=[topic], series=series)
        url = {
            "contributor": draft.contributor.get_absolute_url(),
            "tag": topic.get_absolute_url(),
            "series": series.get_absolute_url(),
        }[listing]
        has_feed = listing != "contributor"
        assert client.get(url).status_code == 404
        if has_feed:
            assert client.get(url + "feed/").status_code == 404
        draft.publish_now()
        assert client.get(url).status_code == 200
        if has_feed:
            assert client.get(url + "feed/").status_code == 200

    def test_month_archive_follows_local_time(self, client, settings):
        import datetime

        settings.TIME_ZONE = "Africa/Johannesburg"
        # 23:30 UTC on 31 January is 01:30 on 1 February in Johannesburg.
        when = datetime.datetime(2025, 1, 31, 23, 30, tzinfo=datetime.UTC)
        PostFactory(title="Late January in UTC", publish_at=when)
        assert "Late January in UTC" in client.get("/archive/2025/2/").content.decode()
        assert client.get("/archive/2025/1/").status_code == 404

    def test_monthly_archive(self, client):
        post = PostFactory(title="In the archive")
        when = post.publish_at
        from django.utils import timezone

        local = timezone.localtime(when)
        index = client.get(reverse("series:archive")).content.decode()
        month_url = reverse("series:archive_month", kwargs={"year": local.year, "month": local.month})
        assert month_url in index
        assert "In the archive" in client.get(month_url).content.decode()

    @pytest.mark.parametrize(
        "url",
        [
            "/series/nope/",
            "/contributors/nope/",
            "/tags/nope/",
            "/series/nope/feed/",
            "/tags/nope/feed/atom/",
            "/archive/2020/13/",
            "/archive/1999/01/",
            "/posts/%E2%80%A6/",
        ],
    )
    def test_unknown_things_are_not_found(self, client, url):
        PostFactory()
        assert client.get(url).status_code == 404


class TestSearch:
    def test_finds_by_title_and_body(self, client):
        PostFactory(title="Sleeping again", body="Nights were long.")
        PostFactory(title="Something else", body="Talking about tapering slowly.")
        assert [p.title for p in client.get(reverse("series:search"), {"q": "sleeping"}).context["page_obj"]] == [
            "Sleeping again"
        ]
        assert [p.title for p in client.get(reverse("series:search"), {"q": "tapering"}).context["page_obj"]] == [
            "Something else"
        ]

    def test_never_finds_drafts(self, client):
        PostFactory(title="Secret draft", draft=True)
        response = client.get(reverse("series:search"), {"q": "secret"})
        assert "Secret draft" not in response.content.decode()

    def test_filters_by_tag_and_series(self, client, series_with_parts):
        series, parts, topic = series_with_parts
        PostFactory(title="Part elsewhere")
        by_series = client.get(reverse("series:search"), {"q": "part", "series": series.slug}).context["page_obj"]
        assert {p.pk for p in by_series} == {p.pk for p in parts}
        by_tag = client.get(reverse("series:search"), {"tag": topic.slug}).context["page_obj"]
        assert {p.pk for p in by_tag} == {p.pk for p in parts}

    @pytest.mark.parametrize(
        "query",
        [
            "",
            " ",
            "x" * 10_000,
            "'; DROP TABLE series_post; --",
            "% _ \\ ' \"",
            ".*+?[](){}^$|",
            "(((",
            "😊🌿 calm",
            "a & b | !c <-> d:*",
            "\x00null",
            "-",
            '"unclosed',
        ],
    )
    def test_odd_queries_return_a_page(self, client, query):
        PostFactory(title="Calm 😊🌿 nights")
        response = client.get(reverse("series:search"), {"q": query})
        assert response.status_code == 200

    def test_overlong_query_explains_itself(self, client):
        response = client.get(reverse("series:search"), {"q": "x" * 10_000})
        assert "Please shorten your search" in response.content.decode()

    def test_pagination_keeps_the_search(self, client, settings):
        settings.OLE_POSTS_PER_PAGE = 2
        for n in range(5):
            PostFactory(title=f"Sleep notes {n}")
        first = client.get(reverse("series:search"), {"q": "sleep"})
        html = first.content.decode()
        assert 'href="?q=sleep&amp;page=2"' in html
        second = client.get(reverse("series:search"), {"q": "sleep", "page": "2"})
        assert 'href="?q=sleep&amp;page=1"' in second.content.decode()
        assert len(second.context["page_obj"]) == 2
        assert client.get(reverse("series:search"), {"q": "sleep", "page": "9"}).status_code == 404

    def test_a_word_nearly_every_post_has_ranks_only_the_newest_matches(self, client, monkeypatch):
        monkeypatch.setattr(Post, "SEARCH_MATCHES", 3)
        for n in range(5):
            PostFactory(title=f"Sleep diary {n}", publish_at=days_ago(10 - n))
        PostFactory(title="Other things", body="Nothing to see.")
        response = client.get(reverse("series:search"), {"q": "sleep"})
        found = {post.title for post in response.context["page_obj"]}
        assert found == {"Sleep diary 4", "Sleep diary 3", "Sleep diary 2"}
        page = response.content.decode()
        assert "3 or more results" in page
        assert "Add a word to narrow your search" in page
        narrow = client.get(reverse("series:search"), {"q": "nothing"}).content.decode()
        assert "1 result<" in narrow
        assert "or more results" not in narrow

    def test_a_tag_alone_lists_every_post_without_a_cap(self, client, monkeypatch, series_with_parts):
        monkeypatch.setattr(Post, "SEARCH_MATCHES", 2)
        _series, parts, topic = series_with_parts
        response = client.get(reverse("series:search"), {"tag": topic.slug})
        assert response.context["page_obj"].paginator.count == len(parts) > 2
        assert "or more results" not in response.content.decode()

    def test_the_series_list_is_written_without_a_template_per_option(self, client):
        for n in range(30):
            SeriesFactory(title=f"Series number {n}", slug=f"series-number-{n}")
        response = client.get(reverse("series:search"), {"q": "calm", "series": "series-number-7"})
        assert "django/forms/widgets/select_option.html" not in {t.name for t in response.templates}
        page = response.content.decode()
        assert page.count("<option ") == 31
        assert 'value="series-number-7" selected>Series number 7</option>' in page

    def test_search_finds_only_what_readers_can_see(self, client):
        PostFactory(title="Ordinary", body="Visible words.\n\n<!-- real name: Jane Hiddenname -->")
        response = client.get(reverse("series:search"), {"q": "Hiddenname"})
        assert response.context["page_obj"].paginator.count == 0

    def test_unknown_filters_explain_themselves(self, client):
        response = client.get(reverse("series:search"), {"q": "a", "tag": "nope", "series": "nope"})
        assert response.status_code == 200
        assert "That tag does not exist" in response.content.decode()

    def test_post_is_refused(self, client):
        assert client.post(reverse("series:search"), {"q": "a"}).status_code == 405


class TestHelpAndErrors:
    def test_help_page_lists_lines_from_the_database(self, client):
        CrisisLineFactory(name="Night Line", phone="0800 111 222", region="Testland")
        html = client.get(reverse("series:help")).content.decode()
        assert "Night Line" in html and 'href="tel:0800111222"' in html
        assert "Testland" in html

    def test_visitors_see_no_verification_warning_on_the_help_page(self, client):
        assert CrisisLine.objects.filter(verified=False).exists(), "the seeded lines are unverified"
        html = client.get(reverse("series:help")).content.decode()
        assert "0800 567 567" in html
        assert "not yet verified" not in html.lower() and "verified by our editors" not in html.lower()

    def test_every_page_links_to_help(self, client):
        from tests.factories import TopicFactory

        topic = TopicFactory()
        series = SeriesFactory()
        post = PostFactory(tags=[topic], series=series)
        local = post.publish_at.astimezone()
        urls = [
            reverse("series:home"),
            post.get_absolute_url(),
            reverse("series:search"),
            reverse("series:series_list"),
            series.get_absolute_url(),
            reverse("series:tag_list"),
            topic.get_absolute_url(),
            reverse("series:contributor_list"),
            post.contributor.get_absolute_url(),
            reverse("series:archive"),
            reverse("series:archive_month", kwargs={"year": local.year, "month": local.month}),
            reverse("series:help"),
            reverse("stories:share"),
            reverse("stories:submit"),
            reverse("stories:lost_link"),
            "/missing/",
        ]
        for url in urls:
            assert f'href="{reverse("series:help")}">Need help now?' in client.get(url).content.decode()

    def test_server_error_page_points_to_help(self, client, monkeypatch):
        def explode(*args, **kwargs):
            raise RuntimeError("boom")

        monkeypatch.setattr(HomeView, "get", explode)
        client.raise_request_exception = False
        response = client.get(reverse("series:home"))
        assert response.status_code == 500
        assert reverse("series:help") in response.content.decode()

    def test_the_footer_lists_unverified_lines_without_a_warning(self, client):
        html = client.get(reverse("series:home")).content.decode()
        footer = html[html.index('<footer class="site-footer">') :]
        assert "0800 567 567" in footer and "not yet verified" not in footer.lower()

    def test_every_page_has_a_help_strip_for_phones(self, client):
        html = client.get(PostFactory().get_absolute_url()).content.decode()
        start = html.index('<nav class="help-strip"')
        strip = html[start : html.index("</nav>", start)]
        assert f'href="{reverse("series:help")}">Need help now?' in strip

    def test_invitation_with_a_hostile_series_parameter_still_works(self, client):
        for value in ["\x00", "%00", "' OR 1=1", "x" * 5000]:
            assert client.get(reverse("stories:share"), {"series": value}).status_code == 200
            assert client.get(reverse("stories:submit"), {"series": value}).status_code == 200

    def test_robots_points_to_the_sitemap(self, client):
        response = client.get("/robots.txt")
        assert response["Content-Type"].startswith("text/plain")
        assert "Sitemap: http://testserver/sitemap.xml" in response.content.decode()


def test_nothing_unpublished_leaks_anywhere(client, series_with_parts):
    series, _parts, topic = series_with_parts
    draft = PostFactory(title="Leaky draft zebra", series=series, tags=[topic], draft=True)
    scheduled = PostFactory(
        title="Leaky scheduled zebra", series=series, part_number=4, tags=[topic], scheduled=True, featured=True
    )
    contributor_urls = [draft.contributor.get_absolute_url(), scheduled.contributor.get_absolute_url()]
    for url in contributor_urls:
        assert client.get(url).status_code == 404, "a contributor with nothing published has no public page"
    urls = [
        reverse("series:home"),
        reverse("series:series_list"),
        series.get_absolute_url(),
        topic.get_absolute_url(),
        reverse("series:tag_list"),
        reverse("series:contributor_list"),
        reverse("series:archive"),
        reverse("series:search") + "?q=leaky",
        reverse("series:search") + f"?tag={topic.slug}",
        reverse("series:feed"),
        reverse("series:feed_atom"),
        reverse("series:series_feed", kwargs={"slug": series.slug}),
        reverse("series:tag_feed_atom", kwargs={"slug": topic.slug}),
        "/sitemap.xml",
        "/sitemap-posts.xml",
    ]
    for url in urls:
        body = client.get(url).content.decode()
        assert "zebra" not in body, url
        assert draft.slug not in body and scheduled.slug not in body, url
    assert Post.objects.count() == 5
