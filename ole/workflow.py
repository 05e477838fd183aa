"""State changes as guarded methods: the refusal they raise, and the admin's way of applying them in bulk."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.contrib import admin, messages
from django.http import HttpRequest


class InvalidTransition(Exception):
    """A state change that the current state does not allow; its message says why, for people."""


def apply_each(
    modeladmin: admin.ModelAdmin, request: HttpRequest, items: Iterable, change: Callable[[object], object], done: str
) -> int:
    """Apply a guarded change to each selected item; report what changed and, item by item, what was refused."""
    changed = 0
    for item in items:
        try:
            change(item)
        except InvalidTransition as refusal:
            modeladmin.message_user(request, f"“{item}”: {refusal}", messages.WARNING)
        else:
            changed += 1
    if changed:
        meta = modeladmin.model._meta
        noun = meta.verbose_name if changed == 1 else meta.verbose_name_plural
        modeladmin.message_user(request, f"{changed} {noun} {done}.", messages.SUCCESS)
    return changed
