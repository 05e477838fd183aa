from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.urls import reverse
from django.utils.encoding import iri_to_uri

from .models import Contributor, Page, Post, Series, Topic, live_posts


class OleSitemap(Sitemap):
    limit = 5000


class PostSitemap(OleSitemap):
    changefreq = "monthly"
    priority = 0.8

    def items(self):
        return Post.objects.published().order_by("pk").only("slug", "updated")

    def lastmod(self, post: Post):
        return post.updated

    def get_latest_lastmod(self):
        # One query; Django's default would read every post to find it.
        return Post.objects.published().aggregate(latest=Max("updated"))["latest"]


class SeriesSitemap(OleSitemap):
    changefreq = "weekly"
    priority = 0.6

    def items(self):
        return (
            Series.objects.annotate(last=Max("posts__publish_at", filter=live_posts("posts__")))
            .filter(last__isnull=False)
            .order_by("pk")
        )

    def lastmod(self, series: Series):
        return series.last

    def get_latest_lastmod(self):
        return Post.objects.published().filter(series__isnull=False).aggregate(latest=Max("publish_at"))["latest"]


class ContributorSitemap(OleSitemap):
    changefreq = "monthly"
    priority = 0.4

    def items(self):
        return Contributor.objects.with_published_posts().order_by("pk")


class TagSitemap(OleSitemap):
    changefreq = "weekly"
    priority = 0.4

    def items(self):
        return Topic.objects.with_published_posts().order_by("pk")


class PageSitemap(OleSitemap):
    changefreq = "daily"
    priority = 0.5

    def items(self) -> list[str]:
        named = ["series:home", "series:series_list", "series:tag_list", "series:contributor_list", "series:help"]
        # And the simple pages at paths of their own (series/addresses.py), by their path.
        return [*named, *Page.objects.published().order_by("path").values_list("path", flat=True)]

    def location(self, item: str) -> str:
        # The sitemap protocol wants addresses percent-encoded (RFC 3986): /über-uns/ as /%C3%BCber-uns/.
        return iri_to_uri(item) if item.startswith("/") else reverse(item)


SITEMAPS = {
    "pages": PageSitemap,
    "posts": PostSitemap,
    "series": SeriesSitemap,
    "contributors": ContributorSitemap,
    "tags": TagSitemap,
}
