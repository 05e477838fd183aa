"""An import from WordPress started in the admin: the uploaded export, and what the import said when it ended.

The import runs in a process of its own (`manage.py run_wordpress_import`), never in a request or the mail worker,
so crisis alerts and private links keep flowing while a large blog moves in."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from ole.storage import delete_files_on_commit, get_private_storage
from ole.workflow import InvalidTransition

STALE_AFTER = datetime.timedelta(days=1)
ABANDONED = "The import process ended without finishing (the server restarted?). Nothing was imported; start it again."


class ImportRunQuerySet(models.QuerySet):
    def abandon_stale(self) -> int:
        """End runs whose process never finished (a server restart) a day after they began, and delete their
        exports: an export holds commenters' addresses and must not outlive its import."""
        stale = list(self.filter(status__in=["waiting", "running"], created__lt=timezone.now() - STALE_AFTER))
        with transaction.atomic():
            for job in stale:
                job.status = ImportRun.Status.RUNNING
                job.finish(succeeded=False, summary=ABANDONED)
        return len(stale)


class ImportRun(models.Model):
    class Status(models.TextChoices):
        WAITING = "waiting", "Waiting to start"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    export = models.FileField(
        upload_to="wordpress-exports/",
        storage=get_private_storage,
        blank=True,
        help_text="The export file (Tools → Export in WordPress). It holds commenters' addresses, so it is deleted "
        "as soon as the import ends.",
    )
    series_categories = models.CharField(
        max_length=500,
        blank=True,
        help_text="Slugs of the categories that are series (parts ordered by date), separated by spaces.",
    )
    dry_run = models.BooleanField(default=False, help_text="Only report what would be imported; write nothing.")
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.WAITING, editable=False)
    summary = models.TextField(blank=True, editable=False)
    created = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ImportRunQuerySet.as_manager()

    class Meta:
        ordering = ["-created"]
        verbose_name = "import from WordPress"
        verbose_name_plural = "imports from WordPress"

    def __str__(self) -> str:
        return f"Import of {timezone.localtime(self.created):%d %b %Y %H:%M}"

    @property
    def is_over(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    def start(self) -> None:
        """Claim the run; a second process given the same run is refused."""
        with transaction.atomic():
            claimed = ImportRun.objects.filter(pk=self.pk, status=self.Status.WAITING).update(
                status=self.Status.RUNNING
            )
        if not claimed:
            raise InvalidTransition("This import has already started.")
        self.status = self.Status.RUNNING

    def finish(self, *, succeeded: bool, summary: str) -> None:
        if self.status != self.Status.RUNNING:
            raise InvalidTransition("Only a running import can finish.")
        with transaction.atomic():
            delete_files_on_commit([self.export])
            self.export = ""
            self.status = self.Status.DONE if succeeded else self.Status.FAILED
            self.summary = summary
            self.finished_at = timezone.now()
            self.save(update_fields=["export", "status", "summary", "finished_at"])
