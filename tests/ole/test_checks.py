"""Deployment checks and startup warnings added for issue 18: the development secret, unverified crisis lines,
and a proxy the settings do not know about."""

import json
import logging

import pytest
from django.core.checks import run_checks
from django.test import Client

from series.models import CrisisLine
from tests.factories import CrisisLineFactory
from tests.settings_probe import settings_from

pytestmark = pytest.mark.django_db


def deploy_check_ids() -> set[str]:
    return {message.id for message in run_checks(include_deployment_checks=True)}


def test_the_development_secret_switch_is_a_deploy_error(settings):
    settings.OLE_ALLOW_DEV_SECRET = True
    assert "ole.E004" in deploy_check_ids()
    settings.OLE_ALLOW_DEV_SECRET = False
    assert "ole.E004" not in deploy_check_ids()


def test_an_unverified_crisis_line_is_a_deploy_warning_naming_it():
    CrisisLine.objects.update(verified=True)
    CrisisLineFactory(name="Verified line", verified=True)
    assert "series.W002" not in deploy_check_ids()
    CrisisLineFactory(name="Nobody has called this one", verified=False)
    warnings = [m for m in run_checks(include_deployment_checks=True) if m.id == "series.W002"]
    assert len(warnings) == 1 and "Nobody has called this one" in warnings[0].msg
    assert "Verified line" not in warnings[0].msg


def test_the_unverified_lines_warning_is_for_deploys_only():
    CrisisLineFactory(verified=False)
    assert "series.W002" not in {message.id for message in run_checks()}


def proxy_warnings(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "ole.ratelimit" and "X-Forwarded-For" in r.getMessage()]


def test_forwarded_requests_without_trusted_proxies_are_logged_once_per_process(caplog, settings):
    settings.OLE_TRUSTED_PROXIES = 0
    app = Client(HTTP_X_FORWARDED_FOR="203.0.113.5")  # one client, one handler: one process's middleware
    with caplog.at_level(logging.WARNING, logger="ole.ratelimit"):
        for path in ["/", "/help/", "/no-such-page/", "/"]:
            app.get(path)
    records = proxy_warnings(caplog)
    assert len(records) == 1 and records[0].levelno == logging.WARNING
    assert "203.0.113.5" not in records[0].getMessage() and "OLE_TRUSTED_PROXIES" in records[0].getMessage()


def test_nothing_is_logged_without_forwarded_requests_or_with_trusted_proxies(caplog, settings):
    with caplog.at_level(logging.WARNING, logger="ole.ratelimit"):
        settings.OLE_TRUSTED_PROXIES = 0
        Client().get("/")
        settings.OLE_TRUSTED_PROXIES = 1
        Client(HTTP_X_FORWARDED_FOR="203.0.113.5").get("/")
    assert proxy_warnings(caplog) == []


def ledger_check_ids(tmp_path, **env: str) -> list[str]:
    code = "from ole.checks import erasure_ledger_apart; print(json.dumps([m.id for m in erasure_ledger_apart(None)]))"
    return json.loads(settings_from(tmp_path, code, **env))


def test_an_erasure_ledger_in_the_main_database_is_a_deploy_error(tmp_path):
    url = "postgres://u:p@db.example.org:5432/ole"
    assert ledger_check_ids(tmp_path, DATABASE_URL=url, OLE_LEDGER_DATABASE_URL=url) == ["ole.E006"]


def test_a_local_ledger_beside_a_shared_database_is_a_deploy_warning(tmp_path):
    url = "postgres://u:p@db.example.org:5432/ole"
    assert ledger_check_ids(tmp_path, DATABASE_URL=url) == ["ole.W003"]
    ledger = "postgres://u:p@db.example.org:5432/ole_ledger"
    assert ledger_check_ids(tmp_path, DATABASE_URL=url, OLE_LEDGER_DATABASE_URL=ledger) == []
    assert ledger_check_ids(tmp_path) == []  # embedded: both are files in the data folder
