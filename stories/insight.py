"""The dashboard's weekly figures over the last twelve weeks, for its charts: stories received and decided, the
median wait for an editor's first reply, and comments. Weeks start on Monday in the site's TIME_ZONE, the current
week last; a week with nothing counts 0 (and has no median). Four aggregate queries, however much data.

An editor's first reply to a story is the first thing the editors sent its writer: the earliest of an editors'
message in the conversation and an editor's step that emails the writer (changes requested, edits proposed,
approved, declined, published). Taking a story into review is not a reply: nothing is sent. It is counted in
the week it was sent, as the days (of 24 hours, to a tenth) since the story was submitted.

Comments are the ones readers wrote (not pingbacks or webmentions), in the week they arrived. "Received" counts
every one but spam, whatever moderation then made of it; "shown" those of them approved and not in the trash."""

from __future__ import annotations

import datetime
import statistics
from dataclasses import dataclass, replace

from django.db.models import Count, DateField, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, Least, TruncWeek
from django.utils import timezone

from ole.charts import Chart, Line, weekly_bars, weekly_line
from series.models import Comment

from .models import Story, StoryEvent, StoryMessage

WEEKS = 12
S = Story.Status
DECISIONS = (S.APPROVED, S.DECLINED)
# The steps that email the writer (Story._move_to's `notify`).
REPLIES = (S.CHANGES_REQUESTED, S.EDITS_PROPOSED, S.APPROVED, S.DECLINED, S.PUBLISHED)


@dataclass(frozen=True)
class Weekly:
    weeks: list[datetime.date]
    received: list[int]
    decided: list[int]
    median_reply_days: list[float | None]
    comments_received: list[int] | None = None  # None: not for this user
    comments_shown: list[int] | None = None


def week_starts(today: datetime.date, count: int = WEEKS) -> list[datetime.date]:
    """The Mondays of the last `count` weeks, oldest first, ending with the one of `today`'s week."""
    monday = today - datetime.timedelta(days=today.weekday())
    return [monday - datetime.timedelta(weeks=n) for n in reversed(range(count))]


def _week(expression) -> TruncWeek:
    return TruncWeek(expression, output_field=DateField(), tzinfo=timezone.get_default_timezone())


def _counts(queryset: QuerySet, field: str, weeks: list[datetime.date], **counts: Count) -> dict[str, list[int]]:
    """Each count per week, 0 for a week without rows; one query (the model's ordering would split the groups)."""
    rows = queryset.order_by().annotate(week=_week(field)).values("week").annotate(**counts)
    by_week = {row["week"]: row for row in rows}
    return {name: [by_week.get(week, {}).get(name, 0) for week in weeks] for name in counts}


def _replies() -> QuerySet:
    return StoryEvent.objects.filter(by_writer=False, editors_only=False, to_status__in=REPLIES)


def _messages() -> QuerySet:
    return StoryMessage.objects.filter(from_editor=True)


def first_replies() -> QuerySet:
    """Stories annotated with `first_reply`: when the editors first sent the writer anything (None: not yet)."""
    step = _replies().filter(story=OuterRef("pk"))
    message = _messages().filter(story=OuterRef("pk"))
    first_step = Subquery(step.order_by("created").values("created")[:1])
    first_message = Subquery(message.order_by("created").values("created")[:1])
    # Least() of a NULL is NULL on SQLite: each side falls back on the other.
    return Story.objects.order_by().annotate(
        first_reply=Least(Coalesce(first_step, first_message), Coalesce(first_message, first_step))
    )


def median_reply_days(weeks: list[datetime.date], since: datetime.datetime) -> list[float | None]:
    """Per week, the median days from submission to the first reply sent that week; None for a week without."""
    # Only a story the editors answered since then can have its first reply since then.
    recent = Q(pk__in=_replies().filter(created__gte=since).values("story")) | Q(
        pk__in=_messages().filter(created__gte=since).values("story")
    )
    rows = (
        first_replies()
        .filter(recent, first_reply__gte=since)
        .annotate(week=_week("first_reply"))
        .values_list("week", "submitted_at", "first_reply")
    )
    waits: dict[datetime.date, list[float]] = {}
    for week, submitted, replied in rows:
        waits.setdefault(week, []).append((replied - submitted).total_seconds() / 86400)
    return [round(statistics.median(waits[week]), 1) if week in waits else None for week in weeks]


def gather_weekly(*, with_comments: bool, today: datetime.date | None = None) -> Weekly:
    """The twelve weeks' figures; the comments only `with_comments` (a user who may see them)."""
    zone = timezone.get_default_timezone()
    weeks = week_starts(today or timezone.localdate(timezone=zone))
    since = timezone.make_aware(datetime.datetime.combine(weeks[0], datetime.time.min), zone)
    received = _counts(Story.objects.filter(submitted_at__gte=since), "submitted_at", weeks, n=Count("pk"))
    # An urgent mark cleared on an approved story repeats its state (an editors' line): not a decision.
    decisions = StoryEvent.objects.filter(
        created__gte=since, to_status__in=DECISIONS, by_writer=False, editors_only=False
    ).exclude(from_status=F("to_status"))
    decided = _counts(decisions, "created", weeks, n=Count("story", distinct=True))
    weekly = Weekly(weeks, received["n"], decided["n"], median_reply_days(weeks, since))
    if not with_comments:
        return weekly
    comments = _counts(
        Comment.everything.filter(kind=Comment.Kind.COMMENT, created__gte=since).exclude(status=Comment.Status.SPAM),
        "created",
        weeks,
        received=Count("pk"),
        shown=Count(
            "pk", filter=Q(status=Comment.Status.APPROVED, trashed_at__isnull=True, post__trashed_at__isnull=True)
        ),
    )
    return replace(weekly, comments_received=comments["received"], comments_shown=comments["shown"])


def charts(weekly: Weekly) -> list[Chart]:
    """The dashboard's charts of these figures."""
    weeks = weekly.weeks
    answered = [value for value in weekly.median_reply_days if value is not None]
    result = [
        weekly_bars(
            slug="stories",
            title="Stories received and decided",
            description=(
                f"Bars for each of the last {len(weeks)} weeks: {sum(weekly.received)} stories received "
                f"and {sum(weekly.decided)} decided (approved or declined) in all. The table gives each week."
            ),
            y_label="Stories",
            weeks=weeks,
            lines=[Line("Received", "outline", weekly.received), Line("Decided", "filled", weekly.decided)],
        ),
        weekly_line(
            slug="first-reply",
            title="Median days to an editor's first reply",
            description=(
                f"A line over the last {len(weeks)} weeks: for the stories first answered each week, the median "
                f"days since they were sent. Replies went out in {len(answered)} of the weeks"
                + (f", the medians from {min(answered):g} to {max(answered):g} days." if answered else ".")
                + " The table gives each week."
            ),
            y_label="Days",
            weeks=weeks,
            line=Line("Median days", "line", weekly.median_reply_days),
        ),
    ]
    if weekly.comments_received is not None:
        result.append(
            weekly_bars(
                slug="comments",
                title="Comments per week",
                description=(
                    f"Bars for each of the last {len(weeks)} weeks: {sum(weekly.comments_received)} comments "
                    f"received from readers (spam aside), {sum(weekly.comments_shown)} of them shown. "
                    "The table gives each week."
                ),
                y_label="Comments",
                weeks=weeks,
                lines=[
                    Line("Received", "outline", weekly.comments_received),
                    Line("Shown", "filled", weekly.comments_shown),
                ],
            )
        )
    return result
