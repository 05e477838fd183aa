"""Pictures from the old site: taken from the media folder through the checked image pipeline, once each, and
never from anywhere else."""

import io
import os
import socket
import struct
import zlib
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from PIL import Image

from ole import images
from ole.text import clean_html
from series.wordpress.media import MediaLibrary
from tests.factories import PostFactory, image_bytes

SITE = "https://peer-blog.example.org"


def photo_with_gps(width: int = 800, height: int = 600) -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # camera make
    exif[0x8825] = {1: "N", 2: (51.0, 30.0, 0.0), 3: "W", 4: (0.0, 7.0, 0.0)}  # GPS position
    return image_bytes(width=width, height=height, fmt="JPEG", exif=exif.tobytes())


@pytest.fixture
def uploads(tmp_path) -> Path:
    """A copy of the old site's wp-content/uploads."""
    folder = tmp_path / "uploads"
    (folder / "2019" / "05").mkdir(parents=True)
    (folder / "2019" / "05" / "sea.jpg").write_bytes(photo_with_gps())
    (folder / "2019" / "05" / "tree.png").write_bytes(image_bytes(fmt="PNG"))
    return folder


@pytest.fixture
def library(uploads) -> MediaLibrary:
    return MediaLibrary(uploads, SITE)


def stored_files() -> list[str]:
    try:
        return default_storage.listdir("imported")[1]
    except FileNotFoundError:
        return []


def stored_image(url: str) -> Image.Image:
    name = url.removeprefix("/media/")
    with default_storage.open(name, "rb") as file:
        image = Image.open(io.BytesIO(file.read()))
    image.load()
    return image


@pytest.mark.parametrize(
    "src",
    [
        f"{SITE}/wp-content/uploads/2019/05/sea.jpg",
        "http://peer-blog.example.org/wp-content/uploads/2019/05/sea.jpg",
        "https://www.peer-blog.example.org/wp-content/uploads/2019/05/sea.jpg",
        "HTTPS://WWW.Peer-Blog.Example.org/wp-content/uploads/2019/05/sea.jpg",
        "//peer-blog.example.org/wp-content/uploads/2019/05/sea.jpg",
        "/wp-content/uploads/2019/05/sea.jpg",
        f"{SITE}/wp-content/uploads/2019/05/sea.jpg?w=300&ssl=1#top",
        "https://peerblog.files.wordpress.com/2019/05/sea.jpg",
        "https://peerblog.files.wordpress.com/2019/05/sea.jpg?w=640",
        "https://i0.wp.com/peer-blog.example.org/wp-content/uploads/2019/05/sea.jpg?resize=300%2C200&ssl=1",
        "https://i2.wp.com/peerblog.files.wordpress.com/2019/05/sea.jpg",
        f"{SITE}/wp-content/uploads/2019/05/%73ea.jpg",
    ],
)
def test_every_shape_of_an_old_upload_address_is_taken_from_the_media_folder(library, src):
    url = library.image_url(src)
    assert url is not None and url.startswith("/media/imported/") and url.endswith(".jpg")
    assert library.missing == []
    assert stored_image(url).size == (800, 600)


def test_a_site_in_a_subfolder_has_its_uploads_under_that_folder(uploads):
    library = MediaLibrary(uploads, "http://example.org/blog/")
    assert library.image_url("https://example.org/blog/wp-content/uploads/2019/05/sea.jpg") is not None
    assert library.image_url("/blog/wp-content/uploads/2019/05/sea.jpg") is not None


def test_the_address_kept_is_one_the_sanitiser_keeps(library):
    url = library.image_url(f"{SITE}/wp-content/uploads/2019/05/sea.jpg")
    assert clean_html(f'<img src="{url}" alt="The sea">') == f'<img src="{url}" alt="The sea">'


@pytest.mark.parametrize("suffix", ["-300x200", "-1024x768", "-scaled", "-scaled-300x225"])
def test_a_missing_size_falls_back_to_the_original_file(library, suffix):
    original = library.image_url(f"{SITE}/wp-content/uploads/2019/05/sea.jpg")
    assert library.image_url(f"{SITE}/wp-content/uploads/2019/05/sea{suffix}.jpg") == original
    assert library.missing == [] and len(stored_files()) == 1


