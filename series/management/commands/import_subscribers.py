import csv
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import validate_email

from series.models import Subscription
from series.models.following import move_in

MAX_LENGTH = Subscription._meta.get_field("email").max_length
SOURCE_LENGTH = Subscription._meta.get_field("source").max_length


class Command(BaseCommand):
    help = (
        "Move followers in from elsewhere (e.g. WordPress.com's subscriber export): each address in FILE follows "
        'everything, confirmed now, and is sent one "we have moved" email with a one-click unsubscribe. FILE is a '
        'CSV whose first line names a column containing "email", or one address a line. Bad rows are reported and '
        "skipped; addresses already following everything are left alone, so running it twice changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--source", required=True, help='Where they followed us before, e.g. "WordPress.com".')

    def handle(self, *args: Any, **options: Any) -> None:
        source = options["source"].strip()
        if not source or len(source) > SOURCE_LENGTH:
            raise CommandError(f"--source must be 1 to {SOURCE_LENGTH} characters.")
        try:
            text = options["file"].read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"Cannot read {options['file']}: {error}") from error
        addresses, bad = read_addresses(text)
        imported, left = move_in(addresses, source=source)
        # Line numbers and reasons only: the addresses themselves stay out of terminals and logs.
        self.stdout.write(f"Imported {len(imported)} follower(s) from {source}.")
        self.stdout.write(f"Skipped {len(left)} already following everything (or stopped).")
        self.stdout.write(f"Skipped {len(bad)} bad row(s){':' if bad else '.'}")
        for line, reason in bad:
            self.stdout.write(f"  line {line}: {reason}")


def read_addresses(text: str) -> tuple[list[str], list[tuple[int, str]]]:
    """The addresses in a CSV with an "email" column, or in a file of one address a line. Returns the good
    addresses (lower case, each once) and the bad rows as (line number, reason)."""
    reader = csv.reader(text.splitlines())
    rows = [(reader.line_num, row) for row in reader if any(cell.strip() for cell in row)]
    if not rows:
        return [], []
    header = [cell.strip().lower() for cell in rows[0][1]]
    column = next((n for n, name in enumerate(header) if "email" in name and "@" not in name), None)
    if column is not None:
        rows = rows[1:]
    elif len(header) > 1:
        raise CommandError(
            'The first line names no email column (a header containing "email"), and the lines '
            "hold more than one value: give a CSV with an email column, or one address a line."
        )
    addresses: list[str] = []
    seen: dict[str, int] = {}
    bad: list[tuple[int, str]] = []
    for line, row in rows:
        if column is None:
            value = ",".join(row).strip().lower()
        else:
            value = row[column].strip().lower() if column < len(row) else ""
        if not value:
            bad.append((line, "no address in the email column"))
        elif len(value) > MAX_LENGTH:
            bad.append((line, f"longer than {MAX_LENGTH} characters"))
        elif not _is_address(value):
            bad.append((line, "not an email address"))
        elif value in seen:
            bad.append((line, f"the same address as line {seen[value]}"))
        else:
            seen[value] = line
            addresses.append(value)
    return addresses, bad


def _is_address(value: str) -> bool:
    try:
        validate_email(value)
    except ValidationError:
        return False
    return True
