"""Project-wide records: the editable safety word lists, the persistent outgoing-mail queue, the worker's
heartbeat, leases and the error reports waiting to go to the administrators."""

from __future__ import annotations

import datetime
import logging
import uuid

from django.core.cache import cache
from django.db import models, transaction
from django.utils import timezone

logger = logging.getLogger(__name__)


class SafetyTerm(models.Model):
    """A word or phrase that marks text for the editors' attention."""

    class Kind(models.TextChoices):
        CRISIS = "crisis", "May be in crisis now (marks a story urgent)"
        MEDICATION = "medication", "Medication advice (doses, taper schedules, where to get)"
        HOLD = "hold", "Hold a comment for review"
        BLOCK = "block", "Spam: discard a comment outright"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    phrase = models.CharField(
        max_length=100,
        help_text=(
            "Matched as whole words, ignoring case and the kind of apostrophe (“don’t” = “dont” = “do "
            "not”). A crisis phrase also matches its word forms (“kill myself” finds “killing myself”) "
            "and up to two extra words between its words (“want to die” finds “wanted to just die”); the "
            "other lists match the words exactly as written. Check a phrase against real sentences in "
            "tests/ole/test_crisis_phrases.py before relying on it."
        ),
    )

    class Meta:
        ordering = ["kind", "phrase"]
        constraints = [models.UniqueConstraint(fields=["kind", "phrase"], name="safetyterm_unique_phrase")]

    def __str__(self) -> str:
        return self.phrase

    # Every story and comment is checked against the lists, so they are kept in the shared cache; a change in
    # the admin forgets them at once and again on commit (a copy read in between lasts at most a minute).
    CACHE_KEY = "safety:phrases"
    CACHE_SECONDS = 60

    @classmethod
    def phrases(cls) -> dict[str, list[str]]:
        """Every list by kind, e.g. {"crisis": [...], "hold": [...]}."""
        try:
            lists = cache.get(cls.CACHE_KEY)
        except Exception as error:  # the cache is down: the database still answers
            logger.warning("Safety terms: cache not read (%s).", type(error).__name__)
            lists = None
        if lists is None:
            lists = {kind: [] for kind in cls.Kind.values}
            for kind, phrase in cls.objects.values_list("kind", "phrase"):
                lists[kind].append(phrase)
            try:
                cache.set(cls.CACHE_KEY, lists, cls.CACHE_SECONDS)
            except Exception as error:
                logger.warning("Safety terms: cache not written (%s).", type(error).__name__)
        return lists

    @classmethod
    def lists_changed(cls) -> None:
        cls._forget()
        transaction.on_commit(cls._forget)

    @classmethod
    def _forget(cls) -> None:
        try:
            cache.delete(cls.CACHE_KEY)
        except Exception as error:
            logger.warning("Safety terms: cache not cleared (%s).", type(error).__name__)


class OutboundEmailQuerySet(models.QuerySet):
    def due(self) -> OutboundEmailQuerySet:
        return self.filter(state=OutboundEmail.State.PENDING, send_after__lte=timezone.now())

    def waiting_since_before(self, moment: datetime.datetime) -> OutboundEmailQuerySet:
        """Emails still to send that have waited since before `moment`: never tried and due since then, or queued
        before it and failed at least once (a retry's later send time does not make an email new)."""
        never_tried = models.Q(attempts=0, send_after__lt=moment)
        retried = models.Q(attempts__gt=0, created__lt=moment)
        return self.filter(never_tried | retried, state=OutboundEmail.State.PENDING)


class OutboundEmail(models.Model):
    """One email waiting to go out. It names a kind and a record id; the message is built when it is sent,
    so it never stores an address or any text, and an erased record sends nothing."""

    class State(models.TextChoices):
        PENDING = "pending", "Waiting"
        SENT = "sent", "Sent"
        FAILED = "failed", "Gave up"
        CANCELLED = "cancelled", "Nothing to send"

    MAX_ATTEMPTS = 8

    kind = models.CharField(max_length=60)
    object_id = models.PositiveBigIntegerField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    send_after = models.DateTimeField(default=timezone.now)
    last_error = models.CharField(max_length=200, blank=True, help_text="The kind of error only, never its details.")
    created = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = OutboundEmailQuerySet.as_manager()

    class Meta:
        ordering = ["send_after", "pk"]
        indexes = [models.Index(fields=["state", "send_after"], name="outbox_due_idx")]
        verbose_name = "queued email"

    def __str__(self) -> str:
        return f"{self.kind} #{self.object_id} ({self.get_state_display()})"

    def give_up(self, error: Exception) -> None:
        self.attempts += 1
        self.last_error = type(error).__name__[:200]
        self.state = self.State.FAILED
        self.save(update_fields=["attempts", "last_error", "state"])

    def retry_later(self, error: Exception) -> None:
        """Back off exponentially (1, 2, 4 … minutes); give up after MAX_ATTEMPTS."""
        self.attempts += 1
        self.last_error = type(error).__name__[:200]
        if self.attempts >= self.MAX_ATTEMPTS:
            self.state = self.State.FAILED
        else:
            self.send_after = timezone.now() + datetime.timedelta(minutes=2 ** (self.attempts - 1))
        self.save(update_fields=["attempts", "last_error", "state", "send_after"])


