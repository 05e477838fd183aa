"""Turns shared by every process of one machine: at most `slots` holders at once, one lock file per slot.

An app server runs several worker processes; what a burst of heavy requests (stories being saved) must not
take from readers is that machine's CPU, so the turns are the machine's, not one process's. The kernel drops a
process's locks when it exits, so a worker killed in the middle of its turn frees the slot at once.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Iterator
from pathlib import Path

POLL_SECONDS = 0.002


class MachineTurns:
    def __init__(self, name: str, *, slots: int, folder: Path) -> None:
        self.paths = [folder / f"{name}.{slot}.lock" for slot in range(max(1, slots))]
        self.folder = folder

    @contextlib.contextmanager
    def turn(self, *, wait: float) -> Iterator[bool]:
        """Yield True while holding a slot, or False if none came free within `wait` seconds."""
        descriptor = self._take(deadline=time.monotonic() + wait)
        if descriptor is None:
            yield False
            return
        try:
            yield True
        finally:
            os.close(descriptor)  # closing the file releases its lock

    def _take(self, *, deadline: float) -> int | None:
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        while True:
            for path in self.paths:
                descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
                try:
                    fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    os.close(descriptor)
                    continue
                return descriptor
            if time.monotonic() >= deadline:
                return None
            time.sleep(POLL_SECONDS)  # waiting costs no CPU
