"""Reader stories: a submission, its editorial workflow, the conversation around it and its consent."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable
from functools import wraps

from django.conf import settings
from django.core import signing
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from ole import erasures, images
from ole.models import SafetyTerm
from ole.outbox import cancel_for, queue_email
from ole.privacy import scrub_admin_log
from ole.safety import CRISIS, IDENTITY, MEDICATION, flags_for
from ole.storage import delete_files_on_commit, get_private_storage
from ole.workflow import InvalidTransition
from series.models import ContentNote, Series, Topic

STATUS_LINK_SALT = "stories.status-link"
# Kinds of line in the erasure ledger (ole/erasures.py).
WITHDRAWN = "story.withdrawn"
EXPIRED = "story.expired"


def transition(method):
    """Run a state change on the story's current row, locked: a stale copy (a writer withdrawing while an
    editor promotes, two editors at once) re-reads the state first, so its guard sees the truth."""

    @wraps(method)
    def locked(self, *args, **kwargs):
        with transaction.atomic():
            self.lock()
            return method(self, *args, **kwargs)

    return locked


class ConsentVersion(models.Model):
    """The exact wording a writer agreed to. A new version is added, never edited, when the wording changes."""

    version = models.PositiveSmallIntegerField(unique=True)
    publish_text = models.TextField(help_text="Consent to publish the story.")
    editing_text = models.TextField(help_text="Consent to light editing, with approval before publication.")
    age_text = models.TextField(help_text="Confirmation that the writer is 18 or older.")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"Consent wording v{self.version}"

    @classmethod
    def current(cls) -> ConsentVersion:
        return cls.objects.order_by("-version").first()


class StoryQuerySet(models.QuerySet):
    def awaiting_editors(self) -> StoryQuerySet:
        """The editors' queue: stories that wait on an editor, urgent first, then the longest-waiting."""
        return self.filter(status__in=Story.EDITOR_TURN).order_by("-urgent", "status_changed_at", "pk")

    def past_retention(self) -> StoryQuerySet:
        """Declined stories whose retention period is over and that still hold the writer's words or details."""
        return self.filter(status=Story.Status.DECLINED, status_changed_at__lt=retention_cutoff()).exclude(body="")

    def for_email(self, email: str) -> StoryQuerySet:
        return self.filter(email__iexact=email.strip()).exclude(status=Story.Status.WITHDRAWN)


