"""The import with --media-dir: the old site's pictures come in through the checked image pipeline, as a local copy
in the text and as the post's feature image; a dry run stores none, and importing again stores nothing twice."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command

from series.models import Post
from tests.factories import image_bytes

pytestmark = pytest.mark.django_db

ORG = Path(__file__).parent / "wordpress_org.xml"
TITLE = "Week one: the first cut"


@pytest.fixture
def uploads(tmp_path) -> Path:
    """A copy of the old site's wp-content/uploads, with the picture its first post shows and features."""
    folder = tmp_path / "uploads" / "2019" / "05"
    folder.mkdir(parents=True)
    (folder / "pills.jpg").write_bytes(image_bytes(width=900, height=600, fmt="JPEG"))
    return tmp_path / "uploads"


def stored(folder: str) -> list[str]:
    try:
        return default_storage.listdir(folder)[1]
    except FileNotFoundError:
        return []


def run(*args: str) -> str:
    out = StringIO()
    call_command("import_wordpress", str(ORG), *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_a_picture_in_the_text_and_the_feature_image_come_from_the_media_folder(uploads):
    run("--media-dir", str(uploads))
    post = Post.objects.get(title=TITLE)
    [copy] = stored("imported")
    assert f'src="/media/imported/{copy}"' in post.body_html and 'alt="A pill cutter"' in post.body_html
    assert "taper.example.org/wp-content" not in post.body_html.split("<figcaption>")[0].split("<img")[1]
    assert post.feature_image and post.image_card and post.image_card_width == 640
    assert post.feature_image_alt


def test_without_the_media_folder_the_picture_is_a_link_with_its_description_and_listed_as_missing():
    summary = run()
    post = Post.objects.get(title=TITLE)
    assert "<img" not in post.body_html and "A pill cutter" in post.body_html
    assert "pills.jpg" in summary and not post.feature_image


def test_a_dry_run_stores_no_picture(uploads):
    run("--media-dir", str(uploads), "--dry-run")
    assert stored("imported") == [] and stored("features") == []
    assert not Post.objects.exists()


def test_importing_again_stores_no_picture_twice(uploads):
    run("--media-dir", str(uploads))
    before = (stored("imported"), stored("features"))
    run("--media-dir", str(uploads))
    assert (stored("imported"), stored("features")) == before
