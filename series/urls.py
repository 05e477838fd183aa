from django.urls import path

from . import feeds, views

app_name = "series"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("posts/<slug:slug>/", views.PostDetailView.as_view(), name="post"),
    path("posts/<slug:slug>/preview/", views.PostPreviewView.as_view(), name="post_preview"),
    path("posts/<slug:slug>/comments/", views.comment_create, name="comment_create"),
    path("comments/<int:pk>/edit/<str:token>/", views.comment_edit, name="comment_edit"),
    path("comments/<int:pk>/delete/<str:token>/", views.comment_delete, name="comment_delete"),
    path("comments/unsubscribe/<str:token>/", views.comment_unsubscribe, name="comment_unsubscribe"),
    path("comments/erase/<str:token>/", views.comment_erase, name="comment_erase"),
    path("privacy/", views.privacy, name="privacy"),
    path("likes/<str:kind>/<int:pk>/", views.like, name="like"),
    path("pingback/", views.pingback, name="pingback"),
    path("webmention/", views.webmention, name="webmention"),
    path("series/", views.SeriesListView.as_view(), name="series_list"),
    path("series/<slug:slug>/", views.SeriesDetailView.as_view(), name="series_detail"),
    path("series/<slug:slug>/feed/", feeds.SeriesFeed(), name="series_feed"),
    path("series/<slug:slug>/feed/atom/", feeds.SeriesAtomFeed(), name="series_feed_atom"),
    path("contributors/", views.ContributorListView.as_view(), name="contributor_list"),
    path("contributors/<slug:slug>/", views.ContributorDetailView.as_view(), name="contributor"),
    path("tags/", views.TagListView.as_view(), name="tag_list"),
    path("tags/<slug:slug>/", views.TagDetailView.as_view(), name="tag"),
    path("tags/<slug:slug>/feed/", feeds.TagFeed(), name="tag_feed"),
    path("tags/<slug:slug>/feed/atom/", feeds.TagAtomFeed(), name="tag_feed_atom"),
    path("archive/", views.ArchiveView.as_view(), name="archive"),
    path("archive/<int:year>/<int:month>/", views.MonthView.as_view(), name="archive_month"),
    path("search/", views.search, name="search"),
    path("help/", views.HelpView.as_view(), name="help"),
    path("feed/", feeds.LatestPostsFeed(), name="feed"),
    path("feed/atom/", feeds.LatestPostsAtomFeed(), name="feed_atom"),
]
