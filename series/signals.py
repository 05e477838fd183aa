"""Whatever changes what public pages show moves the page cache's site version (see series/pagecache.py)."""

from __future__ import annotations

import functools
from collections.abc import Callable

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from . import pagecache
from .models import Comment


def _shown_publicly(sender, **kwargs) -> bool:
    if sender._meta.app_label != "series":
        return False
    instance = kwargs.get("instance")
    # A new comment held for moderation (or a mention not yet verified) changes nothing anyone else sees.
    return not (sender is Comment and kwargs.get("created") and instance.status in Comment.HIDDEN_WHEN_NEW)


def _now_and_on_commit(change: Callable[[], None]) -> None:
    # Once now, and again when the transaction commits: a page another request renders in between, from the
    # data as it was before the commit, and stores under the first new version, is not served after it.
    change()
    transaction.on_commit(change)


def _site_changed() -> None:
    _now_and_on_commit(pagecache.site_changed)


@receiver(post_save)
@receiver(post_delete)
def _model_changed(sender, **kwargs) -> None:
    if _shown_publicly(sender, **kwargs):
        _site_changed()
        if sender is Comment:
            _now_and_on_commit(functools.partial(pagecache.thread_changed, kwargs["instance"].post_id))


@receiver(m2m_changed)
def _relations_changed(sender, action: str, **kwargs) -> None:
    if action.startswith("post_") and sender._meta.app_label in {"series", "taggit"}:
        _site_changed()
