import importlib
import os
import shutil

import pytest
from django.apps import apps
from django.core.management import call_command

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


# The rows data migrations create; a transactional test's flush removes them, so they are put back.
SEEDING_MIGRATIONS = [
    ("series.migrations.0002_seed_vocabulary_and_crisis_lines", "seed"),
    ("ole.migrations.0002_seed_safety_terms", "seed"),
    ("stories.migrations.0002_seed_consent_and_templates", "seed"),
    ("stories.migrations.0003_editors_group", "create_group"),
    ("stories.migrations.0005_editors_moderate_comments", "grant"),
    ("series.migrations.0007_community_settings_row", "create"),
    ("ole.migrations.0004_seed_comment_terms", "seed"),
]


def pytest_collection_modifyitems(items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        # Never a skip: a missing browser fails the run and says what to install.
        pytest.fail(f"Chromium is missing at {CHROMIUM}: run `make browser` or set CHROMIUM_PATH.")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture
def demo_site(live_server, transactional_db):
    """The live server with the demo content, as `make run` serves it.

    Transactional tests empty the database afterwards, so the rows the data migration seeds are put back first.
    """
    for module, function in SEEDING_MIGRATIONS:
        getattr(importlib.import_module(module), function)(apps, None)
    call_command("seed_demo", verbosity=0)
    return live_server


@pytest.fixture
def site_url(demo_site):
    return demo_site.url
