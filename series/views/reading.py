"""What readers read: the home page, posts, series, contributors, tags, the archive, search and help.

Every view that shows posts starts from `Post.objects.published()` (through `PublishedMixin`), so a draft or a
scheduled post never shows on a public page.
"""

from __future__ import annotations

import datetime
import uuid

from django.conf import settings
from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db.models import Count, Model, prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.functional import SimpleLazyObject
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django.views.generic import DetailView, ListView, TemplateView
from django.views.generic.dates import ArchiveIndexView, MonthArchiveView

from ole.twofactor import is_trusted_staff, staff_required

from ..community import liked, my_comment_ids, thread
from ..forms import CommentForm, SearchForm
from ..models import CommunitySettings, Contributor, CrisisLine, Post, PostQuerySet, Series, Topic

FEATURED_ON_HOME = 3


def paginate(request: HttpRequest, items) -> Page:
    """One page of items; a page number that is not a page is a 404, as on every list."""
    try:
        return Paginator(items, settings.OLE_POSTS_PER_PAGE).page(request.GET.get("page") or 1)
    except (EmptyPage, PageNotAnInteger) as error:
        raise Http404("No such page.") from error


class PublishedMixin:
    """A reading view: answers GET only, and shows published posts only (as cards, unless it says otherwise)."""

    http_method_names = ["get", "head", "options"]

    def posts(self) -> PostQuerySet:
        return Post.objects.published()

    def get_queryset(self):
        return self.posts().for_cards()


class PostListView(PublishedMixin, ListView):
    """Base for every paginated list of post cards."""

    context_object_name = "posts"

    def get_paginate_by(self, queryset) -> int:
        return settings.OLE_POSTS_PER_PAGE


class HomeView(PostListView):
    """Featured stories, the column's latest entry, then the rest newest first: each post once."""

    template_name = "series/home.html"

    def get(self, request, *args, **kwargs):
        self.featured = list(self.posts().featured().for_cards()[:FEATURED_ON_HOME])
        self.column_entry = (
            self.posts()
            .for_cards()
            .filter(series__kind=Series.Kind.COLUMN)
            .exclude(pk__in=[post.pk for post in self.featured])
            .first()
        )
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        shown_above = [post.pk for post in [*self.featured, self.column_entry] if post is not None]
        return super().get_queryset().exclude(pk__in=shown_above)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["featured"] = self.featured
        context["latest_column_entry"] = self.column_entry
        return context


class PostDetailView(PublishedMixin, DetailView):
    template_name = "series/post_detail.html"
    context_object_name = "post"
    preview = False

    def render_to_response(self, context, **kwargs):
        response = super().render_to_response(context, **kwargs)
        if not self.preview:
            response["X-Pingback"] = self.request.build_absolute_uri(reverse("series:pingback"))
            response["Link"] = f'<{self.request.build_absolute_uri(reverse("series:webmention"))}>; rel="webmention"'
        return response

    def get_queryset(self):
        return self.posts().select_related("contributor", "series")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        post = self.object
        context.update(
            preview=self.preview,
            previous_part=SimpleLazyObject(post.previous_in_series),
            next_part=SimpleLazyObject(post.next_in_series),
            position=SimpleLazyObject(post.series_position),
        )
        context.update(self.community(post, comment_form=kwargs.get("comment_form")))
        return context

    def community(self, post: Post, *, comment_form: CommentForm | None) -> dict:
        """The threads under a post, this browser's own waiting comments, its likes, and the form."""
        rules = CommunitySettings.current()
        # A shared page never reads this browser's cookies: if the page cache ever took a post for one the
        # browser has nothing on, the worst outcome is that it misses its own things, never that others see them.
        shared = getattr(self.request, "ole_public_page", False)
        mine = [] if shared else my_comment_ids(self.request)
        editable_since = timezone.now() - datetime.timedelta(minutes=rules.edit_minutes)

        def threads() -> list:
            comments = list(
                post.comments.visible_to(mine).annotate(note_count=Count("content_notes")).order_by("created", "pk")
            )
            # Most comments carry no content note: their notes are read only when one does.
            prefetch_related_objects([c for c in comments if c.note_count], "content_notes")
            for comment in comments:
                comment.is_mine = comment.pk in mine
                comment.can_edit = comment.is_mine and comment.created >= editable_since
            return thread(comments)

        initial = {"parent": self.request.GET.get("replyto", "")[:12] or None, "form_key": uuid.uuid4()}
        # A shared page's visitor has no session, so no user to ask about; asking would load the session and
        # make the page vary by cookie (a proxy would then keep one copy per visitor's cookies).
        user = None if shared else self.request.user
        if user is not None and is_trusted_staff(user):
            contributor = getattr(user, "contributor", None)
            initial.update(
                name=contributor.display_name if contributor else user.get_full_name() or user.username,
                email=user.email,
            )
        form = comment_form or CommentForm(initial=initial)
        return {
            "threads": threads(),
            "comment_form": form,
            "comments_open": post.comments_are_open(close_after_days=rules.close_after_days),
            "liked": set() if shared else liked(self.request),
            "reply_depth": rules.reply_depth,
        }


