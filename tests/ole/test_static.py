"""Production static files: hashed names, compressed copies, and far-future caching through WhiteNoise."""

import re

import pytest
from django.core.management import call_command
from django.test import Client

from tests.factories import PostFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def production_static(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "static"
    settings.WHITENOISE_USE_FINDERS = False
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)
    return settings.STATIC_ROOT


def test_pages_link_hashed_files_that_are_cached_for_a_year_and_served_compressed(production_static):
    browser = Client()  # a new client loads the middleware, so WhiteNoise sees the collected files
    html = browser.get("/").content.decode()
    stylesheet = re.search(r'href="(/static/css/ole\.[0-9a-f]{12}\.css)"', html).group(1)
    response = browser.get(stylesheet, HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert "immutable" in response["Cache-Control"] and "max-age=315360000" in response["Cache-Control"]
    post_page = browser.get(PostFactory().get_absolute_url()).content.decode()
    script = browser.get(re.search(r'src="(/static/js/community\.[0-9a-f]{12}\.js)"', post_page).group(1))
    assert "immutable" in script["Cache-Control"]
