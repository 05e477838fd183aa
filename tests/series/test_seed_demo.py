import pytest
from django.core.management import call_command

from series.models import Contributor, Post, Series, Topic

pytestmark = pytest.mark.django_db


def snapshot() -> dict:
    return {
        "posts": sorted(Post.objects.values_list("slug", "status", "featured", "updated", "image_card")),
        "series": Series.objects.count(),
        "contributors": Contributor.objects.count(),
        "topics": Topic.objects.count(),
    }


def test_seed_demo_is_idempotent_and_has_what_the_demo_needs():
    call_command("seed_demo", verbosity=0)
    first = snapshot()
    call_command("seed_demo", verbosity=0)
    assert snapshot() == first
    assert first["contributors"] == 3
    statuses = [status for _slug, status, _featured, _updated, _image in first["posts"]]
    assert statuses.count("draft") == 1 and statuses.count("scheduled") == 1
    benzos = Series.objects.get(slug="benzodiazepines-the-long-way-round")
    assert [p.part_number for p in benzos.published_parts()] == [1, 2, 3, 4]
    assert Series.objects.get(slug="mental-floss-mondays").published_parts().count() == 3
    assert all(Topic.objects.values_list("description", flat=True))
    assert all(image for *_rest, image in first["posts"])


def test_a_demo_reader_story_carries_its_pen_name(client):
    call_command("seed_demo", verbosity=0)
    post = Post.objects.get(slug="thandis-story-finding-my-feet-again")
    assert post.credit == "Thandi M."
    home = client.get("/").content.decode()
    assert "Thandi M. ·" in home
