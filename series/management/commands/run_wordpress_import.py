"""Run an import from WordPress that a superuser started in the admin, and record what it said."""

from __future__ import annotations

import io
import logging
import shutil
import tempfile

from django.core.management import BaseCommand, CommandError, call_command

from ole.workflow import InvalidTransition
from series.models import ImportRun

logger = logging.getLogger(__name__)

UNEXPECTED = "The import stopped on an unexpected error and imported nothing. The error is in the site's error reports."


class Command(BaseCommand):
    help = "Run the import from WordPress uploaded in the admin as RUN (started by the admin; not for hand use)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("run", type=int)

    def handle(self, *args, run: int, **options) -> None:
        job = ImportRun.objects.filter(pk=run).first()
        if job is None:
            raise CommandError(f"There is no import {run}.")
        try:
            job.start()
        except InvalidTransition as error:
            raise CommandError(str(error)) from None
        report = io.StringIO()
        try:
            with tempfile.NamedTemporaryFile(suffix=".xml") as copy:
                with job.export.open("rb") as export:
                    shutil.copyfileobj(export, copy)
                copy.flush()
                call_command("import_wordpress", copy.name, *self._options(job), stdout=report, stderr=report)
        except CommandError as error:
            job.finish(succeeded=False, summary=f"{report.getvalue()}{error}\n")
        except Exception:
            job.finish(succeeded=False, summary=f"{report.getvalue()}{UNEXPECTED}\n")
            raise
        else:
            job.finish(succeeded=True, summary=report.getvalue())

    @staticmethod
    def _options(job: ImportRun) -> list[str]:
        options = ["--dry-run"] if job.dry_run else []
        if slugs := job.series_categories.split():
            options += ["--series", *slugs]
        return options
