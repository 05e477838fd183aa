"""An oversized upload is refused while it arrives: the form says why and keeps everything else typed."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.http.multipartparser import MultiPartParser
from django.test import RequestFactory
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import reverse

from ole import images
from ole.uploads import REFUSED_ATTRIBUTE, LimitedUploadHandler, RefusedUpload
from stories.models import Story
from tests.stories.test_submission import form_data

pytestmark = pytest.mark.django_db

TOO_LARGE = images.MAX_UPLOAD_BYTES + 1


class Counting(FileUploadHandler):
    """Stands for the handlers that keep a file (in memory or on disk): counts what reaches them."""

    received = 0

    def receive_data_chunk(self, raw_data, start):
        Counting.received += len(raw_data)
        return None

    def file_complete(self, file_size):
        return SimpleUploadedFile(self.file_name, b"")


def test_the_handler_stops_passing_a_file_on_past_the_limit_and_the_fields_after_it_arrive():
    body = encode_multipart(
        BOUNDARY, {"title": "Before", "photo": SimpleUploadedFile("big.jpg", b"\xff" * TOO_LARGE), "after": "After"}
    )
    request = RequestFactory().generic("POST", "/", body, content_type=MULTIPART_CONTENT)
    Counting.received = 0
    handlers = [LimitedUploadHandler(request), Counting(request)]
    post, files = MultiPartParser(request.META, io.BytesIO(body), handlers).parse()
    assert post["title"] == "Before" and post["after"] == "After"
    assert "photo" not in files
    assert Counting.received <= images.MAX_UPLOAD_BYTES
    [(field, stand_in)] = getattr(request, REFUSED_ATTRIBUTE)
    assert field == "photo" and stand_in.size > images.MAX_UPLOAD_BYTES and stand_in.read() == b""


def test_a_photo_over_the_limit_gets_a_clear_error_and_the_text_is_kept(client):
    photo = SimpleUploadedFile("holiday.jpg", b"\xff" * TOO_LARGE, content_type="image/jpeg")
    data = form_data(title="Kept with a large photo")
    # The photo goes in the middle: the consent boxes and the series come after it and must still arrive.
    fields = list(data.items())
    data = dict([*fields[:5], ("photo", photo), *fields[5:]])
    response = client.post(reverse("stories:submit"), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert isinstance(form.files["photo"], RefusedUpload)  # its bytes past the limit were never kept
    assert form.errors == {"photo": ["This image is larger than 10 MB. Please choose a smaller one."]}
    assert form["title"].value() == "Kept with a large photo" and form["consent_adult"].value() is True
    assert not Story.objects.exists()


def test_a_photo_within_the_limit_is_not_touched(client, django_capture_on_commit_callbacks):
    from tests.factories import image_bytes

    photo = SimpleUploadedFile("small.png", image_bytes(), content_type="image/png")
    response = client.post(reverse("stories:submit"), form_data(photo=photo))
    assert response.status_code == 302
    assert Story.objects.get().photo


def test_a_request_larger_than_any_form_needs_is_answered_413_unread(client, settings):
    settings.OLE_MAX_REQUEST_BYTES = 64 * 1024
    photo = SimpleUploadedFile("big.jpg", b"\xff" * (100 * 1024), content_type="image/jpeg")
    response = client.post(reverse("stories:submit"), form_data(photo=photo))
    assert response.status_code == 413
    assert "too large to send" in response.content.decode()
    assert not Story.objects.exists()
