"""Whatever changes what public pages show moves the page cache's site version (see series/pagecache.py)."""

from __future__ import annotations

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


@receiver(post_save)
@receiver(post_delete)
def _model_changed(sender, **kwargs) -> None:
    if _shown_publicly(sender, **kwargs):
        pagecache.site_changed()


@receiver(m2m_changed)
def _relations_changed(sender, action: str, **kwargs) -> None:
    if action.startswith("post_") and sender._meta.app_label in {"series", "taggit"}:
        pagecache.site_changed()
