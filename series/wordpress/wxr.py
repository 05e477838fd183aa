"""Reading a WordPress export (WXR 1.0 to 1.2, as WordPress and WordPress.com write it), streaming.

`read_export(path)` yields one `Channel` (the site, its authors and its terms, which WXR lists before the
items) and then each `Item` as it is read, so an export of any size is read in bounded memory: each element is
cleared once read. Anything that is not a whole, well-formed WXR file without entities, a DTD or external
references raises `ExportError`, with one line that says what is wrong.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO
from xml.etree.ElementTree import Element, ParseError

import defusedxml
import defusedxml.ElementTree as SafeTree

# The `wp:` namespace is written with http or https, for versions 1.0 to 1.2; the excerpt namespace hangs off it.
_WP_NAMESPACE = re.compile(r"^https?://wordpress\.org/export/1\.[0-2]/(excerpt/)?$")
_NAMESPACES = {
    "http://purl.org/rss/1.0/modules/content/": "content",
    "http://purl.org/dc/elements/1.1/": "dc",
    "http://wellformedweb.org/CommentAPI/": "wfw",
}


class ExportError(Exception):
    """The file is not a WordPress export this site can read; the message says why, in one line."""


@dataclass
class Author:
    login: str
    display_name: str
    wp_id: str = ""
    email: str = ""


@dataclass
class Term:
    """A category, a tag or a term of another taxonomy (the Organize Series plugin's `series`)."""

    taxonomy: str
    slug: str
    name: str
    description: str = ""
    parent: str = ""


@dataclass
class Channel:
    site_url: str
    title: str = ""
    wxr_version: str = ""
    authors: list[Author] = field(default_factory=list)
    terms: list[Term] = field(default_factory=list)


@dataclass(slots=True)
class ItemTerm:
    """A `<category>` of an item: its taxonomy (`domain`), slug (`nicename`) and name."""

    taxonomy: str
    slug: str
    name: str


@dataclass(slots=True)
class Comment:
    wp_id: str
    author: str = ""
    email: str = ""
    url: str = ""
    date_gmt: str = ""
    date: str = ""
    content: str = ""
    approved: str = ""
    kind: str = ""
    parent: str = ""
    user_id: str = ""
    # The commenter's IP address is never read.


@dataclass
class Item:
    wp_id: str
    post_type: str = ""
    title: str = ""
    link: str = ""
    guid: str = ""
    creator: str = ""
    content: str = ""
    excerpt: str = ""
    date_gmt: str = ""
    date: str = ""
    name: str = ""
    status: str = ""
    parent: str = ""
    menu_order: str = ""
    password: str = ""
    is_sticky: str = ""
    attachment_url: str = ""
    terms: list[ItemTerm] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)
    comments: list[Comment] = field(default_factory=list)


def read_export(path: Path) -> Iterator[Channel | Item]:
    """The channel, then every item, read as the file streams by; `ExportError` for anything unreadable."""
    try:
        with open(path, "rb") as source:
            yield from _read(source)
    except OSError as error:
        raise ExportError(f"Cannot read {path}: {error.strerror or error}.") from error


def read_stream(source: BinaryIO) -> Iterator[Channel | Item]:
    """As `read_export`, from an open binary file (its position shows how far the reading has come)."""
    yield from _read(source)


def _read(source: BinaryIO) -> Iterator[Channel | Item]:
    channel: Channel | None = None
    channel_element: Element | None = None
    authors: list[Author] = []
    terms: list[Term] = []
    header: dict[str, str] = {}
    depth = 0
    items = 0
    events = SafeTree.iterparse(source, events=("start", "end"), forbid_dtd=True)
    try:
        for event, element in events:
            if event == "start":
                depth += 1
                if depth == 1 and _name(element) != "rss":
                    raise ExportError("This is not a WordPress export: it is not an RSS file.")
                if depth == 2 and _name(element) == "channel":
                    channel_element = element
                continue
            depth -= 1
            if channel_element is None or depth != 2:
                continue
            name = _name(element)
            if name == "item":
                if channel is None:
                    channel = _channel(header, authors, terms)
                    yield channel
                yield _item(element)
                items += 1
            elif name == "wp:author":
                authors.append(_author(element))
            elif name in ("wp:category", "wp:tag", "wp:term"):
                terms.append(_term(element, name))
            elif channel is None:
                header[name] = (element.text or "").strip()
            channel_element.clear()  # what has been read goes: memory stays bounded however long the file
    except defusedxml.DefusedXmlException as error:
        raise ExportError(f"The file was refused: it holds {_refusal(error)}, which an export never needs.") from error
    except ParseError as error:
        line = error.position[0] if getattr(error, "position", None) else "?"
        if "no element found" in str(error) or "unclosed token" in str(error):
            raise ExportError(f"The file ends too soon (near line {line}): it looks cut off; export again.") from error
        raise ExportError(f"The file is not well-formed XML (near line {line}): {error.msg}.") from error
    if channel_element is None:
        raise ExportError("This is not a WordPress export: it has no channel.")
    if channel is None:
        yield _channel(header, authors, terms)


