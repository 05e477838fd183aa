from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import pytest
from django.urls import reverse
from lxml import etree
from lxml import html as lxml_html

from series.models import Comment
from series.sitemaps import SITEMAPS, PostSitemap
from tests.factories import CommentFactory, PostFactory, SeriesFactory, TopicFactory, days_ago

pytestmark = pytest.mark.django_db

SITEMAP_SCHEMA = etree.XMLSchema(etree.parse(str(Path(__file__).parent / "schemas" / "sitemap.xsd")))
NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}


@pytest.fixture
def content():
    series = SeriesFactory(slug="benzos")
    topic = TopicFactory(name="recovery", slug="recovery")
    posts = [
        PostFactory(
            title=f"Part {n}",
            series=series,
            part_number=n,
            publish_at=days_ago(10 - n),
            tags=[topic],
            body=f"Full **text** of part {n}.\n\nSecond paragraph.",
        )
        for n in (1, 2)
    ]
    other = PostFactory(title="Elsewhere", publish_at=days_ago(1))
    draft = PostFactory(title="Hidden draft", series=series, tags=[topic], draft=True)
    scheduled = PostFactory(title="Hidden future", scheduled=True)
    return {"series": series, "topic": topic, "posts": posts, "other": other, "hidden": [draft, scheduled]}


@pytest.mark.parametrize(
    "name, kwargs, expected",
    [
        ("series:feed", {}, ["Elsewhere", "Part 2", "Part 1"]),
        ("series:feed_atom", {}, ["Elsewhere", "Part 2", "Part 1"]),
        ("series:series_feed", {"slug": "benzos"}, ["Part 2", "Part 1"]),
        ("series:series_feed_atom", {"slug": "benzos"}, ["Part 2", "Part 1"]),
        ("series:tag_feed", {"slug": "recovery"}, ["Part 2", "Part 1"]),
        ("series:tag_feed_atom", {"slug": "recovery"}, ["Part 2", "Part 1"]),
    ],
)
def test_feeds_parse_with_full_content_and_dates(client, content, name, kwargs, expected):
    response = client.get(reverse(name, kwargs=kwargs))
    feed = feedparser.parse(response.content)
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert [entry.title for entry in feed.entries] == expected
    part_two = next(entry for entry in feed.entries if entry.title == "Part 2")
    assert "<strong>text</strong>" in part_two.content[0].value
    assert "Second paragraph" in part_two.content[0].value
    published = content["posts"][1].publish_at
    assert part_two.published_parsed[:5] == published.utctimetuple()[:5]
    assert part_two.link.endswith(content["posts"][1].get_absolute_url())
    assert [tag.term for tag in part_two.tags] == ["recovery"]


FEEDS = [
    ("series:feed", {}),
    ("series:feed_atom", {}),
    ("series:series_feed", {"slug": "benzos"}),
    ("series:series_feed_atom", {"slug": "benzos"}),
    ("series:tag_feed", {"slug": "recovery"}),
    ("series:tag_feed_atom", {"slug": "recovery"}),
    ("series:comments_feed", {}),
    ("series:comments_feed_atom", {}),
    ("series:post_comments_feed", {"slug": "links-of-every-kind"}),
    ("series:post_comments_feed_atom", {"slug": "links-of-every-kind"}),
]


@pytest.mark.parametrize("name, kwargs", FEEDS)
def test_every_link_in_a_feed_is_absolute(client, content, name, kwargs):
    post = PostFactory(
        title="Links of every kind",
        slug="links-of-every-kind",
        series=content["series"],
        part_number=3,
        tags=[content["topic"]],
        body="See [part one](/series/benzos/), [the next](../part-4/), [a note](#note), [help](help/) "
        "and [elsewhere](https://example.org/page).",
    )
    CommentFactory(post=post, body="Also worth reading: example.org/more and https://example.net/a?b=c")
    url = reverse(name, kwargs=kwargs)
    feed = feedparser.parse(client.get(url).content, resolve_relative_uris=False, sanitize_html=False)
    addresses = [
        address
        for entry in feed.entries
        for part in [*entry.get("content", []), entry.summary_detail]
        for element in lxml_html.fragment_fromstring(part.value, create_parent="div").iter()
        for address in (element.get("href"), element.get("src"))
        if address
    ]
    assert len(addresses) >= 2
    relative = [address for address in addresses if not urlsplit(address).scheme or not urlsplit(address).netloc]
    assert relative == []


