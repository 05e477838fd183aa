from __future__ import annotations

import datetime
import uuid

# Parsing is hardened with defusedxml.xmlrpc.monkey_patch() in SeriesConfig.ready.
import xmlrpc.client  # nosec B411

from django.conf import settings
from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db import OperationalError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.functional import SimpleLazyObject
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.generic import DetailView, ListView, TemplateView
from django.views.generic.dates import ArchiveIndexView, MonthArchiveView

from ole import ratelimit

from . import mentions
from .community import liked, my_comment_ids, remember_comment, remember_like, thread
from .forms import CommentEditForm, CommentForm, SearchForm
from .models import Comment, CommunitySettings, Contributor, CrisisLine, InvalidTransition, Post, Series, Topic
from .services import comment_edit as comment_edit_service
from .services import comment_submit

FEATURED_ON_HOME = 3


def paginate(request: HttpRequest, items) -> Page:
    """One page of items; a page number that is not a page is a 404, as on every list."""
    try:
        return Paginator(items, settings.OLE_POSTS_PER_PAGE).page(request.GET.get("page") or 1)
    except (EmptyPage, PageNotAnInteger) as error:
        raise Http404("No such page.") from error


class PostListView(ListView):
    """Base for every paginated list of post cards."""

    context_object_name = "posts"
    http_method_names = ["get", "head", "options"]

    def get_paginate_by(self, queryset) -> int:
        return settings.OLE_POSTS_PER_PAGE

    def get_queryset(self):
        return Post.objects.published().for_cards()


class HomeView(PostListView):
    template_name = "series/home.html"

    def get_featured(self) -> list[Post]:
        return list(Post.objects.published().featured().for_cards()[:FEATURED_ON_HOME])

    def get(self, request, *args, **kwargs):
        self.featured = self.get_featured()
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return super().get_queryset().exclude(pk__in=[post.pk for post in self.featured])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["featured"] = self.featured
        context["latest_column_entry"] = (
            Post.objects.published().for_cards().filter(series__kind=Series.Kind.COLUMN).first()
        )
        return context


class PostDetailView(DetailView):
    template_name = "series/post_detail.html"
    context_object_name = "post"
    http_method_names = ["get", "head", "options"]
    preview = False

    def render_to_response(self, context, **kwargs):
        response = super().render_to_response(context, **kwargs)
        if not self.preview:
            response["X-Pingback"] = self.request.build_absolute_uri(reverse("series:pingback"))
            response["Link"] = f'<{self.request.build_absolute_uri(reverse("series:webmention"))}>; rel="webmention"'
        return response

    def get_queryset(self):
        posts = Post.objects.all() if self.preview else Post.objects.published()
        return posts.select_related("contributor", "series")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        post = self.object
        context.update(
            preview=self.preview,
            previous_part=SimpleLazyObject(post.previous_in_series),
            next_part=SimpleLazyObject(post.next_in_series),
            position=SimpleLazyObject(post.series_position),
        )
        context.update(self.community(post, comment_form=kwargs.get("comment_form")))
        return context

    def community(self, post: Post, *, comment_form: CommentForm | None) -> dict:
        """The threads under a post, this browser's own waiting comments, its likes, and the form."""
        rules = CommunitySettings.current()
        # A shared page never reads this browser's cookies: if the page cache ever took a post for one the
        # browser has nothing on, the worst outcome is that it misses its own things, never that others see them.
        shared = getattr(self.request, "ole_public_page", False)
        mine = [] if shared else my_comment_ids(self.request)
        editable_since = timezone.now() - datetime.timedelta(minutes=rules.edit_minutes)

        def threads() -> list:
            comments = list(post.comments.visible_to(mine).order_by("created", "pk"))
            for comment in comments:
                comment.is_mine = comment.pk in mine
                comment.can_edit = comment.is_mine and comment.created >= editable_since
            return thread(comments)

        initial = {"parent": self.request.GET.get("replyto", "")[:12] or None, "form_key": uuid.uuid4()}
        # A shared page's visitor has no session, so no user to ask about; asking would load the session and
        # make the page vary by cookie (a proxy would then keep one copy per visitor's cookies).
        user = None if shared else self.request.user
        if user is not None and user.is_authenticated and user.is_staff:
            contributor = getattr(user, "contributor", None)
            initial.update(
                name=contributor.display_name if contributor else user.get_full_name() or user.username,
                email=user.email,
            )
        form = comment_form or CommentForm(initial=initial)
        return {
            "threads": threads(),
            "comment_form": form,
            "comments_open": post.comments_are_open(close_after_days=rules.close_after_days),
            "liked": set() if shared else liked(self.request),
            "reply_depth": rules.reply_depth,
        }


