"""The community under each post: threaded comments (and, later, pingbacks), their moderation and likes."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.core import signing
from django.db import models, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from ole import erasures, pagecache
from ole.outbox import queue_email
from ole.privacy import scrub_admin_log
from ole.text import render_comment
from ole.workflow import InvalidTransition

from .posts import ContentNote, Post, live_posts

EDIT_SALT = "series.comment-edit"
UNSUBSCRIBE_SALT = "series.comment-unsubscribe"
ERASE_SALT = "series.comment-erase"
ERASE_DAYS = 60
CONFIRM_SALT = "series.comment-confirm"
CONFIRM_DAYS = 7
# Kinds of line in the erasure ledger (ole/erasures.py): a comment removed by its writer (or erased with its
# address), one taken down by the editors, and a spam comment's contact details dropped by retention.
ERASED_BY_WRITER = "comment.removed"
ERASED_BY_EDITORS = "comment.taken_down"
CONTACT_ERASED = "comment.contact"
# Why a comment waits when its address has approved comments but this browser never commented with it. The one
# hold a confirmation link sent to that address can lift.
UNPROVEN_ADDRESS = "An approved commenter's address, sent from a browser that has not commented with it"


class CommunitySettings(models.Model):
    """Site-wide rules for comments, kept in one row that editors change in the admin."""

    reply_depth = models.PositiveSmallIntegerField(
        default=3, help_text="How deep replies nest. A reply below this depth joins the deepest allowed level."
    )
    close_after_days = models.PositiveSmallIntegerField(
        default=90, help_text="Comments close by themselves this many days after a post is published (0: never)."
    )
    max_links = models.PositiveSmallIntegerField(default=2, help_text="A comment with more links is held.")
    edit_minutes = models.PositiveSmallIntegerField(
        default=30, help_text="For how long after posting a commenter can edit or delete their comment."
    )

    class Meta:
        verbose_name = verbose_name_plural = "community settings"

    def __str__(self) -> str:
        return "Community settings"

    @classmethod
    def current(cls) -> CommunitySettings:
        """The rules, in their one row."""
        return cls.objects.get_or_create(pk=1)[0]


class CommentQuerySet(models.QuerySet):
    def shown(self) -> CommentQuerySet:
        """What everyone sees in a thread: approved comments, and placeholders for removed ones."""
        return self.filter(status__in=Comment.SHOWN, trashed_at__isnull=True)

    def visible_to(self, own_ids: Iterable[int]) -> CommentQuerySet:
        """What one browser sees in a thread: what everyone sees, and its own comments waiting for moderation."""
        return self.filter(
            models.Q(status__in=Comment.SHOWN) | models.Q(pk__in=own_ids, status=Comment.Status.PENDING),
            trashed_at__isnull=True,
        )

    def held(self) -> CommentQuerySet:
        return self.filter(status=Comment.Status.PENDING, trashed_at__isnull=True).order_by("-created")


class CommentManager(models.Manager.from_queryset(CommentQuerySet)):
    """`Comment.objects`: every comment but those in the trash, or under a post in the trash (no link, like or
    email reaches them). `Comment.everything` includes them: the admin, erasure and retention use it, and so do
    relations such as `post.comments`, filtered by `shown()`."""

    def get_queryset(self) -> CommentQuerySet:
        return super().get_queryset().filter(trashed_at__isnull=True, post__trashed_at__isnull=True)

    def in_feeds(self) -> CommentQuerySet:
        """Comments a comment feed lists: approved ones (not pingbacks) on posts visitors may see."""
        return self.shown().filter(live_posts("post__"), status=Comment.Status.APPROVED, kind=Comment.Kind.COMMENT)


class Comment(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for moderation"
        APPROVED = "approved", "Approved"
        SPAM = "spam", "Spam"
        REMOVED = "removed", "Removed by its writer"
        TAKEN_DOWN = "taken_down", "Removed by the editors"
        UNVERIFIED = "unverified", "Mention not yet verified"

    SHOWN = (Status.APPROVED, Status.REMOVED, Status.TAKEN_DOWN)
    HIDDEN_WHEN_NEW = (Status.PENDING, Status.SPAM, Status.UNVERIFIED)

    class Kind(models.TextChoices):
        COMMENT = "comment", "Comment"
        PINGBACK = "pingback", "Pingback"
        WEBMENTION = "webmention", "Webmention"

    class Role(models.TextChoices):
        READER = "", "Reader"
        AUTHOR = "author", "Author"
        EDITOR = "editor", "Editor"

    NAME_MAX = 80
    BODY_MAX = 5000

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies")
    addressed_to = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The comment a reply answered, when the thread was too deep to nest it under that comment.",
    )
    depth = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.COMMENT)
    name = models.CharField(max_length=NAME_MAX)
    email = models.EmailField(blank=True, help_text="Private: never shown, never in feeds or page source.")
    website = models.URLField(blank=True, max_length=300)
    body = models.TextField(max_length=BODY_MAX)
    body_html = models.TextField(editable=False, default="")
    notify_replies = models.BooleanField(default=False)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    role = models.CharField(max_length=10, choices=Role.choices, blank=True, default=Role.READER)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    held_reason = models.CharField(max_length=200, blank=True)
    like_count = models.PositiveIntegerField(default=0)
    created = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    marked_spam_at = models.DateTimeField(null=True, blank=True, editable=False)
    form_key = models.UUIDField(
        null=True, blank=True, unique=True, editable=False, help_text="The one-time key of the form it came from."
    )
    source_url = models.URLField(
        max_length=2000, blank=True, help_text="For a pingback or webmention: the page that links to the post."
    )
    next_check_at = models.DateTimeField(
        null=True, blank=True, help_text="When the linking page is (re)checked; empty once checked."
    )
    consent_wording = models.CharField(
        max_length=20,
        blank=True,
        editable=False,
        help_text="The version of the consent line (series/consent.py) the writer posted under; "
        "empty for pingbacks and webmentions, which are not anyone's consent.",
    )
    consented_at = models.DateTimeField(null=True, blank=True, editable=False)
    trashed_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="In the trash since then: hidden everywhere, deleted for good after Post.TRASH_DAYS.",
    )
    content_notes = models.ManyToManyField(
        ContentNote,
        blank=True,
        related_name="+",
        help_text="What the writer said their comment talks about, shown before it. A note such as "
        "“suicidal thoughts” holds it and alerts the editors, as words of crisis do.",
    )

    everything = CommentQuerySet.as_manager()
    objects = CommentManager()

    class Meta:
        default_manager_name = "everything"
        ordering = ["created", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["post", "source_url", "kind"],
                condition=~models.Q(kind="comment"),
                name="comment_one_mention_per_source",
            ),
        ]
        indexes = [
            models.Index(fields=["next_check_at"], name="comment_mention_check_idx"),
            models.Index(fields=["post", "status", "created"], name="comment_thread_idx"),
            models.Index(fields=["status", "created"], name="comment_queue_idx"),
            models.Index(fields=["email", "status"], name="comment_known_writer_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name} on “{self.post}”"

    def save(self, *args, **kwargs) -> None:
        update_fields = kwargs.get("update_fields")
        if update_fields is None or "body" in update_fields:
            self.body_html = render_comment(self.body)
        super().save(*args, **kwargs)
        self.status_when_read = self.status

    def get_absolute_url(self) -> str:
        return f"{self.post.get_absolute_url()}#comment-{self.pk}"

    @classmethod
    def from_db(cls, db, field_names, values) -> Comment:
        comment = super().from_db(db, field_names, values)
        comment.status_when_read = comment.__dict__.get("status")
        return comment

    def seen_by_nobody(self, *, created: bool) -> bool:
        """Hidden now, and new or hidden when it was read: saving or deleting it changes no page (a held comment,
        a mention checked again), so no one outside can make every page render afresh."""
        before = getattr(self, "status_when_read", None)
        return self.status in self.HIDDEN_WHEN_NEW and (created or before in self.HIDDEN_WHEN_NEW)

    # Links the writer holds -------------------------------------------------------------------

    def edit_token(self) -> str:
        return signing.TimestampSigner(salt=EDIT_SALT).sign(str(self.pk))

    def get_edit_url(self) -> str:
        return reverse("series:comment_edit", kwargs={"pk": self.pk, "token": self.edit_token()})

    @classmethod
    def from_edit_token(cls, pk: int, token: str, *, minutes: int) -> Comment | None:
        """The comment a still-valid edit link opens, or None (wrong, tampered or too old)."""
        try:
            value = signing.TimestampSigner(salt=EDIT_SALT).unsign(token, max_age=datetime.timedelta(minutes=minutes))
        except signing.BadSignature:
            return None
        if value != str(pk):
            return None
        # The window runs from when the comment was written, however recently the link was made.
        since = timezone.now() - datetime.timedelta(minutes=minutes)
        return cls.objects.filter(
            pk=pk, status__in=(cls.Status.PENDING, cls.Status.APPROVED), created__gte=since
        ).first()

    def unsubscribe_token(self) -> str:
        return signing.Signer(salt=UNSUBSCRIBE_SALT).sign(str(self.pk))

    def get_unsubscribe_url(self) -> str:
        return reverse("series:comment_unsubscribe", kwargs={"token": self.unsubscribe_token()})

    @classmethod
    def from_unsubscribe_token(cls, token: str) -> Comment | None:
        try:
            pk = int(signing.Signer(salt=UNSUBSCRIBE_SALT).unsign(token))
        except (signing.BadSignature, ValueError):
            return None
        return cls.objects.filter(pk=pk).first()

    def stop_reply_emails(self) -> None:
        """No more reply emails for this address's comments in the conversation under this post, not just this one."""
        Comment.objects.filter(post=self.post_id, email__iexact=self.email).update(notify_replies=False)

    def get_confirm_url(self) -> str:
        """A link, sent only to this comment's address, that proves the commenter reads that address."""
        token = signing.TimestampSigner(salt=CONFIRM_SALT).sign(str(self.pk))
        return reverse("series:comment_confirm", kwargs={"token": token})

    @classmethod
    def from_confirm_token(cls, token: str) -> Comment | None:
        """The waiting comment a still-valid confirmation link names, or None."""
        signer = signing.TimestampSigner(salt=CONFIRM_SALT)
        try:
            pk = signer.unsign(token, max_age=datetime.timedelta(days=CONFIRM_DAYS))
        except signing.BadSignature:
            return None
        waiting = cls.objects.select_related("post").filter(status=cls.Status.PENDING)
        return waiting.filter(pk=pk).first() if pk.isdigit() else None

    def erase_url(self) -> str:
        """A link that erases every comment written from this comment's address (and the address itself).

        It is only ever sent *to* that address: having it proves the address is yours. It signs this comment's
        number, not the address, so no address appears in a URL; the address is read from the comment when used.
        """
        token = signing.TimestampSigner(salt=ERASE_SALT).sign(str(self.pk))
        return reverse("series:comment_erase", kwargs={"token": token})

    @classmethod
    def from_erase_token(cls, token: str) -> Comment | None:
        """The comment a still-valid erase link names, if it still has an address to erase; else None."""
        try:
            pk = signing.TimestampSigner(salt=ERASE_SALT).unsign(token, max_age=datetime.timedelta(days=ERASE_DAYS))
        except signing.BadSignature:
            return None
        if not pk.isdigit():
            return None
        return cls.everything.filter(pk=pk, kind=cls.Kind.COMMENT).exclude(email="").first()

    @classmethod
    def erase_all_from(cls, token: str) -> int | None:
        """Erase the comments of the address a signed link leads to; None when the link is not valid or too old."""
        named = cls.from_erase_token(token)
        if named is None:
            return None
        erased = 0
        # Those in the trash too: an erasure bypasses it.
        for comment in cls.everything.filter(email__iexact=named.email, kind=cls.Kind.COMMENT).select_related("post"):
            comment.erase()
            erased += 1
        return erased

    # Moderation: the only places a comment's status changes -----------------------------------

    @property
    def is_shown(self) -> bool:
        return self.status in self.SHOWN

    def _require(self, allowed: Iterable[str], action: str) -> None:
        if self.status not in allowed:
            raise InvalidTransition(f"This comment is {self.get_status_display().lower()}; it cannot be {action}.")

    def _move_to(self, status: str, *, held_reason: str = "", fields: Iterable[str] = ()) -> None:
        """Change state and recount the post's comments, in one transaction."""
        with transaction.atomic():
            self.status = status
            self.held_reason = held_reason[:200]
            self.save(update_fields=["status", "held_reason", *fields])
            self.post.refresh_comment_count()

    def approve(self) -> None:
        """Publish a held comment (or one marked spam by mistake), and tell whoever waits for replies."""
        self._require((self.Status.PENDING, self.Status.SPAM), "approved")
        with transaction.atomic():
            self._move_to(self.Status.APPROVED)
            self.announce()

    def confirm_address(self) -> bool:
        """The commenter followed the link sent to this comment's address: that lifts the unproven-address hold.

        Published at once when nothing else holds it and the address does have an approved comment; otherwise it
        stays for an editor, without that reason. Returns whether it is now published."""
        self._require((self.Status.PENDING,), "confirmed")
        reasons = [reason for reason in self.held_reason.split("; ") if reason and reason != UNPROVEN_ADDRESS]
        approved_before = Comment.objects.filter(email__iexact=self.email, status=self.Status.APPROVED).exists()
        if not reasons and approved_before:
            self.approve()
            return True
        self._move_to(self.Status.PENDING, held_reason="; ".join(reasons) or self.held_reason)
        return False

    def hold(self, reasons: Iterable[str]) -> None:
        """Take a comment (back) to the moderation queue, saying why: e.g. an edit the rules would hold."""
        self._require((self.Status.PENDING, self.Status.APPROVED), "held for moderation")
        self._move_to(self.Status.PENDING, held_reason="; ".join(reasons))

    def verify_mention(self, *, hold_reasons: Iterable[str]) -> None:
        """A pingback or webmention whose page was found to link here: held when the rules say so, else shown."""
        if self.kind == self.Kind.COMMENT:
            raise InvalidTransition("Only a pingback or webmention is verified.")
        self._require((self.Status.UNVERIFIED,), "verified again")
        reasons = "; ".join(hold_reasons)
        self._move_to(self.Status.PENDING if reasons else self.Status.APPROVED, held_reason=reasons)

    def mark_spam(self) -> None:
        """Hide a comment as spam; it can still be approved later if that was a mistake."""
        self._require((self.Status.PENDING, self.Status.APPROVED, self.Status.UNVERIFIED), "marked as spam")
        self.marked_spam_at = timezone.now()
        self._move_to(self.Status.SPAM, held_reason=self.held_reason, fields=["marked_spam_at"])

    def remove(self) -> None:
        """An editor takes a comment down: gone, or a "removed by the editors" placeholder if others replied."""
        self._require((self.Status.PENDING, self.Status.APPROVED, self.Status.SPAM), "removed")
        self._remove_as(self.Status.TAKEN_DOWN)

    def remove_by_writer(self) -> None:
        """The writer deletes their comment (through its edit link): gone, or a placeholder if others replied."""
        self._require((self.Status.PENDING, self.Status.APPROVED), "deleted")
        self._remove_as(self.Status.REMOVED, by_writer=True)

    def erase(self) -> None:
        """The owner of the address erases the comment, whatever its state: gone, or a placeholder if others
        replied."""
        if self.kind != self.Kind.COMMENT:
            raise InvalidTransition("Only a comment is erased by its writer.")
        self._remove_as(self.Status.REMOVED, by_writer=True)

    def report(self, *, reason: str, note: str = "") -> CommentReport:
        """A reader flags an approved comment for the editors; it stays shown until an editor decides."""
        self._require((self.Status.APPROVED,), "reported")
        return CommentReport.objects.create(comment=self, reason=reason, note=note)

    def keep_despite_reports(self, editor) -> int:
        """An editor read the reports and keeps the comment: they leave the queue. Returns how many."""
        answered = self.reports.open().update(resolved_at=timezone.now(), resolved_by=editor)
        if not answered:
            raise InvalidTransition("This comment has no reports waiting.")
        return answered

    def _remove_as(self, placeholder: str, *, by_writer: bool = False) -> None:
        with transaction.atomic():
            erasures.record(ERASED_BY_WRITER if by_writer else ERASED_BY_EDITORS, self.pk, self.created)
            self.reports.all().delete()  # decided; and a report may quote the words that are going
            if by_writer:  # the admin's history forgets the writer's name and words too (while the pk is known)
                scrub_admin_log(self, "Comment removed by its writer")
            if self.replies.shown().exists():
                self.body = self.name = self.email = self.website = ""
                self.notify_replies = False
                self._move_to(placeholder, fields=["body", "body_html", "name", "email", "website", "notify_replies"])
            else:
                self.delete()
                self.post.refresh_comment_count()
            pagecache.text_erased()

    # The trash --------------------------------------------------------------------------------

    def trash(self) -> None:
        """Move the comment to the trash: hidden at once (its replies with it, as their thread is), kept for a
        restore, deleted for good after Post.TRASH_DAYS."""
        if self.trashed_at is not None:
            raise InvalidTransition("This comment is already in the trash.")
        with transaction.atomic():
            self.trashed_at = timezone.now()
            self.save(update_fields=["trashed_at"])  # stored pages go too (SeriesConfig.ready: erases)
            self.post.refresh_comment_count()

    def restore_from_trash(self) -> None:
        """Take the comment out of the trash, in the state it was in."""
        if self.trashed_at is None:
            raise InvalidTransition("This comment is not in the trash.")
        with transaction.atomic():
            self.trashed_at = None
            self.save(update_fields=["trashed_at"])
            self.post.refresh_comment_count()

    @property
    def replying_to(self) -> Comment | None:
        """Whom a reply answers: the comment it was written to, even if the thread placed it higher."""
        return self.addressed_to or self.parent

    def announce(self) -> None:
        """Queue the emails a newly visible comment causes: a reply notice, and the contributor's notice."""
        answered = self.replying_to
        if answered and answered.notify_replies and answered.email and answered.email.lower() != self.email.lower():
            queue_email("comment.reply", self)
        contributor = self.post.contributor
        wrote_it = self.author_id is not None and self.author_id == contributor.user_id
        if contributor.email_on_comments and contributor.user_id and contributor.user.email and not wrote_it:
            queue_email("comment.for_contributor", self)

    def like(self) -> None:
        """One more like, as a single atomic UPDATE: no read, no lock held past the statement."""
        Comment.objects.filter(pk=self.pk).update(like_count=F("like_count") + 1)
        pagecache.post_changed(self.post.slug)


