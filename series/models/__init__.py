"""The reading side's models, by topic: posts and what frames them, and the community around them."""

from .addresses import OldAddress, Page
from .comments import Comment, CommentReport, CommunitySettings, EraseLinkRequest
from .following import Delivery, Subscription
from .importruns import ImportRun
from .posts import (
    ContentNote,
    Contributor,
    CrisisLine,
    Post,
    PostQuerySet,
    Series,
    TaggedPost,
    Topic,
    Weekday,
    live_posts,
    unique_slug,
)
from .revisions import PostRevision
from .wordpress import ImportedItem

__all__ = [
    "Comment",
    "CommentReport",
    "CommunitySettings",
    "ContentNote",
    "Contributor",
    "CrisisLine",
    "Delivery",
    "EraseLinkRequest",
    "ImportRun",
    "ImportedItem",
    "OldAddress",
    "Page",
    "Post",
    "PostQuerySet",
    "PostRevision",
    "Series",
    "Subscription",
    "TaggedPost",
    "Topic",
    "Weekday",
    "live_posts",
    "unique_slug",
]