class Story(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", "Submitted"
        IN_REVIEW = "in_review", "In review"
        CHANGES_REQUESTED = "changes_requested", "Changes requested"
        EDITS_PROPOSED = "edits_proposed", "Edits proposed (awaiting the writer)"
        APPROVED = "approved", "Approved"
        PUBLISHED = "published", "Published"
        DECLINED = "declined", "Declined"
        WITHDRAWN = "withdrawn", "Withdrawn"

    class Credit(models.TextChoices):
        PEN_NAME = "pen_name", "A pen name"
        FIRST_NAME = "first_name", "My first name"
        ANONYMOUS = "anonymous", "Anonymous"

    EDITOR_TURN = (Status.SUBMITTED, Status.IN_REVIEW, Status.APPROVED)
    WRITER_CAN_EDIT = (Status.SUBMITTED, Status.CHANGES_REQUESTED)
    CLOSED = (Status.DECLINED, Status.WITHDRAWN)
    OPEN = (*EDITOR_TURN, Status.CHANGES_REQUESTED, Status.EDITS_PROPOSED)
    # The editors' steps: the states each may start from, and the words of its refusal. The guards below and the
    # story page's buttons (available_steps) both read this, so a button is shown exactly when its step is legal.
    EDITOR_STEPS = {
        "start_review": ((Status.SUBMITTED,), "taken into review"),
        "assign": (OPEN, "assigned"),
        "request_changes": ((Status.IN_REVIEW, Status.EDITS_PROPOSED), "sent back for changes"),
        "propose_edits": ((Status.IN_REVIEW, Status.PUBLISHED), "given proposed edits"),
        "withdraw_proposal": ((Status.EDITS_PROPOSED,), "have its proposed edits withdrawn"),
        "approve": ((Status.IN_REVIEW,), "approved"),
        "decline": (OPEN, "declined"),
        "promote": ((Status.APPROVED, Status.PUBLISHED), "published"),
        "clear_urgent": (tuple(Status.values), "cleared of its urgent mark"),
    }
    PLAIN_WORDS = {
        Status.SUBMITTED: "We have your story. An editor will read it soon.",
        Status.IN_REVIEW: "An editor is reading your story.",
        Status.CHANGES_REQUESTED: (
            "The editors have asked for some changes. Their message is below; you can edit your story."
        ),
        Status.EDITS_PROPOSED: "The editors suggest an edited version. Please look at it below: approve it, or reply.",
        Status.APPROVED: "Your story has been approved and will be published soon.",
        Status.PUBLISHED: "Your story is published.",
        Status.DECLINED: "We are not able to publish this story. The editors' message is below.",
        Status.WITHDRAWN: "You withdrew this story. Its text and your details have been deleted.",
    }
    TITLE_MAX = 150
    BODY_MAX_WORDS = 5000
    BODY_MIN_WORDS = 50
    BODY_MAX_CHARS = 40_000
    PHOTO_ALT_MAX = 200

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    link_version = models.PositiveIntegerField(default=1, editable=False)
    submission_key = models.UUIDField(unique=True, null=True, blank=True, editable=False)

    title = models.CharField(max_length=TITLE_MAX)
    body = models.TextField(max_length=BODY_MAX_CHARS)
    credit = models.CharField(max_length=12, choices=Credit.choices, default=Credit.PEN_NAME)
    credit_name = models.CharField(max_length=60, blank=True)
    email = models.EmailField(help_text="Private: for the editors only, never shown in public.")
    photo = images.CheckedImageField(
        folder="stories",
        blank=True,
        storage=get_private_storage,
        help_text="Kept in private storage; a published post gets its own public copy.",
    )
    photo_alt = models.CharField(
        "photo description",
        max_length=PHOTO_ALT_MAX,
        blank=True,
        help_text="The writer's description of their photo: its alt text here and on the post made from the story.",
    )
    content_notes = models.ManyToManyField(ContentNote, blank=True, related_name="stories")
    suggested_tags = models.CharField(max_length=200, blank=True)
    series = models.ForeignKey(Series, null=True, blank=True, on_delete=models.SET_NULL, related_name="stories")

    consent_version = models.ForeignKey(ConsentVersion, on_delete=models.PROTECT, related_name="stories")
    consented_at = models.DateTimeField()
    consent_publish = models.BooleanField()
    consent_editing = models.BooleanField()
    consent_adult = models.BooleanField()

    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SUBMITTED)
    status_changed_at = models.DateTimeField(default=timezone.now, help_text="When the story last changed state.")
    submitted_at = models.DateTimeField(auto_now_add=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="assigned_stories"
    )

    flag_identity = models.BooleanField("identity may leak", default=False)
    flag_medication = models.BooleanField("medication advice", default=False)
    flag_crisis = models.BooleanField("writer may be in crisis", default=False)
    urgent = models.BooleanField(default=False, help_text="Set when the writer may be in crisis: top of the queue.")

    # The editors' proposed version, whole: the writer approves it or not. For a published story it also holds
    # the post's card text (excerpt) and tags; the content notes are the writer's (editors add their own to the
    # post directly, and remove one of the writer's only through this).
    proposed_title = models.CharField(max_length=TITLE_MAX, blank=True)
    proposed_body = models.TextField(max_length=BODY_MAX_CHARS, blank=True)
    proposed_excerpt = models.TextField(max_length=500, blank=True)
    proposed_tags = models.ManyToManyField(Topic, blank=True, related_name="+")
    proposed_content_notes = models.ManyToManyField(ContentNote, blank=True, related_name="+")

    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="approved_stories"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    post = models.OneToOneField("series.Post", null=True, blank=True, on_delete=models.SET_NULL, related_name="story")

    objects = StoryQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "stories"
        ordering = ["-urgent", "status_changed_at"]
        indexes = [models.Index(fields=["status", "urgent", "status_changed_at"], name="story_queue_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="withdrawn") | Q(consent_publish=True, consent_editing=True, consent_adult=True),
                name="story_needs_every_consent",
            ),
            models.CheckConstraint(condition=Q(photo="") | ~Q(photo_alt=""), name="story_photo_is_described"),
        ]

    def __str__(self) -> str:
        return self.title or f"Story {self.pk} ({self.get_status_display().lower()}, erased)"

    # The private link -------------------------------------------------------------------------

    def status_token(self) -> str:
        """The private link's key: signed with the site's secret, and void once a new link is issued."""
        return signing.dumps({"s": self.public_id.hex, "v": self.link_version}, salt=STATUS_LINK_SALT)

    def get_status_url(self) -> str:
        return reverse("stories:status", kwargs={"token": self.status_token()})

    @classmethod
    def from_token(cls, token: str) -> Story | None:
        try:
            data = signing.loads(token, salt=STATUS_LINK_SALT)
            story = cls.objects.get(public_id=uuid.UUID(hex=data["s"]))
        except (signing.BadSignature, cls.DoesNotExist, KeyError, TypeError, ValueError):
            return None
        return story if story.link_version == data.get("v") else None

    def send_link(self) -> None:
        """Email the writer their current private link again (for a lost link; nothing is voided)."""
        queue_email("story.link", self)

    @transition
    def issue_new_link(self) -> None:
        """Void every earlier link and email the writer the new one."""
        with transaction.atomic():
            self.link_version += 1
            self.save(update_fields=["link_version"])
            queue_email("story.new_link", self)

    def export(self) -> dict:
        """Everything OLE holds about this story, for the writer to download."""
        return {
            "title": self.title,
            "story": self.body,
            "status": self.get_status_display(),
            "credited_as": self.public_credit,
            "credit_choice": self.get_credit_display(),
            "name_given": self.credit_name,
            "email": self.email,
            "photo": bool(self.photo),
            "photo_description": self.photo_alt,
            "content_notes": [note.name for note in self.content_notes.all()],
            "suggested_tags": self.suggested_tags,
            "series": self.series.title if self.series_id else None,
            "submitted_at": self.submitted_at.isoformat(),
            "consent": {
                "version": self.consent_version.version,
                "given_at": self.consented_at.isoformat(),
                "to_publish": self.consent_version.publish_text,
                "to_light_editing": self.consent_version.editing_text,
                "age": self.consent_version.age_text,
            },
            "proposed_edit": {
                "title": self.proposed_title,
                "story": self.proposed_body,
                "excerpt": self.proposed_excerpt,
                "content_notes": [note.name for note in self.proposed_content_notes.all()],
                "tags": [tag.name for tag in self.proposed_tags.all()],
            }
            if self.proposed_body
            else None,
            "messages": [
                {"from": "editors" if m.from_editor else "you", "at": m.created.isoformat(), "text": m.body}
                for m in self.messages.all()
            ],
            "history": [
                {"at": e.created.isoformat(), "from": e.get_from_status_display(), "to": e.get_to_status_display()}
                for e in self.events.for_writer()
            ],
            "published_at": self.post.get_absolute_url() if self.post_id else None,
        }

    # What readers and editors see ---------------------------------------------------------------

    @property
    def public_credit(self) -> str:
        if self.credit == self.Credit.ANONYMOUS or not self.credit_name.strip():
            return "Anonymous"
        return self.credit_name.strip()

    @property
    def plain_status(self) -> str:
        if self.status == self.Status.DECLINED and self.is_erased:
            return (
                "We were not able to publish this story. Its text, photo, our messages and your details were "
                f"deleted {settings.OLE_RETENTION_DAYS} days after it was declined, as our privacy page says."
            )
        return self.PLAIN_WORDS[self.status]

    @property
    def is_erased(self) -> bool:
        """Withdrawn, or declined past the retention period: nothing of the writer's is held any more."""
        return self.status in self.CLOSED and not self.body

    @property
    def days_waiting(self) -> int:
        return (timezone.now() - self.status_changed_at).days

    @property
    def flags(self) -> list[str]:
        names = {IDENTITY: self.flag_identity, MEDICATION: self.flag_medication, CRISIS: self.flag_crisis}
        return [name for name, raised in names.items() if raised]

    @property
    def has_proposal(self) -> bool:
        return self.status == self.Status.EDITS_PROPOSED and bool(self.proposed_body)

    def refresh_flags(self, *, content_notes: Iterable[ContentNote] | None = None) -> None:
        """Recompute the safety flags from the current text (the word lists are editable in the admin) and the
        writer's content notes: a writer who says their story is about suicidal thoughts or self-harm is
        speaking about themselves, so such a note (ContentNote.signals_crisis) marks the story urgent too.
        `content_notes` are the notes about to be saved with a new story; otherwise its saved ones count."""
        terms = SafetyTerm.phrases()
        text = "\n".join([self.title, self.body, self.credit_name, self.suggested_tags, self.photo_alt])
        found = flags_for(text, crisis_terms=terms["crisis"], medication_terms=terms["medication"])
        if content_notes is None:
            content_notes = self.content_notes.all() if self.pk else []
        self.flag_identity = IDENTITY in found
        self.flag_medication = MEDICATION in found
        self.flag_crisis = CRISIS in found or any(note.signals_crisis for note in content_notes)
        self.urgent = self.flag_crisis

    # Transitions: each guarded, each recorded ---------------------------------------------------

    def lock(self) -> None:
        """Lock this story's row until the transaction ends, and reload it (the lock makes the data current)."""
        list(Story.objects.select_for_update().filter(pk=self.pk).values_list("pk"))
        self.refresh_from_db()

    def notify_writer_of_message(self, message: StoryMessage) -> None:
        """Email the writer the editors' message."""
        queue_email("story.message", message)

    def _cancel_queued_emails(self) -> None:
        ids = {
            "story": [self.pk],
            "event": list(self.events.values_list("pk", flat=True)),
            "message": list(self.messages.values_list("pk", flat=True)),
        }
        for source, object_ids in ids.items():
            kinds = [kind for kind, kind_source in WRITER_EMAIL_SOURCES.items() if kind_source == source]
            cancel_for(kinds, object_ids)

    def _require(self, allowed: tuple[str, ...], action: str) -> None:
        if self.status not in allowed:
            raise InvalidTransition(f"A story that is “{self.get_status_display().lower()}” cannot be {action}.")

    def step_refusal(self, step: str) -> str | None:
        """Why the editors' `step` cannot be taken now, or None when it can: the one rule behind each step's guard
        and the story page's buttons."""
        allowed, action = self.EDITOR_STEPS[step]
        if self.status not in allowed:
            return f"A story that is “{self.get_status_display().lower()}” cannot be {action}."
        if step in ("request_changes", "decline") and self.post_id:
            return {
                "request_changes": "A published story is not sent back for changes: propose edits instead.",
                "decline": "A published story is not declined: its writer can withdraw it.",
            }[step]
        if step == "clear_urgent" and not self.urgent:
            return "This story is not marked urgent."
        if step == "promote" and self.post_id and self.post.trashed_at is not None:
            return "The story's post is in the trash: restore it from there first."
        return None

    def require_step(self, step: str) -> None:
        """Refuse (InvalidTransition) an editors' step the story's state does not allow."""
        if (refusal := self.step_refusal(step)) is not None:
            raise InvalidTransition(refusal)

    def available_steps(self) -> list[str]:
        """The editors' steps legal from the story's current state, in EDITOR_STEPS order."""
        return [step for step in self.EDITOR_STEPS if self.step_refusal(step) is None]

    def _move_to(
        self, status: str, *, by=None, by_writer: bool = False, message: str = "", fields=(), notify: str = ""
    ) -> StoryEvent:
        """Change state, record who did it and why, and queue the writer's email, all in one transaction."""
        with transaction.atomic():
            previous = self.status
            self.status = status
            self.status_changed_at = timezone.now()
            self.save(update_fields=["status", "status_changed_at", *fields])
            event = StoryEvent.objects.create(
                story=self, from_status=previous, to_status=status, actor=by, by_writer=by_writer, message=message
            )
            if notify:
                # The email names the event, so it carries this step's message even if it is sent late.
                queue_email(notify, event)
            return event

    def _message_required(self, message: str) -> str:
        if not message.strip():
            raise InvalidTransition("This step needs a message to the writer.")
        return message.strip()

    @transition
    def clear_urgent(self, *, editor, reason: str) -> StoryEvent:
        """An editor who has read an urgent story and judged it no longer urgent clears the mark, saying why; the
        reason stays in the editors' history. The crisis flag stays, and new text from the writer is judged again."""
        self.require_step("clear_urgent")
        if not reason.strip():
            raise InvalidTransition("Say why the story is no longer urgent.")
        with transaction.atomic():
            self.urgent = False
            self.save(update_fields=["urgent"])
            return StoryEvent.objects.create(
                story=self,
                from_status=self.status,
                to_status=self.status,
                actor=editor,
                message=f"Urgent mark cleared: {reason.strip()}",
                editors_only=True,
            )

    @transition
    def start_review(self, *, editor) -> StoryEvent:
        """Take a submitted story into review (and assign it to the editor if nobody has it)."""
        self.require_step("start_review")
        self.assigned_to = self.assigned_to or editor
        return self._move_to(self.Status.IN_REVIEW, by=editor, fields=["assigned_to"])

    @transition
    def assign(self, *, editor) -> None:
        """Assign an open story to an editor."""
        self.require_step("assign")
        self.assigned_to = editor
        self.save(update_fields=["assigned_to"])

    @transition
    def request_changes(self, *, editor, message: str) -> StoryEvent:
        """Ask the writer for changes; the writer may then edit the story."""
        self.require_step("request_changes")
        message = self._message_required(message)
        self._clear_proposal()
        event = self._move_to(
            self.Status.CHANGES_REQUESTED,
            by=editor,
            message=message,
            fields=PROPOSAL_FIELDS,
            notify="story.changes_requested",
        )
        StoryMessage.objects.create(story=self, from_editor=True, author=editor, body=message)
        return event

    @transition
    def propose_edits(
        self,
        *,
        editor,
        title: str,
        body: str,
        message: str = "",
        content_notes: list[ContentNote] | None = None,
        excerpt: str | None = None,
        tags: list[Topic] | None = None,
    ) -> StoryEvent:
        """Offer the writer an edited version; nothing edited is published without the writer's approval.

        A published story's post stays live meanwhile; its excerpt and tags can be proposed too. Content notes
        left out (None) stay as they are; a note missing from the list is a proposed removal.
        """
        self.require_step("propose_edits")
        if not body.strip() or not title.strip():
            raise InvalidTransition("The edited version needs a title and text.")
        notes = set(self.content_notes.all() if content_notes is None else content_notes)
        post = self.post if self.post_id else None
        if post is None and (excerpt is not None or tags is not None):
            raise InvalidTransition("The excerpt and tags can be proposed once the story is published.")
        excerpt = (post.excerpt if excerpt is None else excerpt.strip()) if post else ""
        tags = set(post.tags.all() if tags is None else tags) if post else set()
        unchanged = (
            title.strip() == self.title.strip()
            and body.strip() == self.body.strip()
            and notes == set(self.content_notes.all())
            and (post is None or (excerpt == post.excerpt.strip() and tags == set(post.tags.all())))
        )
        if unchanged:
            raise InvalidTransition("The edited version is the same as the writer's text.")
        self.proposed_title, self.proposed_body, self.proposed_excerpt = title.strip(), body.strip(), excerpt
        self.proposed_content_notes.set(notes)
        self.proposed_tags.set(tags)
        event = self._move_to(
            self.Status.EDITS_PROPOSED,
            by=editor,
            message=message,
            fields=PROPOSAL_FIELDS,
            notify="story.edits_proposed",
        )
        if message.strip():
            StoryMessage.objects.create(story=self, from_editor=True, author=editor, body=message.strip())
        return event

    def proposed_changes(self) -> list[tuple[str, str, str]]:
        """Besides the title and text, what the proposed version changes: (what, now, proposed), for the writer."""
        changes = []
        mine, proposed = set(self.content_notes.all()), set(self.proposed_content_notes.all())
        if mine != proposed:
            changes.append(("Content notes", _names(mine), _names(proposed)))
        if self.post_id:
            if self.proposed_excerpt != self.post.excerpt.strip():
                now = self.post.excerpt or "(taken from the start of your story)"
                changes.append(
                    ("Short text on the post's card", now, self.proposed_excerpt or "(taken from the start)")
                )
            tags, proposed_tags = set(self.post.tags.all()), set(self.proposed_tags.all())
            if tags != proposed_tags:
                changes.append(("Tags", _names(tags), _names(proposed_tags)))
        return changes

    @transition
    def accept_edits(self) -> StoryEvent:
        """The writer approves the editors' version: it becomes the story's text. A published story's post
        takes it at once (it stays live) and the story stays published; otherwise it goes back to the editors."""
        self._require((self.Status.EDITS_PROPOSED,), "approved by the writer")
        with transaction.atomic():
            self.title, self.body = self.proposed_title, self.proposed_body
            kept = list(self.proposed_content_notes.all())
            removed = set(self.content_notes.all()) - set(kept)
            self.content_notes.set(kept)
            if self.post_id:
                post = self.post
                post.title, post.body, post.excerpt = self.title, self.body, self.proposed_excerpt
                post.save()
                post.tags.set(self.proposed_tags.all())
                post.content_notes.remove(*removed)  # the writer no longer holds them: this is allowed now
                post.content_notes.add(*kept)
                post.record_revision(note="The writer approved an edited version")
            self._clear_proposal()
            self.refresh_flags()
            fields = ["title", "body", *PROPOSAL_FIELDS, *FLAG_FIELDS]
            if self.post_id:
                return self._move_to(
                    self.Status.PUBLISHED,
                    by_writer=True,
                    message="The writer approved the edited version; the published post now shows it.",
                    fields=fields,
                )
            return self._move_to(
                self.Status.IN_REVIEW,
                by_writer=True,
                message="The writer approved the edited version.",
                fields=fields,
            )

    @transition
    def withdraw_proposal(self, *, editor) -> StoryEvent:
        """The editors take back their proposed version: the story is as it was (a published post never moved)."""
        self.require_step("withdraw_proposal")
        self._clear_proposal()
        back = self.Status.PUBLISHED if self.post_id else self.Status.IN_REVIEW
        return self._move_to(
            back, by=editor, message="The editors withdrew the proposed edits.", fields=PROPOSAL_FIELDS
        )

    def _clear_proposal(self) -> None:
        self.proposed_title = self.proposed_body = self.proposed_excerpt = ""
        self.proposed_tags.clear()
        self.proposed_content_notes.clear()

    @transition
    def revise(self, *, title: str, body: str, photo_alt: str | None = None) -> StoryEvent | None:
        """The writer edits their own story while it is submitted or changes were requested (and the description
        of their photo, if they sent one; None leaves it as it is)."""
        self._require(self.WRITER_CAN_EDIT, "edited now")
        self.title, self.body = title.strip(), body.strip()
        fields = ["title", "body", *FLAG_FIELDS]
        if photo_alt is not None and self.photo:
            if not photo_alt.strip():
                raise ValueError("A photo keeps its description.")
            self.photo_alt = photo_alt.strip()
            fields.append("photo_alt")
        self.refresh_flags()
        if self.status == self.Status.CHANGES_REQUESTED:
            return self._move_to(
                self.Status.SUBMITTED, by_writer=True, message="The writer sent an edited story.", fields=fields
            )
        self.save(update_fields=fields)
        return None

    @transition
    def approve(self, *, editor, message: str = "") -> StoryEvent:
        """Approve a story under review; any other state is refused."""
        self.require_step("approve")
        self.approved_by, self.approved_at = editor, timezone.now()
        if message.strip():
            StoryMessage.objects.create(story=self, from_editor=True, author=editor, body=message.strip())
        return self._move_to(
            self.Status.APPROVED,
            by=editor,
            message=message,
            fields=["approved_by", "approved_at"],
            notify="story.approved",
        )

    @transition
    def decline(self, *, editor, message: str) -> StoryEvent:
        """Decline with a message that always goes to the writer."""
        self.require_step("decline")
        message = self._message_required(message)
        event = self._move_to(self.Status.DECLINED, by=editor, message=message, notify="story.declined")
        StoryMessage.objects.create(story=self, from_editor=True, author=editor, body=message)
        return event

    @transition
    def mark_published(self, *, editor, post) -> StoryEvent:
        """Record the featured post made from an approved story (or from a published one, updated again)."""
        self.require_step("promote")
        self.post = post
        return self._move_to(self.Status.PUBLISHED, by=editor, fields=["post"], notify="story.published")

    @transition
    def withdraw(self) -> StoryEvent:
        """The writer withdraws: text, photo and personal data go; an anonymous audit line stays."""
        self._require(tuple(s for s in self.Status.values if s != self.Status.WITHDRAWN), "withdrawn again")
        with transaction.atomic():
            erasures.record(WITHDRAWN, self.public_id.hex, self.submitted_at)
            fields = self._erase(admin_label="Withdrawn story")
            return self._move_to(self.Status.WITHDRAWN, by_writer=True, fields=fields)

    @transition
    def erase_when_expired(self) -> bool:
        """Retention: a story declined more than OLE_RETENTION_DAYS ago is erased as a withdrawal erases it, and
        stays declined with its anonymous history. Returns whether anything was erased (once only)."""
        if self.status != self.Status.DECLINED or self.is_erased or self.status_changed_at >= retention_cutoff():
            return False
        erasures.record(EXPIRED, self.public_id.hex, self.submitted_at)
        self.save(update_fields=self._erase(admin_label="Declined story (erased)"))
        return True

    @transition
    def erase_again(self, kind: str) -> bool:
        """After a restore: the ledger says this story was withdrawn or erased by retention since the backup was
        made. A withdrawn one is withdrawn again; an expired one is erased again where it stands (declined), or
        withdrawn if the backup is older than its decline. Returns whether anything was erased."""
        if self.is_erased:
            return False
        if kind == EXPIRED and self.status == self.Status.DECLINED:
            self.save(update_fields=self._erase(admin_label="Declined story (erased)"))
            return True
        self.withdraw()
        return True

    def _erase(self, *, admin_label: str) -> list[str]:
        """Delete the text, photo, personal data, messages and notes, take down any post made from the story,
        cancel its queued emails and scrub the admin's history; the history lines stay, without their words.
        Returns the story's fields it cleared, for the caller to save with its own step."""
        self._cancel_queued_emails()
        scrub_admin_log(self, admin_label)
        if self.post_id:
            scrub_admin_log(self.post, "Withdrawn reader's story")
            self.post.erase()
        delete_files_on_commit([self.photo])
        self.messages.all().delete()
        self.notes.all().delete()
        self.events.update(message="", actor=None)
        self.content_notes.clear()
        self._clear_proposal()
        self.title = self.body = self.credit_name = self.email = self.suggested_tags = self.photo_alt = ""
        self.credit = self.Credit.ANONYMOUS
        self.photo = None
        self.post = None
        self.assigned_to = None
        for field in FLAG_FIELDS:
            setattr(self, field, False)
        return [
            "title",
            "body",
            "credit_name",
            "email",
            *PROPOSAL_FIELDS,
            "suggested_tags",
            "credit",
            "photo",
            "photo_alt",
            "post",
            "assigned_to",
            *FLAG_FIELDS,
        ]


