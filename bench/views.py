"""The ceiling: the cheapest page Django can serve through the same middleware and server settings."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

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
