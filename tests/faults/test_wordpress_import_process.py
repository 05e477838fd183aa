"""Moving a blog in from WordPress, with real processes: the import runs in one process (the command, or the one
the admin starts) while a long-lived process serves the site, as a gunicorn worker does. The serving process
shows what the import brought at once, is never turned away while it writes, and the admin's upload runs to the
end in a process of its own.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest

from bench.wordpress import write_export

from .conftest import ROOT, django_env, manage

ORG = ROOT / "tests" / "series" / "wordpress" / "wordpress_org.xml"

# A serving process: it reads one JSON request a line, answers it through the site's own views (Django's test
# client, in this process) and prints one JSON line. "get" fetches pages; "comment" sends the comment form;
# "upload" sends an export to the admin's import page as a superuser; "run" reports on an import run.
SERVE = """
import json, sys, time, django
django.setup()
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from ole.storage import private_storage
from series.models import ImportRun, Post

client = Client()


def get(paths):
    pages = {}
    for path in paths:
        page = client.get(path)
        pages[path] = {
            "status": page.status_code,
            "cache": page.get("X-Page-Cache", "miss"),
            "text": b"".join(page).decode() if page.streaming else page.content.decode(),
        }
    return pages


def comment(slug, number):
    began = time.monotonic()
    page = client.post(
        f"/posts/{slug}/comments/",
        {"name": "Reader", "email": "reader@example.org", "body": f"Comment number {number}, sent meanwhile."},
    )
    return {"status": page.status_code, "seconds": time.monotonic() - began, "locked": "busy" in page.content.decode()}


def upload(path):
    user = get_user_model().objects.create_superuser("root", "root@example.org", "a-long-test-password-42")
    client.force_login(user)
    with open(path, "rb") as export:
        data = {"export": SimpleUploadedFile("blog.xml", export.read(), "text/xml"), "series_categories": "my-taper"}
    page = client.post("/admin/series/importrun/add/", data)
    job = ImportRun.objects.get()
    return {"status": page.status_code, "run": job.pk, "export": job.export.name}


def run(pk, export):
    job = ImportRun.objects.get(pk=pk)
    page = client.get(f"/admin/series/importrun/{pk}/change/").content.decode()
    return {
        "status": job.status,
        "summary": job.summary,
        "export_kept": private_storage.exists(export),
        "page": page,
        "posts": sorted(Post.objects.values_list("slug", flat=True)),
    }


for line in sys.stdin:
    request = json.loads(line)
    answer = globals()[request.pop("do")](**request)
    print(json.dumps(answer), flush=True)
"""

MAKE_POST = """
from tests.factories import PostFactory
PostFactory(title="Open for comments", slug="open")
"""


class Server:
    def __init__(self, url: str, **settings: str):
        self.process = subprocess.Popen(  # noqa: S603
            [sys.executable, "-c", SERVE],
            cwd=ROOT,
            env=django_env(url, **settings),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def ask(self, do: str, **request) -> dict:
        self.process.stdin.write(json.dumps({"do": do, **request}) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        assert line, f"the serving process ended (status {self.process.poll()})"
        return json.loads(line)

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(30)


@pytest.fixture
def machine(own_database, tmp_path):
    """What every process of one machine is started with: the same database and the same data folder."""
    settings = {"DATA_DIR": str(tmp_path / "data"), "ALLOWED_HOSTS": "testserver", "OLE_COMMENTS_PER_HOUR": "100000"}
    manage(own_database, "migrate", "--noinput", **settings)  # the cache's own table, in this data folder
    return settings


@pytest.fixture
def server(own_database, machine):
    serving = Server(own_database, **machine)
    yield serving
    serving.close()


SHOWN = ["/", "/sitemap-posts.xml", "/feed/", "/tags/"]


def test_an_import_run_by_the_command_shows_at_once_in_a_serving_process(own_database, machine, server):
    server.ask("get", paths=SHOWN)
    before = server.ask("get", paths=SHOWN)
    assert {path: page["cache"] for path, page in before.items()} == dict.fromkeys(SHOWN, "hit")
    assert not any("Week one" in page["text"] for page in before.values())

    manage(own_database, "import_wordpress", str(ORG), **machine)

    after = server.ask("get", paths=SHOWN)
    assert "Week one: the first cut" in after["/"]["text"]
    assert "/posts/week-one/" in after["/sitemap-posts.xml"]["text"]
    assert "Week one: the first cut" in after["/feed/"]["text"]
    assert "Sleep" in after["/tags/"]["text"] and "Withdrawal" in after["/tags/"]["text"]
    assert all(page["status"] == 200 for page in after.values())


def test_comments_sent_while_an_import_runs_are_all_saved(own_database, machine, tmp_path, request):
    # SQLite turns a writer away once another has held the write lock past the busy timeout. The site's (20 s)
    # is longer than this whole import: a shorter one here catches an import that holds the database for
    # seconds, while steps of a fraction of a second with a turn between them pass with room for a slow machine.
    server = Server(own_database, **machine, SQLITE_BUSY_TIMEOUT="5")
    request.addfinalizer(server.close)
    manage(own_database, "shell", "-c", MAKE_POST, **machine)
    export = tmp_path / "blog.xml"
    write_export(export, posts=200, comments=2000)  # some seconds of importing on this machine
    importing = subprocess.Popen(  # noqa: S603
        [sys.executable, "manage.py", "import_wordpress", str(export)],
        cwd=ROOT,
        env=django_env(own_database, **machine),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    answers, during = [], 0
    began = time.monotonic()
    while importing.poll() is None:
        answers.append(server.ask("comment", slug="open", number=len(answers)))
        during += 1
    import_seconds = time.monotonic() - began
    out, err = importing.communicate()
    assert importing.returncode == 0, err
    answers += [server.ask("comment", slug="open", number=len(answers) + i) for i in range(3)]

    assert "posts: 200 created" in out
    assert during >= 5, f"only {during} comments were sent while the import ran"
    assert [answer["status"] for answer in answers] == [302] * len(answers)
    assert not any(answer["locked"] for answer in answers)
    count = "from series.models import Comment; print(Comment.objects.filter(post__slug='open').count())"
    saved = manage(own_database, "shell", "-c", count, **machine)
    assert int(saved.splitlines()[-1]) == len(answers)
    longest = max(answer["seconds"] for answer in answers)
    print(f"\n{during} comments sent during a {import_seconds:.1f} s import; the longest took {longest:.3f} s")


def test_an_export_uploaded_in_the_admin_is_imported_by_a_process_of_its_own(own_database, server):
    sent = server.ask("upload", path=str(ORG))
    assert sent["status"] == 302 and sent["export"]
    deadline = time.monotonic() + 60
    while (run := server.ask("run", pk=sent["run"], export=sent["export"]))["status"] not in ("done", "failed"):
        assert time.monotonic() < deadline, f"the import is still {run['status']} after 60 s"
        time.sleep(0.5)
    assert run["status"] == "done", run["summary"]
    assert "posts: 7 created" in run["summary"] and "comments: 6 created" in run["summary"]
    assert "posts: 7 created, 0 updated, 0 unchanged" in run["page"]  # its page shows the summary
    assert not run["export_kept"]
    assert {"week-one", "week-two"} <= set(run["posts"])
