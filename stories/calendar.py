"""The editorial calendar: one month of posts (published, scheduled, drafts), of approved stories awaiting
promotion, and of the recurring columns' slots, with the gaps. Three queries for a month, however much it holds
(posts, stories, columns). Moving a scheduled post goes through `move_post`, which refuses anything but a post
that is still scheduled.

Where things fall: a post on the local day of its `publish_at` (the site's TIME_ZONE: 23:30 local is that day,
not the next); a draft on its `publish_at` when it has one (an editor's intended day), otherwise on the day it
was last changed; an approved story on the day it was approved."""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass, field

from django import forms
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from ole.workflow import InvalidTransition
from series.models import Post, Series

from .dashboard import Slot, planned_posts, slot_add_url
from .models import Story

# The years the calendar shows: a wider range only leads to dates Python cannot represent.
FIRST_YEAR, LAST_YEAR = 2000, 2999

KINDS = {
    "published": "Published",
    "scheduled": "Scheduled",
    "draft": "Draft",
    "story": "Approved story",
}


@dataclass
class Item:
    """A post or a story on a day; `kind` is one of KINDS, and is shown in words, not by colour alone."""

    kind: str
    title: str
    url: str
    when: datetime.datetime | None = None  # local time, shown for posts that have one
    series: str = ""
    post: Post | None = None
    form: MoveForm | None = None  # set by the view for a post that can be moved

    @property
    def label(self) -> str:
        return KINDS[self.kind]

    @property
    def movable(self) -> bool:
        return self.post is not None and self.kind == "scheduled" and self.post.status == Post.Status.SCHEDULED


@dataclass
class Day:
    date: datetime.date
    in_month: bool
    is_today: bool = False
    items: list[Item] = field(default_factory=list)
    slots: list[tuple[Series, Slot]] = field(default_factory=list)

    def count(self, kind: str) -> int:
        return sum(1 for item in self.items if item.kind == kind)

    @property
    def gaps(self) -> int:
        return sum(1 for _series, slot in self.slots if slot.post is None)


@dataclass
class Month:
    first: datetime.date
    weeks: list[list[Day]]

    @property
    def previous(self) -> datetime.date:
        return (self.first - datetime.timedelta(days=1)).replace(day=1)

    @property
    def next(self) -> datetime.date:
        return (self.first + datetime.timedelta(days=31)).replace(day=1)

    def days(self) -> list[Day]:
        return [day for week in self.weeks for day in week if day.in_month]

    def day(self, date: datetime.date) -> Day:
        return next(day for day in self.days() if day.date == date)

    def items(self) -> list[Item]:
        return [item for day in self.days() for item in day.items]

    @property
    def is_empty(self) -> bool:
        return not any(day.items or day.slots for day in self.days())


def valid_month(year: int, month: int) -> bool:
    return FIRST_YEAR <= year <= LAST_YEAR and 1 <= month <= 12


def start_of(day: datetime.date) -> datetime.datetime:
    """Midnight at the start of `day`, in the site's time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def month_of(year: int, month: int, *, can_add: bool) -> Month:
    """The month's grid (weeks from Monday) with everything that falls on each of its days."""
    first = datetime.date(year, month, 1)
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    today = timezone.localdate()
    grid = [[Day(date, date.month == month, date == today) for date in week] for week in weeks]
    days = {day.date: day for week in grid for day in week if day.in_month}
    start = start_of(first)
    end = start_of((first + datetime.timedelta(days=31)).replace(day=1))

    dated = Q(publish_at__gte=start, publish_at__lt=end)
    undated_draft = Q(publish_at__isnull=True, updated__gte=start, updated__lt=end)
    posts = list(
        Post.objects.for_editors()
        .filter(dated | undated_draft, trashed_at__isnull=True)
        .select_related("series")
        .defer("body", "body_html", "search_text", "search_vector", "series__summary")
        .order_by(Coalesce("publish_at", "updated"), "pk")
    )
    for post in posts:
        when = timezone.localtime(post.publish_at or post.updated)
        days[when.date()].items.append(_post_item(post, shown_time=post.publish_at is not None))

    stories = (
        Story.objects.filter(status=Story.Status.APPROVED)
        .alias(day_at=Coalesce("approved_at", "status_changed_at"))
        .filter(day_at__gte=start, day_at__lt=end)
        .only("pk", "title", "approved_at", "status_changed_at")
        .order_by("day_at", "pk")
    )
    for story in stories:
        when = timezone.localtime(story.approved_at or story.status_changed_at)
        days[when.date()].items.append(
            Item("story", story.title, reverse("admin:stories_story_change", args=[story.pk]), when=when)
        )

    columns = list(Series.objects.filter(kind=Series.Kind.COLUMN, cadence_weekday__isnull=False))
    planned = planned_posts(post for post in posts if post.publish_at is not None)
    for column in columns:
        for date, day in days.items():
            if date.weekday() == column.cadence_weekday:
                add_url = slot_add_url(column, date) if can_add and date >= today else ""
                day.slots.append((column, Slot(date, planned.get((column.pk, date)), add_url)))
    return Month(first, grid)