def test_a_size_that_exists_is_taken_itself(library, uploads):
    (uploads / "2019" / "05" / "sea-300x200.jpg").write_bytes(image_bytes(width=300, height=200, fmt="JPEG"))
    url = library.image_url(f"{SITE}/wp-content/uploads/2019/05/sea-300x200.jpg")
    assert stored_image(url).size == (300, 200)


def test_a_non_ascii_file_name_is_found_percent_encoded_or_not(library, uploads):
    (uploads / "2019" / "05" / "café.png").write_bytes(image_bytes(fmt="PNG"))
    encoded = library.image_url(f"{SITE}/wp-content/uploads/2019/05/caf%C3%A9.png")
    assert encoded is not None
    assert library.image_url(f"{SITE}/wp-content/uploads/2019/05/café.png") == encoded


def test_a_missing_file_is_none_and_listed_once(library):
    src = f"{SITE}/wp-content/uploads/2020/01/gone.jpg"
    assert library.image_url(src) is None
    assert library.image_url(src) is None
    assert library.feature_image(src) is None
    assert library.missing == [src]
    assert stored_files() == []


def test_without_a_media_folder_nothing_is_taken_and_everything_is_listed():
    library = MediaLibrary(None, SITE)
    src = f"{SITE}/wp-content/uploads/2019/05/sea.jpg"
    assert library.image_url(src) is None and library.feature_image(src) is None
    assert library.missing == [src]


@pytest.mark.parametrize(
    "src",
    [
        "https://elsewhere.example.com/wp-content/uploads/2019/05/sea.jpg",
        "https://cdn.example.net/2019/05/sea.jpg",
        "https://i0.wp.com/elsewhere.example.com/wp-content/uploads/2019/05/sea.jpg",
        "https://peer-blog.example.org.evil.example/wp-content/uploads/2019/05/sea.jpg",
        "https://evil.example/peer-blog.example.org/wp-content/uploads/2019/05/sea.jpg",
        f"{SITE}/images/2019/05/sea.jpg",
        "ftp://peer-blog.example.org/wp-content/uploads/2019/05/sea.jpg",
        "file:///wp-content/uploads/2019/05/sea.jpg",
        "wp-content/uploads/2019/05/sea.jpg",
        "",
    ],
)
def test_a_picture_from_anywhere_else_is_not_taken(library, src):
    assert library.image_url(src) is None
    assert library.feature_image(src) is None
    assert stored_files() == []


def test_a_data_address_is_listed_shortened(library):
    src = "data:image/png;base64," + "A" * 5000
    assert library.image_url(src) is None
    (listed,) = library.missing
    assert listed.startswith("data:image/png;base64,") and "5,022 characters" in listed and len(listed) < 200


@pytest.mark.parametrize(
    "path",
    [
        "../secret.jpg",
        "2019/../../secret.jpg",
        "%2e%2e/secret.jpg",
        "2019/%2E%2E/%2E%2E/secret.jpg",
        "..%2Fsecret.jpg",
        "/{secret}",
        "%2F{secret}",
        "..\\secret.jpg",
        "2019/05/sea.jpg%00.png",
        "%ff%fe.jpg",
    ],
)
def test_no_address_reaches_a_file_outside_the_media_folder(library, uploads, path):
    secret = uploads.parent / "secret.jpg"
    secret.write_bytes(image_bytes(fmt="JPEG"))
    src = f"{SITE}/wp-content/uploads/{path.format(secret=str(secret).lstrip('/'))}"
    assert library.image_url(src) is None
    assert library.feature_image(src) is None
    assert stored_files() == []


def test_a_symlink_out_of_the_media_folder_is_not_followed(library, uploads):
    outside = uploads.parent / "private.jpg"
    outside.write_bytes(image_bytes(fmt="JPEG"))
    (uploads / "2019" / "05" / "link.jpg").symlink_to(outside)
    (uploads / "2019" / "linked").symlink_to(uploads.parent)
    for src in ("2019/05/link.jpg", "2019/linked/private.jpg"):
        assert library.image_url(f"{SITE}/wp-content/uploads/{src}") is None
        assert library.feature_image(f"{SITE}/wp-content/uploads/{src}") is None
    assert stored_files() == []


