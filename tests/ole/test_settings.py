"""Production settings: `check --deploy` is clean, and a missing secret stops the start."""

import json
import os
import secrets
import subprocess
import sys

import pytest

from tests.settings_probe import ROOT, settings_from


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    base = {"PATH": os.environ["PATH"], "DATA_DIR": env.pop("DATA_DIR")}
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**base, **env}, capture_output=True, text=True, timeout=60
    )


def test_deploy_check_is_clean_with_production_settings(tmp_path):
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="ole.example.org",
        DATA_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_deploy_check_fails_while_the_development_secret_is_allowed(tmp_path):
    result = _manage(
        "check",
        "--deploy",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="ole.example.org",
        OLE_ALLOW_DEV_SECRET="1",
        DATA_DIR=str(tmp_path),
    )
    assert result.returncode != 0
    assert "ole.E004" in result.stderr and "OLE_ALLOW_DEV_SECRET" in result.stderr


def test_missing_secret_key_stops_a_production_start(tmp_path):
    result = _manage("check", DATA_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


@pytest.mark.parametrize("url", ["postgres://u:p@db.example.org:5432/ole"])
def test_database_url_selects_postgresql(tmp_path, url):
    engine = settings_from(tmp_path, "print(settings.DATABASES['default']['ENGINE'])", DATABASE_URL=url)
    assert engine.strip() == "django.db.backends.postgresql"


def test_sqlite_file_database_runs_in_wal_mode(tmp_path):
    code = (
        "from django.db import connection; c = connection.cursor(); "
        "print(c.execute('PRAGMA journal_mode').fetchone()[0], c.execute('PRAGMA busy_timeout').fetchone()[0], "
        "connection.settings_dict['OPTIONS']['transaction_mode'])"
    )
    assert settings_from(tmp_path, code).split() == ["wal", "20000", "IMMEDIATE"]


def test_a_bucket_puts_public_and_private_media_in_object_storage(tmp_path):
    out = settings_from(
        tmp_path,
        "print(json.dumps([settings.STORAGES['default'], settings.STORAGES['private'], settings.MEDIA_URL, "
        "settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src']]))",
        AWS_STORAGE_BUCKET_NAME="ole-media",
        AWS_S3_ENDPOINT_URL="https://objects.example.org",
        AWS_S3_REGION_NAME="af-south-1",
        AWS_S3_CUSTOM_DOMAIN="media.ole.example.org",
        OLE_PRIVATE_BUCKET_NAME="ole-private",
    )
    public, private, media_url, img_src = json.loads(out)
    assert public["BACKEND"] == private["BACKEND"] == "storages.backends.s3.S3Storage"
    options = public["OPTIONS"]
    assert (options["bucket_name"], options["endpoint_url"], options["region_name"]) == (
        "ole-media",
        "https://objects.example.org",
        "af-south-1",
    )
    assert options["custom_domain"] == "media.ole.example.org"
    assert options["querystring_auth"] is False and options["file_overwrite"] is False
    assert private["OPTIONS"]["bucket_name"] == "ole-private"
    assert private["OPTIONS"]["querystring_auth"] is True and "custom_domain" not in private["OPTIONS"]
    assert media_url == "https://media.ole.example.org/"
    assert "https://media.ole.example.org" in img_src


def test_without_a_bucket_media_stays_on_disk_and_private_media_outside_media_root(tmp_path):
    out = settings_from(
        tmp_path,
        "print(json.dumps([settings.STORAGES['default']['BACKEND'], settings.STORAGES['private']['BACKEND'], "
        "str(settings.MEDIA_ROOT), str(settings.OLE_PRIVATE_MEDIA_ROOT)]))",
    )
    public, private, media_root, private_root = json.loads(out)
    assert public == "django.core.files.storage.FileSystemStorage"
    assert private == "ole.storage.PrivateFileSystemStorage"
    assert not private_root.startswith(media_root.rstrip("/") + "/")


@pytest.mark.parametrize(
    ("redis_url", "engine"),
    [
        ("", "django.contrib.sessions.backends.db"),
        ("redis://127.0.0.1:6379/0", "django.contrib.sessions.backends.cached_db"),
    ],
)
def test_sessions_are_shared_through_redis_and_kept_in_the_database(tmp_path, redis_url, engine):
    out = settings_from(tmp_path, "print(settings.SESSION_ENGINE)", REDIS_URL=redis_url)
    assert out.strip() == engine


@pytest.mark.parametrize(
    "place",
    [
        {"AWS_S3_ENDPOINT_URL": "https://objects.example.org"},
        {"AWS_S3_REGION_NAME": "af-south-1"},
        {"AWS_S3_CUSTOM_DOMAIN": "media.ole.example.org"},
    ],
)
def test_media_url_and_the_csp_match_the_addresses_object_storage_makes(tmp_path, place):
    out = settings_from(
        tmp_path,
        "from django.core.files.storage import default_storage; "
        "print(json.dumps([default_storage.url('features/a.jpg'), settings.MEDIA_URL, "
        "settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src']]))",
        AWS_STORAGE_BUCKET_NAME="ole-media",
        AWS_ACCESS_KEY_ID="key",
        AWS_SECRET_ACCESS_KEY="secret",
        **place,
    )
    url, media_url, img_src = json.loads(out)
    assert url == f"{media_url}features/a.jpg"
    assert "/".join(media_url.split("/", 3)[:3]) in img_src
