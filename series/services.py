"""Actions on the reading side that cross models or send mail: taking a comment through moderation."""

from __future__ import annotations

import datetime
import subprocess
import sys
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from ole import ratelimit
from ole.models import SafetyTerm
from ole.outbox import queue_digest, queue_email
from ole.safety import Verdict, judge_comment
from ole.twofactor import is_trusted_staff
from ole.workflow import InvalidTransition

from . import consent
from .models import Comment, CommunitySettings, ContentNote, ImportRun, Post
from .models.comments import UNPROVEN_ADDRESS

HELD_DIGEST_EVERY = datetime.timedelta(minutes=15)
CONFIRMATIONS_PER_HOUR = 3
MENTION_MAX_LINKS = 99  # a mention is judged by its page's title, where a link is no sign of spam


class TooManyComments(Exception):
    """Too many comments from one sender in a short time; the message says so, for people."""


@dataclass(frozen=True)
class CommentOutcome:
    comment: Comment | None
    crisis: bool = False
    repeat: bool = False  # the same form sent again: `comment` is the one it made the first time

    @property
    def discarded(self) -> bool:
        return self.comment is None


def reply_target(parent: Comment | None, *, post: Post, depth_limit: int) -> Comment | None:
    """Where a reply attaches: its parent, or the deepest allowed ancestor when the thread is already deep."""
    if parent is None:
        return None
    if parent.post_id != post.pk or not parent.is_shown:
        raise InvalidTransition("You can only reply to a comment shown under this post.")
    while parent.depth >= max(depth_limit - 1, 0) and parent.parent_id:
        parent = parent.parent
    return parent


def moderate(comment: Comment, *, newcomer_reason: str = "") -> Verdict:
    """The one judgement for new comments, edits and mentions: discard, hold (saying why) or publish.

    A comment's name and website are judged with its text (spam hides in them too); a mention is judged by its
    page's title. Staff comments (they have an author) are never held or discarded. `newcomer_reason` holds
    what comes from a writer or site not yet trusted.
    """
    rules = CommunitySettings.current()
    if comment.kind == Comment.Kind.COMMENT:
        text = f"{comment.name}\n{comment.website}\n{comment.body}"
        max_links = rules.max_links + (1 if comment.website else 0)
    else:
        text, max_links = comment.body, MENTION_MAX_LINKS
    verdict = judge_comment(text, terms=SafetyTerm.phrases(), max_links=max_links)
    if comment.author_id:
        return Verdict(crisis=verdict.crisis)
    if verdict.discard or not newcomer_reason:
        return verdict
    return Verdict(hold_reasons=(newcomer_reason, *verdict.hold_reasons), crisis=verdict.crisis)


def newcomer_reason(email: str, *, own_comment_ids: Iterable[int]) -> str:
    """Why a comment from this address waits for an editor, or "" when this browser proved it is the address's.

    Proof is this browser's own comment cookie naming an approved comment from the same address: the address
    alone proves nothing (anyone can type it). Only editors read the reason; the writer's answer is the same.
    """
    own = Comment.objects.filter(email__iexact=email, status=Comment.Status.APPROVED)
    if own.filter(pk__in=list(own_comment_ids)).exists():
        return ""
    if own.exists():
        return UNPROVEN_ADDRESS
    return "First comment from this address"


