"""The reading side's deployment checks: the crisis help page every page links to lists lines, each verified."""

from __future__ import annotations

from django.core.checks import Warning, register
from django.db import DatabaseError

from .models import CrisisLine


@register(deploy=True)
def crisis_help_is_there(app_configs, **kwargs) -> list[Warning]:
    try:
        empty = not CrisisLine.objects.exists()
    except DatabaseError:
        return []  # no database yet (e.g. before the first migrate): nothing to say
    if empty:
        return [
            Warning(
                "The crisis help page lists no lines: every page links to it.",
                hint="Add crisis lines in the admin (Posts and series → Crisis lines).",
                id="series.W001",
            )
        ]
    return []


@register(deploy=True)
def crisis_lines_are_verified(app_configs, **kwargs) -> list[Warning]:
    """A line nobody has checked may be out of date: someone in crisis could call a dead number."""
    try:
        unverified = list(CrisisLine.objects.filter(verified=False).values_list("name", flat=True))
    except DatabaseError:
        return []
    if unverified:
        return [
            Warning(
                f"{len(unverified)} crisis line(s) not yet verified: {', '.join(unverified)}.",
                hint="Call or check each line, then tick “verified” in the admin (Posts and series → Crisis lines).",
                id="series.W002",
            )
        ]
    return []
