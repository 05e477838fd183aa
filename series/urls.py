from django.urls import path

from . import feeds, views
from .community import has_own_activity_on
from .pagecache import next_publication, public_page

app_name = "series"


def _public(view):
    """A page every visitor without personal state shares (kept by the page cache and by proxies)."""
    return public_page(view, next_change=next_publication)


def _post_page(view):
    """A post page: its own version besides the site's (likes), and personal to a browser that commented or liked
    there."""
    return public_page(
        view,
        scope=lambda kwargs: f"post:{kwargs['slug']}",
        next_change=next_publication,
        personal=lambda request, kwargs, about: has_own_activity_on(request, kwargs["slug"], cached_pk=about),
    )


urlpatterns = [
    path("", _public(views.HomeView.as_view()), name="home"),
    path("posts/<slug:slug>/", _post_page(views.PostDetailView.as_view()), name="post"),
    path("posts/<slug:slug>/preview/", views.PostPreviewView.as_view(), name="post_preview"),
    path("posts/<slug:slug>/comments/", views.comment_create, name="comment_create"),
    path("comments/<int:pk>/edit/<str:token>/", views.comment_edit, name="comment_edit"),
    path("comments/<int:pk>/delete/<str:token>/", views.comment_delete, name="comment_delete"),
    path("comments/unsubscribe/<str:token>/", views.comment_unsubscribe, name="comment_unsubscribe"),
    path("comments/erase/<str:token>/", views.comment_erase, name="comment_erase"),
    path("forms/token/", views.form_token, name="form_token"),
    path("privacy/", _public(views.privacy), name="privacy"),
    path("likes/<str:kind>/<int:pk>/", views.like, name="like"),
    path("pingback/", views.pingback, name="pingback"),
    path("webmention/", views.webmention, name="webmention"),
    path("series/", _public(views.SeriesListView.as_view()), name="series_list"),
    path("series/<slug:slug>/", _public(views.SeriesDetailView.as_view()), name="series_detail"),
    path("series/<slug:slug>/feed/", _public(feeds.SeriesFeed()), name="series_feed"),
    path("series/<slug:slug>/feed/atom/", _public(feeds.SeriesAtomFeed()), name="series_feed_atom"),
    path("contributors/", _public(views.ContributorListView.as_view()), name="contributor_list"),
    path("contributors/<slug:slug>/", _public(views.ContributorDetailView.as_view()), name="contributor"),
    path("tags/", _public(views.TagListView.as_view()), name="tag_list"),
    path("tags/<slug:slug>/", _public(views.TagDetailView.as_view()), name="tag"),
    path("tags/<slug:slug>/feed/", _public(feeds.TagFeed()), name="tag_feed"),
    path("tags/<slug:slug>/feed/atom/", _public(feeds.TagAtomFeed()), name="tag_feed_atom"),
    path("archive/", _public(views.ArchiveView.as_view()), name="archive"),
    path("archive/<int:year>/<int:month>/", _public(views.MonthView.as_view()), name="archive_month"),
    path("search/", _public(views.search), name="search"),
    path("help/", _public(views.HelpView.as_view()), name="help"),
    path("feed/", _public(feeds.LatestPostsFeed()), name="feed"),
    path("feed/atom/", _public(feeds.LatestPostsAtomFeed()), name="feed_atom"),
]
