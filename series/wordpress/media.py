"""Pictures from the old site: taken from a copy of its `wp-content/uploads` folder (`--media-dir`), never from
the network, through the same checked image pipeline as uploads (ole/images.py).

An address is taken only when it points at the old site's uploads, in any of the shapes WordPress and
WordPress.com write: `{site}/wp-content/uploads/2019/05/a.jpg` (http or https, with or without www, or
relative to the site), `blog.files.wordpress.com/2019/05/a.jpg`, and Jetpack's `i0.wp.com/{one of those}`. A
size WordPress made (`a-300x200.jpg`, `a-scaled.jpg`) falls back to the original file when it is missing.
Anything else (another host, a data: address, a file outside the folder) is not taken and is listed in
`missing`, for the report.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from ole import images

FOLDER = "imported"  # not a GeneratedPath folder: sweep_orphan_files leaves it alone (posts name files in text)
MAX_SIDE = 1600  # a picture in a post's text is never shown wider than the column; the same bound as covers
UPLOADS = "/wp-content/uploads/"
_PHOTON = re.compile(r"^i[0-9]\.wp\.com$")
_WORDPRESS_COM_FILES = ".files.wordpress.com"
# The sizes WordPress makes of an upload: "-300x200" for each size, "-scaled" for a very large original.
_SIZE_SUFFIX = re.compile(r"-\d{1,5}x\d{1,5}(?=\.[^./]+$)")
_SCALED_SUFFIX = re.compile(r"-scaled(?=\.[^./]+$)")
_CHUNK = 64 * 1024


class MediaLibrary:
    """The old site's uploads, each taken in once and kept under a name made from its content, so a second
    reference, a second library over the same files and a second import of the same export reuse one file."""

    def __init__(self, media_dir: Path | None, site_url: str, *, dry_run: bool = False):
        self.media_dir = Path(media_dir).resolve() if media_dir else None
        site = urlsplit((site_url or "").strip())
        self._site_host = _bare_host(site.hostname or "")
        self._site_path = site.path.rstrip("/")
        self._dry_run = dry_run  # check every file as for real, store nothing
        self.missing: list[str] = []
        self._urls: dict[Path, str | None] = {}

    def image_url(self, src: str) -> str | None:
        """The public address of the picture `src` names in a post's text, taken in once; None if it cannot be."""
        path = self._find(src)
        if path is None:
            return self._miss(src)
        if path not in self._urls:
            self._urls[path] = self._store(path)
        return self._urls[path] or self._miss(src)

    def feature_image(self, src: str) -> File | None:
        """The checked picture `src` names, ready for `Post.feature_image` (which re-encodes it without its metadata
        and makes its sizes, as for an upload); None if it cannot be taken."""
        path = self._find(src)
        if path is None:
            return self._miss(src)
        try:
            if path.stat().st_size > images.MAX_UPLOAD_BYTES:
                return self._miss(src)
            with path.open("rb") as source:
                data = source.read(images.MAX_UPLOAD_BYTES + 1)  # the file may have grown since
            checked = ContentFile(data, name="feature.jpg")
            images.validate_image_upload(checked)
        except (OSError, ValidationError):
            return self._miss(src)
        return checked

    # Finding the file ------------------------------------------------------------------------------------------

    def _find(self, src: str) -> Path | None:
        """The file of the media folder `src` points at (or its original, for a size WordPress made)."""
        if self.media_dir is None:
            return None
        relative = self._relative(src)
        if relative is None:
            return None
        for candidate in _originals(relative):
            try:
                found = (self.media_dir / candidate).resolve(strict=True)
            except (OSError, RuntimeError):  # missing, unreadable, or a symlink loop
                continue
            if found.is_relative_to(self.media_dir) and found.is_file():
                return found
        return None

    def _relative(self, src: str, *, photon: bool = True) -> str | None:
        """The path under the uploads folder that `src` names, or None when it names something else."""
        try:
            parts = urlsplit((src or "").strip())
            host = _bare_host(parts.hostname or "")
        except ValueError:  # an address that cannot be read (a broken IPv6 host)
            return None
        if parts.scheme.lower() not in ("", "http", "https"):
            return None
        if photon and _PHOTON.match(host):
            return self._relative(f"https:/{parts.path}", photon=False)
        if host.endswith(_WORDPRESS_COM_FILES):
            path = parts.path
        elif host == self._site_host or (not parts.netloc and parts.path.startswith("/")):
            path = next(
                (
                    parts.path[len(prefix) :]
                    for prefix in (self._site_path + UPLOADS, UPLOADS)
                    if parts.path.startswith(prefix)
                ),
                None,
            )
            if path is None:
                return None
        else:
            return None
        try:
            return _safe_relative(unquote(path, errors="strict"))
        except UnicodeDecodeError:  # percent-encoded bytes that are not UTF-8 name no file WordPress wrote
            return None

    # Taking it in ----------------------------------------------------------------------------------------------

    def _store(self, path: Path) -> str | None:
        """Check and re-encode the file once, kept under a name made from its content; its public address."""
        try:
            if path.stat().st_size > images.MAX_UPLOAD_BYTES:
                return None
            with path.open("rb") as source:
                upload = File(source)
                digest, size = hashlib.sha256(), 0
                for chunk in iter(lambda: source.read(_CHUNK), b""):
                    size += len(chunk)
                    if size > images.MAX_UPLOAD_BYTES:  # it grew since
                        return None
                    digest.update(chunk)
                name = f"{FOLDER}/{digest.hexdigest()[:40]}.jpg"
                if default_storage.exists(name):
                    return default_storage.url(name)
                source.seek(0)
                if self._dry_run:
                    images.validate_image_upload(upload)
                    return default_storage.url(name)
                clean = images.reencode(upload, max_side=MAX_SIDE)
        except (OSError, ValidationError):
            return None
        try:
            stored = default_storage.save(name, clean)
        except OSError as error:
            with contextlib.suppress(OSError):
                default_storage.delete(name)  # the part written before the write failed
            raise images.StorageUnavailable(f"{type(error).__name__} errno {error.errno}") from error
        return default_storage.url(stored)

    def _miss(self, src: str) -> None:
        shown = src if len(src) <= 200 else f"{src[:120]}… ({len(src):,} characters)"
        if shown not in self.missing:
            self.missing.append(shown)
        return None


def _bare_host(host: str) -> str:
    host = host.lower().rstrip(".")
    return host.removeprefix("www.")


def _safe_relative(path: str) -> str | None:
    """A path inside the folder, or None: no "..", no absolute path, no empty part, no backslash or NUL."""
    path = path.removeprefix("/")
    if not path or "\\" in path or "\x00" in path:
        return None
    if any(part in ("", ".", "..") for part in path.split("/")):
        return None
    return path


def _originals(relative: str) -> list[str]:
    """The file named, then the original WordPress made its size from (without -300x200, then without -scaled)."""
    unsized = _SIZE_SUFFIX.sub("", relative)
    candidates = [relative, unsized, _SCALED_SUFFIX.sub("", unsized)]
    return list(dict.fromkeys(candidates))