def test_comment_feeds_list_approved_comments_on_live_posts_without_addresses(client, content):
    part_one, part_two = content["posts"]
    CommentFactory(post=part_one, name="Ayanda", email="ayanda.private@example.org", body="Shown words.")
    CommentFactory(post=part_two, name="Bongi", body="Also shown.")
    CommentFactory(post=part_one, name="Held", status=Comment.Status.PENDING)
    CommentFactory(post=part_one, name="Spammer", status=Comment.Status.SPAM)
    CommentFactory(post=part_one, name="Gone", status=Comment.Status.REMOVED)
    CommentFactory(post=part_one, name="A blog", kind=Comment.Kind.PINGBACK, source_url="https://example.org/x")
    CommentFactory(post=content["hidden"][0], name="On a draft")
    for name, kwargs, expected in [
        ("series:comments_feed", {}, ["Bongi", "Ayanda"]),
        ("series:comments_feed_atom", {}, ["Bongi", "Ayanda"]),
        ("series:post_comments_feed", {"slug": part_one.slug}, ["Ayanda"]),
        ("series:post_comments_feed_atom", {"slug": part_one.slug}, ["Ayanda"]),
    ]:
        response = client.get(reverse(name, kwargs=kwargs))
        feed = feedparser.parse(response.content)
        assert feed.bozo == 0, feed.get("bozo_exception")
        assert [entry.author for entry in feed.entries] == expected
        assert "@" not in response.content.decode()
    ayanda = feedparser.parse(client.get(reverse("series:comments_feed")).content).entries[1]
    assert ayanda.title == "Ayanda on “Part 1”"
    assert ayanda.link.endswith(f"{part_one.get_absolute_url()}#comment-{Comment.objects.get(name='Ayanda').pk}")
    assert "Shown words." in ayanda.summary
    draft = content["hidden"][0]
    assert client.get(reverse("series:post_comments_feed", kwargs={"slug": draft.slug})).status_code == 404


def test_a_post_page_names_its_comment_feed(client, content):
    post = content["posts"][0]
    page = client.get(post.get_absolute_url()).content.decode()
    assert f'href="{reverse("series:post_comments_feed", kwargs={"slug": post.slug})}"' in page


def test_feeds_carry_no_private_or_unpublished_content(client, content):
    for name in ("series:feed", "series:feed_atom"):
        body = client.get(reverse(name)).content.decode()
        assert "Hidden draft" not in body and "Hidden future" not in body


def sitemap_pages(client) -> list[str]:
    index = etree.fromstring(client.get("/sitemap.xml").content)
    assert index.tag == "{http://www.sitemaps.org/schemas/sitemap/0.9}sitemapindex"
    return index.xpath("//sm:sitemap/sm:loc/text()", namespaces=NS)


def test_sitemap_is_valid_and_lists_exactly_the_published_posts(client, content):
    locations = set()
    for page in sitemap_pages(client):
        document = etree.fromstring(client.get(page).content)
        SITEMAP_SCHEMA.assertValid(document)
        locations |= set(document.xpath("//sm:loc/text()", namespaces=NS))
    published = [*content["posts"], content["other"]]
    for post in published:
        assert f"http://testserver{post.get_absolute_url()}" in locations
    for post in content["hidden"]:
        assert f"http://testserver{post.get_absolute_url()}" not in locations
    assert "http://testserver/series/benzos/" in locations
    assert "http://testserver/tags/recovery/" in locations
    assert "http://testserver/help/" in locations


def test_the_sitemap_index_pages_the_posts_with_their_latest_change(client, content, monkeypatch):
    monkeypatch.setattr(PostSitemap, "limit", 2)
    pages = sitemap_pages(client)
    post_pages = [page for page in pages if "/sitemap-posts.xml" in page]
    assert post_pages == ["http://testserver/sitemap-posts.xml", "http://testserver/sitemap-posts.xml?p=2"]
    index = etree.fromstring(client.get("/sitemap.xml").content)
    latest = max(post.updated for post in [*content["posts"], content["other"]])
    lastmods = index.xpath("//sm:sitemap[contains(sm:loc, 'posts')]/sm:lastmod/text()", namespaces=NS)
    assert [datetime.fromisoformat(lastmod) for lastmod in lastmods] == [latest] * 2
    listed = [etree.fromstring(client.get(page).content).xpath("//sm:loc/text()", namespaces=NS) for page in post_pages]
    assert [len(urls) for urls in listed] == [2, 1]
    assert client.get("/sitemap-posts.xml?p=3").status_code == 404


def test_a_sitemap_page_holds_at_most_5000_addresses():
    assert all(sitemap.limit == 5000 for sitemap in SITEMAPS.values())


def test_schema_rejects_a_broken_sitemap():
    broken = etree.fromstring(
        b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><priority>3</priority></url></urlset>'
    )
    assert not SITEMAP_SCHEMA.validate(broken)
