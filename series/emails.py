"""Emails about comments and to followers, built when sent from the record as it is then (a deleted one sends
nothing)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse

from ole.mail import absolute, editor_addresses
from ole.outbox import register

from .models import Comment, CrisisLine, Delivery, EraseLinkRequest, Post, Subscription
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


def _follower_headers(subscription: Subscription) -> dict[str, str]:
    """RFC 8058 one-click unsubscribe: a mail client can POST to the link without opening a page."""
    return {
        "List-Unsubscribe": f"<{absolute(subscription.get_unsubscribe_url())}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def _follower_context(subscription: Subscription) -> dict:
    return {
        "subscription": subscription,
        "manage": absolute(subscription.get_manage_url()),
        "unsubscribe": absolute(subscription.get_unsubscribe_url()),
        "help_url": absolute(reverse("series:help")),
        "crisis_lines": CrisisLine.objects.all(),
        "site_name": settings.OLE_SITE_NAME,
    }


def _post_summary(post: Post) -> dict:
    """What an email says of a post: the whole text only when the site says so and the post is not a reader's
    story (which its writer may withdraw, while an email cannot be recalled)."""
    full = settings.OLE_FOLLOW_FULL_TEXT and not post.from_reader
    return {
        "post": post,
        "notes": ", ".join(note.name for note in post.content_notes.all()),
        "text": post.search_text if full else post.summary,
        "link": absolute(post.get_absolute_url()),
    }


@register("following.confirm")
def follow_confirm(subscription_id: int) -> EmailMessage | None:
    """The double opt-in: nothing else is sent to an address before its owner follows this link."""
    subscription = Subscription.objects.filter(pk=subscription_id, confirmed_at__isnull=True).first()
    if subscription is None:
        return None
    context = {**_follower_context(subscription), "link": absolute(subscription.get_confirm_url()), "days": 7}
    body = render_to_string("series/email/follow_confirm.txt", context)
    return EmailMessage(
        subject=f"Confirm: follow {settings.OLE_SITE_NAME} by email", body=body, to=[subscription.email]
    )


def _delivered(delivery_id: int) -> None:
    delivery = Delivery.objects.select_related("subscription").filter(pk=delivery_id).first()
    if delivery is not None:
        delivery.subscription.delivered()


def _refused(delivery_id: int) -> None:
    delivery = Delivery.objects.select_related("subscription").filter(pk=delivery_id).first()
    if delivery is not None:
        delivery.subscription.refused()


@register("following.post", on_sent=_delivered, on_refused=_refused)
def follow_post(delivery_id: int) -> EmailMessage | None:
    """One new post for one follower, built as the post is when it leaves (nothing if it went away)."""
    delivery = (
        Delivery.objects.select_related("subscription", "subscription__series", "subscription__topic")
        .filter(pk=delivery_id, subscription__confirmed_at__isnull=False, subscription__stopped_at__isnull=True)
        .first()
    )
    post = Post.objects.published().filter(pk=delivery.post_id).first() if delivery else None
    if post is None:
        return None
    context = {**_follower_context(delivery.subscription), **_post_summary(post)}
    body = render_to_string("series/email/follow_post.txt", context)
    return EmailMessage(
        subject=post.title,
        body=body,
        to=[delivery.subscription.email],
        headers=_follower_headers(delivery.subscription),
    )


@register("following.digest", on_sent=_delivered, on_refused=_refused)
def follow_digest(first_delivery_id: int) -> EmailMessage | None:
    """A weekly follower's digest: the posts marked with the same moment as its first delivery."""
    first = (
        Delivery.objects.select_related("subscription")
        .filter(pk=first_delivery_id, subscription__confirmed_at__isnull=False, subscription__stopped_at__isnull=True)
        .first()
    )
    if first is None:
        return None
    post_ids = Delivery.objects.filter(subscription=first.subscription, queued_at=first.queued_at).values("post")
    posts = list(
        Post.objects.published().filter(pk__in=post_ids).prefetch_related("content_notes").order_by("publish_at")
    )
    if not posts:
        return None
    context = {**_follower_context(first.subscription), "posts": [_post_summary(post) for post in posts]}
    body = render_to_string("series/email/follow_digest.txt", context)
    subject = f"This week on {settings.OLE_SITE_NAME}: {len(posts)} new post{'s' if len(posts) != 1 else ''}"
    return EmailMessage(
        subject=subject, body=body, to=[first.subscription.email], headers=_follower_headers(first.subscription)
    )


def _follower(subscription_id: int) -> None:
    subscription = Subscription.objects.filter(pk=subscription_id).first()
    if subscription is not None:
        subscription.delivered()


def _follower_refused(subscription_id: int) -> None:
    subscription = Subscription.objects.filter(pk=subscription_id).first()
    if subscription is not None:
        subscription.refused()


@register("following.moved", on_sent=_follower, on_refused=_follower_refused)
def follow_moved(subscription_id: int) -> EmailMessage | None:
    """The one email a follower moved in from elsewhere gets: where we are now, and how to stop at once."""
    subscription = Subscription.objects.active().filter(pk=subscription_id).first()
    if subscription is None:
        return None
    context = {**_follower_context(subscription), "home": absolute(reverse("series:home"))}
    body = render_to_string("series/email/follow_moved.txt", context)
    return EmailMessage(
        subject=f"{settings.OLE_SITE_NAME} has moved",
        body=body,
        to=[subscription.email],
        headers=_follower_headers(subscription),
    )
