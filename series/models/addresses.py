"""What a blog that moved to OLE brings besides its posts: simple pages at their own paths, and the old
addresses that keep working as permanent redirects."""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class Page(models.Model):
    """A simple page ("About", "Contact") served at a path of its own, inside the site's layout."""

    path = models.CharField(
        max_length=500,
        unique=True,
        help_text="The page's address on this site, from / to /, e.g. /about/team/ (any language's letters).",
    )
    title = models.CharField(max_length=200)
    body_html = models.TextField(help_text="Safe HTML, made by the same sanitiser as posts.")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children")
    published = models.BooleanField(default=True, help_text="Untick to hide the page.")
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["path"]
        constraints = [
            models.CheckConstraint(
                condition=Q(path__startswith="/") & Q(path__endswith="/") & ~Q(path__startswith="//"),
                name="page_path_is_local",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return self.path


class OldAddress(models.Model):
    """An address the blog had before it moved here, answered by a 301 to where the item lives now."""

    path = models.CharField(
        max_length=500,
        unique=True,
        help_text="The old path, with the one query parameter that names an item when it has one: "
        "/2019/05/03/slug/, /tag/sleep/, /?p=12, /?page_id=3.",
    )
    target = models.CharField(max_length=500, help_text="A path on this site; never another host.")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "old addresses"
        ordering = ["path"]
        constraints = [
            models.CheckConstraint(
                condition=Q(target__startswith="/") & ~Q(target__startswith="//") & ~Q(target__contains="\\"),
                name="old_address_target_is_local",
            )
        ]

    def __str__(self) -> str:
        return f"{self.path} → {self.target}"
