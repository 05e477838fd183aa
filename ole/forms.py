"""What the forms of both apps share."""

from __future__ import annotations


class SharedBlankMixin:
    """A form whose blank rendering every visitor sees alike, so its fields can come from a cached fragment.

    `per_visitor_fields` are rendered outside the fragment (one-time keys, hidden ids); any other initial
    value, or submitted data, means the fields must be rendered for this visitor alone.
    """

    per_visitor_fields: frozenset[str] = frozenset()

    @property
    def is_shared_blank(self) -> bool:
        return not self.is_bound and not (set(self.initial) - self.per_visitor_fields)