def _erase_again(kind: str):
    def replay(public_id: str, submitted_at: datetime.datetime) -> bool:
        story = Story.objects.filter(public_id=public_id, submitted_at=submitted_at).first()
        return story is not None and story.erase_again(kind)

    return replay


erasures.register(WITHDRAWN, _erase_again(WITHDRAWN))
erasures.register(EXPIRED, _erase_again(EXPIRED))


def retention_cutoff() -> datetime.datetime:
    """Closed stories older than this (OLE_RETENTION_DAYS) keep nothing personal."""
    return timezone.now() - datetime.timedelta(days=settings.OLE_RETENTION_DAYS)


def _names(items) -> str:
    return ", ".join(sorted(item.name for item in items)) or "none"


def keep_writers_content_notes(sender, instance, action: str, reverse: bool, pk_set, **kwargs) -> None:
    """m2m_changed on Post.content_notes: a writer's content notes stay on the post made from their story.

    Editors may add notes (a safety measure) but never remove one the writer chose; only an edit the writer
    approves does (accept_edits takes it off the story first). Checked here, where every path passes: the admin,
    a service, the shell.
    """
    if action not in ("pre_remove", "pre_clear"):
        return
    if reverse:  # note.posts.remove(post) or note.posts.clear()
        chosen = Story.objects.filter(content_notes=instance, post__isnull=False)
        if action == "pre_remove":
            chosen = chosen.filter(post__in=pk_set)
    else:
        chosen = Story.objects.filter(post=instance)
        chosen = (
            chosen.filter(content_notes__in=pk_set)
            if action == "pre_remove"
            else chosen.filter(content_notes__isnull=False)
        )
    if chosen.exists():
        raise InvalidTransition("A content note the writer chose stays: propose its removal to the writer instead.")


