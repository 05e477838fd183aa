"""The editors' dashboard on the admin index: what waits for an editor, each number a link to the list that
shows it. Gathered here (stories may read series and ole); the admin site calls it through
`OleAdminSite.register_dashboard`, so ole imports no app. A fixed number of queries, however much waits."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Min, Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from ole.charts import Chart
from ole.models import OutboundEmail
from series.models import Comment, CommentReport, CrisisLine, Post, Series

from . import insight
from .models import ContactMessage, Story

# What the share page and the thank-you email promise writers.
PROMISE = "usually within two weeks"
PROMISE_DAYS = 14
NEXT_POSTS = 5
SLOTS = 4  # a column's next slots on the dashboard


@dataclass(frozen=True)
class Figure:
    """One number on the dashboard, the list behind it, and whether it calls for attention now."""

    count: int
    label: str
    url: str
    attention: bool = False


@dataclass(frozen=True)
class Slot:
    """A day a column's post is due, and the post planned for it (None: a gap)."""

    day: datetime.date
    post: Post | None
    add_url: str

    @property
    def is_scheduled(self) -> bool:
        return self.post is not None and self.post.status in Post.LIVE_STATUSES


@dataclass(frozen=True)
class ColumnSlots:
    series: Series
    slots: list[Slot]


@dataclass
class Desk:
    figures: list[Figure] = field(default_factory=list)
    oldest_wait_days: int | None = None
    queue_url: str = ""
    scheduled: list[Post] = field(default_factory=list)
    scheduled_url: str = ""
    columns: list[ColumnSlots] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    promise: str = PROMISE

    @property
    def past_promise(self) -> bool:
        return self.oldest_wait_days is not None and self.oldest_wait_days > PROMISE_DAYS


def _list(model, **query: str) -> str:
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    return f"{url}?{urlencode(query)}" if query else url


def _plural(count: int, one: str, many: str) -> str:
    return one if count == 1 else many


def gather(request: HttpRequest) -> Desk | None:
    """The dashboard for a staff member who works the story queue; None for anyone else (the plain index)."""
    user = request.user
    if not user.has_perm("stories.view_story"):
        return None
    now = timezone.now()
    stories = Story.objects.awaiting_editors().aggregate(
        waiting=Count("pk"), urgent=Count("pk", filter=Q(urgent=True)), oldest=Min("status_changed_at")
    )
    desk = Desk(queue_url=_list(Story))
    waiting, urgent = stories["waiting"], stories["urgent"]
    desk.figures += [
        Figure(waiting, _plural(waiting, "story waits for an editor", "stories wait for an editor"), _list(Story)),
        Figure(urgent, "urgent", _list(Story, urgent__exact="1"), attention=urgent > 0),
    ]
    if stories["oldest"] is not None:
        desk.oldest_wait_days = (now - stories["oldest"]).days

    if user.has_perm("series.view_comment"):
        held = Comment.objects.held().aggregate(
            comments=Count("pk", filter=Q(kind=Comment.Kind.COMMENT)),
            mentions=Count("pk", filter=~Q(kind=Comment.Kind.COMMENT)),
        )
        reported = CommentReport.objects.open().filter(comment__trashed_at__isnull=True)
        reported_comments = reported.aggregate(n=Count("comment", distinct=True))["n"]
        pending = Comment.Status.PENDING
        desk.figures += [
            Figure(
                held["comments"],
                _plural(held["comments"], "comment waits for moderation", "comments wait for moderation"),
                _list(Comment, status__exact=pending, kind__exact=Comment.Kind.COMMENT),
            ),
            Figure(
                reported_comments,
                _plural(reported_comments, "comment reported by readers", "comments reported by readers"),
                _list(Comment, queue="reported"),
                attention=reported_comments > 0,
            ),
            Figure(
                held["mentions"],
                _plural(held["mentions"], "mention waits for moderation", "mentions wait for moderation"),
                _list(Comment, status__exact=pending, kind__in=f"{Comment.Kind.PINGBACK},{Comment.Kind.WEBMENTION}"),
            ),
        ]
    if user.has_perm("stories.view_contactmessage"):
        messages = ContactMessage.objects.waiting().count()
        desk.figures.append(
            Figure(
                messages,
                _plural(messages, "“Write to us” message waits", "“Write to us” messages wait"),
                _list(ContactMessage, closed_at__isempty="1"),
            )
        )
    if user.has_perm("ole.view_outboundemail"):
        failed = OutboundEmail.objects.filter(state=OutboundEmail.State.FAILED).count()
        desk.figures.append(
            Figure(
                failed,
                _plural(failed, "email could not be sent", "emails could not be sent"),
                _list(OutboundEmail, state__exact=OutboundEmail.State.FAILED),
                attention=failed > 0,
            )
        )
    if user.has_perm("series.view_crisisline"):
        unverified = CrisisLine.objects.filter(verified=False).count()
        desk.figures.append(
            Figure(
                unverified,
                _plural(unverified, "crisis line not yet verified", "crisis lines not yet verified"),
                _list(CrisisLine, verified__exact="0"),
                attention=unverified > 0,
            )
        )
    if user.has_perm("series.view_post"):
        desk.scheduled = list(
            Post.objects.filter(status__in=Post.LIVE_STATUSES, publish_at__gt=now, trashed_at__isnull=True)
            .select_related("series")
            .defer("body", "body_html", "search_text", "search_vector")
            .order_by("publish_at", "pk")[:NEXT_POSTS]
        )
        desk.scheduled_url = _list(Post, status__exact=Post.Status.SCHEDULED)
        desk.columns = column_slots(can_add=user.has_perm("series.add_post"))
    desk.charts = insight.charts(insight.gather_weekly(with_comments=user.has_perm("series.view_comment")))
    return desk


