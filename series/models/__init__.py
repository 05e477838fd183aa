"""The reading side's models, by topic: posts and what frames them, and the community around them."""

from .comments import Comment, CommunitySettings, EraseLinkRequest
from .posts import (
    ContentNote,
    Contributor,
    CrisisLine,
    Post,
    PostQuerySet,
    Series,
    TaggedPost,
    Topic,
    live_posts,
    unique_slug,
)
from .revisions import PostRevision

__all__ = [
    "Comment",
    "CommunitySettings",
    "ContentNote",
    "Contributor",
    "CrisisLine",
    "EraseLinkRequest",
    "Post",
    "PostQuerySet",
    "PostRevision",
    "Series",
    "TaggedPost",
    "Topic",
    "live_posts",
    "unique_slug",
]
