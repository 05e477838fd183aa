"""The media disk full when a writer sends a story with a photo: a clear message, the text kept, nothing kept
half-way (no story row, no file)."""

import errno
import os
import subprocess
from pathlib import Path

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ole.models import OutboundEmail
from stories.models import Story
from tests.factories import image_bytes
from tests.stories.test_submission import form_data

pytestmark = pytest.mark.django_db


def fill(folder: Path) -> None:
    descriptor = os.open(folder / "filler", os.O_WRONLY | os.O_CREAT)
    try:
        while True:
            os.write(descriptor, b"\0" * 4096)
    except OSError as error:
        assert error.errno == errno.ENOSPC
    finally:
        os.close(descriptor)


def mount_tiny_tmpfs(folder: Path) -> bool:
    try:
        command = ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(folder)]
        return subprocess.run(command, capture_output=True).returncode == 0  # noqa: S603
    except OSError:
        return False


@pytest.fixture
def full_media(settings, tmp_path, monkeypatch, request):
    """MEDIA_ROOT on a 64 KB tmpfs filled to the brim. Where mounting is not allowed (not root, or a
    container without the capability), the disk is simulated instead: saving writes a first part of the
    file and then fails as a full disk does."""
    media = tmp_path / "media"
    media.mkdir()
    settings.MEDIA_ROOT = settings.OLE_PRIVATE_MEDIA_ROOT = media  # story photos are private until published
    mounted = mount_tiny_tmpfs(media)
    if mounted:
        request.addfinalizer(lambda: subprocess.run(["umount", str(media)], check=True))  # noqa: S603, S607
        fill(media)
    else:
        (media / "filler").write_bytes(b"\0")

        def part_then_full(storage, name, content):
            path = Path(storage.path(name))
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content.read(1024))
            raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr(FileSystemStorage, "_save", part_then_full)
    return media


def test_a_full_disk_keeps_the_story_text_and_leaves_no_row_and_no_file(client, full_media):
    photo = SimpleUploadedFile("me.png", image_bytes(width=300, height=300), content_type="image/png")
    data = form_data(title="Kept when the disk is full", photo=photo)
    response = client.post(reverse("stories:submit"), data)
    assert response.status_code == 503
    assert response.context["form"]["title"].value() == "Kept when the disk is full"
    assert response.context["form"]["body"].value() == data["body"]
    assert "We could not store your photo just now" in response.content.decode()
    assert not Story.objects.exists() and not OutboundEmail.objects.exists()
    files = [Path(folder, name).name for folder, _dirs, names in os.walk(full_media) for name in names]
    assert files == ["filler"]
