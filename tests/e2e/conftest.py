import os
import shutil

import pytest
from django.core.management import call_command

from tests.conftest import reseed

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
    reseed()
    call_command("seed_demo", verbosity=0)
    return live_server


@pytest.fixture
def site_url(demo_site):
    return demo_site.url
