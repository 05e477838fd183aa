import time
from typing import Any

from django.core.management.base import BaseCommand

from ole.outbox import deliver_due


class Command(BaseCommand):
    help = "Send queued emails that are due. With --loop, keep doing so every few seconds (the mail worker)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--loop", action="store_true", help="Run until stopped.")
        parser.add_argument("--interval", type=float, default=5.0, help="Seconds between rounds with --loop.")

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            sent, failed = deliver_due()
            if sent or failed or options["verbosity"] > 1:
                self.stdout.write(f"Sent {sent}, will retry {failed}.")
            if not options["loop"]:
                return
            time.sleep(options["interval"])
