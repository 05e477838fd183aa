"""A persistent outgoing-mail queue with retries.

`queue_email(kind, obj)` records what to send (a kind and a record id) inside the caller's transaction, so an
email exists exactly when the change that caused it was committed. `deliver_due()` (run by
`manage.py run_worker`) builds each message from the record as it is *then* and sends it; a mail
server that is down only delays it. Builders are registered per kind by the apps, and so are the other jobs
the worker runs each round (`register_job`), so that this module knows nothing of the apps.
"""

from __future__ import annotations

import datetime
import logging
import smtplib
from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import models, transaction
from django.utils import timezone

from .models import OutboundEmail

logger = logging.getLogger("ole.outbox")

Builder = Callable[[int], EmailMessage | None]
_builders: dict[str, Builder] = {}
# What a kind wants told when its email left, or was refused for good by the recipient's server (a 5xx).
Outcome = Callable[[int], None]
_on_sent: dict[str, Outcome] = {}
_on_refused: dict[str, Outcome] = {}
# What the worker does each round besides sending mail: a label for its report, and a job returning a count.
Job = Callable[[], int]
_jobs: dict[str, Job] = {}


def register(
    kind: str, *, on_sent: Outcome | None = None, on_refused: Outcome | None = None
) -> Callable[[Builder], Builder]:
    """Decorator: `builder(object_id)` returns the message to send, or None when there is nothing to send.
    `on_sent(object_id)` runs when it left; `on_refused(object_id)` when the recipient's server refused it for
    good, and the email is then not retried."""

    def decorator(builder: Builder) -> Builder:
        _builders[kind] = builder
        for hooks, hook in ((_on_sent, on_sent), (_on_refused, on_refused)):
            if hook is not None:
                hooks[kind] = hook
        return builder

    return decorator


def register_job(label: str, job: Job) -> None:
    """Have the worker run `job()` each round (once per app start; registering a label again replaces it)."""
    _jobs[label] = job


def run_jobs() -> dict[str, int]:
    """Run each registered job once; returns how much each did, by label."""
    return {label: job() for label, job in _jobs.items()}


def queue_email(kind: str, obj: models.Model) -> OutboundEmail:
    if kind not in _builders:
        raise KeyError(f"No email builder is registered for {kind!r}.")
    return OutboundEmail.objects.create(kind=kind, object_id=obj.pk)


def queue_digest(kind: str, *, every: datetime.timedelta) -> OutboundEmail | None:
    """Queue a digest email unless one is already waiting; at most one goes out per `every`."""
    if kind not in _builders:
        raise KeyError(f"No email builder is registered for {kind!r}.")
    digests = OutboundEmail.objects.filter(kind=kind).exclude(state=OutboundEmail.State.CANCELLED)
    if digests.filter(state=OutboundEmail.State.PENDING).exists():
        return None  # the waiting digest will list this too
    last = digests.order_by("-send_after").first()
    when = timezone.now() if last is None else max(timezone.now(), last.send_after + every)
    return OutboundEmail.objects.create(kind=kind, object_id=0, send_after=when)


def cancel_for(kinds: list[str], object_ids: list[int]) -> int:
    """Drop queued emails about some records (used when their personal data is erased)."""
    pending = OutboundEmail.objects.filter(kind__in=kinds, object_id__in=object_ids, state=OutboundEmail.State.PENDING)
    return pending.update(state=OutboundEmail.State.CANCELLED)


def message_id(email: OutboundEmail) -> str:
    """The same Message-ID every time a row is sent, so a receiver can drop the copy a worker killed between
    the server's acceptance and its own commit would send again."""
    host = urlsplit(settings.OLE_SITE_URL).hostname or "localhost"
    return f"<outbox.{email.pk}.{email.created:%Y%m%d%H%M%S}@{host}>"


def deliver(email: OutboundEmail) -> bool:
    """Try to send one queued email; returns True when it left (or had nothing to say)."""
    builder = _builders.get(email.kind)
    try:
        message = builder(email.object_id) if builder else None
    except Exception as error:
        # A builder's bug must not stop the worker, nor the emails queued behind this one.
        logger.exception("Email %s #%s could not be built; will retry.", email.kind, email.pk)
        email.retry_later(error)
        return False
    if message is None:
        email.state = OutboundEmail.State.CANCELLED
        email.save(update_fields=["state"])
        return True
    message.extra_headers["Message-ID"] = message_id(email)
    try:
        message.send(fail_silently=False)
    except Exception as error:
        # Log the kind of failure only: the exception text can carry the recipient's address.
        if email.kind in _on_refused and _refused_for_good(error):
            logger.warning("Email %s #%s refused by the recipient's server; not retried.", email.kind, email.pk)
            email.give_up(error)
            _on_refused[email.kind](email.object_id)
            return False
        logger.warning("Email %s #%s not sent (%s); will retry.", email.kind, email.pk, type(error).__name__)
        email.retry_later(error)
        return False
    email.state = OutboundEmail.State.SENT
    email.sent_at = timezone.now()
    email.attempts += 1
    email.save(update_fields=["state", "sent_at", "attempts"])
    if email.kind in _on_sent:
        _on_sent[email.kind](email.object_id)
    return True


def _refused_for_good(error: Exception) -> bool:
    """Every recipient refused with a permanent (5xx) answer: sending again would be refused again."""
    return isinstance(error, smtplib.SMTPRecipientsRefused) and all(
        code >= 500 for code, _message in error.recipients.values()
    )


def deliver_due(limit: int = 100) -> tuple[int, int]:
    """Send what is due; safe to run in several workers at once. Returns (sent, failed).

    Each row is claimed and sent inside one transaction: a worker killed mid-send rolls its claim back with
    the connection, so the row is still waiting and the next worker sends it (tests/faults/test_worker.py).
    """
    sent = failed = 0
    for pk in list(OutboundEmail.objects.due().values_list("pk", flat=True)[:limit]):
        with transaction.atomic():
            # Claim the row: a second worker skips it (row lock on PostgreSQL, write lock on SQLite).
            email = OutboundEmail.objects.select_for_update(skip_locked=True).filter(pk=pk).due().first()
            if email is None:
                continue
            if deliver(email):
                sent += 1
            else:
                failed += 1
    return sent, failed