class Counter(models.Model):
    """A count of attempts in a window (sign-in failures, comments, likes, stories...), keyed by a keyed hash.

    Kept in the database, where nothing evicts it: a cache may drop any key under memory pressure, and its
    read-then-write increments lose counts. `ole.ratelimit.increment` adds one in a single statement.
    """

    key = models.CharField(max_length=120, primary_key=True)
    count = models.PositiveIntegerField(default=0)
    window_ends = models.BigIntegerField(help_text="When the window closes (seconds since 1970).")

    class Meta:
        indexes = [models.Index(fields=["window_ends"], name="counter_window_ends_idx")]

    def __str__(self) -> str:
        return f"{self.count} until {self.window_ends}"


class Heartbeat(models.Model):
    """When a background process last started a round (`manage.py run_worker` beats as "worker"); /readyz reads it.
    In the database, so that every app server sees the same worker."""

    name = models.CharField(max_length=40, primary_key=True)
    seen = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} seen {self.seen:%Y-%m-%d %H:%M:%S}"

    @classmethod
    def beat(cls, name: str) -> None:
        if not cls.objects.filter(name=name).update(seen=timezone.now()):
            cls.objects.get_or_create(name=name, defaults={"seen": timezone.now()})

    @classmethod
    def silent_for(cls, name: str) -> datetime.timedelta | None:
        """How long since `name` last beat; None if it never has."""
        seen = cls.objects.filter(name=name).values_list("seen", flat=True).first()
        return None if seen is None else timezone.now() - seen


class Lease(models.Model):
    """The right to do something alone for a while, across every process (`manage.py import_wordpress` takes
    "wordpress-import"). It runs out by itself when its holder dies; a holder renews it while it works. In the
    database rather than the cache: erasing stored pages may empty the whole cache."""

    name = models.CharField(max_length=40, primary_key=True)
    holder = models.CharField(max_length=32, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} held until {self.expires_at}" if self.holder else f"{self.name} free"

    @classmethod
    def take(cls, name: str, seconds: float) -> str | None:
        """A token for the lease if it is free (or run out), else None."""
        cls.objects.get_or_create(name=name)
        now, token = timezone.now(), uuid.uuid4().hex
        free = models.Q(holder="") | models.Q(expires_at__lt=now)
        taken = cls.objects.filter(free, name=name).update(
            holder=token, expires_at=now + datetime.timedelta(seconds=seconds)
        )
        return token if taken else None

    @classmethod
    def renew(cls, name: str, token: str, seconds: float) -> bool:
        """Keep the lease another `seconds`; False if it ran out and somebody else took it."""
        return bool(
            cls.objects.filter(name=name, holder=token).update(
                expires_at=timezone.now() + datetime.timedelta(seconds=seconds)
            )
        )

    @classmethod
    def release(cls, name: str, token: str) -> None:
        cls.objects.filter(name=name, holder=token).update(holder="", expires_at=None)


class ErrorReport(models.Model):
    """An unhandled error's report for the administrators (ADMINS), already filtered of personal data by
    ole/errors.py, waiting to go out through the outbox. The same error again soon after adds to `repeats`
    instead of another email; reports are deleted after KEEP_DAYS."""

    REPEAT_WINDOW = datetime.timedelta(minutes=10)
    KEEP_DAYS = 30

    subject = models.CharField(max_length=200)
    body = models.TextField()
    repeats = models.PositiveIntegerField(default=0)
    created = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return self.subject

    @classmethod
    def file(cls, *, subject: str, body: str) -> ErrorReport | None:
        """Record a report and queue its email; None when it only counted as a repeat of a recent one."""
        from .outbox import queue_email

        subject = subject[:200]
        with transaction.atomic():
            recent = cls.objects.filter(subject=subject, created__gte=timezone.now() - cls.REPEAT_WINDOW)
            if recent.update(repeats=models.F("repeats") + 1):
                return None
            report = cls.objects.create(subject=subject, body=body)
            queue_email(ERROR_REPORT_EMAIL, report)
        return report

    @classmethod
    def delete_old(cls) -> int:
        return cls.objects.filter(created__lt=timezone.now() - datetime.timedelta(days=cls.KEEP_DAYS)).delete()[0]


ERROR_REPORT_EMAIL = "ole.error_report"


class ErasureRecord(models.Model):
    """One line of the erasure ledger: something was withdrawn or erased (which record, and when; never its
    content). The ledger lives in a database of its own ("ledger", ole.dbrouters.LedgerRouter) that no backup
    holds and no restore overwrites, and `manage.py restore` erases again everything it names (ole/erasures.py),
    so restoring a backup never brings erased text back."""

    kind = models.CharField(max_length=40)
    # The record's own identity: a story's public id, a comment's number; with its creation time, so that a
    # number handed out again after a restore never matches.
    ref = models.CharField(max_length=64)
    ref_created = models.DateTimeField()
    erased_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["erased_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "ref", "ref_created"], name="erasurerecord_once"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.ref} erased {self.erased_at:%Y-%m-%d %H:%M}"
