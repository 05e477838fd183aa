"""Django's two caches that every process of one machine shares, side by side: the file-based cache and the
database cache (in a SQLite file of its own, as OLE keeps it). Reads and stores of page-sized entries at growing
sizes; prints a markdown table. `python -m bench.cache_backends` (about a minute; nothing else needed).
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import django
from django.conf import settings

PAGE = b"x" * 15_000
SIZES = (1_000, 5_000, 10_000)
ROUNDS = 50


def _timed(action, rounds: int = ROUNDS) -> float:
    started = time.perf_counter()
    for number in range(rounds):
        action(number)
    return (time.perf_counter() - started) / rounds * 1000


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="ole-cache-bench-"))
    settings.configure(
        USE_TZ=True,
        DATABASES={
            "default": {
                "ENGINE": "django.db.backends.sqlite3",
                "NAME": folder / "cache.sqlite3",
                "OPTIONS": {"init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"},
            }
        },
        CACHES={
            "files": {
                "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                "LOCATION": str(folder / "files"),
                "OPTIONS": {"MAX_ENTRIES": 50_000},
            },
            "database": {
                "BACKEND": "django.core.cache.backends.db.DatabaseCache",
                "LOCATION": "pages",
                "OPTIONS": {"MAX_ENTRIES": 50_000},
            },
        },
    )
    django.setup()
    from django.core.cache import caches
    from django.core.management import call_command

    call_command("createcachetable", verbosity=0)
    print("| cache | entries | read one (ms) | store one (ms) |\n| --- | --- | --- | --- |")
    for name in ("files", "database"):
        cache = caches[name]
        held = 0
        for size in SIZES:
            cache.set_many({f"filler-{number}": PAGE for number in range(held, size)}, 600)
            held = size
            store = _timed(lambda number, size=size, cache=cache: cache.set(f"probe-{size}-{number}", PAGE, 600))
            read = _timed(lambda number, size=size, cache=cache: cache.get(f"probe-{size}-{number}"))
            print(f"| {name} | {size:,} | {read:.3f} | {store:.2f} |")


if __name__ == "__main__":
    main()
