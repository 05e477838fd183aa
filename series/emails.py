"""Emails about comments. Built when sent, from the comment as it is then; a deleted comment sends nothing."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse

from ole.mail import absolute, editor_addresses
from ole.outbox import register

from .models import Comment, EraseLinkRequest
from .models.comments import CONFIRM_DAYS, ERASE_DAYS


def _comment(comment_id: int, **filters) -> Comment | None:
    return Comment.objects.select_related("post", "parent", "addressed_to").filter(pk=comment_id, **filters).first()


@register("comment.reply")
def reply_notice(comment_id: int) -> EmailMessage | None:
    """Tell a commenter who asked for it that someone replied to them, with a one-click unsubscribe."""
    reply = _comment(comment_id, status=Comment.Status.APPROVED)
    answered = reply.replying_to if reply else None
    if answered is None or not answered.notify_replies or not answered.email:
        return None
    unsubscribe = absolute(answered.get_unsubscribe_url())
    body = render_to_string(
        "series/email/comment_reply.txt",
        {
            "reply": reply,
            "answered": answered,
            "link": absolute(reply.get_absolute_url()),
            "unsubscribe": unsubscribe,
            "erase": absolute(answered.erase_url()),
            "site_name": settings.OLE_SITE_NAME,
        },
    )
    return EmailMessage(
        subject=f"{reply.name} replied to your comment on “{reply.post.title}”",
        body=body,
        to=[answered.email],
        headers={"List-Unsubscribe": f"<{unsubscribe}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )


@register("comment.for_contributor")
def contributor_notice(comment_id: int) -> EmailMessage | None:
    comment = _comment(comment_id, status=Comment.Status.APPROVED)
    if comment is None:
        return None
    contributor = comment.post.contributor
    if not (contributor.email_on_comments and contributor.user_id and contributor.user.email):
        return None
    body = render_to_string(
        "series/email/comment_for_contributor.txt",
        {"comment": comment, "link": absolute(comment.get_absolute_url()), "site_name": settings.OLE_SITE_NAME},
    )
    return EmailMessage(subject=f"New comment on “{comment.post.title}”", body=body, to=[contributor.user.email])


@register("comment.crisis")
def crisis_alert(comment_id: int) -> EmailMessage | None:
    """A held comment whose words suggest its writer may be in crisis: the editors hear at once."""
    comment = _comment(comment_id, status=Comment.Status.PENDING)
    editors = editor_addresses()
    if comment is None or not editors:
        return None
    link = absolute(reverse("admin:series_comment_change", args=[comment.pk]))
    body = render_to_string("series/email/comment_crisis.txt", {"comment": comment, "link": link})
    return EmailMessage(subject="A comment may need urgent care", body=body, to=editors)


@register("comments.held")
def held_digest(_unused: int) -> EmailMessage | None:
    """Every comment waiting for moderation, in one email (queued at most once a quarter-hour)."""
    held = list(Comment.objects.held().select_related("post")[:50])
    editors = editor_addresses()
    if not held or not editors:
        return None
    body = render_to_string(
        "series/email/comments_held.txt",
        {"held": held, "link": absolute(reverse("admin:series_comment_changelist") + "?status__exact=pending")},
    )
    return EmailMessage(subject=f"{len(held)} comment(s) waiting for moderation", body=body, to=editors)


@register("comment.confirm")
def confirm_address(comment_id: int) -> EmailMessage | None:
    """A comment signed with an address that has approved comments, from a browser that never used it: a link
    to that address lets its owner publish it. Sent to the address alone; nothing once the comment has moved."""
    comment = _comment(comment_id, status=Comment.Status.PENDING)
    if comment is None or not comment.email:
        return None
    body = render_to_string(
        "series/email/comment_confirm.txt",
        {
            "comment": comment,
            "link": absolute(comment.get_confirm_url()),
            "days": CONFIRM_DAYS,
            "erase": absolute(comment.erase_url()),
            "site_name": settings.OLE_SITE_NAME,
        },
    )
    return EmailMessage(subject=f"Is this your comment on “{comment.post.title}”?", body=body, to=[comment.email])


@register("comments.erase_request")
def resolve_erase_request(request_id: int) -> None:
    """Not an email of its own: a request for an erase link becomes one erase-link email when the address has a
    comment (none otherwise), and the request is deleted."""
    request = EraseLinkRequest.objects.filter(pk=request_id).first()
    if request is not None:
        request.resolve()
    return None


@register("comment.erase_link")
def erase_link(comment_id: int) -> EmailMessage | None:
    """The link that erases every comment from an address, sent to that address alone on its owner's request."""
    comment = _comment(comment_id, kind=Comment.Kind.COMMENT)
    if comment is None or not comment.email:
        return None
    body = render_to_string(
        "series/email/comment_erase_link.txt",
        {"link": absolute(comment.erase_url()), "days": ERASE_DAYS, "site_name": settings.OLE_SITE_NAME},
    )
    return EmailMessage(subject="The link to erase your comments", body=body, to=[comment.email])
