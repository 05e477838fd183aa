"""Backups and restores: `manage.py backup DIR` and `manage.py restore FILE` (docs/deploying.md, "Backups").

A backup is one file: a tar archive (gzip) holding a consistent copy of the main database (SQLite through
`VACUUM INTO`, which writes a fresh file without free pages, so no deleted text rides along; PostgreSQL through
`pg_dump --format=custom`), the public and private media folders (unless media live in object storage), and a
manifest. It is readable by its owner only, and encrypted when OLE_BACKUP_KEY is set. Neither the page cache's
file nor the erasure ledger is in it: a restore erases again everything the ledger names (ole/erasures.py).

Encryption streams: AES-256-GCM (the `cryptography` package) over 1 MiB chunks, under a key derived per file from
OLE_BACKUP_KEY with a random salt; each chunk's number is its nonce and the last chunk is marked, so chunks cannot
be reordered, dropped or cut off unnoticed. Memory stays at a few MiB whatever the size of the site.
"""

from __future__ import annotations

import base64
import datetime
import gzip
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.management import call_command
from django.db import connections
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from . import erasures, pagecache
from .dbrouters import LEDGER

MAGIC = b"OLE-BACKUP-AESGCM-1\n"
CHUNK = 1024 * 1024
SALT_BYTES = 16
NAME = re.compile(r"^ole-backup-(\d{8}T\d{6}Z)\.tar\.gz(\.enc)?$")
STAMP = "%Y%m%dT%H%M%SZ"
FORMAT = 1
MEDIA_FOLDERS = {"media": "MEDIA_ROOT", "private": "OLE_PRIVATE_MEDIA_ROOT"}


class BackupError(Exception):
    """A backup or restore that cannot go ahead, with a message for the person running it."""


# Keys and encryption ------------------------------------------------------------------------------------


def generate_key() -> str:
    """A new OLE_BACKUP_KEY: 32 random bytes, URL-safe base64."""
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


def _master_key(text: str) -> bytes:
    try:
        key = base64.urlsafe_b64decode(text.strip().encode())
    except ValueError:
        key = b""
    if len(key) != 32:
        raise BackupError("OLE_BACKUP_KEY is not a key: make one with `manage.py backup --generate-key`.")
    return key


def _file_cipher(key: bytes, salt: bytes) -> AESGCM:
    return AESGCM(HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=b"ole-backup").derive(key))


class _EncryptingWriter(io.RawIOBase):
    """A write-only stream that encrypts what it is given, a chunk at a time, into `out`."""

    def __init__(self, out, key: bytes):
        super().__init__()
        salt = os.urandom(SALT_BYTES)
        self._cipher, self._out, self._buffer, self._number = _file_cipher(key, salt), out, bytearray(), 0
        out.write(MAGIC + salt)

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self._buffer += data
        while len(self._buffer) > CHUNK:
            self._emit(bytes(self._buffer[:CHUNK]), last=False)
            del self._buffer[:CHUNK]
        return len(data)

    def _emit(self, chunk: bytes, *, last: bool) -> None:
        sealed = self._cipher.encrypt(self._number.to_bytes(12, "big"), chunk, MAGIC + bytes([last]))
        self._out.write(len(sealed).to_bytes(4, "big") + sealed)
        self._number += 1

    def close(self) -> None:
        if not self.closed:
            self._emit(bytes(self._buffer), last=True)
        super().close()


def _decrypted_chunks(source, key: bytes) -> Iterator[bytes]:
    salt = source.read(SALT_BYTES)
    cipher, number = _file_cipher(key, salt), 0
    while True:
        size = source.read(4)
        if len(size) < 4:
            raise BackupError("The backup file is cut short: its last part is missing.")
        sealed = source.read(int.from_bytes(size, "big"))
        for last in (False, True):
            try:
                chunk = cipher.decrypt(number.to_bytes(12, "big"), sealed, MAGIC + bytes([last]))
                break
            except InvalidTag:
                continue
        else:
            raise BackupError("The backup file cannot be decrypted: a wrong OLE_BACKUP_KEY, or the file is damaged.")
        number += 1
        yield chunk
        if last:
            if source.read(1):
                raise BackupError("The backup file has data after its end: it is damaged.")
            return


class _ChunkReader(io.RawIOBase):
    """A read-only stream over decrypted chunks, for tarfile's streaming mode."""

    def __init__(self, chunks: Iterator[bytes]):
        super().__init__()
        self._chunks, self._buffer = chunks, b""

    def readable(self) -> bool:
        return True

    def readinto(self, target) -> int:
        while not self._buffer:
            try:
                self._buffer = next(self._chunks)
            except StopIteration:
                return 0
        size = min(len(target), len(self._buffer))
        target[:size] = self._buffer[:size]
        self._buffer = self._buffer[size:]
        return size


def _open_plain(path: Path):
    """The backup's tar.gz bytes, decrypted if the file is encrypted."""
    source = path.open("rb")
    if source.read(len(MAGIC)) != MAGIC:
        source.seek(0)
        return source
    if not settings.OLE_BACKUP_KEY:
        source.close()
        raise BackupError("This backup is encrypted: set OLE_BACKUP_KEY to the key it was made with.")
    return io.BufferedReader(_ChunkReader(_decrypted_chunks(source, _master_key(settings.OLE_BACKUP_KEY))))