# Which record each of the writer's emails is built from: the story, a step of its history (which carries that
# step's message), or a message in the conversation. Withdrawal cancels them all by these.
WRITER_EMAIL_SOURCES = {
    "story.received": "story",
    "story.new_link": "story",
    "story.link": "story",
    "story.published": "event",
    "story.changes_requested": "event",
    "story.edits_proposed": "event",
    "story.approved": "event",
    "story.declined": "event",
    "story.message": "message",
}
FLAG_FIELDS = ["flag_identity", "flag_medication", "flag_crisis", "urgent"]
PROPOSAL_FIELDS = ["proposed_title", "proposed_body", "proposed_excerpt"]


class StoryEventQuerySet(models.QuerySet):
    def for_writer(self) -> StoryEventQuerySet:
        """The history the writer sees: their story's steps, without the editors' own lines."""
        return self.filter(editors_only=False)


class StoryEvent(models.Model):
    """One line of a story's history: who moved it from which state to which, when, and why."""

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=20, choices=Story.Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Story.Status.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    by_writer = models.BooleanField(default=False)
    message = models.TextField(blank=True)
    editors_only = models.BooleanField(
        default=False, help_text="A line the writer does not see, e.g. an urgent mark cleared (with the reason)."
    )
    created = models.DateTimeField(default=timezone.now)

    objects = StoryEventQuerySet.as_manager()

    class Meta:
        ordering = ["created", "pk"]

    def __str__(self) -> str:
        return f"{self.get_from_status_display() or 'new'} → {self.get_to_status_display()}"