def column_slots(*, can_add: bool, count: int = SLOTS) -> list[ColumnSlots]:
    """Each recurring column's next `count` days, with the post planned for each: one scheduled or published
    that day, or else a draft dated that day. Two queries, however many columns."""
    today = timezone.localdate()
    columns = list(Series.objects.filter(kind=Series.Kind.COLUMN, cadence_weekday__isnull=False))
    if not columns:
        return []
    days = {column.pk: column.next_slots(count, today=today) for column in columns}
    last = max(day for slots in days.values() for day in slots)
    posts = (
        Post.objects.for_editors()
        .filter(
            series__in=columns,
            trashed_at__isnull=True,
            publish_at__gte=_start_of(today),
            publish_at__lt=_start_of(last + datetime.timedelta(days=1)),
        )
        .defer("body", "body_html", "search_text", "search_vector")
        .order_by("publish_at", "pk")
    )
    planned = planned_posts(posts)
    return [
        ColumnSlots(
            column,
            [
                Slot(day, planned.get((column.pk, day)), slot_add_url(column, day) if can_add else "")
                for day in days[column.pk]
            ],
        )
        for column in columns
    ]


def planned_posts(posts: Iterable[Post]) -> dict[tuple[int, datetime.date], Post]:
    """The post planned for each (series, local day) among `posts` (dated, in `publish_at` order): the first one
    scheduled or published that day, or else the first draft dated that day. The calendar shares this rule."""
    planned: dict[tuple[int, datetime.date], Post] = {}
    for post in posts:
        key = (post.series_id, timezone.localdate(post.publish_at))
        if key not in planned or (post.status in Post.LIVE_STATUSES and planned[key].status == Post.Status.DRAFT):
            planned[key] = post
    return planned


def slot_add_url(column: Series, day: datetime.date) -> str:
    """The post admin's add form, started in `column` at the slot's time on `day`."""
    return f"{reverse('admin:series_post_add')}?{urlencode({'series': column.pk, 'publish_at': day.isoformat()})}"


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
