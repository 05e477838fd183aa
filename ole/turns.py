"""Turns shared by every process of one machine: at most `slots` holders at once, one lock file per slot.

An app server runs several worker processes; what a burst of heavy requests (stories being saved) must not
take from readers is that machine's CPU, so the turns are the machine's, not one process's. The kernel drops a
process's locks when it exits, so a worker killed in the middle of its turn frees the slot at once.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import stat
import time
from collections.abc import Iterator
from pathlib import Path

logger = logging.getLogger(__name__)

POLL_SECONDS = 0.002


def half_the_cores(cores: int | None = None) -> int:
    """The default number of turns: half the cores this process may use, at least one; readers keep the rest."""
    if cores is None:
        cores = len(os.sched_getaffinity(0))
    return max(1, cores // 2)


class MachineTurns:
    """At most `slots` holders at once among all processes of this machine; the others wait their turn.

    Turns are a courtesy to readers, never a reason to refuse a story: if the lock folder cannot be used
    (not ours, not writable), the holder goes ahead without one and a warning is logged.
    """

    def __init__(self, name: str, *, slots: int, folder: Path) -> None:
        self.paths = [folder / f"{name}.{slot}.lock" for slot in range(max(1, slots))]
        self.folder = folder

    @contextlib.contextmanager
    def turn(self, *, wait: float) -> Iterator[bool]:
        """Yield True while holding a slot (or when turns cannot be kept), False if none came free in time."""
        try:
            descriptor = self._take(deadline=time.monotonic() + wait)
        except OSError as error:
            logger.warning("Turns: the lock folder cannot be used (%s); going ahead without a turn.", error.strerror)
            yield True
            return
        if descriptor is None:
            yield False
            return
        try:
            yield True
        finally:
            os.close(descriptor)  # closing the file releases its lock

    def _take(self, *, deadline: float) -> int | None:
        self._check_folder()
        while True:
            for path in self.paths:
                descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
                try:
                    fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    os.close(descriptor)
                    continue
                except BaseException:
                    os.close(descriptor)
                    raise
                return descriptor
            if time.monotonic() >= deadline:
                return None
            time.sleep(POLL_SECONDS)  # a waiter costs a few system calls every 2 ms, nothing in between

    def _check_folder(self) -> None:
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        found = self.folder.stat()
        # A folder someone else made first (the default lives in the shared temporary folder) could be used
        # to hold every turn: only our own, closed to others, is trusted.
        if found.st_uid != os.getuid() or found.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
            raise PermissionError(1, "the lock folder belongs to someone else or is writable by others")
