"""Image intake: every uploaded picture is checked by content and re-encoded before it is kept.

Pillow reads only the header to learn format and size, so an oversized image (a decompression
bomb) is refused before it is decoded. Re-encoding drops EXIF, GPS, XMP and anything appended to
the file, and stored names are generated, never the uploaded one.
"""

from __future__ import annotations

import contextlib
import io
import uuid
import warnings
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import FileExtensionValidator
from django.db import models
from django.utils.deconstruct import deconstructible
from PIL import Image, ImageOps

# MPO is how Pillow names the multi-picture JPEGs many phone cameras write.
ALLOWED_FORMATS = {"JPEG": "jpg", "MPO": "jpg", "PNG": "png", "WEBP": "webp"}
MAX_UPLOAD_BYTES = getattr(settings, "OLE_MAX_UPLOAD_BYTES", 10 * 1024 * 1024)
MAX_IMAGE_PIXELS = getattr(settings, "OLE_MAX_IMAGE_PIXELS", 25_000_000)


class StorageUnavailable(Exception):
    """An image could not be stored (a full disk, most often); nothing of it was left behind."""


@dataclass(frozen=True)
class Rendition:
    """A resized copy of an image: `crop` fills the box exactly, otherwise it fits inside it."""

    name: str
    width: int
    height: int
    crop: bool


def _open_checked(file) -> Image.Image:
    """Open an upload, refusing anything that is not a small enough JPEG, PNG or WebP."""
    size = getattr(file, "size", None)
    if size is not None and size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            "This image is larger than %(limit)d MB. Please choose a smaller one.",
            code="image_too_large",
            params={"limit": MAX_UPLOAD_BYTES // (1024 * 1024)},
        )
    file.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(file)
            if image.format not in ALLOWED_FORMATS:
                raise ValidationError("Please upload a JPEG, PNG or WebP image.", code="image_format")
            if image.width * image.height > MAX_IMAGE_PIXELS:
                raise ValidationError(
                    "This image has too many pixels (at most %(limit)d megapixels).",
                    code="image_too_many_pixels",
                    params={"limit": MAX_IMAGE_PIXELS // 1_000_000},
                )
            image.load()
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError(
            "This image has too many pixels (at most %(limit)d megapixels).",
            code="image_too_many_pixels",
            params={"limit": MAX_IMAGE_PIXELS // 1_000_000},
        ) from None
    except Exception:  # Pillow raises many kinds of errors for broken files.
        raise ValidationError(
            "This file could not be read as an image. It may be damaged or not an image at all.",
            code="image_invalid",
        ) from None
    finally:
        file.seek(0)
    return image


def validate_image_upload(file) -> None:
    """Model and form validator: the file must be a readable JPEG, PNG or WebP within the limits."""
    _open_checked(file)


def generated_name(extension: str) -> str:
    return f"{uuid.uuid4().hex}.{extension}"


@deconstructible
class GeneratedPath:
    """`upload_to` that stores a file under a random name: the uploaded name can carry personal details."""

    def __init__(self, folder: str):
        self.folder = folder

    def __call__(self, instance, filename: str) -> str:
        extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "jpg"
        if extension not in ALLOWED_FORMATS.values() and extension != "jpeg":
            extension = "jpg"
        return f"{self.folder}/{generated_name(extension)}"

    def __eq__(self, other) -> bool:
        return isinstance(other, GeneratedPath) and other.folder == self.folder


def _flatten(image: Image.Image) -> Image.Image:
    image = ImageOps.exif_transpose(image)
    if image.mode in ("RGBA", "LA", "P"):
        image = image.convert("RGBA")
        background = Image.new("RGB", image.size, (255, 255, 255))
        background.paste(image, mask=image.getchannel("A"))
        return background
    return image.convert("RGB")


def _encode(image: Image.Image) -> ContentFile:
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=84, optimize=True, progressive=True)
    return ContentFile(buffer.getvalue(), name=generated_name("jpg"))


def reencode(file, *, max_side: int | None = None) -> ContentFile:
    """Return a clean JPEG copy of an upload, with no metadata and a generated name (and at most `max_side`)."""
    image = _flatten(_open_checked(file))
    if max_side:
        image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    return _encode(image)


def render(file, rendition: Rendition) -> tuple[ContentFile, int, int]:
    """Make one rendition of an image; returns the file and its real width and height."""
    image = _flatten(_open_checked(file))
    box = (rendition.width, rendition.height)
    if rendition.crop:
        image = ImageOps.fit(image, box, method=Image.Resampling.LANCZOS)
    else:
        image.thumbnail(box, Image.Resampling.LANCZOS)
    return _encode(image), image.width, image.height


class CheckedImageFormField(forms.ImageField):
    """A form image field that applies OLE's intake rules before Django's own check, with kinder messages."""

    default_validators = [FileExtensionValidator(["jpg", "jpeg", "png", "webp"])]

    def to_python(self, data):
        if data in self.empty_values:
            return None
        validate_image_upload(data)
        return super().to_python(data)


class CheckedImageField(models.ImageField):
    """An ImageField whose uploads are checked by content, re-encoded without metadata (optionally made no
    larger than `max_side`) and stored under a generated name, whichever way they arrive."""

    def __init__(self, *args, folder: str = "images", max_side: int | None = None, **kwargs):
        self.max_side = max_side
        kwargs.setdefault("upload_to", GeneratedPath(folder))
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.max_side:
            kwargs["max_side"] = self.max_side
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        file = getattr(model_instance, self.attname)
        if file and not file._committed:
            clean = reencode(file.file, max_side=self.max_side)
            # FieldFile.save(), written out so the name is known when the disk fills part way through.
            name = self.generate_filename(model_instance, clean.name)
            try:
                stored = file.storage.save(name, clean, max_length=self.max_length)
            except OSError as error:
                with contextlib.suppress(OSError):
                    file.storage.delete(name)  # the part written before the write failed
                raise StorageUnavailable(f"{type(error).__name__} errno {error.errno}") from error
            setattr(model_instance, self.attname, stored)
            file = getattr(model_instance, self.attname)
            file._committed = True
        return super().pre_save(model_instance, add)

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": CheckedImageFormField, **kwargs})