@method_decorator([staff_member_required, never_cache], name="dispatch")
class PostPreviewView(PostDetailView):
    """Staff see drafts and scheduled posts as they will look; never cached, never indexed."""

    preview = True
    template_name = "series/post_preview.html"

    def render_to_response(self, context, **kwargs):
        response = super().render_to_response(context, **kwargs)
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response


class SeriesListView(ListView):
    template_name = "series/series_list.html"
    context_object_name = "series_list"
    http_method_names = ["get", "head", "options"]

    def get_queryset(self):
        return Series.objects.count_published_posts().filter(post_count__gt=0)


class SeriesDetailView(DetailView):
    template_name = "series/series_detail.html"
    context_object_name = "series"
    http_method_names = ["get", "head", "options"]

    def get_queryset(self):
        return Series.objects.with_published_posts()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["parts"] = self.object.published_parts().select_related("contributor").prefetch_related("content_notes")
        return context


class ContributorListView(ListView):
    template_name = "series/contributor_list.html"
    context_object_name = "contributors"
    http_method_names = ["get", "head", "options"]

    def get_queryset(self):
        return Contributor.objects.count_published_posts().filter(post_count__gt=0)


class ContributorDetailView(PostListView):
    template_name = "series/contributor_detail.html"

    def get(self, request, *args, **kwargs):
        # Someone with nothing published has no public page: their name and bio stay private.
        self.contributor = get_object_or_404(Contributor.objects.with_published_posts(), slug=kwargs["slug"])
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return super().get_queryset().filter(contributor=self.contributor)

    def get_context_data(self, **kwargs):
        return super().get_context_data(contributor=self.contributor, **kwargs)


class TagDetailView(PostListView):
    template_name = "series/tag_detail.html"

    def get(self, request, *args, **kwargs):
        self.tag = get_object_or_404(Topic.objects.with_published_posts(), slug=kwargs["slug"])
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return super().get_queryset().filter(tags=self.tag)

    def get_context_data(self, **kwargs):
        return super().get_context_data(tag=self.tag, **kwargs)


class TagListView(ListView):
    template_name = "series/tag_list.html"
    context_object_name = "tags"
    http_method_names = ["get", "head", "options"]

    def get_queryset(self):
        return Topic.objects.count_published_posts().filter(post_count__gt=0)


class ArchiveView(ArchiveIndexView):
    template_name = "series/archive.html"
    date_field = "publish_at"
    date_list_period = "month"
    allow_empty = True
    context_object_name = "posts"
    http_method_names = ["get", "head", "options"]

    def get_queryset(self):
        return Post.objects.published().for_cards()

    def get_dated_items(self):
        # The index lists months only; the latest posts are one click away on the home page.
        date_list, _posts, extra = super().get_dated_items()
        return date_list, Post.objects.none(), extra


class MonthView(MonthArchiveView):
    template_name = "series/archive_month.html"
    date_field = "publish_at"
    month_format = "%m"
    context_object_name = "posts"
    http_method_names = ["get", "head", "options"]

    def get_paginate_by(self, queryset) -> int:
        return settings.OLE_POSTS_PER_PAGE

    def get_queryset(self):
        # Plain: the previous/next month look-ups use it too, and must not prefetch.
        return Post.objects.published()

    def get_dated_items(self):
        date_list, posts, extra = super().get_dated_items()
        return date_list, posts.for_cards(), extra


