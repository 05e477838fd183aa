"""Helpers for the community under a post: threads, and what this browser has written or liked.

A browser remembers its own comments and likes in signed cookies (no account), each noted with its post, so
only the pages of those posts are its own and every other page can be the shared one.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field

from django.core import signing
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse

from .models import Comment, Post

MY_COMMENTS_COOKIE = "ole_comments"
LIKES_COOKIE = "ole_likes"
# A commenter's name, email and website, kept only when they ask. Read by the browser's JavaScript, which fills the
# form, never by the server: pages stay the shared ones.
COMMENTER_COOKIE = "ole_commenter"
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


def _comment_entries(request: HttpRequest) -> list[list[int]]:
    """This browser's comments, as [post pk, comment pk] pairs."""
    return [
        item
        for item in _read(request, MY_COMMENTS_COOKIE)
        if isinstance(item, list) and len(item) == 2 and all(_is_pk(value) for value in item)
    ]


def my_comment_ids(request: HttpRequest) -> list[int]:
    return [comment for _post, comment in _comment_entries(request)]


def remember_commenter(request: HttpRequest, response: HttpResponse, *, name: str, email: str, website: str) -> None:
    details = json.dumps({"name": name, "email": email, "website": website}, ensure_ascii=False)
    response.set_cookie(
        COMMENTER_COOKIE,
        base64.urlsafe_b64encode(details.encode()).decode(),
        max_age=COOKIE_AGE,
        httponly=False,
        samesite="Lax",
        secure=request.is_secure(),
    )


def forget_commenter(request: HttpRequest, response: HttpResponse) -> None:
    if COMMENTER_COOKIE in request.COOKIES:
        response.delete_cookie(COMMENTER_COOKIE, samesite="Lax")


def remember_comment(request: HttpRequest, response: HttpResponse, comment: Comment) -> None:
    _write(request, response, MY_COMMENTS_COOKIE, [*_comment_entries(request), [comment.post_id, comment.pk]])


def _like_entries(request: HttpRequest) -> list[tuple[str, int, int]]:
    """This browser's likes, oldest first, as (kind, pk, post pk): "post:<pk>" and "comment:<pk>@<post pk>"."""
    entries = []
    for item in _read(request, LIKES_COOKIE):
        if not isinstance(item, str):
            continue
        kind, _, rest = item.partition(":")
        pk, _, on_post = rest.partition("@")
        pk = _pk_in(pk)
        post = pk if kind == "post" else _pk_in(on_post) if kind == "comment" else None
        if pk is not None and post is not None:
            entries.append((kind, pk, post))
    return entries


def liked(request: HttpRequest) -> set[str]:
    """What this browser liked, as "post:<pk>" and "comment:<pk>" (the template's keys)."""
    return {f"{kind}:{pk}" for kind, pk, _post in _like_entries(request)}


def remember_like(request: HttpRequest, response: HttpResponse, key: str, *, post_pk: int) -> None:
    # A comment's like notes its post, so other posts' pages stay shared. Oldest first, so when the cookie is
    # full the oldest likes are the ones forgotten.
    entries = [f"{kind}:{pk}" if kind == "post" else f"{kind}:{pk}@{post}" for kind, pk, post in _like_entries(request)]
    entry = key if key.startswith("post:") else f"{key}@{post_pk}"
    _write(request, response, LIKES_COOKIE, [*entries, entry])


def posts_touched(request: HttpRequest) -> set[int]:
    """The posts this browser commented on or liked (a post or one of its comments)."""
    return {post for post, _comment in _comment_entries(request)} | {post for *_, post in _like_entries(request)}


def has_own_activity_on(request: HttpRequest, slug: str) -> bool:
    """Whether the post's page shows something of this browser's own: its comments or its likes there."""
    if not any(name in request.COOKIES for name in (MY_COMMENTS_COOKIE, LIKES_COOKIE)):
        return False
    touched = posts_touched(request)
    if not touched:
        return False
    try:
        return Post.objects.filter(slug=slug, pk__in=touched).exists()
    except DatabaseError:  # the shared copy never shows anyone's own things; at worst theirs are missing
        return False
