from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.urls import reverse

from .models import Contributor, Post, Series, Topic, live_posts


class PostSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.8

    def items(self):
        return Post.objects.published().order_by("pk").only("slug", "updated")

    def lastmod(self, post: Post):
        return post.updated


class SeriesSitemap(Sitemap):
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


class ContributorSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.4

    def items(self):
        return Contributor.objects.with_published_posts().order_by("pk")


class TagSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.4

    def items(self):
        return Topic.objects.with_published_posts().order_by("pk")


class PageSitemap(Sitemap):
    changefreq = "daily"
    priority = 0.5

    def items(self) -> list[str]:
        return ["series:home", "series:series_list", "series:tag_list", "series:contributor_list", "series:help"]

    def location(self, name: str) -> str:
        return reverse(name)


SITEMAPS = {
    "pages": PageSitemap,
    "posts": PostSitemap,
    "series": SeriesSitemap,
    "contributors": ContributorSitemap,
    "tags": TagSitemap,
}
