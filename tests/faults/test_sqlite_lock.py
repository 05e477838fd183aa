"""SQLite: another writer holds the database's write lock past the busy timeout. The writer sees the form
again with everything typed (503), nothing is half-saved, and the same story goes through once the lock is
gone. The lock is real: a second connection to the same file, in this process, holding BEGIN IMMEDIATE."""

import json
import sqlite3
import subprocess
import sys

import pytest

from .conftest import ROOT, django_env, on_postgresql

pytestmark = pytest.mark.skipif(on_postgresql(), reason="SQLite's write lock: SQLite pass only")

TITLE = "Typed while the database was locked"
# The site's own code, in a process of its own, against the database file: one story sent through the form.
SEND = """
import json, sys, django
django.setup()
from django.test import Client
from tests.stories.test_submission import form_data
title, key = sys.argv[1:]
page = Client().post("/stories/share/write/", form_data(title=title, submission_key=key))
text = page.content.decode()
print(json.dumps({"status": page.status_code, "kept": title in text, "told": "Nothing was lost" in text}))
"""


def send_story(url: str, key: str) -> dict:
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", SEND, TITLE, key],
        cwd=ROOT,
        env=django_env(url, SQLITE_BUSY_TIMEOUT="0.5", ALLOWED_HOSTS="testserver", OLE_ALLOW_DEV_SECRET="1"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def stories(path: str) -> int:
    with sqlite3.connect(path) as database:
        return database.execute("SELECT count(*) FROM stories_story").fetchone()[0]


def test_a_lock_held_past_the_timeout_keeps_the_form_and_saves_nothing(own_database):
    path = own_database.removeprefix("sqlite:///")
    key = "3f1c2a4e-9b7d-4c1a-8e2f-5a6b7c8d9e0f"
    holder = sqlite3.connect(path, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")  # another writer, and it does not let go
        answer = send_story(own_database, key)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert answer == {"status": 503, "kept": True, "told": True}
    assert stories(path) == 0
    assert send_story(own_database, key)["status"] == 302
    assert stories(path) == 1
