"""The erasure ledger: what was withdrawn or erased (which record, and when; never its content), kept where no
backup reaches (ole.ErasureRecord in its own database), and erased again after every restore.

Each app registers how to erase again what it records (`register`), so this module knows no app's models.
A record is written before the erasure commits, on the ledger's own connection: an erasure the ledger does
not know of cannot be committed (if the ledger is down, the erasure fails and nothing is erased).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable

from .models import ErasureRecord

Replayer = Callable[[str, datetime.datetime], bool]
_replayers: dict[str, Replayer] = {}


def register(kind: str, replayer: Replayer) -> None:
    """`replayer(ref, ref_created)` erases the record again if a restore brought it back; returns whether it did."""
    _replayers[kind] = replayer


def record(kind: str, ref: object, created: datetime.datetime) -> None:
    """Note that a record (a story's public id, a comment's number, with its creation time) is being erased."""
    record_many(kind, [(ref, created)])


def record_many(kind: str, refs: Iterable[tuple[object, datetime.datetime]]) -> None:
    if kind not in _replayers:
        raise LookupError(f"No way to erase {kind!r} again after a restore is registered.")
    rows = [ErasureRecord(kind=kind, ref=str(ref), ref_created=created) for ref, created in refs]
    ErasureRecord.objects.bulk_create(rows, ignore_conflicts=True)  # recorded once, however often retried


def replay() -> int:
    """After a restore: erase again everything the ledger names, in the order it was erased. Idempotent.
    Returns how many records were erased again."""
    erased = 0
    for line in ErasureRecord.objects.order_by("erased_at", "pk").iterator():
        erased += bool(_replayers[line.kind](line.ref, line.ref_created))
    return erased
