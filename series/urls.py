from django.urls import path

from ole.pagecache import public_page

from . import feeds, views
from .community import has_own_activity_on

app_name = "series"

_listing = public_page(params=["page"])
# A post page has its own version besides the site's (likes), and is personal to a browser that commented or liked
# there. `replyto` opens the form as a reply.
_post_page = public_page(
    params=["replyto"],
    scope=lambda kwargs: f"post:{kwargs['slug']}",
    personal=lambda request, kwargs: has_own_activity_on(request, kwargs["slug"]),
)


urlpatterns = [
    path("", _listing(views.HomeView.as_view()), name="home"),
    path("posts/<slug:slug>/", _post_page(views.PostDetailView.as_view()), name="post"),
    path("posts/<slug:slug>/preview/", views.PostPreviewView.as_view(), name="post_preview"),
    path("posts/<slug:slug>/comments/", views.comment_create, name="comment_create"),
    path("comments/<int:pk>/edit/<str:token>/", views.comment_edit, name="comment_edit"),
    path("comments/<int:pk>/delete/<str:token>/", views.comment_delete, name="comment_delete"),
    path("comments/unsubscribe/<str:token>/", views.comment_unsubscribe, name="comment_unsubscribe"),
    path("comments/erase/<str:token>/", views.comment_erase, name="comment_erase"),
    path("forms/token/", views.form_token, name="form_token"),
    path("privacy/", public_page(views.privacy), name="privacy"),
    path("likes/<str:kind>/<int:pk>/", views.like, name="like"),
    path("pingback/", views.pingback, name="pingback"),
    path("webmention/", views.webmention, name="webmention"),
    path("series/", public_page(views.SeriesListView.as_view()), name="series_list"),
    path("series/<slug:slug>/", public_page(views.SeriesDetailView.as_view()), name="series_detail"),
    path("series/<slug:slug>/feed/", public_page(feeds.SeriesFeed()), name="series_feed"),
    path("series/<slug:slug>/feed/atom/", public_page(feeds.SeriesAtomFeed()), name="series_feed_atom"),
    path("contributors/", public_page(views.ContributorListView.as_view()), name="contributor_list"),
    path("contributors/<slug:slug>/", _listing(views.ContributorDetailView.as_view()), name="contributor"),
    path("tags/", public_page(views.TagListView.as_view()), name="tag_list"),
    path("tags/<slug:slug>/", _listing(views.TagDetailView.as_view()), name="tag"),
    path("tags/<slug:slug>/feed/", public_page(feeds.TagFeed()), name="tag_feed"),
    path("tags/<slug:slug>/feed/atom/", public_page(feeds.TagAtomFeed()), name="tag_feed_atom"),
    path("archive/", public_page(views.ArchiveView.as_view()), name="archive"),
    path("archive/<int:year>/<int:month>/", _listing(views.MonthView.as_view()), name="archive_month"),
    path("search/", public_page(views.search, params=["q", "tag", "series", "page"]), name="search"),
    path("help/", public_page(views.HelpView.as_view()), name="help"),
    path("feed/", public_page(feeds.LatestPostsFeed()), name="feed"),
    path("feed/atom/", public_page(feeds.LatestPostsAtomFeed()), name="feed_atom"),
]
