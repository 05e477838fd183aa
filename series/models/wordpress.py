"""What the WordPress import remembers: which row here each item of an export became."""

from __future__ import annotations

from django.db import models


class ImportedItem(models.Model):
    """One item of a WordPress site's export (a post, page, comment, author or term) and the row it became here,
    with a fingerprint of the item as exported: importing the same export again changes nothing, and a later
    export of the same site adds what is new and updates only what changed."""

    class Kind(models.TextChoices):
        POST = "post", "Post"
        PAGE = "page", "Page"
        COMMENT = "comment", "Comment"
        AUTHOR = "author", "Author"
        TOPIC = "topic", "Tag or category"
        SERIES = "series", "Series"

    site = models.CharField(max_length=300, help_text="The exported site, as host and path (no scheme).")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    wp_id = models.CharField(max_length=200, help_text="The item's id in the export (a number, or a term's slug).")
    object_id = models.PositiveBigIntegerField()
    fingerprint = models.CharField(max_length=64)
    imported_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["site", "kind", "wp_id"], name="imported_item_once_per_site")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.wp_id} from {self.site}"
