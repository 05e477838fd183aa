"""A database that cannot be reached (restarting, failing over) answers 503 with a page that needs no
database, rather than a 500. Forms that save handle a failed write themselves and keep what was typed; this
covers every other view, and a database that is still down while such a form would be shown again."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

logger = logging.getLogger("ole.dbdown")


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        return unavailable(exception)


def unavailable(exception: Exception) -> HttpResponse:
    """The 503 answer to a database that cannot be reached (also for middleware that queries after the view)."""
    # Logged in full: an OperationalError can also be a fault of ours (on SQLite, a missing column).
    logger.error("Database unavailable (%s); answered 503.", type(exception).__name__, exc_info=exception)
    # No request context: the site's context processors would query the database again.
    response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = "30"
    return response
