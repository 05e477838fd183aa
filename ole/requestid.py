"""A request id on every request: kept from the proxy's X-Request-ID when it looks like one, made otherwise; put
on each log line written while the request is answered (ole.logging.AddRequestId) and sent back on the response,
so a visitor's report, the proxy's log and the app's log meet."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

from django.core.signals import request_finished
from django.http import HttpRequest, HttpResponse

from .logging import current_request_id

HEADER = "X-Request-ID"
# nginx's $request_id is 32 hex digits, a UUID is 36 characters; anything else (spaces, quotes, control
# characters, a kilobyte of text) is not trusted into a log line.
SANE = re.compile(r"[A-Za-z0-9._:-]{8,64}")


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        given = request.headers.get(HEADER, "")
        request.request_id = given if SANE.fullmatch(given) else uuid.uuid4().hex
        current_request_id.set(request.request_id)
        response = self.get_response(request)
        response[HEADER] = request.request_id
        return response


def _forget(**kwargs) -> None:
    # After the response is closed, so that Django's own line about the response still carries the id.
    current_request_id.set(None)


request_finished.connect(_forget, dispatch_uid="ole.requestid.forget")
