import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from series.wordpress.importer import AnotherImportIsRunning, ImportTurn, WordPressImport
from series.wordpress.wxr import ExportError

WRITE_LINE = "The last write transaction took"  # the benchmark reads this line


class Command(BaseCommand):
    help = (
        "Move a blog in from WordPress or WordPress.com: posts, pages, comments, tags and categories, and their "
        "old addresses (answered by permanent redirects), from an export (Tools → Export → All content). "
        "Everything is prepared first, written unseen in short steps and shown at once at the end: a broken file "
        "imports nothing. Importing the same export again changes nothing; a later export adds and updates."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("export", type=Path, help="The WXR file WordPress exported.")
        parser.add_argument(
            "--media-dir", type=Path, help="A copy of the old site's wp-content/uploads, for its pictures."
        )
        parser.add_argument(
            "--series",
            nargs="+",
            action="extend",
            default=[],
            metavar="CATEGORY_SLUG",
            help="Categories that become series (parts ordered by date) rather than tags.",
        )
        parser.add_argument("--dry-run", action="store_true", help="Read and report; write nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["export"]
        media_dir: Path | None = options["media_dir"]
        if media_dir is not None and not media_dir.is_dir():
            raise CommandError(f"--media-dir {media_dir} is not a folder.")
        try:
            size = path.stat().st_size
            source = open(path, "rb")  # noqa: SIM115 - closed below, after the progress bar
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror or error}.") from error
        bar = tqdm(
            total=size,
            unit="B",
            unit_scale=True,
            desc="Reading the export",
            file=sys.stderr,
            disable=not sys.stderr.isatty(),
        )
        seen = 0

        def progress(position: int) -> None:
            nonlocal seen
            bar.update(max(position - seen, 0))
            seen = max(seen, position)

        turn = None if options["dry_run"] else ImportTurn()  # a dry run writes nothing: it needs no turn
        job = WordPressImport(
            series_slugs=options["series"],
            media_dir=media_dir,
            dry_run=options["dry_run"],
            progress=progress,
            turn=turn,
        )
        try:
            with source:
                job.stage(source)
            bar.close()
            summary = job.plan() if options["dry_run"] else job.write()
        except (ExportError, AnotherImportIsRunning) as error:
            raise CommandError(str(error)) from error
        finally:
            bar.close()
            if turn is not None:
                turn.release()
        for line in summary.lines():
            self.stdout.write(line)
        if summary.write_seconds is not None and options["verbosity"] >= 2:
            self.stdout.write(f"{WRITE_LINE} {summary.write_seconds:.2f} s")
