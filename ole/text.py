"""Text helpers shared by posts and reader stories: Markdown to safe HTML, excerpts, word counts."""

from __future__ import annotations

import difflib
import html as html_lib
import math
import re
from urllib.parse import urljoin

import markdown
import nh3
from django.conf import settings
from django.utils.html import escape, linebreaks, strip_tags, urlize
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
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "width", "height"},
}
# Pictures are shown only from the site's own media: a page never makes the reader's browser ask another host.
ALLOWED_TAGS |= {"figure", "figcaption", "img"}
URL_SCHEMES = {"http", "https", "mailto"}
WORDS_PER_MINUTE = 200


def render_markdown(source: str) -> str:
    """Render Markdown to HTML that keeps no script, event handler, iframe or javascript: link."""
    try:
        html = markdown.markdown(source or "", extensions=["sane_lists", "smarty"], output_format="html")
    except RecursionError:
        # Pathologically nested input (thousands of list markers): show it as plain paragraphs instead.
        html = "".join(f"<p>{escape(part)}</p>" for part in (source or "").split("\n\n") if part.strip())
    return clean_html(html)


def clean_html(html: str) -> str:
    """HTML from anywhere (Markdown's output, an imported blog) made safe: no script, event handler, iframe,
    form or javascript: link, and no picture from outside the site's media."""
    cleaned = nh3.clean(
        html or "",
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        attribute_filter=_own_pictures_only,
    )
    return _PICTURE_WITHOUT_SOURCE.sub("", cleaned)


_PICTURE_WITHOUT_SOURCE = re.compile(r"<img(?![^>]*\ssrc=)[^>]*>")


def _own_pictures_only(tag: str, attribute: str, value: str) -> str | None:
    if tag == "img" and attribute == "src" and not is_own_media(value):
        return None
    return value


def is_own_media(url: str) -> bool:
    media_url = settings.MEDIA_URL
    return url.startswith(media_url) and not url.startswith("//") and ".." not in url


def absolute_links(html: str, base_url: str) -> str:
    """Safe HTML (from `render_markdown`) with every link and image address made absolute against `base_url`:
    feed readers resolve relative addresses against different bases, or not at all."""

    def absolute(tag: str, attribute: str, value: str) -> str | None:
        if _own_pictures_only(tag, attribute, value) is None:
            return None
        return urljoin(base_url, value) if attribute in ("href", "src") else value

    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        attribute_filter=absolute,
    )


def render_comment(text: str) -> str:
    """A comment is plain text: escaped, paragraphs kept, web addresses made into links marked as user content."""
    linked = urlize(text or "", nofollow=True, autoescape=True)
    return linebreaks(linked.replace('rel="nofollow"', 'rel="nofollow ugc noopener"'), autoescape=False)


def count_links(text: str) -> int:
    """How many links a comment would show: every address that rendering turns into a link."""
    return render_comment(text).count("<a ")


def plain_text(html: str) -> str:
    return " ".join(html_lib.unescape(strip_tags(html)).split())


def derive_excerpt(html: str, words: int = 40) -> str:
    return Truncator(plain_text(html)).words(words, truncate="…")


def count_words(html: str) -> int:
    return len(plain_text(html).split())


def reading_minutes(word_count: int) -> int:
    return max(1, math.ceil(word_count / WORDS_PER_MINUTE))


def side_by_side(old: str, new: str) -> tuple[str, str]:
    """Two HTML renderings of a text and its edited version: words removed are marked <del> in the first,
    words added are marked <ins> in the second. Paragraph breaks are kept; everything else is escaped."""
    old_words, new_words = _tokens(old), _tokens(new)
    left, right = [], []
    matcher = difflib.SequenceMatcher(a=old_words, b=new_words, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        removed, added = _join(old_words[a1:a2]), _join(new_words[b1:b2])
        if op == "equal":
            left.append(removed)
            right.append(added)
            continue
        left.append(_mark("del", removed))
        right.append(_mark("ins", added))
    return _paragraphs(" ".join(p for p in left if p)), _paragraphs(" ".join(p for p in right if p))


_PARAGRAPH = "\ue000"  # a private-use character: never whitespace, never typed


def _tokens(text: str) -> list[str]:
    normalised = "\n\n".join(part.strip() for part in (text or "").replace("\r\n", "\n").split("\n\n") if part.strip())
    return normalised.replace("\n\n", f" {_PARAGRAPH} ").split()


def _mark(tag: str, html: str) -> str:
    """Wrap a changed run, one piece per paragraph, so the marks never cross a paragraph break."""
    pieces = [piece.strip() for piece in html.split(_PARAGRAPH)]
    return f" {_PARAGRAPH} ".join(f"<{tag}>{piece}</{tag}>" if piece else "" for piece in pieces)


def _join(tokens: list[str]) -> str:
    return escape(" ".join(tokens))


def _paragraphs(html: str) -> str:
    parts = [part.strip() for part in html.split(_PARAGRAPH)]
    return "".join(f"<p>{part}</p>" for part in parts if part)
