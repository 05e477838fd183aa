from __future__ import annotations

from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django.views.generic import DetailView, ListView, TemplateView
from django.views.generic.dates import ArchiveIndexView, MonthArchiveView

from .forms import SearchForm
from .models import Contributor, CrisisLine, Post, Series, Topic

FEATURED_ON_HOME = 3


def paginate(request: HttpRequest, items) -> Page:
    """One page of items; a page number that is not a page is a 404, as on every list."""
    try:
        return Paginator(items, settings.OLE_POSTS_PER_PAGE).page(request.GET.get("page") or 1)
    except (EmptyPage, PageNotAnInteger) as error:
        raise Http404("No such page.") from error


class PostListView(ListView):
    """Base for every paginated list of post cards."""

    context_object_name = "posts"
    http_method_names = ["get", "head", "options"]

    def get_paginate_by(self, queryset) -> int:
        return settings.OLE_POSTS_PER_PAGE

    def get_queryset(self):
        return Post.objects.published().for_cards()


class HomeView(PostListView):
    template_name = "series/home.html"

    def get_featured(self) -> list[Post]:
        return list(Post.objects.published().featured().for_cards()[:FEATURED_ON_HOME])

    def get(self, request, *args, **kwargs):
        self.featured = self.get_featured()
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return super().get_queryset().exclude(pk__in=[post.pk for post in self.featured])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["featured"] = self.featured
        context["latest_column_entry"] = (
            Post.objects.published().for_cards().filter(series__kind=Series.Kind.COLUMN).first()
        )
        return context


class PostDetailView(DetailView):
    template_name = "series/post_detail.html"
    context_object_name = "post"
    http_method_names = ["get", "head", "options"]
    preview = False

    def get_queryset(self):
        posts = Post.objects.all() if self.preview else Post.objects.published()
        return posts.select_related("contributor", "series").prefetch_related("tags", "content_notes")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        post = self.object
        context.update(
            preview=self.preview,
            previous_part=post.previous_in_series(),
            next_part=post.next_in_series(),
            position=post.series_position(),
        )
        return context


@method_decorator([staff_member_required, never_cache], name="dispatch")
class PostPreviewView(PostDetailView):
    """Staff see drafts and scheduled posts as they will look; never cached, never indexed."""

    preview = True

    def render_to_response(self, context, **kwargs):
        response = super().render_to_response(context, **kwargs)
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response


class SeriesListView(ListView):
    template_name = "series/series_list.html"
    context_object_name = "series_list"
    http_method_names = ["get", "head", "options"]

    def get_queryset(self):
        return Series.objects.count_published_posts().filter(post_count__gt=0)


class SeriesDetailView(DetailView):
    template_name = "series/series_detail.html"
    context_object_name = "series"
    http_method_names = ["get", "head", "options"]

    def get_queryset(self):
        return Series.objects.with_published_posts()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["parts"] = self.object.published_parts().select_related("contributor").prefetch_related("content_notes")
        return context


class ContributorListView(ListView):
    template_name = "series/contributor_list.html"
    context_object_name = "contributors"
    http_method_names = ["get", "head", "options"]

    def get_queryset(self):
        return Contributor.objects.count_published_posts().filter(post_count__gt=0)


class ContributorDetailView(PostListView):
    template_name = "series/contributor_detail.html"

    def get(self, request, *args, **kwargs):
        # Someone with nothing published has no public page: their name and bio stay private.
        self.contributor = get_object_or_404(Contributor.objects.with_published_posts(), slug=kwargs["slug"])
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return super().get_queryset().filter(contributor=self.contributor)

    def get_context_data(self, **kwargs):
        return super().get_context_data(contributor=self.contributor, **kwargs)


class TagDetailView(PostListView):
    template_name = "series/tag_detail.html"

    def get(self, request, *args, **kwargs):
        self.tag = get_object_or_404(Topic.objects.with_published_posts(), slug=kwargs["slug"])
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return super().get_queryset().filter(tags=self.tag)

    def get_context_data(self, **kwargs):
        return super().get_context_data(tag=self.tag, **kwargs)


class TagListView(ListView):
    template_name = "series/tag_list.html"
    context_object_name = "tags"
    http_method_names = ["get", "head", "options"]

    def get_queryset(self):
        return Topic.objects.count_published_posts().filter(post_count__gt=0)


class ArchiveView(ArchiveIndexView):
    template_name = "series/archive.html"
    date_field = "publish_at"
    date_list_period = "month"
    allow_empty = True
    context_object_name = "posts"
    http_method_names = ["get", "head", "options"]

    def get_queryset(self):
        return Post.objects.published().for_cards()

    def get_dated_items(self):
        # The index lists months only; the latest posts are one click away on the home page.
        date_list, _posts, extra = super().get_dated_items()
        return date_list, Post.objects.none(), extra


class MonthView(MonthArchiveView):
    template_name = "series/archive_month.html"
    date_field = "publish_at"
    month_format = "%m"
    context_object_name = "posts"
    http_method_names = ["get", "head", "options"]

    def get_paginate_by(self, queryset) -> int:
        return settings.OLE_POSTS_PER_PAGE

    def get_queryset(self):
        # Plain: the previous/next month look-ups use it too, and must not prefetch.
        return Post.objects.published()

    def get_dated_items(self):
        date_list, posts, extra = super().get_dated_items()
        return date_list, posts.for_cards(), extra


@require_safe
def search(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    page = None
    if form.is_valid() and form.has_criteria():
        posts = Post.objects.published().for_cards()
        if form.cleaned_data["tag"]:
            posts = posts.filter(tags=form.cleaned_data["tag"])
        if form.cleaned_data["series"]:
            posts = posts.filter(series=form.cleaned_data["series"])
        query = form.cleaned_data["q"].strip()
        posts = posts.search(query) if query else posts.order_by("-publish_at")
        page = paginate(request, posts)
    criteria = request.GET.copy()
    criteria.pop("page", None)
    return render(request, "series/search.html", {"form": form, "page_obj": page, "query": criteria.urlencode()})


class HelpView(TemplateView):
    template_name = "series/help.html"
    http_method_names = ["get", "head", "options"]

    def get_context_data(self, **kwargs):
        return super().get_context_data(crisis_lines=CrisisLine.objects.all(), **kwargs)


@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    return render(request, "robots.txt", content_type="text/plain; charset=utf-8")
