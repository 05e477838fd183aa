"""Oversized uploads are refused while they arrive, not after they are stored.

`LimitedUploadHandler` stops keeping a file part once it passes the image limit (`SkipFile`: the other
fields of the form still arrive), and `UploadLimitMiddleware` puts a stand-in of the refused file's size in
its place, so the form refuses it like any other file that is too large and keeps everything else typed.
A request larger than any form could need is answered 413 before its body is read.
"""

from __future__ import annotations

import io
from collections.abc import Callable

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from . import images

REFUSED_ATTRIBUTE = "ole_refused_uploads"


class RefusedUpload(UploadedFile):
    """What stands in for a file that was too large to keep: its name and size, no content."""

    def __init__(self, name: str, size: int, content_type: str | None):
        super().__init__(io.BytesIO(), name=name, content_type=content_type, size=size)


class LimitedUploadHandler(FileUploadHandler):
    """First of the upload handlers: lets each file through to the others until it passes the limit."""

    def new_file(self, field_name, file_name, content_type, content_length, charset=None, content_type_extra=None):
        super().new_file(field_name, file_name, content_type, content_length, charset, content_type_extra)
        if content_length is not None and content_length > images.MAX_UPLOAD_BYTES:
            self._refuse(content_length)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        if start + len(raw_data) > images.MAX_UPLOAD_BYTES:
            self._refuse(start + len(raw_data))
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the next handler keeps the file

    def _refuse(self, size: int) -> None:
        refused = getattr(self.request, REFUSED_ATTRIBUTE, [])
        refused.append((self.field_name, RefusedUpload(self.file_name or "upload", size, self.content_type)))
        setattr(self.request, REFUSED_ATTRIBUTE, refused)
        raise SkipFile


class UploadLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.OLE_MAX_REQUEST_BYTES:
            context = {"limit_mb": settings.OLE_MAX_REQUEST_BYTES // (1024 * 1024)}
            return render(request, "413.html", context, status=413)
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view, args, kwargs) -> None:
        if request.method == "POST" and request.content_type == "multipart/form-data":
            request.FILES  # noqa: B018 (reading it parses the body, which records what was refused)
            for field_name, stand_in in getattr(request, REFUSED_ATTRIBUTE, []):
                request.FILES.appendlist(field_name, stand_in)
