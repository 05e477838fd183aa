from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from ole import backups


class Command(BaseCommand):
    help = (
        "Restore a backup file made by `manage.py backup` onto an empty database and empty media folders "
        "(refused otherwise, unless --force), decrypting it with OLE_BACKUP_KEY; then migrate, erase again "
        "everything the erasure ledger names (so nothing withdrawn or erased comes back) and forget every cached "
        "page. Stop the site and the worker first."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="The backup file.")
        parser.add_argument(
            "--force", action="store_true", help="Replace the database and media that are there (deleted first)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No backup file at {path}.")
        try:
            done = backups.restore(path, force=options["force"])
        except backups.BackupError as error:
            raise CommandError(str(error)) from error
        media = "with its media" if done["media"] else "database only"
        self.stdout.write(
            f"Restored the backup made {done['created']} ({media}); erased again {done['erased_again']} records "
            "withdrawn or erased since."
        )
