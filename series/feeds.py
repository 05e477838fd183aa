"""RSS and Atom feeds for the whole site, a series and a tag, with the full text of each post."""

from __future__ import annotations

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed

from ole.text import absolute_links

from .models import Comment, Post, Series, Topic

FEED_LENGTH = 20


class FullTextRss(Rss201rev2Feed):
    """RSS 2.0 with the post's full HTML in content:encoded beside the short description."""

    def rss_attributes(self):
        return {**super().rss_attributes(), "xmlns:content": "http://purl.org/rss/1.0/modules/content/"}

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        handler.addQuickElement("content:encoded", item["content_html"])


class FullTextAtom(Atom1Feed):
    """Atom with the post's full HTML in <content> beside the <summary>."""

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        handler.addQuickElement("content", item["content_html"], {"type": "html"})


class LatestPostsFeed(Feed):
    feed_type = FullTextRss

    def title(self, obj=None) -> str:
        return settings.OLE_SITE_NAME

    def link(self, obj=None) -> str:
        return reverse("series:home")

    def description(self, obj=None) -> str:
        return "Lived-experience writing about mental health, dependence, withdrawal and recovery."

    def get_feed(self, obj, request):
        self.request = request  # the base of each post's absolute links
        return super().get_feed(obj, request)

    def posts(self, obj=None):
        return Post.objects.published()

    def items(self, obj=None):
        return (
            self.posts(obj)
            .select_related("contributor", "series")
            .prefetch_related("tags")
            .order_by("-publish_at", "-pk")[:FEED_LENGTH]
        )

    def item_title(self, item: Post) -> str:
        return item.title

    def item_description(self, item: Post) -> str:
        return item.summary

    def item_author_name(self, item: Post) -> str:
        return item.credit

    def item_pubdate(self, item: Post):
        return item.publish_at

    def item_updateddate(self, item: Post):
        return max(item.updated, item.publish_at)

    def item_categories(self, item: Post) -> list[str]:
        return [tag.name for tag in item.tags.all()]

    def item_extra_kwargs(self, item: Post) -> dict:
        post_url = self.request.build_absolute_uri(item.get_absolute_url())
        return {"content_html": absolute_links(item.body_html, post_url)}


class LatestPostsAtomFeed(LatestPostsFeed):
    feed_type = FullTextAtom
    subtitle = LatestPostsFeed.description


class SeriesFeed(LatestPostsFeed):
    def get_object(self, request, slug: str) -> Series:
        return get_object_or_404(Series.objects.with_published_posts(), slug=slug)

    def title(self, obj: Series) -> str:
        return f"{obj.title} · {settings.OLE_SITE_NAME}"

    def link(self, obj: Series) -> str:
        return obj.get_absolute_url()

    def description(self, obj: Series) -> str:
        return obj.summary

    def posts(self, obj: Series):
        return obj.posts.published()


class SeriesAtomFeed(SeriesFeed):
    feed_type = FullTextAtom
    subtitle = SeriesFeed.description


class TagFeed(LatestPostsFeed):
    def get_object(self, request, slug: str) -> Topic:
        return get_object_or_404(Topic.objects.with_published_posts(), slug=slug)

    def title(self, obj: Topic) -> str:
        return f"Posts tagged “{obj.name}” · {settings.OLE_SITE_NAME}"

    def link(self, obj: Topic) -> str:
        return obj.get_absolute_url()

    def description(self, obj: Topic) -> str:
        return obj.description or f"Posts tagged “{obj.name}”."

    def posts(self, obj: Topic):
        return Post.objects.published().filter(tags=obj)


class TagAtomFeed(TagFeed):
    feed_type = FullTextAtom
    subtitle = TagFeed.description


class LatestCommentsFeed(Feed):
    """The newest approved comments, with their writers' names and never their addresses."""

    feed_type = Rss201rev2Feed

    def title(self, obj=None) -> str:
        return f"Comments · {settings.OLE_SITE_NAME}"

    def link(self, obj=None) -> str:
        return reverse("series:home")

    def description(self, obj=None) -> str:
        return f"The newest comments on {settings.OLE_SITE_NAME}."

    def comments(self, obj=None):
        return Comment.objects.in_feeds()

    def items(self, obj=None):
        return (
            self.comments(obj)
            .select_related("post")
            .only("name", "body_html", "created", "post__slug", "post__title")
            .order_by("-created", "-pk")[:FEED_LENGTH]
        )

    def item_title(self, item: Comment) -> str:
        return f"{item.name} on “{item.post.title}”"

    def item_description(self, item: Comment) -> str:
        return item.body_html

    def item_link(self, item: Comment) -> str:
        return item.get_absolute_url()

    def item_author_name(self, item: Comment) -> str:
        return item.name

    def item_pubdate(self, item: Comment):
        return item.created


class LatestCommentsAtomFeed(LatestCommentsFeed):
    feed_type = Atom1Feed
    subtitle = LatestCommentsFeed.description


class PostCommentsFeed(LatestCommentsFeed):
    def get_object(self, request, slug: str) -> Post:
        return get_object_or_404(Post.objects.published().only("slug", "title"), slug=slug)

    def title(self, obj: Post) -> str:
        return f"Comments on “{obj.title}” · {settings.OLE_SITE_NAME}"

    def link(self, obj: Post) -> str:
        return obj.get_absolute_url()

    def description(self, obj: Post) -> str:
        return f"Comments on “{obj.title}”."

    def comments(self, obj: Post):
        return Comment.objects.in_feeds().filter(post=obj)


class PostCommentsAtomFeed(PostCommentsFeed):
    feed_type = Atom1Feed
    subtitle = PostCommentsFeed.description
