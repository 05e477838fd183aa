"""Helpers for the community under a post: threads, and what this browser has written or liked.

A browser remembers its own comments and likes in signed cookies: no account, and nothing to look up.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core import signing
from django.http import HttpRequest, HttpResponse

from .models import Comment

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


def my_comment_ids(request: HttpRequest) -> list[int]:
    return [item for item in _read(request, MY_COMMENTS_COOKIE) if isinstance(item, int)]


def remember_comment(request: HttpRequest, response: HttpResponse, comment: Comment) -> None:
    _write(request, response, MY_COMMENTS_COOKIE, [*my_comment_ids(request), comment.pk])


def _likes_in_order(request: HttpRequest) -> list[str]:
    return [item for item in _read(request, LIKES_COOKIE) if isinstance(item, str)]


def liked(request: HttpRequest) -> set[str]:
    return set(_likes_in_order(request))


def remember_like(request: HttpRequest, response: HttpResponse, key: str) -> None:
    # Oldest first, so when the cookie is full the oldest likes are the ones forgotten.
    _write(request, response, LIKES_COOKIE, [*_likes_in_order(request), key])
