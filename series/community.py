"""Helpers for the community under a post: threads, and what this browser has written or liked.

A browser remembers its own comments and likes in signed cookies (no account), each noted with its post, so
only the pages of those posts are its own and every other page can be the shared one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core import signing
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse

from .models import Comment, Post

MY_COMMENTS_COOKIE = "ole_comments"
LIKES_COOKIE = "ole_likes"
MAX_REMEMBERED = 200
COOKIE_AGE = 60 * 60 * 24 * 365


@dataclass
class ThreadNode:
    comment: Comment
    replies: list[ThreadNode] = field(default_factory=list)


def thread(comments: list[Comment]) -> list[ThreadNode]:
    """Arrange comments (oldest first) as nested threads; a reply whose parent is not shown is left out."""
    nodes = {comment.pk: ThreadNode(comment) for comment in comments}
    roots = []
    for comment in comments:
        node = nodes[comment.pk]
        if comment.parent_id is None:
            roots.append(node)
        elif comment.parent_id in nodes:
            nodes[comment.parent_id].replies.append(node)
    return roots


def _read(request: HttpRequest, name: str) -> list:
    try:
        value = request.get_signed_cookie(name, default="[]", salt=name)
        items = signing.json.loads(value) if isinstance(value, str) else []
    except (signing.BadSignature, ValueError):
        return []
    return items if isinstance(items, list) else []


def _write(request: HttpRequest, response: HttpResponse, name: str, items: list) -> None:
    response.set_signed_cookie(
        name,
        signing.json.dumps(items[-MAX_REMEMBERED:]),
        salt=name,
        max_age=COOKIE_AGE,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure(),
    )


def _is_pk(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**63


def _pk_in(text: str) -> int | None:
    return int(text) if text.isascii() and text.isdecimal() and _is_pk(int(text)) else None


def _comment_entries(request: HttpRequest) -> list:
    """[post pk, comment pk] pairs; a bare comment pk is an entry written before the post was noted with it."""
    return [
        item
        for item in _read(request, MY_COMMENTS_COOKIE)
        if _is_pk(item) or (isinstance(item, list) and len(item) == 2 and all(_is_pk(value) for value in item))
    ]


def my_comment_ids(request: HttpRequest) -> list[int]:
    return [item if _is_pk(item) else item[1] for item in _comment_entries(request)]


def remember_comment(request: HttpRequest, response: HttpResponse, comment: Comment) -> None:
    entries = _comment_entries(request)
    bare = [item for item in entries if _is_pk(item)]
    if bare:  # written before entries noted their post: noted now, so they stop making every post page private
        posts = dict(Comment.objects.filter(pk__in=bare).values_list("pk", "post_id"))
        entries = [
            [posts[item], item] if _is_pk(item) else item
            for item in entries
            if not _is_pk(item) or item in posts  # a comment since deleted is forgotten
        ]
    _write(request, response, MY_COMMENTS_COOKIE, [*entries, [comment.post_id, comment.pk]])


def _likes_in_order(request: HttpRequest) -> list[str]:
    return [item for item in _read(request, LIKES_COOKIE) if isinstance(item, str)]


def liked(request: HttpRequest) -> set[str]:
    """What this browser liked, as "post:<pk>" and "comment:<pk>" (the template's keys)."""
    return {item.partition("@")[0] for item in _likes_in_order(request)}


def remember_like(request: HttpRequest, response: HttpResponse, key: str, *, post_pk: int) -> None:
    # A comment's like notes its post ("comment:<pk>@<post pk>"), so other posts' pages stay shared.
    # Oldest first, so when the cookie is full the oldest likes are the ones forgotten.
    entry = key if key.startswith("post:") else f"{key}@{post_pk}"
    entries = _likes_in_order(request)
    bare = {_pk_in(item.partition(":")[2]) for item in entries if item.startswith("comment:") and "@" not in item}
    if bare - {None}:  # comment likes written before they noted their post: noted now
        posts = dict(Comment.objects.filter(pk__in=bare - {None}).values_list("pk", "post_id"))
        entries = [_noted(item, posts) for item in entries]
    _write(request, response, LIKES_COOKIE, [*entries, entry])


def _noted(item: str, posts: dict[int, int]) -> str:
    if not item.startswith("comment:") or "@" in item:
        return item
    pk = _pk_in(item.partition(":")[2])
    return f"{item}@{posts[pk]}" if pk in posts else item


def posts_touched(request: HttpRequest) -> set[int] | None:
    """The posts this browser commented on or liked (a post or one of its comments); None when some entry does
    not say which post it belongs to (written before entries noted it): then any post may be one of them."""
    posts = set()
    for item in _comment_entries(request):
        if _is_pk(item):
            return None
        posts.add(item[0])
    for item in _likes_in_order(request):
        kind, _, rest = item.partition(":")
        pk, _, on_post = rest.partition("@")
        post = _pk_in(pk) if kind == "post" else _pk_in(on_post) if kind == "comment" else None
        if post is not None:
            posts.add(post)
        elif kind == "comment":
            return None
    return posts


def has_own_activity_on(request: HttpRequest, slug: str, *, cached_pk: int | None = None) -> bool:
    """Whether the post's page shows something of this browser's own: its comments or its likes there.

    `cached_pk` is the post's pk as a cached copy of its page knows it: then nothing is looked up."""
    if not any(name in request.COOKIES for name in (MY_COMMENTS_COOKIE, LIKES_COOKIE)):
        return False
    touched = posts_touched(request)
    if touched is None:
        return True
    if not touched:
        return False
    if cached_pk is not None:
        return cached_pk in touched
    try:
        return Post.objects.filter(slug=slug, pk__in=touched).exists()
    except DatabaseError:  # the shared copy never shows anyone's own things; at worst theirs are missing
        return False
