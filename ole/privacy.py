"""Erasing what the admin's own history remembers of a record whose personal data is removed."""

from __future__ import annotations

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import models


def scrub_admin_log(obj: models.Model, label: str) -> int:
    """Replace the remembered title and change messages of `obj` in the admin log with a neutral label."""
    return LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False), object_id=str(obj.pk)
    ).update(object_repr=label, change_message="")
