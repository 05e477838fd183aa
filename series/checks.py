"""The reading side's deployment check: the crisis help page every page links to must list lines."""

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