# The database --------------------------------------------------------------------------------------------


def _engine() -> str:
    return connections["default"].vendor  # "sqlite" or "postgresql"


def _postgres_tool(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    installed = Path("/usr/lib/postgresql").glob(f"*/bin/{name}")
    versions = sorted(installed, key=lambda path: int(path.parts[-3]) if path.parts[-3].isdigit() else 0)
    if not versions:
        raise BackupError(f"{name} was not found on PATH or under /usr/lib/postgresql: install the PostgreSQL client.")
    return str(versions[-1])


def _postgres_command(tool: str) -> tuple[list[str], dict[str, str]]:
    db = connections["default"].settings_dict
    args = [_postgres_tool(tool), "--dbname", db["NAME"]]
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if db.get(key):
            args += [flag, str(db[key])]
    env = {**os.environ, "PGPASSWORD": db.get("PASSWORD") or ""}
    if db.get("OPTIONS", {}).get("sslmode"):
        env["PGSSLMODE"] = db["OPTIONS"]["sslmode"]
    return args, env


def _run(args: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(f"{Path(args[0]).name} failed: {done.stderr.strip()[-2000:]}")


def _dump_database(folder: Path) -> Path:
    """A consistent copy of the main database taken while the site runs."""
    if _engine() == "sqlite":
        target = folder / "database.sqlite3"
        source = sqlite3.connect(str(connections["default"].settings_dict["NAME"]), timeout=60)
        try:
            # One read transaction: a snapshot, while writers carry on in the write-ahead log. The copy is
            # built afresh, so it carries no free pages (and no deleted text in them).
            source.execute("VACUUM INTO ?", (str(target),))
        finally:
            source.close()
        return target
    target = folder / "database.pgdump"
    args, env = _postgres_command("pg_dump")
    _run([*args, "--format=custom", "--no-owner", "--no-privileges", "--file", str(target)], env)
    return target


def database_is_empty() -> bool:
    """True when the main database holds no tables at all (a new, never-migrated database)."""
    if _engine() == "sqlite":
        path = Path(connections["default"].settings_dict["NAME"])
        if not path.exists() or path.stat().st_size == 0:
            return True
        probe = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return probe.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0] == 0
        finally:
            probe.close()
    return not connections["default"].introspection.table_names()


def _restore_database(dump: Path, *, force: bool) -> None:
    connection = connections["default"]
    if _engine() == "sqlite":
        connection.close()
        path = Path(connection.settings_dict["NAME"])
        path.parent.mkdir(parents=True, exist_ok=True)
        placed = path.with_name(path.name + ".restoring")
        shutil.copyfile(dump, placed)
        os.chmod(placed, 0o600)
        for leftover in (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            leftover.unlink(missing_ok=True)  # an old write-ahead log must never be applied to the new file
        os.replace(placed, path)
        return
    if force:
        with connection.cursor() as cursor:
            for table in connection.introspection.table_names(cursor):
                cursor.execute(f"DROP TABLE IF EXISTS {connection.ops.quote_name(table)} CASCADE")
    connection.close()
    args, env = _postgres_command("pg_restore")
    clean = ["--clean", "--if-exists"] if force else []
    _run([*args, "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction", *clean, str(dump)], env)


# Media ---------------------------------------------------------------------------------------------------


def media_in_object_storage() -> bool:
    """With object storage the bucket's own versioning is the media backup: backups hold the database only."""
    return bool(settings.AWS_STORAGE_BUCKET_NAME)


def _media_roots() -> dict[str, Path]:
    return {folder: Path(getattr(settings, name)) for folder, name in MEDIA_FOLDERS.items()}


def _has_files(root: Path) -> bool:
    return root.exists() and any(path.is_file() for path in root.rglob("*"))


def _add_folder(archive: tarfile.TarFile, root: Path, name: str) -> None:
    """Every file under root, skipping any deleted while the backup runs (a withdrawal's photo)."""
    if not root.exists():
        return
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            try:
                archive.add(path, arcname=f"{name}/{path.relative_to(root).as_posix()}", recursive=False)
            except FileNotFoundError:
                continue


# Backup --------------------------------------------------------------------------------------------------


def backup(directory: Path, *, now: datetime.datetime | None = None) -> Path:
    """Write one backup file into `directory` (made if missing, owner only) and prune old ones. Returns its path."""
    now = now or timezone.now()
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    encrypted = bool(settings.OLE_BACKUP_KEY)
    key = _master_key(settings.OLE_BACKUP_KEY) if encrypted else b""
    final = directory / f"ole-backup-{now.astimezone(datetime.UTC).strftime(STAMP)}.tar.gz{'.enc' if encrypted else ''}"
    if final.exists():
        raise BackupError(f"{final.name} exists already: one backup a second at most.")
    partial = directory / f".{final.name}.partial"
    # The plain copy is made beside the live data (never in DIR, which may be a mounted remote folder).
    Path(settings.DATA_DIR).mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=settings.DATA_DIR, prefix=".ole-backup-") as work:  # mode 0700
        dump = _dump_database(Path(work))
        with_media = not media_in_object_storage()
        manifest = {"format": FORMAT, "engine": _engine(), "created": now.isoformat(), "media": with_media}
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(descriptor, "wb") as out:
                sink = _EncryptingWriter(out, key) if encrypted else out
                _write_archive(sink, dump, manifest)
                if encrypted:
                    sink.close()
                out.flush()
                os.fsync(out.fileno())
            os.replace(partial, final)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    return final


def _write_archive(sink, dump: Path, manifest: dict) -> None:
    with (
        gzip.GzipFile(fileobj=sink, mode="wb", compresslevel=6, mtime=0) as packed,
        tarfile.open(fileobj=packed, mode="w|", format=tarfile.PAX_FORMAT) as archive,
    ):
        data = json.dumps(manifest).encode()
        info = tarfile.TarInfo("manifest.json")
        info.size, info.mode = len(data), 0o600
        archive.addfile(info, io.BytesIO(data))
        archive.add(dump, arcname=dump.name)
        if manifest["media"]:
            for folder, root in _media_roots().items():
                _add_folder(archive, root, folder)


def backups_in(directory: Path) -> list[tuple[datetime.datetime, Path]]:
    """The backup files in a folder with their times, newest first."""
    found = []
    for path in directory.iterdir() if directory.exists() else ():
        match = NAME.match(path.name)
        if match:
            made = datetime.datetime.strptime(match.group(1), STAMP).replace(tzinfo=datetime.UTC)
            found.append((made, path))
    return sorted(found, reverse=True)


def prune(directory: Path, *, keep: int, max_age_days: int, now: datetime.datetime | None = None) -> list[Path]:
    """Delete all but the newest `keep` backups, and every backup older than `max_age_days` (the retention
    period: text withdrawn today is in no backup after that). Returns what was deleted."""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=max_age_days)
    deleted = []
    for position, (made, path) in enumerate(backups_in(directory)):
        if position >= keep or made < cutoff:
            path.unlink()
            deleted.append(path)
    return deleted


