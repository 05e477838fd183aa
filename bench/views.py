"""The ceiling, the cheapest page Django can serve through the same middleware and server settings, and the
issue's anchor: a small Django template listing 10 rows from the database."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template import engines

from series.models import Post

CEILING_BYTES = 20 * 1024


def _page(size: int) -> str:
    head = "<!doctype html><html lang=en><head><meta charset=utf-8><title>Ceiling</title></head><body>\n"
    tail = "</body></html>\n"
    line = "<p>The same paragraph again, so the page weighs what a real one does.</p>\n"
    filler = line * ((size - len(head) - len(tail)) // len(line) + 1)
    body = filler[: size - len(head) - len(tail)]
    return head + body + tail


CEILING_PAGE = _page(CEILING_BYTES)


def ceiling(request: HttpRequest) -> HttpResponse:
    """A static 20 KB HTML string: no template, no query."""
    return HttpResponse(CEILING_PAGE)


TEN_ROWS = engines["django"].from_string(
    "<!doctype html><html lang=en><head><meta charset=utf-8><title>Ten rows</title></head><body><ul>"
    '{% for post in posts %}<li><a href="/posts/{{ post.slug }}/">{{ post.title }}</a> '
    '{{ post.publish_at|date:"j F Y" }}</li>{% endfor %}</ul></body></html>'
)


def ten_rows(request: HttpRequest) -> HttpResponse:
    """A Django template listing 10 rows from the database: one query, one small template."""
    posts = Post.objects.order_by("-publish_at").only("title", "slug", "publish_at")[:10]
    return HttpResponse(TEN_ROWS.render({"posts": posts}))
