"""Where uploaded files live: public media (the default storage) and private media, for files that must never
be reachable by address (the photo of a story that is not published). Both are chosen in settings.STORAGES."""

from __future__ import annotations

import mimetypes

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.core.signals import setting_changed
from django.db import transaction
from django.dispatch import receiver
from django.http import FileResponse
from django.utils.functional import LazyObject, cached_property, empty

PRIVATE = "private"


class PrivateFileSystemStorage(FileSystemStorage):
    """Files on disk under OLE_PRIVATE_MEDIA_ROOT, outside MEDIA_ROOT, with no public address."""

    @cached_property
    def base_location(self):
        return self._value_or_setting(self._location, settings.OLE_PRIVATE_MEDIA_ROOT)

    @cached_property
    def base_url(self) -> None:
        return None

    def url(self, name: str) -> str:
        raise ValueError("Private files have no public address; they are streamed by a guarded view.")

    def _clear_cached_properties(self, setting, **kwargs) -> None:
        super()._clear_cached_properties(setting, **kwargs)
        if setting == "OLE_PRIVATE_MEDIA_ROOT":
            self.__dict__.pop("base_location", None)
            self.__dict__.pop("location", None)


class _PrivateStorage(LazyObject):
    def _setup(self) -> None:
        self._wrapped = storages[PRIVATE]


private_storage = _PrivateStorage()


def get_private_storage() -> Storage:
    """The private storage, for a FileField's `storage` (a callable keeps the migration free of settings)."""
    return private_storage


@receiver(setting_changed)
def _reset_private_storage(*, setting: str, **kwargs) -> None:
    if setting == "STORAGES":
        private_storage._wrapped = empty


def private_file_response(file) -> FileResponse:
    """Stream a privately stored file through the app: never cached anywhere, never sniffed, shown inline."""
    mime = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
    response = FileResponse(file.open("rb"), content_type=mime)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = "inline"
    return response


def delete_files_on_commit(files) -> None:
    """Remove stored files after the surrounding transaction commits (a rollback keeps them)."""
    stored = [(file.storage, file.name) for file in files if file]

    def remove() -> None:
        for storage, name in stored:
            storage.delete(name)

    transaction.on_commit(remove)