@require_safe
def search(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    page = capped_at = None
    if form.is_valid() and form.has_criteria():
        posts = Post.objects.published().for_cards()
        if form.cleaned_data["tag"]:
            posts = posts.filter(tags=form.cleaned_data["tag"])
        if form.cleaned_data["series"]:
            posts = posts.filter(series=form.cleaned_data["series"])
        words = form.cleaned_data["q"].strip()
        posts = posts.search(words) if words else posts.order_by("-publish_at")
        page = paginate(request, posts)
        # Only a search with words is capped (see Post.objects.search); a tag or a series alone lists all.
        if words and page.paginator.count >= Post.SEARCH_MATCHES:
            capped_at = Post.SEARCH_MATCHES
    # Only what the search reads: the page is shared by everyone who searches for the same thing.
    criteria = QueryDict(mutable=True)
    for name in ("q", "tag", "series"):
        criteria.setlist(name, request.GET.getlist(name))
    context = {"form": form, "page_obj": page, "query": criteria.urlencode(), "capped_at": capped_at}
    return render(request, "series/search.html", context)


class HelpView(TemplateView):
    template_name = "series/help.html"
    http_method_names = ["get", "head", "options"]

    def get_context_data(self, **kwargs):
        return super().get_context_data(crisis_lines=CrisisLine.objects.all(), **kwargs)


@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    return render(request, "robots.txt", content_type="text/plain; charset=utf-8")


# The community: comments, edits, unsubscribing and likes --------------------------------------------


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
    key = form.cleaned_data["form_key"]
    earlier = Comment.objects.filter(form_key=key).first() if key else None
    if earlier is not None:
        same = earlier.email.lower() == form.cleaned_data["email"].lower() and earlier.body == form.cleaned_data["body"]
        if same:  # the same form again: show the same result, make nothing new
            return redirect(earlier.get_absolute_url())
        key = uuid.uuid4()  # someone else's key (a shared page whose key was not renewed): this comment gets its own
    if not ratelimit.allow("comment", request, limit=settings.OLE_COMMENTS_PER_HOUR, window=3600):
        form.add_error(None, "You have written several comments in a short time. Please wait a little and try again.")
        return _post_page_with(request, post, comment_form=form, status=429)
    parent = None
    if form.cleaned_data["parent"]:
        parent = Comment.objects.filter(pk=form.cleaned_data["parent"]).select_related("parent").first()
        if parent is None:
            form.add_error(None, "The comment you replied to is no longer there. Your reply is below to post again.")
            form.data = form.data.copy()
            form.data["parent"] = ""
            return _post_page_with(request, post, comment_form=form)
    try:
        outcome = comment_submit(
            post=post,
            parent=parent,
            name=form.cleaned_data["name"],
            email=form.cleaned_data["email"],
            website=form.cleaned_data["website"],
            body=form.cleaned_data["body"],
            notify_replies=form.cleaned_data["notify_replies"],
            own_comment_ids=my_comment_ids(request),
            user=request.user,
            form_key=key,
            consent_version=form.cleaned_data["consent_version"],
        )
    except InvalidTransition as refusal:
        form.add_error(None, str(refusal))
        return _post_page_with(request, post, comment_form=form)
    except OperationalError:
        # The database stayed busy past its timeout (SQLite under a burst): nothing was saved.
        form.add_error(None, "We are very busy for a moment and could not save your comment. Please send it again.")
        return _post_page_with(request, post, comment_form=form, status=503)
    if outcome.crisis:
        context = {"post": post, "crisis_lines": CrisisLine.objects.all()}
        response = render(request, "series/comment_crisis.html", context)
        remember_comment(request, response, outcome.comment)
        return response
    if outcome.discarded or outcome.comment.status == Comment.Status.PENDING:
        messages.info(request, "Thank you. Your comment is waiting for moderation; you can see it below.")
    else:
        messages.success(request, "Thank you for your comment.")
    target = outcome.comment.get_absolute_url() if outcome.comment else post.get_absolute_url() + "#comments"
    response = redirect(target)
    if outcome.comment:
        remember_comment(request, response, outcome.comment)
    return response


def _own_comment_or_404(pk: int, token: str) -> Comment:
    comment = Comment.from_edit_token(pk, token, minutes=CommunitySettings.current().edit_minutes)
    if comment is None:
        raise Http404("This link has expired or is not valid.")
    return comment


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


@require_POST
def comment_delete(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    comment = _own_comment_or_404(pk, token)
    post = comment.post
    comment.remove_by_writer()
    messages.success(request, "Your comment is deleted.")
    return redirect(post.get_absolute_url() + "#comments")


@csrf_exempt  # RFC 8058 one-click unsubscribe: mail clients POST without a form; the signed link is the key.
@require_http_methods(["GET", "POST"])
def comment_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    comment = Comment.from_unsubscribe_token(token)
    if comment is None:
        raise Http404("This link is not valid.")
    if request.method == "POST":
        # Every comment of this address in the conversation under this post, not just the one the link names.
        Comment.objects.filter(post=comment.post_id, email__iexact=comment.email).update(notify_replies=False)
        return render(request, "series/comment_unsubscribe.html", {"comment": comment, "done": True})
    return render(request, "series/comment_unsubscribe.html", {"comment": comment})


@require_POST
def like(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """One like per browser per item, remembered in a signed cookie; works with and without JavaScript."""
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
        item.like()
    count = type(item).objects.values_list("like_count", flat=True).get(pk=pk)
    if request.headers.get("Accept", "").startswith("application/json"):
        response: HttpResponse = JsonResponse({"count": count, "liked": True})
    else:
        response = redirect(target)
    if not already:
        remember_like(request, response, key, post_pk=item.pk if kind == "post" else item.post_id)
    return response


# Pingbacks and webmentions ---------------------------------------------------------------------------------

PINGBACK_MAX_BYTES = 64 * 1024


def _mention_allowed(request: HttpRequest, source: str) -> bool:
    """Per-source and per-connection limits shared by the pingback and webmention endpoints."""
    per_source = settings.OLE_MENTIONS_PER_SOURCE_PER_HOUR
    return ratelimit.allow_key("mention-source", mentions.source_host(source), limit=per_source, window=3600) and (
        ratelimit.allow("mention", request, limit=per_source * 3, window=3600)
    )


def _xmlrpc_fault(code: int, message: str) -> HttpResponse:
    return HttpResponse(
        xmlrpc.client.dumps(xmlrpc.client.Fault(code, message), methodresponse=True), content_type="text/xml"
    )


@csrf_exempt  # other sites call this; nothing here acts for a signed-in user
@require_POST
def pingback(request: HttpRequest) -> HttpResponse:
    """Pingback 1.0 over XML-RPC: `pingback.ping(sourceURI, targetURI)`."""
    length = request.META.get("CONTENT_LENGTH") or "0"
    if not length.isdigit() or int(length) > PINGBACK_MAX_BYTES:
        return _xmlrpc_fault(-32700, "The request is too large or its length is not given.")
    try:
        params, method = xmlrpc.client.loads(request.body, use_builtin_types=True)
    except Exception:
        return _xmlrpc_fault(-32700, "The request is not valid XML-RPC.")
    if method != "pingback.ping":
        return _xmlrpc_fault(-32601, "Only pingback.ping is offered here.")
    if len(params) != 2 or not all(isinstance(value, str) for value in params):
        return _xmlrpc_fault(-32602, "pingback.ping takes two strings: the source and the target.")
    source, target = params
    if not _mention_allowed(request, source):
        return _xmlrpc_fault(mentions.ACCESS_DENIED, "Too many pingbacks; please try later.")
    try:
        mentions.receive(source=source, target=target, kind=Comment.Kind.PINGBACK)
    except mentions.MentionRefused as refusal:
        return _xmlrpc_fault(refusal.code, str(refusal))
    reply = xmlrpc.client.dumps(("Thank you: the pingback will appear once verified.",), methodresponse=True)
    return HttpResponse(reply, content_type="text/xml")


@csrf_exempt  # other sites call this; nothing here acts for a signed-in user
@require_POST
def webmention(request: HttpRequest) -> HttpResponse:
    """Webmention (W3C): form fields `source` and `target`; 202 when accepted for checking, 400 otherwise."""
    source, target = request.POST.get("source", ""), request.POST.get("target", "")
    if not source or not target:
        return HttpResponse("Both source and target are needed.", status=400, content_type="text/plain")
    if not _mention_allowed(request, source):
        return HttpResponse("Too many webmentions; please try later.", status=429, content_type="text/plain")
    try:
        mentions.receive(source=source, target=target, kind=Comment.Kind.WEBMENTION)
    except mentions.MentionRefused as refusal:
        return HttpResponse(str(refusal), status=400, content_type="text/plain")
    return HttpResponse("Accepted: the mention will appear once verified.", status=202, content_type="text/plain")


@require_http_methods(["GET", "POST"])
def comment_erase(request: HttpRequest, token: str) -> HttpResponse:
    """Erase every comment from one address, and the address, through the signed link in our emails."""
    if request.method == "POST":
        erased = Comment.erase_all_from(token)
        if erased is None:
            raise Http404("This link is not valid.")
        return render(request, "series/comment_erase.html", {"done": True, "erased": erased})
    return render(request, "series/comment_erase.html", {"token": token})


@require_safe
@never_cache
def form_token(request: HttpRequest) -> JsonResponse:
    """A CSRF token for a form on a shared (cached) page, which carries none of its own."""
    return JsonResponse({"token": get_token(request)})


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent without its security key: a comment or a like is offered again, filled in, to confirm.

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
    return render(request, "csrf_failure.html", context, status=403)


@require_safe
def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "series/privacy.html", {"retention_days": settings.OLE_RETENTION_DAYS})
