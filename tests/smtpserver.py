"""A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps what it receives, and can refuse chosen recipients
with a permanent 550, as a mail server does for a mailbox that does not exist."""

from __future__ import annotations

import email
import email.policy
import socket
import threading
import time
from email.message import EmailMessage

from aiosmtpd.controller import Controller


class Inbox:
    """aiosmtpd's handler: refuses the addresses in `refuse` at RCPT, keeps every message it accepts."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.refuse: set[str] = set()
        self.refusals: list[str] = []
        self._lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address: str, rcpt_options) -> str:
        if address.lower() in self.refuse:
            with self._lock:
                self.refusals.append(address)
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        with self._lock:
            self.messages.append(message)
        return "250 Message accepted for delivery"


class SMTPServer:
    def __init__(self) -> None:
        self.inbox = Inbox()
        self.port = free_port()
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)

    def start(self) -> SMTPServer:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    @property
    def messages(self) -> list[EmailMessage]:
        with self.inbox._lock:
            return list(self.inbox.messages)

    def to(self, address: str) -> list[EmailMessage]:
        return [message for message in self.messages if message["To"] == address]

    def wait_for(self, count: int, limit: float = 60) -> list[EmailMessage]:
        deadline = time.monotonic() + limit
        while len(self.messages) < count:
            assert time.monotonic() < deadline, f"received {len(self.messages)} of {count} messages"
            time.sleep(0.05)
        return self.messages

    def settings(self) -> dict[str, str]:
        """What points Django (or a worker process's environment) at this server."""
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(self.port),
            "EMAIL_USE_TLS": "",
        }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
