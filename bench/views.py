"""The minimal Django view: the cheapest page Django can serve through the site's middleware and server settings.

The same 20 KB the benchmark's nginx serves as a static file, so both ceilings send pages of one size.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

PAGE_BYTES = 20 * 1024


def _page(size: int) -> str:
    head = "<!doctype html><html lang=en><head><meta charset=utf-8><title>Ceiling</title></head><body>\n"
    tail = "</body></html>\n"
    line = "<p>The same paragraph again, so the page weighs what a real one does.</p>\n"
    filler = line * ((size - len(head) - len(tail)) // len(line) + 1)
    return head + filler[: size - len(head) - len(tail)] + tail


PAGE = _page(PAGE_BYTES)


def minimal(request: HttpRequest) -> HttpResponse:
    """A static 20 KB HTML string: no template, no query."""
    return HttpResponse(PAGE)