def _post_item(post: Post, *, shown_time: bool) -> Item:
    if post.is_published():
        kind = "published"
    elif post.status in Post.LIVE_STATUSES:
        kind = "scheduled"
    else:
        kind = "draft"
    return Item(
        kind,
        post.title,
        reverse("admin:series_post_change", args=[post.pk]),
        when=timezone.localtime(post.publish_at) if shown_time else None,
        series=post.series.title if post.series else "",
        post=post,
    )


class MoveForm(forms.Form):
    """A scheduled post's new date and time (the site's time zone), a moment still to come."""

    post = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**63 - 1)  # a BigAutoField id
    date = forms.DateField(
        label="New date",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": "Give the new date.", "invalid": "Give the date as YYYY-MM-DD, e.g. 2026-12-24."},
    )
    time = forms.TimeField(
        label="Time",
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={"required": "Give the time.", "invalid": "Give the time as HH:MM, e.g. 08:00."},
    )

    @classmethod
    def for_post(cls, post: Post) -> MoveForm:
        when = timezone.localtime(post.publish_at)
        return cls(initial={"post": post.pk, "date": when.date(), "time": when.time()}, auto_id=_auto_id(post.pk))

    def clean(self) -> dict:
        cleaned = super().clean()
        date, time = cleaned.get("date"), cleaned.get("time")
        if date is not None and time is not None:
            if not FIRST_YEAR <= date.year <= LAST_YEAR:
                self.add_error("date", f"Give a date between {FIRST_YEAR} and {LAST_YEAR}.")
                return cleaned
            when = timezone.make_aware(datetime.datetime.combine(date, time))
            if when <= timezone.now():
                self.add_error("date", "That moment has passed: choose a date and time still to come.")
            cleaned["when"] = when
        return cleaned


def _auto_id(post_id: object) -> str:
    return f"id_move_{post_id}_%s"


def bound_move_form(data) -> MoveForm:
    """The form as sent, its ids matching the post's own form on the page (so errors show beside it)."""
    post_id = data.get("post", "")
    return MoveForm(data, auto_id=_auto_id(post_id if str(post_id).isdigit() else "x"))


def move_post(post_id: int, when: datetime.datetime, *, by) -> Post:
    """Give a scheduled post a new moment (the guarded `Post.schedule`). A post that is gone, in the trash, or no
    longer scheduled (published, live already, or back to draft) is refused, and nothing changes."""
    with transaction.atomic():
        post = Post.objects.select_for_update().filter(pk=post_id, trashed_at__isnull=True).first()
        if post is None:
            raise InvalidTransition("That post is not there any more (deleted or in the trash). Nothing was changed.")
        if post.status != Post.Status.SCHEDULED or post.is_published():
            published = post.is_published() or post.status == Post.Status.PUBLISHED
            state = "published already" if published else "moved back to draft"
            raise InvalidTransition(f"“{post}” is not scheduled any more ({state}). Nothing was changed.")
        post.schedule(when, by=by)
    return post
