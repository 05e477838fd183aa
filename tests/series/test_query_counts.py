"""Every public page runs the same number of queries whatever the amount of data on it."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from series.models import Contributor, Post, Series, Topic
from tests.factories import (
    CommentFactory,
    ContentNoteFactory,
    ContributorFactory,
    PostFactory,
    SeriesFactory,
    TopicFactory,
    days_ago,
    image_file,
)

pytestmark = pytest.mark.django_db


def _world(size: int) -> dict:
    """A site with `size` posts in one series, one column, one tag and one contributor."""
    contributor = ContributorFactory(slug="writer")
    series = SeriesFactory(slug="long-series")
    column = SeriesFactory(slug="column", kind=Series.Kind.COLUMN)
    topic = TopicFactory(slug="topic")
    notes = [ContentNoteFactory(slug="note-a"), ContentNoteFactory(slug="note-b")]
    picture = image_file(width=320, height=200)
    posts = []
    for n in range(1, size + 1):
        post = PostFactory(
            contributor=contributor,
            series=series,
            part_number=n,
            publish_at=days_ago(size - n + 1),
            featured=n % 3 == 0,
            tags=[topic, TopicFactory()],
            content_notes=notes,
        )
        posts.append(post)
        CommentFactory(post=post)
        CommentFactory(post=posts[0])
        PostFactory(contributor=contributor, series=column, publish_at=days_ago(n + 0.5), tags=[topic])
        PostFactory(
            contributor=contributor,
            series=series,
            from_reader=True,
            byline="Anonymous",
            content_notes=notes,
            publish_at=days_ago(n + 0.25),
        )
    posts[0].feature_image = picture
    posts[0].feature_image_alt = "A picture"
    posts[0].save()
    return {"posts": posts, "series": series, "topic": topic, "contributor": contributor}


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def _urls(world: dict) -> list[str]:
    middle = world["posts"][len(world["posts"]) // 2]
    now = timezone.localtime()
    return [
        reverse("series:home"),
        middle.get_absolute_url(),
        reverse("series:series_list"),
        world["series"].get_absolute_url(),
        reverse("series:contributor_list"),
        world["contributor"].get_absolute_url(),
        reverse("series:tag_list"),
        world["topic"].get_absolute_url(),
        reverse("series:archive"),
        reverse("series:archive_month", kwargs={"year": now.year, "month": now.month}),
        reverse("series:search") + "?q=paragraph",
        reverse("series:search") + "?q=paragraph&tag=topic&series=long-series",
        reverse("series:help"),
        reverse("series:feed"),
        reverse("series:feed_atom"),
        reverse("series:series_feed", kwargs={"slug": "long-series"}),
        reverse("series:tag_feed", kwargs={"slug": "topic"}),
        reverse("series:comments_feed"),
        reverse("series:post_comments_feed", kwargs={"slug": world["posts"][0].slug}),
        "/sitemap.xml",
        "/sitemap-posts.xml",
        "/sitemap-series.xml",
    ]


def _wipe() -> None:
    Post.objects.all().delete()
    Series.objects.all().delete()
    Topic.objects.all().delete()
    Contributor.objects.all().delete()


def test_query_count_does_not_grow_with_the_data(client, settings):
    settings.OLE_POSTS_PER_PAGE = 200  # every post on one page: 5 on it, then 50
    small = _world(5)
    few = {index: _count(client, url) for index, url in enumerate(_urls(small))}
    _wipe()
    large = _world(50)
    many = {index: _count(client, url) for index, url in enumerate(_urls(large))}
    grown = {url: (few[i], many[i]) for i, url in enumerate(_urls(small)) if few[i] != many[i]}
    assert not grown, f"queries with 5 and with 50 posts: {grown}"


def test_a_post_between_two_parts_keeps_to_its_budget(client, settings):
    # The post, its tags, its content notes, the two neighbours, the series length, the community rules,
    # the comments, the notes a commenter may choose, and the footer's crisis lines (comments' own notes only
    # when one has some; a stored page also asks when the next scheduled post goes live).
    settings.OLE_PAGE_CACHE = False
    middle = _world(5)["posts"][2]
    assert _count(client, middle.get_absolute_url()) == 10


def test_the_home_pages_featured_posts_come_from_their_own_index():
    # Walking every live post in order and skipping the unfeatured ones grew with the archive (2 ms at 10,000).
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL plans by its statistics; SQLite by the indexes it has")
    PostFactory.create_batch(3, featured=True)
    PostFactory.create_batch(30)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # as the benchmark's seed does; PostgreSQL's autovacuum does it by itself
    plan = Post.objects.published().featured().for_cards()[:3].explain()
    assert "post_featured_order_idx" in plan
