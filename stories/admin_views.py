"""The editors' own admin pages beyond the model admins: the editorial calendar (registered on the admin site in
`StoriesConfig.ready`, at /admin/calendar/ and /admin/calendar/YYYY/MM/)."""

from __future__ import annotations

import datetime

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from ole.workflow import InvalidTransition

from . import calendar

WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def can_see_calendar(user) -> bool:
    """Editors: staff who may see posts and the story queue."""
    return user.is_active and user.is_staff and user.has_perms(["series.view_post", "stories.view_story"])


def month_url(year: int, month: int) -> str:
    return reverse("admin:calendar_month", kwargs={"year": year, "month": month})


def calendar_view(request: HttpRequest, year: int | None = None, month: int | None = None) -> HttpResponse:
    """A month of the editorial calendar; a POST moves one scheduled post (`calendar.move_post`), then shows the
    month it moved to. A refused move shows this month again with a message and what was typed. (The admin site
    wraps it in `admin_view`: signed-in staff with a second factor, CSRF checked, never cached.)"""
    if not can_see_calendar(request.user):
        raise PermissionDenied
    if year is None or month is None:
        today = timezone.localdate()
        year, month = today.year, today.month
    if not calendar.valid_month(year, month):
        raise Http404("The calendar has no such month.")
    can_move = request.user.has_perm("series.change_post")
    sent = None
    if request.method == "POST":
        if not can_move:
            raise PermissionDenied
        sent = calendar.bound_move_form(request.POST)
        if sent.is_valid():
            when = sent.cleaned_data["when"]
            try:
                post = calendar.move_post(sent.cleaned_data["post"], when, by=request.user)
            except InvalidTransition as refusal:
                messages.error(request, str(refusal))
                sent = None
            else:
                local = timezone.localtime(when)
                messages.success(request, f"“{post}” now goes live on {local:%a} {local.day} {local:%b %Y at %H:%M}.")
                return HttpResponseRedirect(f"{month_url(local.year, local.month)}#day-{local.date().isoformat()}")

    month_data = calendar.month_of(year, month, can_add=request.user.has_perm("series.add_post"))
    shown = False
    for item in month_data.items():
        if can_move and item.movable:
            bound = sent is not None and str(sent.data.get("post")) == str(item.post.pk)
            item.form = sent if bound else calendar.MoveForm.for_post(item.post)
            shown = shown or bound
    if sent is not None:
        if shown:
            messages.error(request, "The post was not moved: see the message beside it.")
        else:
            messages.error(request, "That post is not a scheduled post of this month. Nothing was changed.")
    first = month_data.first
    return TemplateResponse(
        request,
        "admin/stories/calendar.html",
        {
            **admin.site.each_context(request),
            "title": f"Editorial calendar: {first:%B %Y}",
            "month": month_data,
            "weekdays": WEEKDAYS,
            "kinds": calendar.KINDS,
            "previous_url": _url_if_shown(month_data.previous),
            "next_url": _url_if_shown(month_data.next),
            "this_month_url": reverse("admin:calendar"),
            "time_zone": timezone.get_current_timezone_name(),
        },
    )


def _url_if_shown(first: datetime.date) -> str:
    return month_url(first.year, first.month) if calendar.valid_month(first.year, first.month) else ""
