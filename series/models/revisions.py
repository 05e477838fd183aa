"""Revisions of posts: every save keeps the post's words and framing, so an editor can see and undo an edit."""

from __future__ import annotations

import datetime
import difflib
import re
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

if TYPE_CHECKING:
    from .posts import Post

# What a revision keeps, in the order the history shows it. The status and publication time are kept to read,
# never restored: they change only through the post's guarded methods.
REVISED_FIELDS = {
    "title": "Title",
    "body": "Text",
    "excerpt": "Excerpt",
    "feature_image": "Image",
    "feature_image_alt": "Image description",
    "content_notes": "Content notes",
    "tags": "Tags",
    "series": "Series",
    "part_number": "Part",
    "status": "Status",
    "publish_at": "Goes live",
}
RESTORABLE_FIELDS = tuple(name for name in REVISED_FIELDS if name not in ("status", "publish_at"))
WORDED_FIELDS = ("title", "body", "excerpt", "feature_image_alt")


class PostRevision(models.Model):
    """One saved state of a post: a JSON snapshot of REVISED_FIELDS, who saved it (none: the site itself) and when."""

    post = models.ForeignKey("series.Post", on_delete=models.CASCADE, related_name="revisions")
    snapshot = models.JSONField()
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    saved_at = models.DateTimeField(default=timezone.now)
    note = models.CharField(max_length=200, blank=True, help_text="e.g. “Restored the version of 3 Dec 2026 14:02”.")

    class Meta:
        ordering = ["-saved_at", "-pk"]
        indexes = [models.Index(fields=["post", "-saved_at", "-id"], name="revision_post_order_idx")]

    def __str__(self) -> str:
        return f"{self.snapshot.get('title', '')} ({self.saved_at:%d %b %Y %H:%M})"

    @classmethod
    def referenced_files(cls) -> set[str]:
        """The images earlier revisions name: the orphan sweep keeps them for a restore (they go with the post)."""
        return set(cls.objects.exclude(snapshot__feature_image="").values_list("snapshot__feature_image", flat=True))

    @property
    def saved_by_label(self) -> str:
        if self.saved_by is not None:
            return self.saved_by.get_username()
        return "an account since deleted" if self.saved_by_id else "the site itself"

    @staticmethod
    def compared(revisions: list[PostRevision], current: dict) -> list[tuple[PostRevision, list]]:
        """Each revision with what differs from `current` (a snapshot): (field label, HTML) rows, a word diff for
        texts and "was → now" for the rest, every word escaped. Names of series and notes are read once."""
        names = _display_names(current, *(revision.snapshot for revision in revisions))
        return [(revision, revision._differences(current, names)) for revision in revisions]

    def _differences(self, current: dict, names) -> list[tuple[str, SafeString]]:
        rows = []
        for field, label in REVISED_FIELDS.items():
            old, new = self.snapshot.get(field), current.get(field)
            if old == new:
                continue
            if field in WORDED_FIELDS:
                rows.append((label, word_diff(old or "", new or "")))
            else:
                rows.append((label, _was_now(names(field, old), names(field, new))))
        return rows


def word_diff(old: str, new: str) -> SafeString:
    """The words of `old` changed into `new`: removed words in <del>, added in <ins>, all escaped."""
    a, b = [t for t in re.split(r"(\s+)", old) if t], [t for t in re.split(r"(\s+)", new) if t]
    parts = []
    for op, a1, a2, b1, b2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            parts.append(escape("".join(a[a1:a2])))
            continue
        if a2 > a1:
            parts.append(f"<del>{escape(''.join(a[a1:a2]))}</del>")
        if b2 > b1:
            parts.append(f"<ins>{escape(''.join(b[b1:b2]))}</ins>")
    return mark_safe("".join(parts))  # every piece is escaped above


def _was_now(old: str, new: str) -> SafeString:
    return format_html("<del>{}</del> → <ins>{}</ins>", old or "(none)", new or "(none)")


def _display_names(*snapshots: dict):
    """Readable values for ids kept in snapshots (series, content notes), read in two queries for all of them."""
    from .posts import ContentNote, Series

    series_ids = {s.get("series") for s in snapshots} - {None}
    note_ids = {pk for s in snapshots for pk in s.get("content_notes") or ()}
    series = dict(Series.objects.filter(pk__in=series_ids).values_list("pk", "title")) if series_ids else {}
    notes = dict(ContentNote.objects.filter(pk__in=note_ids).values_list("pk", "name")) if note_ids else {}

    def name(field: str, value) -> str:
        if value in (None, "", []):
            return ""
        if field == "series":
            return series.get(value, "(a series since deleted)")
        if field == "content_notes":
            return ", ".join(sorted(notes.get(pk, "(deleted)") for pk in value))
        if field == "tags":
            return ", ".join(value)
        if field == "publish_at":
            return f"{timezone.localtime(datetime.datetime.fromisoformat(value)):%d %b %Y %H:%M}"
        return str(value)

    return name


def snapshot_of(post: Post, *, tags: list[str] | None = None, content_notes: list[int] | None = None) -> dict:
    """The post as a revision keeps it (its content notes and tags read fresh from the database, unless given:
    the WordPress import knows them without asking, for thousands of posts at once)."""
    return {
        "title": post.title,
        "body": post.body,
        "excerpt": post.excerpt,
        "feature_image": post.feature_image.name or "",
        "feature_image_alt": post.feature_image_alt,
        "content_notes": sorted(
            post.content_notes.values_list("pk", flat=True) if content_notes is None else content_notes
        ),
        "tags": sorted(post.tags.values_list("name", flat=True) if tags is None else tags),
        "series": post.series_id,
        "part_number": post.part_number,
        "status": post.status,
        "publish_at": post.publish_at.astimezone(datetime.UTC).isoformat() if post.publish_at else None,
    }