@method_decorator([staff_required, never_cache], name="dispatch")
class PostPreviewView(PostDetailView):
    """Staff see drafts and scheduled posts as they will look; never cached, never indexed."""

    preview = True

    def posts(self) -> PostQuerySet:
        return Post.objects.all()

    def render_to_response(self, context, **kwargs):
        response = super().render_to_response(context, **kwargs)
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response


class SeriesListView(PublishedMixin, ListView):
    template_name = "series/series_list.html"
    context_object_name = "series_list"

    def get_queryset(self):
        return Series.objects.count_published_posts().filter(post_count__gt=0)


class SeriesDetailView(PublishedMixin, DetailView):
    template_name = "series/series_detail.html"
    context_object_name = "series"

    def get_queryset(self):
        return Series.objects.with_published_posts()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["parts"] = self.object.published_parts().select_related("contributor").prefetch_related("content_notes")
        return context


class ContributorListView(PublishedMixin, ListView):
    template_name = "series/contributor_list.html"
    context_object_name = "contributors"

    def get_queryset(self):
        return Contributor.objects.count_published_posts().filter(post_count__gt=0)


class PostsOfView(PostListView):
    """The published posts of one thing found by its slug: a contributor's, or a tag's.

    Configured in the URLs: `of` (the model, whose `with_published_posts()` finds it), `field` (the posts' field
    that names it) and `context_name`. What has nothing published has no page: a contributor's name and bio stay
    private until then.
    """

    of: type[Model] | None = None
    field = ""
    context_name = ""

    def get(self, request, *args, **kwargs):
        self.owner = get_object_or_404(self.of.objects.with_published_posts(), slug=kwargs["slug"])
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return super().get_queryset().filter(**{self.field: self.owner})

    def get_context_data(self, **kwargs):
        return super().get_context_data(**{self.context_name: self.owner}, **kwargs)


class TagListView(PublishedMixin, ListView):
    template_name = "series/tag_list.html"
    context_object_name = "tags"

    def get_queryset(self):
        return Topic.objects.count_published_posts().filter(post_count__gt=0)


class ArchiveView(PublishedMixin, ArchiveIndexView):
    template_name = "series/archive.html"
    date_field = "publish_at"
    date_list_period = "month"
    allow_empty = True
    context_object_name = "posts"

    def get_dated_items(self):
        # The index lists months only; the latest posts are one click away on the home page.
        date_list, _posts, extra = super().get_dated_items()
        return date_list, Post.objects.none(), extra


class MonthView(PublishedMixin, MonthArchiveView):
    template_name = "series/archive_month.html"
    date_field = "publish_at"
    month_format = "%m"
    context_object_name = "posts"

    def get_paginate_by(self, queryset) -> int:
        return settings.OLE_POSTS_PER_PAGE

    def get_queryset(self):
        # Plain: the previous/next month look-ups use it too, and must not prefetch.
        return self.posts()

    def get_dated_items(self):
        date_list, posts, extra = super().get_dated_items()
        return date_list, posts.for_cards(), extra


@require_safe
def search(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    page = capped_at = None
    if form.is_valid() and form.has_criteria():
        posts = Post.objects.published().for_cards()
        if form.cleaned_data["tag"]:
            posts = posts.filter(tags=form.cleaned_data["tag"])
        if form.cleaned_data["series"]:
            posts = posts.filter(series=form.cleaned_data["series"])
        words = form.cleaned_data["q"].strip()
        posts = posts.search(words) if words else posts.order_by("-publish_at")
        page = paginate(request, posts)
        # Only a search with words is capped (see Post.objects.search); a tag or a series alone lists all.
        if words and page.paginator.count >= Post.SEARCH_MATCHES:
            capped_at = Post.SEARCH_MATCHES
    # Only what the search reads: the page is shared by everyone who searches for the same thing.
    criteria = QueryDict(mutable=True)
    for name in ("q", "tag", "series"):
        criteria.setlist(name, request.GET.getlist(name))
    context = {"form": form, "page_obj": page, "query": criteria.urlencode(), "capped_at": capped_at}
    return render(request, "series/search.html", context)


class HelpView(TemplateView):
    template_name = "series/help.html"
    http_method_names = ["get", "head", "options"]

    def get_context_data(self, **kwargs):
        return super().get_context_data(crisis_lines=CrisisLine.objects.all(), **kwargs)


@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    return render(request, "robots.txt", content_type="text/plain; charset=utf-8")


@require_safe
def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "series/privacy.html", {"retention_days": settings.OLE_RETENTION_DAYS})