class StoryMessage(models.Model):
    """A message in the conversation between the editors and the writer."""

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="messages")
    from_editor = models.BooleanField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    body = models.TextField(max_length=5000)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created", "pk"]

    def __str__(self) -> str:
        return f"{'Editors' if self.from_editor else 'Writer'}: {self.body[:40]}"


class EditorialNote(models.Model):
    """A private note between editors; never shown to the writer."""

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    body = models.TextField(max_length=5000)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created", "pk"]

    def __str__(self) -> str:
        return self.body[:40]


class MessageTemplate(models.Model):
    """A canned answer editors adapt: for declining, asking for changes or proposing edits."""

    class Purpose(models.TextChoices):
        DECLINE = "decline", "Declining a story"
        CHANGES = "changes", "Asking for changes"
        EDITS = "edits", "Proposing edits"

    name = models.CharField(max_length=100)
    purpose = models.CharField(max_length=10, choices=Purpose.choices)
    body = models.TextField(help_text="Written to the writer. Support lines are added to every decline by the site.")

    class Meta:
        ordering = ["purpose", "name"]

    def __str__(self) -> str:
        return self.name


class ContactAccess(models.Model):
    """An audit line: an editor opened a story's page, where the writer's email address is shown."""

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="contact_accesses")
    editor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created"]
        verbose_name_plural = "contact accesses"

    def __str__(self) -> str:
        return f"{self.editor} opened story {self.story_id} on {self.created:%Y-%m-%d %H:%M}"

    @classmethod
    def record(cls, *, story: Story, editor) -> ContactAccess | None:
        """Record that an editor was shown the story's email address (a story without one records nothing)."""
        return cls.objects.create(story=story, editor=editor) if story.email else None


