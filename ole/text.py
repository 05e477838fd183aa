"""Text helpers shared by posts and reader stories: Markdown to safe HTML, excerpts, word counts."""

from __future__ import annotations

import html as html_lib
import math

import markdown
import nh3
from django.utils.html import strip_tags
from django.utils.text import Truncator

ALLOWED_TAGS = {
    "p",
    "br",
    "hr",
    "h2",
    "h3",
    "h4",
    "strong",
    "em",
    "b",
    "i",
    "a",
    "ul",
    "ol",
    "li",
    "blockquote",
    "code",
    "pre",
    "sup",
    "sub",
    "abbr",
    "del",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}}
URL_SCHEMES = {"http", "https", "mailto"}
WORDS_PER_MINUTE = 200


def render_markdown(source: str) -> str:
    """Render Markdown to HTML that keeps no script, event handler, iframe or javascript: link."""
    html = markdown.markdown(source or "", extensions=["sane_lists", "smarty"], output_format="html")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
    )


def plain_text(html: str) -> str:
    return " ".join(html_lib.unescape(strip_tags(html)).split())


def derive_excerpt(html: str, words: int = 40) -> str:
    return Truncator(plain_text(html)).words(words, truncate="…")


def count_words(html: str) -> int:
    return len(plain_text(html).split())


def reading_minutes(word_count: int) -> int:
    return max(1, math.ceil(word_count / WORDS_PER_MINUTE))
