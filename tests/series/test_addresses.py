"""A moved blog's pages at their own paths and its old addresses answered by a 301 (series/addresses.py)."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from series.models import OldAddress, Page, Topic
from tests.factories import CrisisLineFactory, PostFactory, StaffFactory, TopicFactory

pytestmark = pytest.mark.django_db

HIT = "X-Page-Cache"


def make_page(path: str = "/about/", title: str = "About us", body: str = "<p>Who we are.</p>", **kwargs) -> Page:
    return Page.objects.create(path=path, title=title, body_html=body, **kwargs)


def redirects_to(response, target: str) -> bool:
    return response.status_code == 301 and response["Location"] == target


class TestOldAddresses:
    @pytest.mark.parametrize(
        "old, asked",
        [
            ("/2019/05/03/a-hard-spring/", "/2019/05/03/a-hard-spring/"),
            ("/2019/05/03/a-hard-spring/", "/2019/05/03/a-hard-spring"),
            ("/2019/05/03/a-hard-spring", "/2019/05/03/a-hard-spring/"),
            ("/tag/sleep/", "/tag/sleep/"),
            ("/category/news/", "/category/news"),
            ("/tag/sleep/feed/", "/tag/sleep/feed/"),
        ],
    )
    def test_an_old_path_answers_with_a_permanent_redirect_with_or_without_its_trailing_slash(self, client, old, asked):
        OldAddress.objects.create(path=old, target="/tags/sleep/")
        assert redirects_to(client.get(asked), "/tags/sleep/")

    def test_a_redirect_keeps_its_kind_of_target_a_post_a_tag_or_a_feed(self, client):
        post = PostFactory(slug="a-hard-spring")
        TopicFactory(slug="sleep")
        OldAddress.objects.create(path="/2019/05/03/a-hard-spring/", target=post.get_absolute_url())
        OldAddress.objects.create(path="/tag/sleep/feed/", target=reverse("series:tag_feed", kwargs={"slug": "sleep"}))
        response = client.get("/2019/05/03/a-hard-spring/", follow=True)
        assert response.redirect_chain == [("/posts/a-hard-spring/", 301)]
        assert response.status_code == 200
        assert client.get("/tag/sleep/feed/", follow=True).redirect_chain == [("/tags/sleep/feed/", 301)]

    def test_a_percent_encoded_non_ascii_old_path_finds_its_decoded_row(self, client):
        OldAddress.objects.create(path="/2020/01/02/über-den-berg/", target="/posts/uber-den-berg/")
        assert redirects_to(client.get("/2020/01/02/%C3%BCber-den-berg/"), "/posts/uber-den-berg/")

    def test_a_non_ascii_target_is_sent_percent_encoded(self, client):
        OldAddress.objects.create(path="/über/", target="/tags/schlaf-ü/")
        assert client.get("/%C3%BCber/")["Location"] == "/tags/schlaf-%C3%BC/"

    def test_a_redirect_may_be_kept_by_browsers_for_a_day_not_for_ever(self, client):
        OldAddress.objects.create(path="/tag/sleep/", target="/tags/sleep/")
        assert client.get("/tag/sleep/")["Cache-Control"] == "public, max-age=86400"

    def test_a_form_sent_to_an_old_address_is_not_redirected(self, client):
        OldAddress.objects.create(path="/tag/sleep/", target="/tags/sleep/")
        assert client.post("/tag/sleep/").status_code == 404

    def test_an_unknown_address_is_the_usual_404_page(self, client):
        OldAddress.objects.create(path="/tag/sleep/", target="/tags/sleep/")
        response = client.get("/tag/other/")
        assert response.status_code == 404
        assert b"find that page" in response.content

    def test_an_address_of_the_site_that_404s_may_still_be_an_old_one(self, client):
        OldAddress.objects.create(path="/feed/rss2/", target="/feed/")
        assert redirects_to(client.get("/feed/rss2/"), "/feed/")


class TestQueryAddresses:
    @pytest.mark.parametrize("query, target", [("p=12", "/posts/twelve/"), ("page_id=3", "/about/")])
    def test_wordpress_query_addresses_of_the_home_page_redirect(self, client, query, target):
        OldAddress.objects.create(path="/?p=12", target="/posts/twelve/")
        OldAddress.objects.create(path="/?page_id=3", target="/about/")
        assert redirects_to(client.get(f"/?{query}"), target)

    def test_other_parameters_and_leading_zeros_do_not_hide_the_item(self, client):
        OldAddress.objects.create(path="/?p=12", target="/posts/twelve/")
        assert redirects_to(client.get("/?utm_source=x&p=012"), "/posts/twelve/")

    @pytest.mark.parametrize("query", ["p=99", "p=twelve", "p=1%0A2", "page_id=", "p=١٢"])
    def test_an_unknown_or_malformed_query_address_is_the_home_page(self, client, query):
        OldAddress.objects.create(path="/?p=12", target="/posts/twelve/")
        response = client.get(f"/?{query}")
        assert response.status_code == 200
        assert "series/home.html" in [t.name for t in response.templates]

    def test_a_warm_page_cache_never_answers_a_known_query_address(self, client):
        OldAddress.objects.create(path="/?p=12", target="/posts/twelve/")
        client.get("/")
        assert client.get("/")[HIT] == "hit"  # the home page is stored
        response = client.get("/?p=12")
        assert redirects_to(response, "/posts/twelve/")
        assert HIT not in response

    def test_a_query_address_leaves_the_stored_home_page_as_it_was(self, client):
        OldAddress.objects.create(path="/?p=12", target="/posts/twelve/")
        PostFactory(title="On the home page")
        client.get("/?p=12")
        client.get("/?p=99")
        home = client.get("/")
        assert home.status_code == 200 and b"On the home page" in home.content
        again = client.get("/")
        assert again[HIT] == "hit" and again.content == home.content

    def test_the_home_page_without_a_query_address_asks_nothing_of_old_addresses(self, client):
        client.get("/")  # the versions exist
        with CaptureQueriesContext(connection) as queries:
            client.get("/?page=1")
        assert not any("series_oldaddress" in query["sql"] for query in queries)


class TestRefusedTargets:
    @pytest.mark.parametrize(
        "target",
        ["//evil.example/", "https://evil.example/", "/\\evil.example/", "javascript:alert(1)", "evil.example/"],
    )
    def test_the_database_refuses_a_target_off_the_site(self, target):
        with pytest.raises(IntegrityError), transaction.atomic():
            OldAddress.objects.bulk_create([OldAddress(path="/old/", target=target)])

    @pytest.mark.parametrize(
        "target", ["//evil.example/", "https://evil.example/", "/\\evil.example/", "/\t/evil.example/", "/old/"]
    )
    def test_saving_refuses_a_target_off_the_site_or_back_to_itself(self, target):
        with pytest.raises(ValidationError):
            OldAddress.objects.create(path="/old/", target=target)

    @pytest.mark.parametrize("target", ["/\t/evil.example/", "/\n/evil.example/"])
    def test_a_target_written_around_the_model_is_never_followed_off_site(self, client, target):
        OldAddress.objects.bulk_create([OldAddress(path="/old/", target="/fine/")])
        OldAddress.objects.filter(path="/old/").update(target=target)
        response = client.get("/old/")
        assert response.status_code == 404 and not response.has_header("Location")

    def test_an_editor_is_told_why_a_target_is_refused(self, client):
        client.force_login(StaffFactory(is_superuser=True))
        response = client.post(
            reverse("admin:series_oldaddress_add"), {"path": "/old/", "target": "https://evil.example/"}
        )
        assert response.status_code == 200
        assert "never another host" in response.content.decode()
        assert not OldAddress.objects.exists()


class TestErasure:
    def test_a_post_deleted_for_good_takes_its_old_addresses(self):
        post = PostFactory(slug="gone")
        kept = PostFactory(slug="gone-too-far")
        OldAddress.objects.create(path="/2019/01/01/gone/", target="/posts/gone/")
        OldAddress.objects.create(path="/2019/01/01/gone/feed/", target="/posts/gone/comments/feed/")
        OldAddress.objects.create(path="/?p=5", target="/posts/gone/")
        OldAddress.objects.create(path="/2019/01/02/gone-too-far/", target=kept.get_absolute_url())
        post.erase()
        assert list(OldAddress.objects.values_list("path", flat=True)) == ["/2019/01/02/gone-too-far/"]

    def test_a_post_in_the_trash_keeps_its_old_addresses_and_they_work_again_when_restored(self, client):
        post = PostFactory(slug="resting")
        OldAddress.objects.create(path="/2019/01/01/resting/", target=post.get_absolute_url())
        post.trash()
        assert client.get("/2019/01/01/resting/", follow=True).status_code == 404
        post.restore_from_trash()
        assert client.get("/2019/01/01/resting/", follow=True).status_code == 200


class TestPages:
    def test_a_page_is_served_at_its_path_in_the_sites_layout(self, client):
        CrisisLineFactory(name="Samaritans", phone="116 123")
        make_page()
        response = client.get("/about/")
        assert response.status_code == 200
        html = response.content.decode()
        assert "<h1>About us</h1>" in html and "Who we are." in html
        assert 'class="site-header"' in html and 'class="site-footer"' in html
        assert 'href="/help/"' in html and "Samaritans" in html  # the crisis link and lines
        assert "<title>About us · " in html

    def test_a_page_shows_its_parents_as_a_breadcrumb_and_lists_its_children(self, client):
        about = make_page()
        team = make_page("/about/team/", "The team", parent=about)
        make_page("/about/team/editors/", "Editors", parent=team)
        make_page("/about/team/hidden/", "Not yet", parent=team, published=False)
        html = client.get("/about/team/").content.decode()
        assert '<a href="/about/">About us</a>' in html
        assert '<li aria-current="page">The team</li>' in html
        assert '<a href="/about/team/editors/">Editors</a>' in html
        assert "Not yet" not in html

    def test_an_unpublished_parent_is_left_out_of_the_breadcrumb(self, client):
        draft = make_page("/drafts/", "Secret parent", published=False)
        make_page("/drafts/child/", "Child", parent=draft)
        html = client.get("/drafts/child/").content.decode()
        assert "Secret parent" not in html

    def test_a_non_ascii_path_is_served_when_asked_percent_encoded(self, client):
        make_page("/über-uns/", "Über uns")
        response = client.get("/%C3%BCber-uns/")
        assert response.status_code == 200 and "Über uns" in response.content.decode()

    def test_a_page_asked_without_its_trailing_slash_redirects_to_it(self, client):
        make_page("/über-uns/", "Über uns")
        assert redirects_to(client.get("/%C3%BCber-uns"), "/%C3%BCber-uns/")

    def test_an_unpublished_page_is_the_usual_404(self, client):
        make_page(published=False)
        response = client.get("/about/")
        assert response.status_code == 404 and b"find that page" in response.content

    def test_unpublishing_a_page_hides_it_at_once_even_when_stored(self, client):
        page = make_page()
        client.get("/about/")
        assert client.get("/about/")[HIT] == "hit"
        page.published = False
        page.save()
        assert client.get("/about/").status_code == 404

    def test_an_edit_shows_at_once(self, client):
        page = make_page()
        client.get("/about/")
        page.body_html = "<p>Who we are now.</p>"
        page.save()
        assert b"Who we are now." in client.get("/about/").content

    def test_a_page_is_stored_and_shared_like_any_public_page(self, client):
        make_page()
        first = client.get("/about/")
        assert "public" in first["Cache-Control"]
        with CaptureQueriesContext(connection) as queries:
            second = client.get("/about/")
        assert second[HIT] == "hit" and second.content == first.content
        # The 404 the URLconf answered first reads the footer's crisis lines, and the page is looked up; nothing
        # else (its parents, its children, the footer again) is read for a stored copy.
        assert len(queries) == 2

    def test_a_signed_in_editor_gets_the_page_fresh_and_private(self, client):
        make_page()
        client.force_login(StaffFactory())
        response = client.get("/about/")
        assert response.status_code == 200 and "private" in response["Cache-Control"]

    def test_the_sitemap_lists_published_pages_only(self, client):
        make_page("/über-uns/", "Über uns")
        make_page("/draft/", "Draft", published=False)
        sitemap = client.get("/sitemap-pages.xml").content.decode()
        assert "/%C3%BCber-uns/</loc>" in sitemap
        assert "/draft/" not in sitemap

    def test_an_old_address_at_a_pages_path_gives_way_to_the_page(self, client):
        make_page()
        OldAddress.objects.create(path="/about/", target="/help/")
        assert client.get("/about/").status_code == 200


class TestPageSafety:
    def test_hostile_html_in_a_body_is_neutralised_on_save(self, client):
        page = make_page(
            body='<p onclick="alert(1)">Hi<script>alert(2)</script></p><iframe src="https://evil.example/"></iframe>'
            '<a href="JaVaScRiPt:alert(3)">x</a><img src="https://evil.example/p.png"><form><input></form>'
            '<svg onload="alert(4)"></svg><style>body{}</style>'
        )
        page.refresh_from_db()
        for hostile in ("onclick", "<script", "iframe", "javascript", "evil.example", "<form", "<svg", "<style"):
            assert hostile not in page.body_html.lower()
        html = client.get("/about/").content.decode().lower()
        assert "alert(" not in html and "evil.example" not in html

    def test_a_save_of_some_fields_still_sanitises_the_body(self):
        page = make_page()
        page.body_html = "<script>alert(1)</script><p>ok</p>"
        page.save(update_fields=["title"])
        page.refresh_from_db()
        assert page.body_html == "<p>ok</p>"

    @pytest.mark.parametrize(
        "path",
        ["about/", "/about", "//evil.example/", "/a b/", "/a?b/", "/%C3%BCber/", "/../admin/", "/a\\b/", "/a\nb/"],
    )
    def test_a_path_that_is_not_a_plain_local_one_is_refused(self, path):
        with pytest.raises(ValidationError):
            make_page(path)

    @pytest.mark.parametrize("path", ["/", "/help/", "/posts/some-post/", "/admin/"])
    def test_a_page_cannot_sit_where_the_site_answers_already(self, path):
        with pytest.raises(ValidationError) as refused:
            make_page(path)
        assert "already answers" in refused.value.message_dict["path"][0]

    def test_a_404_of_the_sites_own_is_never_answered_with_a_stored_page_of_the_same_path(self, client):
        TopicFactory(slug="sleep")
        PostFactory(tags=[Topic.objects.get(slug="sleep")])
        assert client.get("/tags/sleep/").status_code == 200  # stored
        assert client.get("/tags/sleep/?page=99").status_code == 404

    def test_a_page_cannot_sit_under_its_own_child(self):
        top = make_page()
        child = make_page("/about/team/", "Team", parent=top)
        top.parent = child
        with pytest.raises(ValidationError) as refused:
            top.full_clean()
        assert "parent" in refused.value.message_dict

    def test_a_loop_of_parents_written_around_the_model_still_renders(self, client):
        top = make_page()
        child = make_page("/about/team/", "Team", parent=top)
        Page.objects.filter(pk=top.pk).update(parent=child)
        assert client.get("/about/team/").status_code == 200


class TestNoCostForOrdinaryPages:
    def test_a_page_the_site_serves_runs_no_query_for_pages_or_old_addresses(self, client, settings):
        settings.OLE_PAGE_CACHE = False
        post = PostFactory()
        for url in ("/", post.get_absolute_url(), "/help/", "/feed/"):
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            sql = " ".join(query["sql"] for query in queries)
            assert "series_page" not in sql and "series_oldaddress" not in sql, url


class TestAdmin:
    def test_an_editor_writes_a_page_and_the_body_is_sanitised(self, editor_client):
        response = editor_client.post(
            reverse("admin:series_page_add"),
            {
                "title": "Contact",
                "path": "/contact-us/",
                "parent": "",
                "published": "on",
                "body_html": '<p>Write <a href="javascript:alert(1)">here</a>.</p><script>x()</script>',
            },
        )
        assert response.status_code == 302
        page = Page.objects.get(path="/contact-us/")
        assert "script" not in page.body_html and "javascript" not in page.body_html

    def test_an_editor_opens_the_page_form_and_finds_pages_by_their_words(self, editor_client):
        make_page(body="<p>We meet on Tuesdays.</p>")
        make_page("/contact/", "Contact", "<p>Write to us.</p>")
        assert editor_client.get(reverse("admin:series_page_add")).status_code == 200
        listing = editor_client.get(reverse("admin:series_page_changelist"), {"q": "tuesdays"}).content.decode()
        assert "/about/" in listing and "/contact/" not in listing

    def test_a_page_with_a_bad_path_keeps_what_was_typed_and_says_why(self, editor_client):
        response = editor_client.post(
            reverse("admin:series_page_add"),
            {"title": "Help", "path": "/help/", "parent": "", "published": "on", "body_html": "<p>Typed.</p>"},
        )
        assert response.status_code == 200
        html = response.content.decode()
        assert "already answers at this address" in html and "Typed." in html
        assert not Page.objects.exists()

    def test_an_editor_searches_old_addresses_and_corrects_one(self, editor_client):
        address = OldAddress.objects.create(path="/tag/sleep/", target="/tags/slep/")
        OldAddress.objects.create(path="/tag/food/", target="/tags/food/")
        listing = editor_client.get(reverse("admin:series_oldaddress_changelist"), {"q": "sleep"})
        assert "/tag/sleep/" in listing.content.decode() and "/tag/food/" not in listing.content.decode()
        change = reverse("admin:series_oldaddress_change", args=[address.pk])
        editor_client.post(change, {"path": "/tag/sleep/", "target": "/tags/sleep/"})
        address.refresh_from_db()
        assert address.target == "/tags/sleep/"

    def test_editors_cannot_delete_pages_or_old_addresses(self, editor):
        assert not editor.has_perm("series.delete_page") and not editor.has_perm("series.delete_oldaddress")
        assert editor.has_perm("series.change_page") and editor.has_perm("series.change_oldaddress")


class TestDatabaseFaults:
    @pytest.fixture
    def failing_lookup(self, monkeypatch):
        from django.db import OperationalError

        from series.models.addresses import OldAddressQuerySet

        def fail(self, *paths):
            raise OperationalError("database is locked")

        monkeypatch.setattr(OldAddressQuerySet, "target_for", fail)

    def test_a_failed_lookup_after_a_404_answers_503_not_500(self, client, failing_lookup):
        response = client.get("/tag/sleep/")
        assert response.status_code == 503 and response["Retry-After"] == "30"

    def test_a_failed_query_address_lookup_leaves_the_home_page(self, client, failing_lookup):
        assert client.get("/?p=12").status_code == 200


@pytest.mark.parametrize("asked", ["/about%00/", "/%00", "/old%0Apath/", "/tab%09/"])
def test_a_path_with_a_control_character_is_the_usual_404_without_a_lookup(client, asked):
    # No page or old address can hold one, and PostgreSQL refuses a NUL in a query (a 500 before this).
    make_page()
    OldAddress.objects.create(path="/old/", target="/about/")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(asked)
    assert response.status_code == 404
    assert not [q["sql"] for q in queries if "series_page" in q["sql"] or "series_oldaddress" in q["sql"]]
