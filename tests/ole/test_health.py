"""/healthz and /readyz: what each one checks, that they are never cached, and never logged as errors."""

import datetime
import logging

import pytest
from django.core.management import call_command
from django.db import OperationalError, connection
from django.db.migrations.recorder import MigrationRecorder
from django.urls import reverse
from django.utils import timezone

from ole import health
from ole.models import ErrorReport, Heartbeat, OutboundEmail

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker_alive():
    Heartbeat.beat(health.WORKER)


@pytest.fixture
def migrations_unchecked(monkeypatch):
    monkeypatch.setattr(health, "_migrated", False)


def readyz(client):
    response = client.get(reverse("readyz"))
    return response.status_code, response.json()


def test_healthz_answers_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-store" in response["Cache-Control"]


def test_readyz_is_ready_when_every_check_passes(client, worker_alive, migrations_unchecked):
    status, body = readyz(client)
    assert status == 200
    assert body == {
        "status": "ok",
        "failed": [],
        "checks": {"database": "ok", "migrations": "ok", "cache": "ok", "outbox": "ok", "worker": "ok"},
    }


def test_readyz_is_never_cached_and_a_503_is_neither_an_error_log_line_nor_a_report(client, caplog, settings):
    settings.ADMINS = [("Ann Admin", "ann@example.org")]
    with caplog.at_level(logging.DEBUG):
        first = client.get(reverse("readyz"))
        Heartbeat.beat(health.WORKER)
        second = client.get(reverse("readyz"))
    assert (first.status_code, second.status_code) == (503, 200)  # the second answer was not a stored copy
    assert "no-store" in first["Cache-Control"] and "no-store" in second["Cache-Control"]
    assert not [record for record in caplog.records if record.levelno >= logging.WARNING]
    assert not ErrorReport.objects.exists() and not OutboundEmail.objects.exists()


def test_readyz_costs_three_small_queries_once_the_migrations_were_found_applied(
    client, worker_alive, django_assert_num_queries
):
    assert readyz(client)[0] == 200
    with django_assert_num_queries(3):  # SELECT 1, the late emails' count, the heartbeat (the cache aside)
        assert readyz(client)[0] == 200


def test_readyz_fails_when_the_database_does_not_answer(client, monkeypatch):
    def refuse():
        raise OperationalError("could not connect to server at db.internal as user ole")

    monkeypatch.setattr(connection, "cursor", refuse)
    status, body = readyz(client)
    assert status == 503
    assert body["failed"] == ["database", "migrations", "outbox", "worker"]
    assert body["checks"]["database"] == "failed (OperationalError)"
    assert body["checks"]["worker"] == "not checked"
    assert "db.internal" not in str(body)


def test_readyz_fails_while_a_migration_is_not_applied(client, worker_alive, migrations_unchecked):
    latest = MigrationRecorder.Migration.objects.filter(app="ole").order_by("-name").first()
    MigrationRecorder(connection).record_unapplied("ole", latest.name)
    status, body = readyz(client)
    assert status == 503
    assert body["failed"] == ["migrations"]
    assert body["checks"]["migrations"] == "1 migration(s) not applied"


def test_readyz_fails_when_the_cache_does_not_answer(client, worker_alive, settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
    }
    status, body = readyz(client)
    assert status == 503
    assert body["failed"] == ["cache"]
    assert body["checks"]["cache"].startswith("failed (")


def test_readyz_fails_while_an_email_has_waited_too_long(client, worker_alive, settings):
    settings.OLE_OUTBOX_MAX_WAIT_MINUTES = 15
    email = OutboundEmail.objects.create(kind="story.received", object_id=1)
    assert readyz(client)[0] == 200
    OutboundEmail.objects.filter(pk=email.pk).update(send_after=timezone.now() - datetime.timedelta(minutes=16))
    status, body = readyz(client)
    assert status == 503
    assert body["failed"] == ["outbox"]
    assert body["checks"]["outbox"] == "1 email(s) waiting over 15 minutes"


def test_an_email_retried_later_still_counts_from_when_it_was_queued(client, worker_alive):
    email = OutboundEmail.objects.create(kind="story.received", object_id=1)
    OutboundEmail.objects.filter(pk=email.pk).update(
        created=timezone.now() - datetime.timedelta(minutes=20),
        attempts=4,
        send_after=timezone.now() + datetime.timedelta(minutes=8),
    )
    assert readyz(client)[1]["failed"] == ["outbox"]


def test_emails_not_yet_due_sent_or_given_up_do_not_fail_readyz(client, worker_alive):
    long_ago = timezone.now() - datetime.timedelta(days=1)
    OutboundEmail.objects.create(kind="digest", object_id=0, send_after=timezone.now() + datetime.timedelta(hours=1))
    for state in [OutboundEmail.State.SENT, OutboundEmail.State.FAILED, OutboundEmail.State.CANCELLED]:
        OutboundEmail.objects.create(kind="story.received", object_id=1, state=state, send_after=long_ago)
    assert readyz(client)[0] == 200


def test_readyz_fails_when_the_worker_was_never_seen_or_not_for_a_minute(client):
    status, body = readyz(client)
    assert (status, body["failed"], body["checks"]["worker"]) == (503, ["worker"], "never seen")
    Heartbeat.objects.create(name=health.WORKER, seen=timezone.now() - datetime.timedelta(seconds=61))
    status, body = readyz(client)
    assert (status, body["failed"]) == (503, ["worker"])
    assert body["checks"]["worker"].startswith("not seen for 6")


def test_each_worker_round_records_a_heartbeat():
    call_command("run_worker")
    first = Heartbeat.objects.get(name=health.WORKER).seen
    assert timezone.now() - first < datetime.timedelta(seconds=5)
    call_command("run_worker")
    assert Heartbeat.objects.get(name=health.WORKER).seen > first
    assert Heartbeat.objects.count() == 1


def test_health_checks_answer_over_plain_http_when_https_is_required(client, settings, worker_alive):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get(reverse("healthz")).status_code == 200
    assert client.get(reverse("readyz")).status_code == 200
    assert client.get("/robots.txt").status_code == 301
