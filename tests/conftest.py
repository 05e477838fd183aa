import importlib

import pytest
from django.apps import apps
from django.contrib.auth.models import Group

# The rows data migrations create. A transactional test (the browser tests) empties the database when it ends,
# so they are put back when missing.
SEEDING_MIGRATIONS = [
    ("series.migrations.0002_seed_vocabulary_and_crisis_lines", "seed"),
    ("ole.migrations.0002_seed_safety_terms", "seed"),
    ("ole.migrations.0004_seed_comment_terms", "seed"),
    ("stories.migrations.0002_seed_consent_and_templates", "seed"),
    ("stories.migrations.0003_editors_group", "create_group"),
    ("stories.migrations.0005_editors_moderate_comments", "grant"),
    ("series.migrations.0007_community_settings_row", "create"),
]


def reseed() -> None:
    for module, function in SEEDING_MIGRATIONS:
        getattr(importlib.import_module(module), function)(apps, None)


@pytest.fixture(autouse=True)
def _seeded_rows(request):
    """Whatever ran before, a database test starts with the rows the migrations seed."""
    uses_db = request.node.get_closest_marker("django_db") or "db" in request.fixturenames
    transactional = {"transactional_db", "live_server"} & set(request.fixturenames)
    if not uses_db or transactional:
        return  # transactional tests seed what they need themselves (see tests/e2e/conftest.py)
    request.getfixturevalue("db")
    if not Group.objects.filter(name="Editors").exists():
        reseed()


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.OLE_PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def staff_client(client):
    from tests.factories import StaffFactory

    client.force_login(StaffFactory(username="editor"))
    return client


@pytest.fixture
def editor(db):
    from tests.factories import UserFactory

    user = UserFactory(username="ed", is_staff=True, email="ed@ole.example")
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client