def _channel(header: dict[str, str], authors: list[Author], terms: list[Term]) -> Channel:
    if "wp:wxr_version" not in header:
        raise ExportError("This is not a WordPress export: it has no WXR version (an ordinary RSS feed?).")
    site = header.get("wp:base_blog_url") or header.get("wp:base_site_url") or header.get("link") or ""
    if not site.startswith(("http://", "https://")):
        raise ExportError("This WordPress export does not name its site (no base_site_url or link).")
    return Channel(
        site_url=site, title=header.get("title", ""), wxr_version=header["wp:wxr_version"], authors=authors, terms=terms
    )


def _name(element: Element) -> str:
    """The element's name with its namespace as a short prefix ("wp:post_id"); WordPress's `wp:` in any version."""
    tag = element.tag
    if not tag.startswith("{"):
        return tag
    uri, local = tag[1:].split("}", 1)
    wp = _WP_NAMESPACE.match(uri)
    if wp:
        return f"{'excerpt' if wp.group(1) else 'wp'}:{local}"
    prefix = _NAMESPACES.get(uri)
    return f"{prefix}:{local}" if prefix else tag


def _children(element: Element) -> dict[str, str]:
    return {_name(child): child.text or "" for child in element}


def _author(element: Element) -> Author:
    fields = _children(element)
    login = fields.get("wp:author_login", "").strip()
    return Author(
        login=login,
        display_name=fields.get("wp:author_display_name", "").strip() or login,
        wp_id=fields.get("wp:author_id", "").strip(),
        email=fields.get("wp:author_email", "").strip(),
    )


def _term(element: Element, name: str) -> Term:
    fields = _children(element)
    if name == "wp:category":
        return Term(
            taxonomy="category",
            slug=fields.get("wp:category_nicename", "").strip(),
            name=fields.get("wp:cat_name", "").strip(),
            description=fields.get("wp:category_description", "").strip(),
            parent=fields.get("wp:category_parent", "").strip(),
        )
    if name == "wp:tag":
        return Term(
            taxonomy="post_tag",
            slug=fields.get("wp:tag_slug", "").strip(),
            name=fields.get("wp:tag_name", "").strip(),
            description=fields.get("wp:tag_description", "").strip(),
        )
    return Term(
        taxonomy=fields.get("wp:term_taxonomy", "").strip(),
        slug=fields.get("wp:term_slug", "").strip(),
        name=fields.get("wp:term_name", "").strip(),
        description=fields.get("wp:term_description", "").strip(),
        parent=fields.get("wp:term_parent", "").strip(),
    )


_ITEM_FIELDS = {
    "title": "title",
    "link": "link",
    "guid": "guid",
    "dc:creator": "creator",
    "content:encoded": "content",
    "excerpt:encoded": "excerpt",
    "wp:post_id": "wp_id",
    "wp:post_date_gmt": "date_gmt",
    "wp:post_date": "date",
    "wp:post_name": "name",
    "wp:status": "status",
    "wp:post_parent": "parent",
    "wp:menu_order": "menu_order",
    "wp:post_type": "post_type",
    "wp:post_password": "password",
    "wp:is_sticky": "is_sticky",
    "wp:attachment_url": "attachment_url",
}
_COMMENT_FIELDS = {
    "wp:comment_id": "wp_id",
    "wp:comment_author": "author",
    "wp:comment_author_email": "email",
    "wp:comment_author_url": "url",
    "wp:comment_date_gmt": "date_gmt",
    "wp:comment_date": "date",
    "wp:comment_content": "content",
    "wp:comment_approved": "approved",
    "wp:comment_type": "kind",
    "wp:comment_parent": "parent",
    "wp:comment_user_id": "user_id",
}
_TRIMMED = {"content", "excerpt"}


def _item(element: Element) -> Item:
    item = Item(wp_id="")
    for child in element:
        name = _name(child)
        text = child.text or ""
        if name in _ITEM_FIELDS:
            attribute = _ITEM_FIELDS[name]
            setattr(item, attribute, text if attribute in _TRIMMED else text.strip())
        elif name == "category":
            item.terms.append(
                ItemTerm(
                    taxonomy=child.get("domain", "category"),
                    slug=child.get("nicename", "").strip(),
                    name=text.strip(),
                )
            )
        elif name == "wp:postmeta":
            meta = _children(child)
            key = meta.get("wp:meta_key", "").strip()
            if key:
                item.meta[key] = meta.get("wp:meta_value", "")
        elif name == "wp:comment":
            item.comments.append(_comment(child))
    if not item.wp_id:
        raise ExportError(f"An item has no post_id (“{item.title[:60]}”): the export is not whole.")
    return item


def _comment(element: Element) -> Comment:
    comment = Comment(wp_id="")
    for child in element:
        attribute = _COMMENT_FIELDS.get(_name(child))
        if attribute:
            text = child.text or ""
            setattr(comment, attribute, text if attribute == "content" else text.strip())
    return comment


def _refusal(error: defusedxml.DefusedXmlException) -> str:
    if isinstance(error, defusedxml.DTDForbidden):
        return "a DTD"
    if isinstance(error, defusedxml.ExternalReferenceForbidden):
        return "an external reference"
    return "an entity declaration"
