"""Several processes on one machine (the site's workers, the mail worker, a management command) share one page
cache: what one of them changes, the others stop serving at once. Before, each process kept its own copies
without Redis: an edited title stayed on another process's home page, and an erased comment was still served.
"""

import json
import subprocess
import sys

import pytest

from .conftest import ROOT, django_env, manage

CANARY = "canary-words-of-a-comment-later-erased"

# A process serving pages: on each line it reads, it asks for the home page and the post page and says what
# they showed. It lives through the change, as a gunicorn worker does.
SERVE = f"""
import json, sys, django
django.setup()
from django.test import Client
client = Client()
for _line in sys.stdin:
    home, post = client.get("/"), client.get("/posts/shared/")
    print(json.dumps({{
        "home": home.get("X-Page-Cache", "miss"),
        "post": post.get("X-Page-Cache", "miss"),
        "old_title": "An old title" in home.content.decode(),
        "new_title": "A new title" in home.content.decode(),
        "comment": "{CANARY}" in post.content.decode(),
    }}), flush=True)
"""

MAKE = f"""
from series.models import Comment
from tests.factories import PostFactory
post = PostFactory(title="An old title", slug="shared")
Comment.objects.create(post=post, name="Reader", email="r@example.org", body="{CANARY}", status="approved")
"""

CHANGE = """
from series.models import Comment, Post
post = Post.objects.get(slug="shared")
post.title = "A new title"
post.save()
Comment.objects.get(post=post).remove_by_writer()
"""


@pytest.fixture
def machine(own_database, tmp_path):
    """What every process of one machine is started with: the same database and the same data folder."""
    settings = {"DATA_DIR": str(tmp_path), "ALLOWED_HOSTS": "testserver"}
    manage(own_database, "migrate", "--noinput", **settings)  # the cache's own table, in this data folder
    return settings


def test_a_change_made_in_another_process_shows_at_once(machine, own_database):
    manage(own_database, "shell", "-c", MAKE, **machine)
    env = django_env(own_database, **machine)
    server = subprocess.Popen(  # noqa: S603
        [sys.executable, "-c", SERVE], cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )

    def ask() -> dict:
        server.stdin.write("\n")
        server.stdin.flush()
        return json.loads(server.stdout.readline())

    try:
        assert ask()["old_title"]
        before = ask()
        assert before["home"] == before["post"] == "hit"
        assert before["comment"]
        manage(own_database, "shell", "-c", CHANGE, **machine)
        after = ask()
    finally:
        server.stdin.close()
        server.wait(30)
    assert after["new_title"] and not after["old_title"]
    assert not after["comment"]
