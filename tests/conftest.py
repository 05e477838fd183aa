import importlib

import pytest
from django.apps import apps
from django.contrib.auth.models import Group

# The rows data migrations create. A transactional test (the browser tests) empties the database when it ends,
# so they are put back when missing.
SEEDING_MIGRATIONS = [
    ("series.migrations.0002_seed_vocabulary_and_crisis_lines", "seed"),
    ("series.migrations.0017_contentnote_signals_crisis", "mark"),
    ("ole.migrations.0002_seed_safety_terms", "seed"),
    ("ole.migrations.0004_seed_comment_terms", "seed"),
    ("ole.migrations.0006_more_crisis_terms", "seed"),
    ("stories.migrations.0002_seed_consent_and_templates", "seed"),
    ("stories.migrations.0003_editors_group", "create_group"),
    ("stories.migrations.0005_editors_moderate_comments", "grant"),
    ("stories.migrations.0012_editors_answer_messages", "grant"),
    ("stories.migrations.0015_editors_trash_posts", "grant"),
    ("stories.migrations.0016_editors_edit_pages_and_old_addresses", "grant"),
    ("series.migrations.0007_community_settings_row", "create"),
]


def reseed() -> None:
    for module, function in SEEDING_MIGRATIONS:
        getattr(importlib.import_module(module), function)(apps, None)


DB_FIXTURES = {"db", "transactional_db", "live_server"}


def pytest_collection_modifyitems(items) -> None:
    """The erasure ledger has a database of its own ("ledger"), and with SQLite so has the database cache
    ("cache"): a test that uses the database may use those too, as every request does."""
    from django.conf import settings

    extra = {"ledger", *({"cache"} & set(settings.DATABASES))}
    for item in items:
        marker = item.get_closest_marker("django_db")
        if marker is None and not DB_FIXTURES & set(getattr(item, "fixturenames", ())):
            continue
        kwargs = dict(marker.kwargs) if marker else {}
        if kwargs.get("databases") == "__all__":
            continue
        kwargs["databases"] = sorted({*(kwargs.get("databases") or ["default"]), *extra})
        item.add_marker(pytest.mark.django_db(*(marker.args if marker else ()), **kwargs), append=False)


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
def _clear_cache(request):
    """Every test starts with an empty cache. The database cache is in a test database, which only a test that
    uses the database may touch."""
    from django.core.cache import caches
    from django.core.cache.backends.db import DatabaseCache

    cache = caches["default"]
    if isinstance(cache, DatabaseCache):
        if not (request.node.get_closest_marker("django_db") or DB_FIXTURES & set(request.fixturenames)):
            yield
            return
        transactional = {"transactional_db", "live_server"} & set(request.fixturenames)
        request.getfixturevalue("transactional_db" if transactional else "db")
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


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on 127.0.0.1 (tests/smtpserver.py), with Django's mail sent to it."""
    from tests.smtpserver import SMTPServer

    server = SMTPServer().start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield server
    server.stop()
