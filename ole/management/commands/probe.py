"""Ask this machine's app server for /healthz or /readyz over HTTP, as a load balancer would.

systemd runs it after starting the web server (`ExecStartPost` in deploy/systemd/ole-web.service), so that
`systemctl start ole-web` returns only once the site answers; a monitor without HTTP access can run it too.
"""

from __future__ import annotations

import os
import time
import urllib.error
import urllib.request
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

PATHS = ("/healthz", "/readyz")


class Command(BaseCommand):
    help = "Wait until this machine's app server answers 200 at /healthz (or /readyz); fail after --wait seconds."

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", nargs="?", default="/healthz", choices=PATHS)
        parser.add_argument("--wait", type=float, default=30.0, help="Seconds to keep asking (default 30).")
        parser.add_argument(
            "--url",
            default="",
            help="The server's address (default: http:// and GUNICORN_BIND, as ole/gunicorn.conf.py binds).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        base = options["url"] or f"http://{_bound_address()}"
        request = urllib.request.Request(base.rstrip("/") + options["path"])  # noqa: S310 - http(s) only, ours
        if not options["url"] and settings.ALLOWED_HOSTS and settings.ALLOWED_HOSTS[0] not in ("*", ""):
            request.add_header("Host", settings.ALLOWED_HOSTS[0].lstrip("."))
        deadline = time.monotonic() + options["wait"]
        answer = "no answer"
        while True:
            try:
                with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 - see above
                    self.stdout.write(f"{options['path']}: {response.status}")
                    return
            except urllib.error.HTTPError as error:  # 503 from /readyz names what failed
                answer = f"{error.code} {error.read(500).decode(errors='replace')}"
            except OSError as error:
                answer = type(error).__name__
            if time.monotonic() >= deadline:
                raise CommandError(f"{options['path']}: {answer}")
            time.sleep(0.5)


def _bound_address() -> str:
    bind = os.environ.get("GUNICORN_BIND", f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}")
    address = bind.split(",")[0].strip()
    if address.startswith("unix:"):
        raise CommandError("The app server listens on a Unix socket: give --url (e.g. the nginx site).")
    return address.replace("0.0.0.0", "127.0.0.1")  # noqa: S104 - the address it listens on, asked locally
