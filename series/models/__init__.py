"""The reading side's models, by topic: posts and what frames them, and the community around them."""

from .comments import Comment, CommentReport, CommunitySettings, EraseLinkRequest
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

__all__ = [
    "Comment",
    "CommentReport",
    "CommunitySettings",
    "ContentNote",
    "Contributor",
    "CrisisLine",
    "EraseLinkRequest",
    "Post",
    "PostQuerySet",
    "Series",
    "TaggedPost",
    "Topic",
    "live_posts",
    "unique_slug",
]
