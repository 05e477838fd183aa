"""Pages at paths of their own, and a moved blog's old addresses, answered where the site's own URLs are not.

As Django's flatpages and redirects apps do, the middleware looks only once the URLconf has answered 404, so no
page the site itself serves pays a query for it. WordPress's query addresses (`/?p=12`, `/?page_id=3`) are the
one exception: they are the home page's, which answers 200 from the page cache, so they are read before it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import render

from ole.dbdown import unavailable
from ole.pagecache import public_page

from .models import OldAddress, Page
from .models.addresses import is_local_target

logger = logging.getLogger(__name__)

# The query parameters WordPress names a post or a page by, on its home page.
QUERY_ADDRESSES = ("p", "page_id")
_ITEM_ID = re.compile(r"[0-9]{1,18}")
# Browsers keep a 301 with no lifetime for good; a day lets an editor's correction reach them.
REDIRECT_MAX_AGE = 24 * 60 * 60


class AddressesMiddleware:
    """Serves a page at its path, or redirects an old address, where the site's own URLs found nothing."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        if request.path_info == "/" and any(name in request.GET for name in QUERY_ADDRESSES):
            redirect = self.query_address(request)
            if redirect is not None:
                return redirect
        response = self.get_response(request)
        if response.status_code != 404:
            return response
        try:
            return self.fallback(request) or response
        except (OperationalError, InterfaceError) as error:
            return unavailable(error)

    def query_address(self, request: HttpRequest) -> HttpResponse | None:
        """`/?p=12` or `/?page_id=3` known from the old blog: its redirect; otherwise None (the home page)."""
        paths = [
            f"/?{name}={int(value)}"
            for name in QUERY_ADDRESSES
            if _ITEM_ID.fullmatch(value := request.GET.get(name, ""))
        ]
        if not paths:
            return None
        try:
            target = OldAddress.objects.target_for(*paths)
        except DatabaseError as error:  # the home page answers as it can (503 if the database is down)
            logger.warning("Old addresses: lookup failed (%s).", type(error).__name__)
            return None
        return _redirect(target, request) if target else None

    def fallback(self, request: HttpRequest) -> HttpResponse | None:
        path = request.path_info
        if _CONTROL_CHARACTER.search(path):
            return None  # no page or old address has one, and PostgreSQL refuses a NUL in a query
        variant = path[:-1] if path.endswith("/") else f"{path}/"
        # The page is found here, not in the cached view: a stored entry is keyed by its path alone, and a view
        # that answered 404 for its own reasons (`/tags/sleep/?page=99`) must not be answered with another's.
        found = Page.objects.published().select_related("parent__parent").filter(path__in=[path, variant]).first()
        if found is not None:
            return page(request, page=found) if found.path == path else HttpResponsePermanentRedirect(found.path)
        target = OldAddress.objects.target_for(path, variant) if len(path) > 1 else None
        return _redirect(target, request) if target else None


_CONTROL_CHARACTER = re.compile(r"[\x00-\x1f\x7f]")


def _redirect(target: str, request: HttpRequest) -> HttpResponse | None:
    # The model refuses such targets; a row written around it (a raw update) is still never followed off-site, nor
    # back to the address asked for.
    if not is_local_target(target) or target.split("?")[0] == request.path_info:
        logger.warning("Old addresses: a target that is not a path elsewhere on this site was ignored.")
        return None
    response = HttpResponsePermanentRedirect(target)
    response["Cache-Control"] = f"public, max-age={REDIRECT_MAX_AGE}"
    return response


@public_page
def page(request: HttpRequest, *, page: Page) -> HttpResponse:
    """A published page at its path, in the site's layout, with its place among the others."""
    context = {"page": page, "breadcrumb": page.breadcrumb(), "children": page.children.published().order_by("title")}
    return render(request, "series/page.html", context)
