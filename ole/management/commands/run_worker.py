import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand

from ole.health import WORKER
from ole.models import Heartbeat
from ole.outbox import deliver_due, run_jobs


class Command(BaseCommand):
    help = (
        "The background worker: send queued emails, then run the jobs the apps register (series: verify received "
        "pingbacks and webmentions, announce published posts' links). Once by default; with --loop, every few "
        "seconds until stopped."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--loop", action="store_true", help="Run until stopped.")
        parser.add_argument("--interval", type=float, default=5.0, help="Seconds between rounds with --loop.")

    def handle(self, *args: Any, **options: Any) -> None:
        # SIGTERM (a deploy, systemd, `make run` ending) lets the current round finish, so an email handed to
        # the mail server is also marked sent. SIGKILL loses nothing either: an unfinished send rolls back.
        stopping = threading.Event()
        if options["loop"]:
            signal.signal(signal.SIGTERM, lambda *_: stopping.set())
        while not stopping.is_set():
            Heartbeat.beat(WORKER)  # /readyz: the worker is alive and not stuck in a round
            sent, failed = deliver_due()
            done = run_jobs()
            if sent or failed or any(done.values()) or options["verbosity"] > 1:
                jobs = "".join(f"; {label} {count}" for label, count in done.items())
                self.stdout.write(f"Emails sent {sent}, to retry {failed}{jobs}.")
            if not options["loop"]:
                return
            stopping.wait(options["interval"])