# Restore -------------------------------------------------------------------------------------------------


def _check_target(*, with_media: bool) -> None:
    full = []
    if not database_is_empty():
        full.append("the database has tables")
    if with_media:
        full += [f"{root} holds files" for root in _media_roots().values() if _has_files(root)]
    if full:
        raise BackupError(
            "Restore refused: " + "; ".join(full) + ". Restore onto an empty database and empty media folders, "
            "or pass --force to replace what is there."
        )


def _check_ledger_apart() -> None:
    main, ledger = connections["default"].settings_dict, connections[LEDGER].settings_dict
    same = [main.get(key) for key in ("ENGINE", "NAME", "HOST", "PORT")] == [
        ledger.get(key) for key in ("ENGINE", "NAME", "HOST", "PORT")
    ]
    if same:
        raise BackupError("The erasure ledger is the main database: set OLE_LEDGER_DATABASE_URL to a database apart.")


def _unapplied_migrations(alias: str) -> bool:
    executor = MigrationExecutor(connections[alias])
    return bool(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def restore(path: Path, *, force: bool = False) -> dict:
    """Restore a backup onto an empty database and media folders (or replace them, with force), bring the
    schema up to date, erase again everything the ledger names, and forget every stored page. Returns a summary."""
    _check_ledger_apart()
    if not force:
        _check_target(with_media=not media_in_object_storage())
    Path(settings.DATA_DIR).mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=settings.DATA_DIR, prefix=".ole-restore-") as work:
        work = Path(work)
        with _open_plain(path) as plain, tarfile.open(fileobj=plain, mode="r|gz") as archive:
            archive.extractall(work, filter="data")
        try:
            manifest = json.loads((work / "manifest.json").read_text())
        except (FileNotFoundError, ValueError) as error:
            raise BackupError("This file is not an OLE backup (it has no manifest).") from error
        if manifest.get("engine") != _engine():
            raise BackupError(
                f"This backup is of a {manifest.get('engine')} database; the site is configured for {_engine()}."
            )
        with_media = bool(manifest.get("media")) and not media_in_object_storage()
        dump = work / ("database.sqlite3" if manifest["engine"] == "sqlite" else "database.pgdump")
        _restore_database(dump, force=force)
        if with_media:
            for folder, root in _media_roots().items():
                if force and root.exists():
                    for child in root.iterdir():
                        shutil.rmtree(child) if child.is_dir() and not child.is_symlink() else child.unlink()
                if (work / folder).exists():
                    shutil.copytree(work / folder, root, dirs_exist_ok=True)
    for alias in ("default", LEDGER):  # a backup made before this version of the code; a new ledger
        if _unapplied_migrations(alias):
            call_command("migrate", database=alias, interactive=False, verbosity=0)
    erased = erasures.replay()
    pagecache.site_changed()
    pagecache.forget_pages()
    return {"created": manifest["created"], "media": with_media, "erased_again": erased}
