"""What a blog that moved to OLE brings besides its posts: simple pages at their own paths, and the old
addresses that keep working as permanent redirects (served by series/addresses.py)."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import Resolver404, resolve
from django.utils.http import url_has_allowed_host_and_scheme

from ole.text import clean_html

# Stored decoded ("/über-uns/"), as Django hands a request's path to the code: never percent-encoded.
_PERCENT_ENCODED = re.compile(r"%[0-9A-Fa-f]{2}")
_UNSAFE_CHARACTERS = re.compile(r"[\s\\\x00-\x1f\x7f]")
MAX_ANCESTORS = 10


def page_path_problem(path: str) -> str | None:
    """What is wrong with a page's path, or None: a local path from / to /, decoded, with no query, that none of
    the site's own addresses takes (such a page would never be shown)."""
    if not path.startswith("/") or not path.endswith("/"):
        return "A page's address starts and ends with /, e.g. /about/team/."
    if path.startswith("//"):
        return "A page's address is a path on this site, not another host."
    if _UNSAFE_CHARACTERS.search(path) or "?" in path or "#" in path:
        return "A page's address has no spaces, backslashes, ? or #."
    if _PERCENT_ENCODED.search(path):
        return "Write the address with its own letters (/über-uns/), not percent-encoded (/%C3%BCber-uns/)."
    if any(part in (".", "..") for part in path.split("/")):
        return "A page's address has no . or .. part."
    if site_answers(path):
        return "The site already answers at this address (a post, a list, the admin...): choose another."
    return None


def site_answers(path: str) -> bool:
    """Whether one of the site's own addresses (a post, a tag, the admin...) takes this path before any page."""
    try:
        resolve(path)
    except Resolver404:
        return False
    return True


def is_local_target(target: str) -> bool:
    """A redirect's target is a path on this site: never a scheme, another host (//host, /\\host) or a
    control character a browser would drop to make one."""
    return (
        target.startswith("/")
        and not target.startswith("//")
        and not _UNSAFE_CHARACTERS.search(target)
        and url_has_allowed_host_and_scheme(target, allowed_hosts=None)
    )


class PageQuerySet(models.QuerySet):
    def published(self) -> PageQuerySet:
        return self.filter(published=True)


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

    objects = PageQuerySet.as_manager()

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

    def save(self, *args, **kwargs) -> None:
        """Every save sanitises the body (whoever wrote it: an editor, an import) and refuses a path that is
        not a local one, or that the site's own addresses take."""
        problem = page_path_problem(self.path)
        if problem:
            raise ValidationError({"path": problem})
        self.body_html = clean_html(self.body_html)
        if kwargs.get("update_fields") is not None and "body_html" not in kwargs["update_fields"]:
            kwargs["update_fields"] = [*kwargs["update_fields"], "body_html"]
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return self.path

    def clean(self) -> None:
        super().clean()
        errors = {}
        problem = page_path_problem(self.path)
        if problem:
            errors["path"] = problem
        if self.parent_id is not None and self.pk is not None and self.pk in self._ancestor_ids():
            errors["parent"] = "A page cannot sit under itself or under one of its own children."
        if errors:
            raise ValidationError(errors)

    def _ancestor_ids(self) -> list[int]:
        ids, parent_id = [], self.parent_id
        while parent_id is not None and parent_id not in ids and len(ids) < MAX_ANCESTORS:
            ids.append(parent_id)
            parent_id = Page.objects.filter(pk=parent_id).values_list("parent_id", flat=True).first()
        return ids

    def breadcrumb(self) -> list[Page]:
        """The published pages above this one, the top first (an unpublished one is left out, and a loop is cut)."""
        ancestors, seen, page = [], {self.pk}, self.parent
        while page is not None and page.pk not in seen and len(seen) <= MAX_ANCESTORS:
            seen.add(page.pk)
            if page.published:
                ancestors.append(page)
            page = page.parent
        return ancestors[::-1]


class OldAddressQuerySet(models.QuerySet):
    def target_for(self, *paths: str) -> str | None:
        """The target of the first of these old paths that is known, in the order given."""
        found = dict(self.filter(path__in=paths).values_list("path", "target"))
        return next((found[path] for path in paths if path in found), None)

    def forget_targets_under(self, address: str) -> int:
        """Delete the old addresses that lead to an address, or below it (a post's comments feed)."""
        deleted, _by_model = self.filter(target__startswith=address).delete()
        return deleted


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

    objects = OldAddressQuerySet.as_manager()

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

    def save(self, *args, **kwargs) -> None:
        """Refuses a target off this site, or one that sends readers back where they came from."""
        self._check()
        super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        self._check()

    def _check(self) -> None:
        errors = {}
        if not self.path.startswith("/") or self.path.startswith("//"):
            errors["path"] = "An old address is a path, starting with a single /."
        if not is_local_target(self.target):
            errors["target"] = "The new address must be a path on this site (starting with /), never another host."
        elif self.target.split("?")[0].rstrip("/") == self.path.split("?")[0].rstrip("/") and "?" not in self.path:
            errors["target"] = "The new address is the old one: readers would go round in a circle."
        if errors:
            raise ValidationError(errors)