def _remove_again(placeholder: str, *, by_writer: bool):
    def replay(pk: str, created: datetime.datetime) -> bool:
        comment = Comment.objects.select_related("post").filter(pk=int(pk), created=created).first()
        if comment is None or (comment.status == placeholder and not (comment.body or comment.email)):
            return False
        comment._remove_as(placeholder, by_writer=by_writer)
        return True

    return replay


def _drop_contact_again(pk: str, created: datetime.datetime) -> bool:
    return bool(
        Comment.objects.filter(pk=int(pk), created=created).exclude(email="", website="").update(email="", website="")
    )


erasures.register(ERASED_BY_WRITER, _remove_again(Comment.Status.REMOVED, by_writer=True))
erasures.register(ERASED_BY_EDITORS, _remove_again(Comment.Status.TAKEN_DOWN, by_writer=False))
erasures.register(CONTACT_ERASED, _drop_contact_again)


class EraseLinkRequest(models.Model):
    """Someone asked for an erase link for the comments of an address. The request only records the address and
    queues one job, whether or not the address has comments, so the page answers alike either way; the worker
    looks a comment up, queues the link to its address and deletes the request (and the address with it)."""

    email = models.EmailField(max_length=254)
    created = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Erase-link request {self.pk}"

    @classmethod
    def make(cls, email: str) -> EraseLinkRequest:
        with transaction.atomic():
            request = cls.objects.create(email=email)
            queue_email("comments.erase_request", request)
        return request

    def resolve(self) -> Comment | None:
        """Queue the erase link to the address, named by its latest comment (none without one); forget the
        request. Returns the comment the link names."""
        with transaction.atomic():
            comment = (
                Comment.everything.filter(email__iexact=self.email, kind=Comment.Kind.COMMENT)
                .exclude(email="")
                .order_by("-created", "-pk")
                .first()
            )
            if comment is not None:
                queue_email("comment.erase_link", comment)
            self.delete()
        return comment


class CommentReportQuerySet(models.QuerySet):
    def open(self) -> CommentReportQuerySet:
        return self.filter(resolved_at__isnull=True)


class CommentReport(models.Model):
    """A reader's flag on an approved comment. Who reported is not kept (only a keyed count against floods)."""

    class Reason(models.TextChoices):
        UNKIND = "unkind", "It is unkind, abusive or bullying"
        UNSAFE = "unsafe", "It could put someone at risk (self-harm, doses, dangerous advice)"
        PRIVATE = "private", "It shares someone's private details"
        SPAM = "spam", "It is spam or advertising"
        OTHER = "other", "Something else"

    NOTE_MAX = 500

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="reports")
    reason = models.CharField(max_length=10, choices=Reason.choices)
    note = models.TextField(max_length=NOTE_MAX, blank=True)
    created = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    objects = CommentReportQuerySet.as_manager()

    class Meta:
        ordering = ["created", "pk"]
        indexes = [models.Index(fields=["resolved_at", "comment"], name="report_open_idx")]

    def __str__(self) -> str:
        return f"Report on comment {self.comment_id}: {self.get_reason_display()}"
