"""A real SMTP conversation on 127.0.0.1 that goes wrong: down, refusing (550), hanging. Nothing is lost."""

from __future__ import annotations

import logging
import socket
import threading

import pytest
from django.core.management import call_command
from django.utils import timezone

from ole.models import OutboundEmail
from ole.outbox import deliver_due, queue_email
from tests.factories import StoryFactory

pytestmark = pytest.mark.django_db

ADDRESS = "writer.secret@example.org"


class FakeSMTPServer:
    """Just enough SMTP to accept a message, refuse the recipient with 550, or say nothing at all."""

    def __init__(self, mode: str):
        self.mode = mode
        self.messages: list[bytes] = []
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.port = self.sock.getsockname()[1]
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self) -> None:
        self.sock.settimeout(0.2)
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            with conn:
                if self.mode == "hang":
                    self.stop.wait(5)  # accept the connection, then never speak
                    continue
                self.converse(conn.makefile("rwb"))

    def converse(self, stream) -> None:
        def say(line: str) -> None:
            stream.write(line.encode() + b"\r\n")
            stream.flush()

        say("220 test ESMTP")
        while line := stream.readline():
            command = line.decode().strip().upper()
            if command.startswith(("EHLO", "HELO")):
                say("250 test")
            elif command.startswith("RCPT") and self.mode == "refuse":
                say("550 5.1.1 No such mailbox here")
            elif command == "DATA":
                say("354 go ahead")
                body = b""
                while (chunk := stream.readline()) not in (b".\r\n", b""):
                    body += chunk
                self.messages.append(body)
                say("250 queued")
            elif command == "QUIT":
                say("221 bye")
                return
            else:
                say("250 ok")

    def close(self) -> None:
        self.stop.set()
        self.thread.join(timeout=10)
        self.sock.close()


@pytest.fixture
def smtp(settings):
    servers: list[FakeSMTPServer] = []

    def start(mode: str) -> FakeSMTPServer:
        server = FakeSMTPServer(mode)
        servers.append(server)
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", server.port, 1
        return server

    yield start
    for server in servers:
        server.close()


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nothing listens here once the socket closes


def queued() -> OutboundEmail:
    queue_email("story.received", StoryFactory(email=ADDRESS))
    return OutboundEmail.objects.get()


def due_now() -> None:
    OutboundEmail.objects.update(send_after=timezone.now())


@pytest.mark.parametrize("mode", ["down", "refuse", "hang"])
def test_a_failing_mail_server_loses_nothing_leaks_nothing_and_the_message_goes_later(smtp, settings, caplog, mode):
    if mode == "down":
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", closed_port(), 1
    else:
        smtp(mode)
    email = queued()
    with caplog.at_level(logging.DEBUG):
        assert deliver_due() == (0, 1)
    email.refresh_from_db()
    assert email.state == "pending" and email.attempts == 1 and email.send_after > timezone.now()
    assert ADDRESS not in caplog.text and ADDRESS not in email.last_error

    working = smtp("accept")
    due_now()
    call_command("run_worker", verbosity=0)
    email.refresh_from_db()
    assert email.state == "sent"
    assert len(working.messages) == 1 and ADDRESS.encode() in working.messages[0]
    due_now()
    assert deliver_due() == (0, 0), "sent once"
