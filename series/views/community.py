"""The community under a post: writing, editing, deleting and erasing comments, unsubscribing, and likes.

Each comment view goes form -> service (series.services) -> redirect; the services decide, the views answer.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib import messages
from django.db import OperationalError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from ole import ratelimit
from ole.privacy import private
from ole.workflow import InvalidTransition

from ..community import (
    forget_commenter,
    liked,
    my_comment_ids,
    remember_comment,
    remember_commenter,
    remember_like,
)
from ..forms import CommentEditForm, CommentForm, CommentReportForm, EraseLinkForm, FollowForm
from ..models import Comment, CommunitySettings, CrisisLine, EraseLinkRequest, Post, Subscription
from ..services import TooManyComments, comment_submit
from ..services import comment_edit as comment_edit_service
from .reading import PostDetailView


def _post_page_with(request: HttpRequest, post: Post, **context) -> HttpResponse:
    """The post page again, e.g. with a comment form that needs correcting (everything typed is kept)."""
    view = PostDetailView()
    view.setup(request, slug=post.slug)
    view.object = post
    status = context.pop("status", 200)
    return render(request, view.template_name, view.get_context_data(object=post, **context), status=status)


@require_POST
def comment_create(request: HttpRequest, slug: str) -> HttpResponse:
    post = get_object_or_404(Post.objects.published().select_related("contributor", "series"), slug=slug)
    form = CommentForm(request.POST)
    if form.is_bot:
        messages.info(request, "Thank you. Your comment is waiting for moderation.")
        return redirect(post.get_absolute_url() + "#comments")
    if not form.is_valid():
        return _post_page_with(request, post, comment_form=form)
    data = form.cleaned_data
    try:
        outcome = comment_submit(
            post=post,
            parent=data["parent"],
            name=data["name"],
            email=data["email"],
            website=data["website"],
            body=data["body"],
            notify_replies=data["notify_replies"],
            own_comment_ids=my_comment_ids(request),
            sender=ratelimit.client_address(request),
            user=request.user,
            form_key=data["form_key"],
            consent_version=data["consent_version"],
            content_notes=data["content_notes"],
        )
    except TooManyComments as refusal:
        form.add_error(None, str(refusal))
        return _post_page_with(request, post, comment_form=form, status=429)
    except InvalidTransition as refusal:
        form.add_error(None, str(refusal))
        return _post_page_with(request, post, comment_form=form)
    except OperationalError:
        # The database stayed busy past its timeout (SQLite under a burst): nothing was saved.
        form.add_error(None, "We are very busy for a moment and could not save your comment. Please send it again.")
        return _post_page_with(request, post, comment_form=form, status=503)
    response = _comment_outcome(request, post, outcome)
    if data["follow"] and ratelimit.allow_key("follow-address", data["email"].lower(), limit=3, window=3600):
        Subscription.ask(email=data["email"], series=None, topic=None, frequency=Subscription.Frequency.EACH)
    if data["remember"]:
        remember_commenter(request, response, name=data["name"], email=data["email"], website=data["website"])
    else:
        forget_commenter(request, response)
    return response


def _comment_outcome(request: HttpRequest, post: Post, outcome) -> HttpResponse:
    if outcome.repeat:  # the same form again: the same result, nothing new (and no proof of anything)
        return redirect(outcome.comment.get_absolute_url())
    if outcome.crisis:
        context = {"post": post, "crisis_lines": CrisisLine.objects.all()}
        response = render(request, "series/comment_crisis.html", context)
        remember_comment(request, response, outcome.comment)
        return response
    if outcome.discarded or outcome.comment.status == Comment.Status.PENDING:
        messages.info(request, "Thank you. Your comment is waiting for moderation; you can see it below.")
    else:
        messages.success(request, "Thank you for your comment.")
    if outcome.discarded:
        return redirect(post.get_absolute_url() + "#comments")
    response = redirect(outcome.comment.get_absolute_url())
    remember_comment(request, response, outcome.comment)
    return response


@require_POST
def forget_me(request: HttpRequest) -> HttpResponse:
    """Forget the name, email and website this browser keeps for the comment form."""
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        back = reverse("series:home")
    messages.info(request, "This browser no longer remembers your name, email and website.")
    response = redirect(back)
    forget_commenter(request, response)
    return response


def _own_comment_or_404(pk: int, token: str) -> Comment:
    comment = Comment.from_edit_token(pk, token, minutes=CommunitySettings.current().edit_minutes)
    if comment is None:
        raise Http404("This link has expired or is not valid.")
    return comment


@private
@require_http_methods(["GET", "POST"])
def comment_edit(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    comment = _own_comment_or_404(pk, token)
    form = CommentEditForm(request.POST or None, initial={"body": comment.body})
    if request.method == "POST" and form.is_valid():
        outcome = comment_edit_service(comment=comment, body=form.cleaned_data["body"])
        if outcome.crisis:
            context = {"post": comment.post, "crisis_lines": CrisisLine.objects.all()}
            return render(request, "series/comment_crisis.html", context)
        messages.success(request, "Your comment is updated.")
        return redirect(comment.get_absolute_url())
    return render(request, "series/comment_edit.html", {"comment": comment, "form": form, "token": token})


@private
@require_POST
def comment_delete(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    comment = _own_comment_or_404(pk, token)
    post = comment.post
    comment.remove_by_writer()
    messages.success(request, "Your comment is deleted.")
    return redirect(post.get_absolute_url() + "#comments")


@private
@require_http_methods(["GET", "POST"])
def comment_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The link sent to an address that has approved comments: its owner publishes a comment sent from a new
    browser (a POST, so a mail scanner opening the link publishes nothing), and this browser remembers them."""
    comment = Comment.from_confirm_token(token)
    if comment is None:
        raise Http404("This link has expired, is not valid, or the comment is no longer waiting.")
    if request.method == "GET":
        response = render(request, "series/comment_confirm.html", {"comment": comment})
    else:
        if comment.confirm_address():
            messages.success(request, "Thank you: your comment is published.")
        else:
            messages.info(request, "Thank you. Your address is confirmed; an editor will look at this comment.")
        response = redirect(comment.get_absolute_url())
        remember_comment(request, response, comment)
    return response


