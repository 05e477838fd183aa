from django.urls import path

from ole.pagecache import public_page

from . import feeds
from .community import has_own_activity_on
from .models import Contributor, Topic
from .views import community, following, mentions, reading

app_name = "series"

_listing = public_page(params=["page"])
# A post page has its own version besides the site's (likes), and is personal to a browser that commented or liked
# there. `replyto` opens the form as a reply.
_post_page = public_page(
    params=["replyto"],
    scope=lambda kwargs: f"post:{kwargs['slug']}",
    personal=lambda request, kwargs: has_own_activity_on(request, kwargs["slug"]),
)


# One view lists the posts of whatever a slug names: a contributor's, or a tag's.
_contributor_posts = reading.PostsOfView.as_view(
    of=Contributor, field="contributor", context_name="contributor", template_name="series/contributor_detail.html"
)
_tag_posts = reading.PostsOfView.as_view(
    of=Topic, field="tags", context_name="tag", template_name="series/tag_detail.html"
)


urlpatterns = [
    path("", _listing(reading.HomeView.as_view()), name="home"),
    path("posts/<slug:slug>/", _post_page(reading.PostDetailView.as_view()), name="post"),
    path("posts/<slug:slug>/comments/feed/", public_page(feeds.PostCommentsFeed()), name="post_comments_feed"),
    path(
        "posts/<slug:slug>/comments/feed/atom/",
        public_page(feeds.PostCommentsAtomFeed()),
        name="post_comments_feed_atom",
    ),
    path("posts/<slug:slug>/preview/", reading.PostPreviewView.as_view(), name="post_preview"),
    path("posts/<slug:slug>/comments/", community.comment_create, name="comment_create"),
    path("comments/<int:pk>/edit/<str:token>/", community.comment_edit, name="comment_edit"),
    path("comments/<int:pk>/delete/<str:token>/", community.comment_delete, name="comment_delete"),
    path("comments/unsubscribe/<str:token>/", community.comment_unsubscribe, name="comment_unsubscribe"),
    path("comments/erase/<str:token>/", community.comment_erase, name="comment_erase"),
    path("comments/<int:pk>/report/", community.comment_report, name="comment_report"),
    path("comments/forget-me/", community.forget_me, name="comment_forget_me"),
    path("comments/erase-link/", community.erase_link_request, name="erase_link_request"),
    path("comments/confirm/<str:token>/", community.comment_confirm, name="comment_confirm"),
    path("forms/token/", community.form_token, name="form_token"),
    path("follow/", following.follow, name="follow"),
    path("follow/confirm/<str:token>/", following.follow_confirm, name="follow_confirm"),
    path("follow/manage/<str:token>/", following.follow_manage, name="follow_manage"),
    path("follow/stop/<str:token>/", following.follow_unsubscribe, name="follow_unsubscribe"),
    path("privacy/", public_page(reading.privacy), name="privacy"),
    path("likes/<str:kind>/<int:pk>/", community.like, name="like"),
    path("pingback/", mentions.pingback, name="pingback"),
    path("webmention/", mentions.webmention, name="webmention"),
    path("series/", public_page(reading.SeriesListView.as_view()), name="series_list"),
    path("series/<slug:slug>/", public_page(reading.SeriesDetailView.as_view()), name="series_detail"),
    path("series/<slug:slug>/feed/", public_page(feeds.SeriesFeed()), name="series_feed"),
    path("series/<slug:slug>/feed/atom/", public_page(feeds.SeriesAtomFeed()), name="series_feed_atom"),
    path("contributors/", public_page(reading.ContributorListView.as_view()), name="contributor_list"),
    path(
        "contributors/<slug:slug>/",
        _listing(_contributor_posts),
        name="contributor",
    ),
    path("tags/", public_page(reading.TagListView.as_view()), name="tag_list"),
    path(
        "tags/<slug:slug>/",
        _listing(_tag_posts),
        name="tag",
    ),
    path("tags/<slug:slug>/feed/", public_page(feeds.TagFeed()), name="tag_feed"),
    path("tags/<slug:slug>/feed/atom/", public_page(feeds.TagAtomFeed()), name="tag_feed_atom"),
    path("archive/", public_page(reading.ArchiveView.as_view()), name="archive"),
    path("archive/<int:year>/<int:month>/", _listing(reading.MonthView.as_view()), name="archive_month"),
    path("search/", public_page(reading.search, params=["q", "tag", "series", "page"]), name="search"),
    path("help/", public_page(reading.HelpView.as_view()), name="help"),
    path("feed/", public_page(feeds.LatestPostsFeed()), name="feed"),
    path("feed/atom/", public_page(feeds.LatestPostsAtomFeed()), name="feed_atom"),
    path("feed/comments/", public_page(feeds.LatestCommentsFeed()), name="comments_feed"),
    path("feed/comments/atom/", public_page(feeds.LatestCommentsAtomFeed()), name="comments_feed_atom"),
]
