"""What the forms of both apps share."""

from __future__ import annotations

import hashlib

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join


class SharedBlankMixin:
    """A form whose blank rendering every visitor sees alike, so its fields can come from a cached fragment.

    `per_visitor_fields` are rendered outside the fragment (one-time keys, hidden ids); `fragment_varies_on`
    are rendered inside it and so are part of its key (e.g. the series an invitation chose). Any other initial
    value, or submitted data, means the fields must be rendered for this visitor alone.
    """

    per_visitor_fields: frozenset[str] = frozenset()
    fragment_varies_on: tuple[str, ...] = ()

    @property
    def is_shared_blank(self) -> bool:
        shared = self.per_visitor_fields | set(self.fragment_varies_on)
        return not self.is_bound and not (set(self.initial) - shared)

    @property
    def fragment_key(self) -> str:
        """What the fragment shows besides what the site version covers: how each field is defined (so a
        deploy that changes a field, or a new consent wording, starts a new fragment) and the varying values."""
        parts = [type(self).__qualname__]
        for name, field in self.fields.items():
            widget = field.widget
            parts.append(f"{name}|{type(field).__name__}|{type(widget).__name__}|{widget.attrs}|")
            parts.append(f"{field.label}|{field.help_text}|{field.required}")
        parts += [f"{name}={self[name].value()}" for name in self.fragment_varies_on]
        return hashlib.blake2b("\n".join(parts).encode(), digest_size=16).hexdigest()


class PlainSelect(forms.Select):
    """A select whose options are written out directly instead of rendering a template for each one: the
    list of series grows with the site, and it is on the story form and the search form."""

    def render(self, name: str, value: object, attrs: dict | None = None, renderer: object = None) -> str:
        chosen = set(self.format_value(value))
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            ((str(key), " selected" if str(key) in chosen else "", label) for key, label in self.choices),
        )
        return format_html(
            '<select name="{}"{}>{}</select>', name, flatatt(self.build_attrs(self.attrs, attrs)), options
        )