def test_a_symlink_inside_the_media_folder_is_followed(library, uploads):
    (uploads / "2019" / "05" / "same-sea.jpg").symlink_to(uploads / "2019" / "05" / "sea.jpg")
    assert library.image_url(f"{SITE}/wp-content/uploads/2019/05/same-sea.jpg") is not None


def test_a_folder_or_a_pipe_named_like_a_picture_is_not_taken(library, uploads):
    (uploads / "2019" / "05" / "folder.jpg").mkdir()
    os.mkfifo(uploads / "2019" / "05" / "pipe.jpg")  # opening it would wait for a writer for ever
    for name in ("folder.jpg", "pipe.jpg"):
        assert library.image_url(f"{SITE}/wp-content/uploads/2019/05/{name}") is None


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims `width` x `height` pixels: decoding it would take gigabytes."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\0" * 64)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


@pytest.mark.parametrize(
    "name, content",
    [
        ("broken.jpg", photo_with_gps()[:400]),
        ("bomb.png", png_claiming(50_000, 50_000)),
        ("text.jpg", b"Not a picture at all, only words with a picture's name.\n" * 20),
        ("drawing.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        ("drawing.jpg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
        ("animation.gif", image_bytes(fmt="GIF")),
        ("empty.jpg", b""),
    ],
)
def test_a_file_that_is_not_a_readable_picture_within_the_limits_is_refused(library, uploads, name, content):
    (uploads / "2019" / "05" / name).write_bytes(content)
    src = f"{SITE}/wp-content/uploads/2019/05/{name}"
    assert library.image_url(src) is None
    assert library.feature_image(src) is None
    assert library.missing == [src]
    assert stored_files() == []


def test_a_file_too_large_is_refused_without_being_read(library, uploads, monkeypatch):
    big = uploads / "2019" / "05" / "huge.jpg"
    with big.open("wb") as file:
        file.write(photo_with_gps())
        file.truncate(images.MAX_UPLOAD_BYTES + 1)  # sparse: no disk used
    opened = []
    real_open = Path.open
    monkeypatch.setattr(
        Path, "open", lambda self, *args, **kwargs: opened.append(self) or real_open(self, *args, **kwargs)
    )
    src = f"{SITE}/wp-content/uploads/2019/05/huge.jpg"
    assert library.image_url(src) is None
    assert library.feature_image(src) is None
    assert library.missing == [src]
    assert opened == [], "its size is read from the folder: the file is never opened"


def test_a_picture_too_many_pixels_is_refused(library, uploads, monkeypatch):
    monkeypatch.setattr(images, "MAX_IMAGE_PIXELS", 100 * 100)
    (uploads / "2019" / "05" / "wide.png").write_bytes(image_bytes(width=101, height=100))
    assert library.image_url(f"{SITE}/wp-content/uploads/2019/05/wide.png") is None


def test_a_picture_in_the_text_is_stored_re_encoded_without_its_metadata(library, uploads):
    raw = (uploads / "2019" / "05" / "sea.jpg").read_bytes()
    assert Image.open(io.BytesIO(raw)).getexif()  # the fixture does carry a camera and a position
    url = library.image_url(f"{SITE}/wp-content/uploads/2019/05/sea.jpg")
    image = stored_image(url)
    assert image.format == "JPEG" and not image.getexif() and "exif" not in image.info
    assert "sea" not in url
    with default_storage.open(url.removeprefix("/media/"), "rb") as file:
        assert file.read() != raw


def test_a_large_picture_in_the_text_is_made_no_wider_than_the_column(library, uploads):
    (uploads / "2019" / "05" / "wide.jpg").write_bytes(image_bytes(width=3000, height=1500, fmt="JPEG"))
    url = library.image_url(f"{SITE}/wp-content/uploads/2019/05/wide.jpg")
    assert stored_image(url).size == (1600, 800)


def test_a_png_with_transparency_is_stored_as_a_jpeg(library):
    url = library.image_url(f"{SITE}/wp-content/uploads/2019/05/tree.png")
    assert stored_image(url).format == "JPEG"


def test_a_second_reference_reuses_the_stored_file(library, monkeypatch):
    first = library.image_url(f"{SITE}/wp-content/uploads/2019/05/sea.jpg")
    encoded = []
    monkeypatch.setattr(images, "reencode", lambda *args, **kwargs: encoded.append(1))
    assert library.image_url("https://i0.wp.com/peer-blog.example.org/wp-content/uploads/2019/05/sea.jpg") == first
    assert library.image_url(f"{SITE}/wp-content/uploads/2019/05/sea-640x480.jpg") == first
    assert encoded == [] and len(stored_files()) == 1


def test_a_second_import_of_the_same_files_stores_nothing_new(library, uploads):
    first = library.image_url(f"{SITE}/wp-content/uploads/2019/05/sea.jpg")
    again = MediaLibrary(uploads, SITE)
    assert again.image_url(f"{SITE}/wp-content/uploads/2019/05/sea.jpg") == first
    assert len(stored_files()) == 1


def test_the_same_picture_under_two_names_is_stored_once(library, uploads):
    (uploads / "2019" / "05" / "sea-copy.jpg").write_bytes((uploads / "2019" / "05" / "sea.jpg").read_bytes())
    first = library.image_url(f"{SITE}/wp-content/uploads/2019/05/sea.jpg")
    assert library.image_url(f"{SITE}/wp-content/uploads/2019/05/sea-copy.jpg") == first
    assert len(stored_files()) == 1


def test_a_changed_file_is_stored_anew(library, uploads):
    first = library.image_url(f"{SITE}/wp-content/uploads/2019/05/sea.jpg")
    (uploads / "2019" / "05" / "sea.jpg").write_bytes(image_bytes(width=400, height=300, fmt="JPEG"))
    later = MediaLibrary(uploads, SITE).image_url(f"{SITE}/wp-content/uploads/2019/05/sea.jpg")
    assert later != first and stored_image(later).size == (400, 300)


def test_a_dry_run_checks_every_file_and_stores_none(uploads):
    library = MediaLibrary(uploads, SITE, dry_run=True)
    assert library.image_url(f"{SITE}/wp-content/uploads/2019/05/sea.jpg") is not None
    (uploads / "2019" / "05" / "broken.jpg").write_bytes(b"nothing")
    assert library.image_url(f"{SITE}/wp-content/uploads/2019/05/broken.jpg") is None
    assert library.missing == [f"{SITE}/wp-content/uploads/2019/05/broken.jpg"]
    assert stored_files() == []


def test_a_full_disk_while_storing_is_an_error_not_a_missing_picture(library, monkeypatch):
    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(default_storage, "save", full)
    with pytest.raises(images.StorageUnavailable):
        library.image_url(f"{SITE}/wp-content/uploads/2019/05/sea.jpg")


@pytest.mark.django_db
def test_a_feature_image_becomes_the_posts_image_with_its_sizes_and_no_metadata(library):
    image = library.feature_image("https://peerblog.files.wordpress.com/2019/05/sea-150x150.jpg")
    assert image is not None
    post = PostFactory(feature_image=image, feature_image_alt="The sea")
    post.refresh_from_db()
    assert post.feature_image.name.startswith("features/") and "sea" not in post.feature_image.name
    assert (post.image_card_width, post.image_card_height) == (640, 360)
    with Image.open(post.feature_image.path) as stored:
        assert not stored.getexif()
    assert library.missing == []


def test_nothing_is_fetched_from_the_network(library, monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("the media library used the network")

    for name in ("socket", "create_connection", "getaddrinfo", "gethostbyname"):
        monkeypatch.setattr(socket, name, no_network)
    sources = [
        f"{SITE}/wp-content/uploads/2019/05/sea.jpg",
        f"{SITE}/wp-content/uploads/2020/01/gone.jpg",
        "https://i0.wp.com/peer-blog.example.org/wp-content/uploads/2019/05/tree.png",
        "https://peerblog.files.wordpress.com/2019/05/missing.jpg",
        "https://elsewhere.example.com/picture.jpg",
    ]
    for src in sources:
        library.image_url(src)
        library.feature_image(src)
    assert library.missing == sources[1:2] + sources[3:]