class LostLinkRequest(models.Model):
    """Someone asked for the links to the stories sent from an address. The request itself only records the
    address and queues one job, whether or not the address has a story, so the page answers alike either way;
    the worker looks the stories up, queues their links and deletes the request (and the address with it)."""

    email = models.EmailField(max_length=254)
    created = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Lost-link request {self.pk}"

    @classmethod
    def make(cls, email: str) -> LostLinkRequest:
        with transaction.atomic():
            request = cls.objects.create(email=email)
            queue_email("story.lost_link", request)
        return request

    def resolve(self) -> int:
        """Queue the current link of each of the address's stories, then forget the request. Returns how many."""
        with transaction.atomic():
            stories = list(Story.objects.for_email(self.email))
            for story in stories:
                story.send_link()
            self.delete()
        return len(stories)


class ContactMessageQuerySet(models.QuerySet):
    def waiting(self) -> ContactMessageQuerySet:
        """Messages no editor has closed, urgent first, then the oldest."""
        return self.filter(closed_at__isnull=True).order_by("-urgent", "created", "pk")

    def past_retention(self) -> ContactMessageQuerySet:
        cutoff = timezone.now() - datetime.timedelta(days=settings.OLE_RETENTION_DAYS)
        return self.filter(closed_at__lt=cutoff)

    def erase(self) -> int:
        """Delete these messages and their replies; a restored backup will not bring them back. How many."""
        with transaction.atomic():
            erasures.record_many(MESSAGE_ERASED, self.values_list("pk", "created"))
            return self.delete()[1].get("stories.ContactMessage", 0)


