"""Unhandled errors reach the administrators as a filtered report queued in the outbox, and a log line; neither
holds what the visitor sent or who they are."""

import datetime
import json

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import OperationalError
from django.test import Client
from django.utils import timezone

from ole.models import ErrorReport, OutboundEmail
from ole.outbox import deliver_due
from tests.settings_probe import settings_from

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.ole.error_urls")]

CANARY_EMAIL = "canary.writer@example.org"
CANARY_TOKEN = "canary-token-5f1e"
CANARY_FIELD = "canary story text 3c9d"
CANARY_COOKIE = "canary-cookie-77aa"
CANARIES = [CANARY_EMAIL, CANARY_TOKEN, CANARY_FIELD, CANARY_COOKIE, "canary"]


@pytest.fixture
def admins(settings):
    settings.ADMINS = [("Ann Admin", "ann@example.org")]


def fail_a_request(**headers):
    client = Client(raise_request_exception=False)
    client.cookies["ole_comments"] = CANARY_COOKIE
    client.cookies["sessionid"] = CANARY_COOKIE
    response = client.post(
        f"/stories/status/{CANARY_TOKEN}/explode/?email={CANARY_EMAIL}&next={CANARY_TOKEN}",
        {"email": CANARY_EMAIL, "text": CANARY_FIELD},
        HTTP_REFERER=f"https://ole.example.org/stories/status/{CANARY_TOKEN}/",
        HTTP_USER_AGENT=f"Browser ({CANARY_EMAIL})",
        **headers,
    )
    assert response.status_code == 500
    return response


def test_an_unhandled_error_queues_a_report_for_the_admins_that_holds_no_canary(admins, json_log):
    fail_a_request(HTTP_X_REQUEST_ID="req-error-check-1")
    assert mail.outbox == []  # queued, not sent while the visitor waited
    assert OutboundEmail.objects.get().kind == "ole.error_report"

    assert deliver_due() == (1, 0)
    (message,) = mail.outbox
    assert message.to == ["ann@example.org"]
    assert message.subject == "[OLE] ERROR (EXTERNAL IP): Internal Server Error: /stories/status/[redacted]/explode/"
    report = message.subject + message.body
    # What helps to find the fault is there: the exception, the code line, the view, the request id, the names.
    assert "RuntimeError" in report and "Could not save the story for [email]" in report
    assert "raise RuntimeError(" in report and "tests.ole.error_urls.explode" in report
    assert "Request ID: req-error-check-1" in report
    hidden = "'********************'"
    assert f"POST:\nemail = {hidden}\ntext = {hidden}" in report and f"next = {hidden}" in report
    assert f"ole_comments = {hidden}" in report and "USER: anonymous" in report
    assert "ole_comments = '********************'" in report
    for canary in CANARIES:
        assert canary not in report
    assert "HTTP_USER_AGENT" not in report and "HTTP_REFERER" not in report and "HTTP_COOKIE" not in report


def test_the_log_line_of_an_unhandled_error_holds_no_canary(admins, json_log):
    fail_a_request(HTTP_X_REQUEST_ID="req-error-check-2")
    (line,) = json_log()
    assert (line["level"], line["logger"], line["request_id"]) == ("ERROR", "django.request", "req-error-check-2")
    assert line["message"] == "Internal Server Error: /stories/status/[redacted]/explode/"
    assert "RuntimeError: Could not save the story for [email]" in line["exception"]
    for canary in CANARIES:
        assert canary not in json.dumps(line)


def test_the_same_error_again_soon_counts_on_the_first_report_instead_of_another_email(admins):
    for _ in range(3):
        fail_a_request()
    report = ErrorReport.objects.get()
    assert report.repeats == 2
    assert OutboundEmail.objects.count() == 1
    deliver_due()
    assert "happened 2 more time(s)" in mail.outbox[0].body


def test_an_error_after_the_repeat_window_is_reported_again(admins):
    fail_a_request()
    ErrorReport.objects.update(created=timezone.now() - ErrorReport.REPEAT_WINDOW - datetime.timedelta(seconds=1))
    fail_a_request()
    assert ErrorReport.objects.count() == 2


def test_without_admins_nothing_is_queued(settings):
    settings.ADMINS = []
    fail_a_request()
    assert not ErrorReport.objects.exists() and not OutboundEmail.objects.exists()


def test_a_report_that_cannot_be_queued_does_not_make_a_second_error(admins, monkeypatch, caplog):
    def refuse(**kwargs):
        raise OperationalError("database is locked by someone@example.org")

    monkeypatch.setattr(ErrorReport, "file", refuse)
    fail_a_request()
    assert "Error report not queued (OperationalError)." in caplog.messages


def test_the_worker_deletes_reports_after_a_month(admins):
    fail_a_request()
    deliver_due()
    call_command("run_worker")
    assert ErrorReport.objects.count() == 1
    ErrorReport.objects.update(created=timezone.now() - datetime.timedelta(days=ErrorReport.KEEP_DAYS + 1))
    call_command("run_worker")
    assert not ErrorReport.objects.exists()


def test_admins_are_read_from_the_environment(tmp_path):
    output = settings_from(
        tmp_path, "print(json.dumps(settings.ADMINS))", ADMINS="Ann Admin <ann@example.org>, bob@example.org"
    )
    assert json.loads(output) == [["Ann Admin", "ann@example.org"], ["bob@example.org", "bob@example.org"]]
