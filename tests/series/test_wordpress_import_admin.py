"""The admin's "Import from WordPress" page: superusers upload an export, it runs in a process of its own, and its
page shows the summary when it ends. The export (it holds commenters' addresses) is deleted when the run ends."""

from __future__ import annotations

import datetime
import io
import sys

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from ole import images
from ole.storage import private_storage
from ole.workflow import InvalidTransition
from series import services
from series.management.commands import run_wordpress_import
from series.models import ImportRun
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db

ADD = reverse("admin:series_importrun_add")
EXPORT = b'<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>Old blog</title></channel></rss>'


@pytest.fixture
def superuser_client(client):
    client.force_login(StaffFactory(username="root"))
    return client


@pytest.fixture
def launched(monkeypatch):
    commands = []
    monkeypatch.setattr(services.subprocess, "Popen", lambda command, **kwargs: commands.append((command, kwargs)))
    return commands


def upload(client, content: bytes = EXPORT, **fields):
    data = {"export": SimpleUploadedFile("blog.xml", content, "text/xml"), "series_categories": "", **fields}
    return client.post(ADD, data)


def test_an_upload_starts_the_import_in_a_process_of_its_own_once_committed(
    superuser_client, launched, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(superuser_client, series_categories="recovery withdrawal", dry_run="on")
    job = ImportRun.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "admin:series_importrun_change", args=[job.pk]
    )
    assert (job.status, job.dry_run, job.started_by.username) == ("waiting", True, "root")
    [(command, kwargs)] = launched
    assert command[0] == sys.executable and command[-2:] == ["run_wordpress_import", str(job.pk)]
    assert kwargs["start_new_session"] is True


def test_the_page_looks_again_while_the_import_runs_and_shows_the_summary_when_done(superuser_client):
    job = ImportRun.objects.create(export=ContentFile(EXPORT, "blog.xml"))
    page = superuser_client.get(reverse("admin:series_importrun_change", args=[job.pk])).content.decode()
    assert 'http-equiv="refresh"' in page and "waiting to start" in page
    job.start()
    job.finish(succeeded=True, summary="Posts: 12 imported")
    page = superuser_client.get(reverse("admin:series_importrun_change", args=[job.pk])).content.decode()
    assert 'http-equiv="refresh"' not in page and "Posts: 12 imported" in page


@pytest.mark.parametrize(
    ("content", "error"),
    [
        (b"\x89PNG\r\n\x1a\n not xml", "This is not a WordPress export"),
        (b"", "The submitted file is empty"),
    ],
)
def test_a_file_that_is_not_an_export_is_refused_and_what_was_typed_is_kept(superuser_client, launched, content, error):
    response = upload(superuser_client, content, series_categories="recovery")
    page = response.content.decode()
    assert response.status_code == 200 and error in page
    assert 'value="recovery"' in page
    assert not ImportRun.objects.exists() and not launched


def test_an_export_over_the_upload_limit_is_sent_to_the_command_on_the_server(superuser_client, launched, monkeypatch):
    monkeypatch.setattr(images, "MAX_UPLOAD_BYTES", 64)
    response = upload(superuser_client, EXPORT + b" " * 100)
    assert "Import it on the server instead" in response.content.decode()
    assert not ImportRun.objects.exists() and not launched


def test_editors_have_no_import_page(editor_client):
    assert editor_client.get(ADD).status_code == 403
    assert editor_client.get(reverse("admin:series_importrun_changelist")).status_code == 403


def test_an_upload_without_a_csrf_token_is_refused(launched):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(StaffFactory(username="root"))
    assert upload(client).status_code == 403
    assert not ImportRun.objects.exists()


class TestTheRun:
    @pytest.fixture
    def job(self):
        return ImportRun.objects.create(
            export=ContentFile(EXPORT, "blog.xml"), series_categories="recovery", dry_run=True
        )

    def fake_import(self, monkeypatch, effect):
        calls = []

        def fake(name, path, *options, stdout, stderr):
            with open(path, "rb") as export:
                calls.append((name, export.read(), options))
            stdout.write("Posts: 3 imported\n")
            effect()

        monkeypatch.setattr(run_wordpress_import, "call_command", fake)
        return calls

    def test_a_run_imports_a_copy_of_the_export_records_the_summary_and_deletes_the_export(
        self, job, monkeypatch, django_capture_on_commit_callbacks
    ):
        calls = self.fake_import(monkeypatch, lambda: None)
        stored = job.export.name
        with django_capture_on_commit_callbacks(execute=True):
            call_command("run_wordpress_import", str(job.pk))
        job.refresh_from_db()
        assert calls == [("import_wordpress", EXPORT, ("--dry-run", "--series", "recovery"))]
        assert (job.status, job.summary, job.export.name) == ("done", "Posts: 3 imported\n", "")
        assert job.finished_at is not None and not private_storage.exists(stored)

    def test_a_refused_export_is_recorded_as_failed_with_its_one_line(self, job, monkeypatch):
        def refuse():
            raise CommandError("This file is not a WordPress export (no wp: namespace).")

        self.fake_import(monkeypatch, refuse)
        call_command("run_wordpress_import", str(job.pk))
        job.refresh_from_db()
        assert job.status == "failed" and job.summary.endswith("(no wp: namespace).\n")

    def test_an_unexpected_error_is_recorded_without_details_and_reported(self, job, monkeypatch):
        def crash():
            raise RuntimeError("a commenter's address: reader@example.org")

        self.fake_import(monkeypatch, crash)
        with pytest.raises(RuntimeError):
            call_command("run_wordpress_import", str(job.pk))
        job.refresh_from_db()
        assert job.status == "failed" and "unexpected error" in job.summary and "example.org" not in job.summary
        assert job.export.name == ""

    def test_a_run_is_started_once(self, job, monkeypatch):
        self.fake_import(monkeypatch, lambda: None)
        call_command("run_wordpress_import", str(job.pk))
        with pytest.raises(CommandError, match="already started"):
            call_command("run_wordpress_import", str(job.pk), stderr=io.StringIO())
        with pytest.raises(InvalidTransition):
            job.finish(succeeded=True, summary="again")


def test_the_retention_command_ends_a_run_abandoned_a_day_ago_and_deletes_its_export(
    django_capture_on_commit_callbacks,
):
    stale = ImportRun.objects.create(export=ContentFile(EXPORT, "stale.xml"))
    fresh = ImportRun.objects.create(export=ContentFile(EXPORT, "fresh.xml"))
    ImportRun.objects.filter(pk=stale.pk).update(created=timezone.now() - datetime.timedelta(days=1, minutes=1))
    stored = stale.export.name
    with django_capture_on_commit_callbacks(execute=True):
        call_command("apply_retention", stdout=io.StringIO())
    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert stale.status == "failed" and "ended without finishing" in stale.summary and stale.export.name == ""
    assert not private_storage.exists(stored)
    assert fresh.status == "waiting" and private_storage.exists(fresh.export.name)