class ContactMessage(models.Model):
    """A reader's message to the editors ("Write to us"). The address is for the editors' replies, which the
    site sends: the admin never shows it."""

    NAME_MAX = 80
    BODY_MAX = 5000

    name = models.CharField(max_length=NAME_MAX)
    email = models.EmailField(max_length=254)
    body = models.TextField(max_length=BODY_MAX)
    created = models.DateTimeField(default=timezone.now)
    form_key = models.UUIDField(unique=True, editable=False, help_text="The one-time key of the form it came from.")
    flag_crisis = models.BooleanField(default=False, editable=False)
    urgent = models.BooleanField(default=False, help_text="Set when the writer may be in crisis: top of the list.")
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)
    content_notes = models.ManyToManyField(
        ContentNote, blank=True, related_name="+", help_text="What the writer said their message talks about."
    )

    objects = ContactMessageQuerySet.as_manager()

    class Meta:
        ordering = ["-urgent", "created"]
        indexes = [models.Index(fields=["closed_at", "urgent", "created"], name="contact_waiting_idx")]

    def __str__(self) -> str:
        return f"Message from {self.name} ({self.created:%Y-%m-%d})"

    def refresh_flags(self, *, content_notes: Iterable[ContentNote] = ()) -> None:
        """The same word lists as stories: words of crisis, or the writer's own note such as "suicidal thoughts"
        (ContentNote.signals_crisis), mark the message urgent for the editors."""
        terms = SafetyTerm.phrases()
        found = flags_for(f"{self.name}\n{self.body}", crisis_terms=terms["crisis"], medication_terms=[])
        self.flag_crisis = self.urgent = CRISIS in found or any(note.signals_crisis for note in content_notes)

    def reply(self, *, editor, body: str) -> ContactReply:
        """An editor answers; the site sends the answer from its own address."""
        if self.closed_at is not None:
            raise InvalidTransition("This message is closed; it takes no reply.")
        if not body.strip():
            raise InvalidTransition("Write the reply first.")
        with transaction.atomic():
            reply = ContactReply.objects.create(message=self, body=body.strip(), sent_by=editor)
            queue_email("contact.reply", reply)
        return reply

    def close(self) -> None:
        if self.closed_at is not None:
            raise InvalidTransition("This message is already closed.")
        self.closed_at = timezone.now()
        self.save(update_fields=["closed_at"])


class ContactReply(models.Model):
    message = models.ForeignKey(ContactMessage, on_delete=models.CASCADE, related_name="replies")
    body = models.TextField(max_length=ContactMessage.BODY_MAX)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created", "pk"]
        verbose_name_plural = "replies"

    def __str__(self) -> str:
        return f"Reply of {self.created:%Y-%m-%d %H:%M}"


MESSAGE_ERASED = "contact_message.erased"


def _erase_message_again(ref: str, created: datetime.datetime) -> bool:
    return ContactMessage.objects.filter(pk=ref, created=created).delete()[0] > 0


erasures.register(MESSAGE_ERASED, _erase_message_again)