def comment_submit(
    *,
    post: Post,
    parent: Comment | None,
    name: str,
    email: str,
    website: str,
    body: str,
    notify_replies: bool,
    sender: str,
    own_comment_ids: Iterable[int] = (),
    user=None,
    form_key: uuid.UUID | None = None,
    consent_version: str | None = None,
    content_notes: Iterable[ContentNote] = (),
) -> CommentOutcome:
    """Take a comment: discard spam, hold what needs an editor, publish the rest, and queue the emails.

    The same form sent again (its `form_key`, address and text) makes nothing new. `sender` (the client's
    address) is held to OLE_COMMENTS_PER_HOUR. `own_comment_ids` are the comments this browser's signed cookie
    says it wrote: a reader is trusted only when one of them is an approved comment from the same address. The
    comment records the consent line its writer posted under (`consent_version`, else the current one).
    """
    earlier = Comment.objects.filter(form_key=form_key).first() if form_key else None
    if earlier is not None:
        if earlier.email.lower() == email.lower() and earlier.body == body:
            return CommentOutcome(comment=earlier, repeat=True)
        form_key = uuid.uuid4()  # someone else's key (a shared page whose key was not renewed): this one gets its own
    if not ratelimit.allow_key("comment", sender, limit=settings.OLE_COMMENTS_PER_HOUR, window=3600):
        raise TooManyComments("You have written several comments in a short time. Please wait a little and try again.")
    rules = CommunitySettings.current()
    if not post.comments_are_open(close_after_days=rules.close_after_days):
        raise InvalidTransition("Comments are closed on this post.")
    addressed_to = parent
    parent = reply_target(parent, post=post, depth_limit=rules.reply_depth)
    is_staff = bool(user and is_trusted_staff(user))
    comment = Comment(
        post=post,
        parent=parent,
        addressed_to=addressed_to if addressed_to != parent else None,
        depth=parent.depth + 1 if parent else 0,
        name=name,
        email=email,
        website=website,
        body=body,
        notify_replies=notify_replies,
        author=user if is_staff else None,
        role=_role(post, user) if is_staff else Comment.Role.READER,
        form_key=form_key,
        consent_wording=consent.version_or_current(consent_version),
        consented_at=timezone.now(),
    )
    newcomer = "" if is_staff else newcomer_reason(email, own_comment_ids=own_comment_ids)
    content_notes = list(content_notes)
    verdict = moderate(comment, newcomer_reason=newcomer)
    if any(note.signals_crisis for note in content_notes) and not verdict.crisis:
        # The writer's own word about their comment: as crisis words do, it waits for an editor, who is alerted.
        reasons = () if is_staff else (*verdict.hold_reasons, "The writer chose a content note about crisis")
        verdict = Verdict(discard=verdict.discard, hold_reasons=reasons, crisis=True)
    if verdict.discard:
        return CommentOutcome(comment=None)
    # A new comment starts in the state its verdict gives it; from then on only its guarded methods move it.
    comment.status = Comment.Status.PENDING if verdict.held else Comment.Status.APPROVED
    comment.held_reason = "; ".join(verdict.hold_reasons)[:200]
    # The address's owner may prove it is them by a link sent there; at most a few such emails an hour, so a
    # stranger typing someone's address cannot flood their inbox.
    send_proof = newcomer == UNPROVEN_ADDRESS and ratelimit.allow_key(
        "comment-confirm", email.lower(), limit=CONFIRMATIONS_PER_HOUR, window=3600
    )
    try:
        with transaction.atomic():
            return _save_new_comment(comment, post, verdict, send_proof=send_proof, content_notes=content_notes)
    except IntegrityError:
        if not form_key:
            raise
        earlier = Comment.objects.filter(form_key=form_key, email__iexact=email, body=body).first()
        if earlier is not None:  # the same form, sent twice at once: the other request saved it
            return CommentOutcome(comment=earlier, repeat=True)
        # Someone else's key (a copied page), or another comment from a restored page: new, keyed to nothing.
        comment.pk, comment.form_key = None, None
        with transaction.atomic():
            return _save_new_comment(comment, post, verdict, send_proof=send_proof, content_notes=content_notes)


def _save_new_comment(
    comment: Comment, post: Post, verdict: Verdict, *, send_proof: bool, content_notes: list[ContentNote]
) -> CommentOutcome:
    """Save a judged comment and queue what it causes: notifications, or the editors' digest and alert, and the
    confirmation link to an address that has approved comments."""
    comment.save()
    if content_notes:
        comment.content_notes.set(content_notes)
    if comment.status == Comment.Status.APPROVED:
        comment.announce()
        post.refresh_comment_count()
    else:
        queue_digest("comments.held", every=HELD_DIGEST_EVERY)
        if verdict.crisis:
            queue_email("comment.crisis", comment)
        if send_proof:
            queue_email("comment.confirm", comment)
    return CommentOutcome(comment=comment, crisis=verdict.crisis)


def _role(post: Post, user) -> str:
    if post.contributor.user_id == user.pk:
        return Comment.Role.AUTHOR
    return Comment.Role.EDITOR


def comment_edit(*, comment: Comment, body: str) -> CommentOutcome:
    """The writer corrects their comment within the edit window; the rules judge it again."""
    comment.body = body
    comment.edited_at = timezone.now()
    verdict = moderate(comment)
    with transaction.atomic():
        comment.save(update_fields=["body", "body_html", "edited_at"])
        if verdict.held or verdict.discard:
            was_shown = comment.status == Comment.Status.APPROVED
            comment.hold(verdict.hold_reasons or ("Edited into spam",))
            if was_shown:
                queue_digest("comments.held", every=HELD_DIGEST_EVERY)
            if verdict.crisis:
                queue_email("comment.crisis", comment)
    return CommentOutcome(comment=comment, crisis=verdict.crisis)


def empty_trash() -> tuple[int, int]:
    """Delete for good the posts and comments in the trash for more than Post.TRASH_DAYS (a post with its
    comments, revisions and image files). Returns how many posts and comments went."""
    cutoff = timezone.now() - datetime.timedelta(days=Post.TRASH_DAYS)
    posts = 0
    for post in Post.objects.filter(trashed_at__lt=cutoff).iterator():
        post.erase()
        posts += 1
    comments = 0
    for comment in Comment.everything.filter(trashed_at__lt=cutoff).select_related("post"):
        with transaction.atomic():
            comment.delete()  # its replies with it, as a deletion in the admin took them
            comment.post.refresh_comment_count()
        comments += 1
    return posts, comments


def start_wordpress_import(job: ImportRun) -> None:
    """Run an import uploaded in the admin in a process of its own once the upload is committed: not in the
    request (a large blog takes minutes) and not in the mail worker (crisis alerts must keep flowing). Its log
    lines go where this process's go; its summary is recorded on the job."""
    command = [sys.executable, str(settings.BASE_DIR / "manage.py"), "run_wordpress_import", str(job.pk)]
    transaction.on_commit(
        lambda: subprocess.Popen(  # noqa: S603 (our own interpreter and manage.py, and a number)
            command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, start_new_session=True, close_fds=True
        )
    )
