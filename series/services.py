"""Actions on the reading side that cross models or send mail: taking a comment through moderation."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from ole.models import SafetyTerm
from ole.outbox import queue_digest, queue_email
from ole.safety import judge_comment
from ole.workflow import InvalidTransition

from . import consent
from .models import Comment, CommunitySettings, Post

HELD_DIGEST_EVERY = datetime.timedelta(minutes=15)


@dataclass(frozen=True)
class CommentOutcome:
    comment: Comment | None
    crisis: bool = False

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


def comment_submit(
    *,
    post: Post,
    parent: Comment | None,
    name: str,
    email: str,
    website: str,
    body: str,
    notify_replies: bool,
    user=None,
    form_key=None,
    consent_version: str | None = None,
) -> CommentOutcome:
    """Take a comment: discard spam, hold what needs an editor, publish the rest, and queue the emails.

    The comment records the consent line its writer posted under (`consent_version`, else the current one).
    """
    rules = CommunitySettings.current()
    if not post.comments_are_open(close_after_days=rules.close_after_days):
        raise InvalidTransition("Comments are closed on this post.")
    addressed_to = parent
    parent = reply_target(parent, post=post, depth_limit=rules.reply_depth)
    is_staff = bool(user and user.is_authenticated and user.is_staff)
    # The name and website are judged with the text: spam hides in them too.
    verdict = judge_comment(
        f"{name}\n{website}\n{body}", terms=SafetyTerm.phrases(), max_links=rules.max_links + (1 if website else 0)
    )
    if verdict.discard and not is_staff:
        return CommentOutcome(comment=None)
    hold_reasons = list(verdict.hold_reasons)
    known = Comment.objects.filter(email__iexact=email, status=Comment.Status.APPROVED).exists()
    if not is_staff and not known:
        hold_reasons.insert(0, "First comment from this address")
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
        status=Comment.Status.APPROVED if is_staff or not hold_reasons else Comment.Status.PENDING,
        held_reason="; ".join(hold_reasons)[:200] if not is_staff else "",
        form_key=form_key,
        consent_wording=consent.version_or_current(consent_version),
        consented_at=timezone.now(),
    )
    try:
        with transaction.atomic():
            return _save_new_comment(comment, post, verdict)
    except IntegrityError:
        if not form_key:
            raise
        earlier = Comment.objects.filter(form_key=form_key, email__iexact=email, body=body).first()
        if earlier is not None:  # the same form, sent twice at once: the other request saved it
            return CommentOutcome(comment=earlier)
        # Someone else's key (a copied page), or another comment from a restored page: new, keyed to nothing.
        comment.pk, comment.form_key = None, None
        with transaction.atomic():
            return _save_new_comment(comment, post, verdict)


def _save_new_comment(comment: Comment, post: Post, verdict) -> CommentOutcome:
    """Save a judged comment and queue what it causes: notifications, or the editors' digest and alert."""
    comment.save()
    if comment.status == Comment.Status.APPROVED:
        comment.announce()
        post.refresh_comment_count()
    else:
        queue_digest("comments.held", every=HELD_DIGEST_EVERY)
        if verdict.crisis:
            queue_email("comment.crisis", comment)
    return CommentOutcome(comment=comment, crisis=verdict.crisis)


def _role(post: Post, user) -> str:
    if post.contributor.user_id == user.pk:
        return Comment.Role.AUTHOR
    return Comment.Role.EDITOR


def comment_edit(*, comment: Comment, body: str) -> CommentOutcome:
    """The writer corrects their comment within the edit window; the rules judge it again."""
    rules = CommunitySettings.current()
    text = f"{comment.name}\n{comment.website}\n{body}"
    verdict = judge_comment(text, terms=SafetyTerm.phrases(), max_links=rules.max_links + (1 if comment.website else 0))
    with transaction.atomic():
        comment.body = body
        comment.edited_at = timezone.now()
        fields = ["body", "body_html", "edited_at"]
        if (verdict.held or verdict.discard) and not comment.author_id:
            was_shown = comment.status == Comment.Status.APPROVED
            comment.status = Comment.Status.PENDING
            comment.held_reason = "; ".join(verdict.hold_reasons or ("Edited into spam",))[:200]
            fields += ["status", "held_reason"]
            if was_shown:
                queue_digest("comments.held", every=HELD_DIGEST_EVERY)
            if verdict.crisis:
                queue_email("comment.crisis", comment)
        comment.save(update_fields=fields)
        comment.post.refresh_comment_count()
    return CommentOutcome(comment=comment, crisis=verdict.crisis)
