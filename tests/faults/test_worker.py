"""The mail worker killed in the middle of its work and started again: every queued email goes out, once."""

import email
import signal
import subprocess
import sys
import time
from pathlib import Path

from .conftest import ROOT, django_env, manage

BACKEND = "tests.faults.mailfolder.FolderBackend"
WRITERS = [f"writer{n}@example.org" for n in range(8)]
QUEUE = (
    "from ole.outbox import queue_email; from tests.factories import StoryFactory\n"
    "for address in {writers!r}:\n"
    "    queue_email('story.received', StoryFactory(email=address))\n"
)
STATES = "from ole.models import OutboundEmail; print(sorted(OutboundEmail.objects.values_list('state', flat=True)))"


def delivered(folder: Path) -> list[email.message.Message]:
    return [email.message_from_bytes(path.read_bytes()) for path in sorted(folder.glob("*.eml"))]


def wait_for(condition, what: str, limit: float = 60) -> None:
    deadline = time.monotonic() + limit
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.05)


def start_worker(url: str, **env: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "manage.py", "run_worker", "--loop", "--interval", "0.2"],
        cwd=ROOT,
        env=django_env(url, EMAIL_BACKEND=BACKEND, **env),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def test_a_worker_killed_mid_send_and_restarted_sends_every_email_once(own_database, tmp_path):
    mailbox = tmp_path / "mailbox"
    mailbox.mkdir()
    manage(own_database, "shell", "-c", QUEUE.format(writers=WRITERS))

    # The fifth message hangs in the middle of being sent; the worker is killed there, without warning.
    worker = start_worker(own_database, OLE_TEST_MAIL_DIR=str(mailbox), OLE_TEST_MAIL_STALL=WRITERS[4])
    try:
        wait_for(lambda: (mailbox / "stalled").exists() or worker.poll() is not None, "the fifth message")
        assert worker.poll() is None, worker.stderr.read().decode()
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        worker.kill()
    assert sorted(message["To"] for message in delivered(mailbox)) == WRITERS[:4]

    worker = start_worker(own_database, OLE_TEST_MAIL_DIR=str(mailbox))
    try:
        wait_for(lambda: len(delivered(mailbox)) >= len(WRITERS) or worker.poll() is not None, "every message")
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=10)
    assert worker.returncode == 0, "SIGTERM lets the round finish: what was handed over is marked sent"
    # One more round finds nothing left to send.
    manage(own_database, "run_worker", EMAIL_BACKEND=BACKEND, OLE_TEST_MAIL_DIR=str(mailbox))

    messages = delivered(mailbox)
    assert sorted(message["To"] for message in messages) == WRITERS
    assert len({message["Message-ID"] for message in messages}) == len(WRITERS)
    assert manage(own_database, "shell", "-c", STATES).splitlines()[-1] == str(["sent"] * len(WRITERS))
