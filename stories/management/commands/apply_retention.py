import datetime
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from ole.pagecache import delete_expired
from ole.ratelimit import delete_closed_windows
from series.models import Comment
from stories.models import Story


class Command(BaseCommand):
    help = (
        "Remove personal data OLE no longer needs: the email addresses of declined and withdrawn stories after "
        "OLE_RETENTION_DAYS, the contact details of comments marked as spam a week ago, rate-limit counters "
        "whose window has closed and cached pages past their time. Nothing else is deleted. Safe to run daily, "
        "to interrupt and to re-run."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        cutoff = timezone.now() - datetime.timedelta(days=settings.OLE_RETENTION_DAYS)
        closed = Story.objects.filter(status__in=Story.CLOSED, status_changed_at__lt=cutoff).exclude(email="")
        forgotten = sum(story.forget_contact() for story in closed.iterator())
        spam_cutoff = timezone.now() - datetime.timedelta(days=7)
        spam = (
            Comment.objects.filter(status=Comment.Status.SPAM, marked_spam_at__lt=spam_cutoff)
            .exclude(email="", website="")
            .update(email="", website="")
        )
        counters = delete_closed_windows()
        pages = delete_expired()
        self.stdout.write(
            f"Forgot the email of {forgotten} closed stories and the contact details of {spam} spam; "
            f"removed {counters} closed rate-limit counters and {pages} expired cached pages."
        )
