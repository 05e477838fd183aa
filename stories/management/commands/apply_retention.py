import datetime
from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from ole import erasures
from ole.pagecache import delete_expired
from ole.ratelimit import delete_closed_windows
from series.models import Comment, ImportRun, Post
from series.models.comments import CONTACT_ERASED
from series.services import empty_trash
from series.wordpress.importer import remove_half_imported
from stories.models import ContactMessage, Story


class Command(BaseCommand):
    help = (
        "Remove personal data OLE no longer needs: declined stories after OLE_RETENTION_DAYS (their text, photo, "
        "messages, notes and the writer's details, as a withdrawal deletes them; the anonymous history stays), "
        '"Write to us" messages OLE_RETENTION_DAYS after they were closed, '
        "the contact details of comments marked as spam a week ago, posts and comments in the trash for "
        f"{Post.TRASH_DAYS} days, rate-limit counters "
        "whose window has closed, cached pages past their time, and the exports and half-written posts of "
        "WordPress imports abandoned a day ago. Nothing else is deleted. Safe to run daily, "
        "to interrupt and to re-run."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        erased = sum(story.erase_when_expired() for story in Story.objects.past_retention().iterator())
        messages = ContactMessage.objects.past_retention().erase()
        spam_cutoff = timezone.now() - datetime.timedelta(days=7)
        expired = list(
            Comment.objects.filter(status=Comment.Status.SPAM, marked_spam_at__lt=spam_cutoff)
            .exclude(email="", website="")
            .values_list("pk", "created")
        )
        erasures.record_many(CONTACT_ERASED, expired)  # a restore drops them again
        spam = Comment.objects.filter(pk__in=[pk for pk, _created in expired]).update(email="", website="")
        trashed_posts, trashed_comments = empty_trash()
        counters = delete_closed_windows()
        pages = delete_expired()
        imports = ImportRun.objects.abandon_stale()
        a_day_ago = timezone.now() - datetime.timedelta(days=1)
        half_imported_posts = remove_half_imported(Post.objects.being_imported().filter(updated__lt=a_day_ago))
        self.stdout.write(
            f"Erased {erased} declined stories, {messages} closed messages and the contact details of {spam} spam; "
            f"emptied the trash of {trashed_posts} posts and {trashed_comments} comments; "
            f"removed {counters} closed rate-limit counters and {pages} expired cached pages; "
            f"ended {imports} abandoned WordPress imports and deleted their exports, "
            f"and {half_imported_posts} posts an interrupted import left unseen."
        )
