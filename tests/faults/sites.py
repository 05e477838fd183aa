"""Whole OLE installations for backup and restore tests: each in a folder of its own, with its own database (a
SQLite file there, or a new database on the PostgreSQL server in the PostgreSQL pass), media folders and erasure
ledger, driven through `manage.py` and small scripts in processes of their own."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import requests
from django.conf import settings

from .conftest import ROOT, django_env, on_postgresql

SECRET = "backup-tests-secret-key-with-enough-length-and-variety-0123456789"


class PostgresServer:
    """The PostgreSQL server of the PostgreSQL pass: makes and drops databases on it."""

    def __init__(self):
        import psycopg

        db = settings.DATABASES["default"]
        self.server = {key: db[key] for key in ("HOST", "PORT", "USER", "PASSWORD")}
        self.admin = psycopg.connect(
            host=self.server["HOST"],
            port=self.server["PORT"],
            user=self.server["USER"],
            password=self.server["PASSWORD"] or None,
            dbname="postgres",
            autocommit=True,
        )
        self.made: list[str] = []

    def new_database(self, *, template: str = "") -> str:
        name = f"ole_backup_{uuid.uuid4().hex[:12]}"
        self.admin.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        self.made.append(name)
        return self.url(name)

    def url(self, name: str) -> str:
        s = self.server
        password = f":{s['PASSWORD']}" if s["PASSWORD"] else ""
        return f"postgres://{s['USER']}{password}@{s['HOST']}:{s['PORT']}/{name}"

    def close(self) -> None:
        for name in self.made:
            self.admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.admin.close()


class Site:
    def __init__(self, folder: Path, database_url: str, **env: str):
        self.folder = folder
        self.data, self.media, self.private = folder / "data", folder / "media", folder / "private"
        self.database_url = database_url
        self.extra = env

    @property
    def env(self) -> dict[str, str]:
        return django_env(
            self.database_url,
            SECRET_KEY=SECRET,
            DATA_DIR=str(self.data),
            MEDIA_ROOT=str(self.media),
            OLE_PRIVATE_MEDIA_ROOT=str(self.private),
            # The tests' own environment may name a ledger; each site here keeps its own, in its folder.
            OLE_LEDGER_DATABASE_URL="",
            REDIS_URL="",
            **self.extra,
        )

    def manage(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        done = subprocess.run(  # noqa: S603
            [sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=180
        )
        if check:
            assert done.returncode == 0, done.stderr
        return done

    def run(self, code: str) -> str:
        """Run Python with this site's Django set up; return what it printed."""
        done = subprocess.run(  # noqa: S603
            [sys.executable, "-c", f"import django\ndjango.setup()\n{code}"],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()


class Server:
    """gunicorn serving a site on a port of its own, with production settings; stopped by `stop()`."""

    def __init__(self, site: Site, *, workers: int = 2, **env: str):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = (site.folder / f"gunicorn-{self.port}.log").open("w+")
        args = ["--bind", f"127.0.0.1:{self.port}", "--workers", str(workers), "--threads", "4", "--timeout", "30"]
        self.process = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "gunicorn", "ole.wsgi", *args],
            cwd=ROOT,
            env={**site.env, "ALLOWED_HOSTS": "127.0.0.1", **env},
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"gunicorn exited with {self.process.returncode}:\n{self.output()}")
            try:
                if requests.get(f"{self.url}/robots.txt", timeout=5).status_code == 200:
                    return
            except requests.RequestException:  # not listening yet
                pass
            time.sleep(0.2)
        self.stop()
        raise AssertionError("gunicorn did not answer within a minute")

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read()[-4000:]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.log.close()


class Sites:
    """Makes sites, and removes their PostgreSQL databases afterwards. A migrated site is a copy of one migrated
    once (its data folder, and on PostgreSQL its database as a template): migrating takes seconds each time."""

    def __init__(self, tmp_path: Path):
        self.tmp_path = tmp_path
        self.postgres = PostgresServer() if on_postgresql() else None
        self.template: Site | None = None

    def new(self, name: str, *, migrated: bool = True, **env: str) -> Site:
        folder = self.tmp_path / f"{name}-{uuid.uuid4().hex[:8]}"
        if migrated and self.template is None:
            self.template = self.new("template", migrated=False)
            self.template.manage("migrate", "--noinput")
        if self.postgres:
            template = self.template.database_url.rsplit("/", 1)[-1] if migrated else ""
            url = self.postgres.new_database(template=template)
        else:
            url = f"sqlite:///{folder / 'data' / 'ole.sqlite3'}"
        if migrated:
            shutil.copytree(self.template.data, folder / "data")
        return Site(folder, url, **env)

    def close(self) -> None:
        if self.postgres:
            self.postgres.close()
