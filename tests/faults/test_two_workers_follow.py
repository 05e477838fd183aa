"""A scheduled post going live, with two workers running against one database and a real SMTP server:
each follower receives its email exactly once."""

import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.smtpserver import SMTPServer

from .conftest import ROOT, django_env, manage
from .test_worker import wait_for

FOLLOWERS = [f"follower{n}@example.org" for n in range(3)]
SCHEDULE = (
    "import datetime\n"
    "from django.utils import timezone\n"
    "from series.models import Subscription\n"
    "from tests.factories import PostFactory\n"
    "for address in {followers!r}:\n"
    "    Subscription.objects.create(email=address, confirmed_at=timezone.now() - datetime.timedelta(days=1))\n"
    "PostFactory(title='Part three', scheduled=True, publish_at=timezone.now() + datetime.timedelta(seconds=4))\n"
)
WAITING = (
    "from ole.models import OutboundEmail\n"
    "print(list(OutboundEmail.objects.filter(state='pending').values_list('kind', 'attempts', 'last_error')))"
)
STATES = "from ole.models import OutboundEmail; print(sorted(OutboundEmail.objects.values_list('kind', 'state')))"


def start_worker(url: str, log: Path, **env: str) -> subprocess.Popen:
    with log.open("wb") as stderr:  # a file, not a pipe nobody reads that could fill and stall the worker
        return subprocess.Popen(
            [sys.executable, "manage.py", "run_worker", "--loop", "--interval", "0.2"],
            cwd=ROOT,
            env=django_env(url, **env),
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )


def test_a_scheduled_post_going_live_is_sent_once_to_each_follower_with_two_workers(own_database, tmp_path):
    server = SMTPServer().start()
    workers = []
    try:
        # Fast pacing, so the three emails are due at once and both workers can reach for each of them.
        env = {**server.settings(), "OLE_FOLLOW_EMAILS_PER_MINUTE": "6000"}
        logs = [tmp_path / f"worker{n}.log" for n in range(2)]
        workers = [start_worker(own_database, log, **env) for log in logs]
        # Scheduled while both run; its time comes with nobody saving anything.
        manage(own_database, "shell", "-c", SCHEDULE.format(followers=FOLLOWERS))
        assert server.messages == []
        wait_for(
            lambda: len(server.messages) >= len(FOLLOWERS) or any(w.poll() is not None for w in workers),
            "the post's emails",
        )
        assert all(worker.poll() is None for worker in workers), [log.read_text() for log in logs]
        wait_for(lambda: manage(own_database, "shell", "-c", WAITING).splitlines()[-1] == "[]", "an empty outbox")
        time.sleep(2)  # several more rounds of both workers: time for a second copy, if there were one
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        for worker in workers:
            worker.wait(timeout=20)
        server.stop()
    assert [worker.returncode for worker in workers] == [0, 0]
    received = sorted((message["To"], str(message["Subject"])) for message in server.messages)
    assert received == [(address, "Part three") for address in FOLLOWERS]
    assert manage(own_database, "shell", "-c", STATES).splitlines()[-1] == str([("following.post", "sent")] * 3)
