import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]


def on_postgresql() -> bool:
    return settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


@pytest.fixture
def own_database(tmp_path):
    """A database of its own, migrated, that other processes can open: a new database on the PostgreSQL
    server in the PostgreSQL pass, a SQLite file otherwise. Yields its URL."""
    if on_postgresql():
        import psycopg

        server = {key: settings.DATABASES["default"][key] for key in ("HOST", "PORT", "USER", "PASSWORD")}
        name = f"ole_faults_{uuid.uuid4().hex[:12]}"
        admin = psycopg.connect(
            host=server["HOST"],
            port=server["PORT"],
            user=server["USER"],
            password=server["PASSWORD"] or None,
            dbname="postgres",
            autocommit=True,
        )
        admin.execute(f'CREATE DATABASE "{name}"')
        password = f":{server['PASSWORD']}" if server["PASSWORD"] else ""
        url = f"postgres://{server['USER']}{password}@{server['HOST']}:{server['PORT']}/{name}"
    else:
        url = f"sqlite:///{tmp_path / 'own.sqlite3'}"
    manage(url, "migrate", "--noinput")
    yield url
    if on_postgresql():
        admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        admin.close()


def django_env(url: str, **extra: str) -> dict[str, str]:
    env = {**os.environ, "DATABASE_URL": url, "CONN_MAX_AGE": "0", **extra}
    env.pop("PYTEST_CURRENT_TEST", None)
    return env


def manage(url: str, *args: str, **env: str) -> str:
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=django_env(url, **env),
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture(scope="session")
def sites(tmp_path_factory):
    """Whole installations for backup and restore tests (tests/faults/sites.py); one migrated template for all."""
    from .sites import Sites

    made = Sites(tmp_path_factory.mktemp("sites"))
    yield made
    made.close()
