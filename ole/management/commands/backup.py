from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ole import backups


class Command(BaseCommand):
    help = (
        "Write one backup file into DIR while the site runs: a consistent copy of the database and the public and "
        "private media (the database only when media live in object storage), readable by its owner only, "
        "encrypted with OLE_BACKUP_KEY when it is set. Then keep the newest OLE_BACKUP_KEEP backups in DIR and "
        "delete any older than OLE_RETENTION_DAYS. Never holds the erasure ledger or the page cache."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("directory", nargs="?", help="Where backups are kept (made if missing, mode 0700).")
        parser.add_argument("--generate-key", action="store_true", help="Print a new OLE_BACKUP_KEY and stop.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["generate_key"]:
            self.stdout.write(backups.generate_key())
            return
        if not options["directory"]:
            raise CommandError("Name the folder to keep backups in: manage.py backup DIR")
        directory = Path(options["directory"])
        try:
            made = backups.backup(directory)
        except backups.BackupError as error:
            raise CommandError(str(error)) from error
        deleted = backups.prune(directory, keep=settings.OLE_BACKUP_KEEP, max_age_days=settings.OLE_RETENTION_DAYS)
        encrypted = "encrypted" if settings.OLE_BACKUP_KEY else "NOT encrypted (no OLE_BACKUP_KEY)"
        self.stdout.write(f"Wrote {made} ({made.stat().st_size} bytes, {encrypted}); deleted {len(deleted)} old.")