@csrf_exempt  # RFC 8058 one-click unsubscribe: mail clients POST without a form; the signed link is the key.
@private
@require_http_methods(["GET", "POST"])
def comment_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    comment = Comment.from_unsubscribe_token(token)
    if comment is None:
        raise Http404("This link is not valid.")
    if request.method == "POST":
        comment.stop_reply_emails()
        return render(request, "series/comment_unsubscribe.html", {"comment": comment, "done": True})
    return render(request, "series/comment_unsubscribe.html", {"comment": comment})


LIKE_ITEM_WINDOW = 60 * 60 * 24


@require_POST
def like(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """One like per browser per item, remembered in a signed cookie, and one per address per item a day (a
    browser that sends no cookie back is answered as if it had liked already); works with and without JavaScript.
    """
    if kind == "post":
        item = get_object_or_404(Post.objects.published(), pk=pk)
        target = item.get_absolute_url()
    elif kind == "comment":
        item = get_object_or_404(Comment.objects.filter(status=Comment.Status.APPROVED), pk=pk)
        target = item.get_absolute_url()
    else:
        raise Http404("Nothing to like here.")
    key = f"{kind}:{pk}"
    already = key in liked(request)
    if not already:
        if not ratelimit.allow("like", request, limit=settings.OLE_LIKES_PER_HOUR, window=3600, fail_open=True):
            return HttpResponse("Too many likes in a short time; please wait a little.", status=429)
        address = ratelimit.client_address(request)
        if ratelimit.allow_key("like-item", f"{key}:{address}", limit=1, window=LIKE_ITEM_WINDOW, fail_open=True):
            item.like()
    count = type(item).objects.values_list("like_count", flat=True).get(pk=pk)
    if request.headers.get("Accept", "").startswith("application/json"):
        response: HttpResponse = JsonResponse({"count": count, "liked": True})
    else:
        response = redirect(target)
    if not already:
        remember_like(request, response, key, post_pk=item.pk if kind == "post" else item.post_id)
    return response


@private
@require_http_methods(["GET", "POST"])
def comment_erase(request: HttpRequest, token: str) -> HttpResponse:
    """Erase every comment from one address, and the address, through the signed link in our emails."""
    if request.method == "POST":
        erased = Comment.erase_all_from(token)
        if erased is None:
            raise Http404("This link is not valid.")
        return render(request, "series/comment_erase.html", {"done": True, "erased": erased})
    if Comment.from_erase_token(token) is None:
        raise Http404("This link has expired or is not valid.")
    return render(request, "series/comment_erase.html", {"token": token})


@private
@require_http_methods(["GET", "POST"])
def erase_link_request(request: HttpRequest) -> HttpResponse:
    """Email an erase link to an address. The answer is the same whether or not the address has comments."""
    form = EraseLinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        limit = settings.OLE_LOST_LINK_REQUESTS_PER_HOUR
        if not ratelimit.allow("erase-link", request, limit=limit, window=3600):
            return render(request, "series/erase_link_request.html", {"form": form, "too_many": True}, status=429)
        email = form.cleaned_data["email"]
        # Also limited per address, so nobody can flood a commenter's inbox from many connections.
        if ratelimit.allow_key("erase-link-address", email.lower(), limit=3, window=3600):
            EraseLinkRequest.make(email)  # the same work whether or not the address has comments
        return render(request, "series/erase_link_request.html", {"sent": True})
    return render(request, "series/erase_link_request.html", {"form": form})


@private
@require_http_methods(["GET", "POST"])
def comment_report(request: HttpRequest, pk: int) -> HttpResponse:
    """A reader flags an approved comment for the editors. It stays shown until an editor decides."""
    comment = get_object_or_404(
        Comment.objects.in_feeds().select_related("post"),
        pk=pk,
    )
    form = CommentReportForm(request.POST or None)
    context = {"comment": comment, "form": form}
    if request.method == "POST" and form.is_valid():
        if not ratelimit.allow("comment-report", request, limit=settings.OLE_REPORTS_PER_HOUR, window=3600):
            return render(request, "series/comment_report.html", {**context, "too_many": True}, status=429)
        # One report per comment from a connection a day counts; a repeat gets the same thanks.
        once = f"{comment.pk}:{ratelimit.client_address(request)}"
        if ratelimit.allow_key("comment-report-once", once, limit=1, window=24 * 3600):
            comment.report(reason=form.cleaned_data["reason"], note=form.cleaned_data["note"])
        return render(request, "series/comment_report.html", {**context, "sent": True})
    return render(request, "series/comment_report.html", context)


@require_safe
@never_cache
def form_token(request: HttpRequest) -> JsonResponse:
    """A CSRF token for a form on a shared (cached) page, which carries none of its own."""
    return JsonResponse({"token": get_token(request)})


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent without its security key: a comment, a like or a follow is offered again, filled in, to confirm.

    Shared pages carry no key, so without JavaScript this is how their forms are sent: nothing is lost, and a
    form forged by another site still needs the reader's own click here.
    """
    context: dict = {}
    match = request.resolver_match  # the check runs in process_view, after the URL was resolved
    if match and request.method == "POST" and match.view_name == "series:comment_create":
        post = Post.objects.published().filter(slug=match.kwargs["slug"]).first()
        if post is not None:
            data = request.POST.copy()
            data["form_key"] = str(uuid.uuid4())
            context = {"post": post, "comment_form": CommentForm(data)}
    elif match and request.method == "POST" and match.view_name == "series:like":
        context = {"like_url": request.path}
    elif match and request.method == "POST" and match.view_name == "series:follow":
        context = {"follow_form": FollowForm(request.POST)}
    return render(request, "csrf_failure.html", context, status=403)
