"""WordPress content made into this site's safe HTML.

Classic content gets WordPress's own paragraphing (wpautop); block-editor comments are dropped; `[caption]`
becomes a figure; embeds, audio and video become plain links; galleries and other shortcodes are removed; each
is listed. Images are kept only as copies on this site (`resolve_image`), otherwise they become a plain link
with their description. Everything then goes through `ole.text.clean_html`, the one sanitiser.
"""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

import nh3
from django.utils.html import escape, strip_tags

from ole.text import clean_html

ImageResolver = Callable[[str], "str | None"]

# Each lazy match below stops where the next construct of its kind opens, so text full of unclosed ones (an
# export written to hurt) is still read in one pass rather than once per opening.
_COMMENT = re.compile(r"<!--(?:(?!<!--).)*?-->", re.DOTALL)
_BLOCK_MARK = re.compile(r"<!--\s*/?wp:")
_EMBED_BLOCK = re.compile(
    r"<!--\s*wp:(?P<kind>(?:core-)?embed(?:/[\w-]+)?)\b(?P<json>(?:(?!<!--).)*?)-->"
    r"(?:(?!<!--\s*wp:).)*?<!--\s*/wp:(?P=kind)\s*-->",
    re.S,
)
_BLOCKS = (
    "table|thead|tfoot|caption|col|colgroup|tbody|tr|td|th|div|dl|dd|dt|ul|ol|li|pre|form|map|area|blockquote|"
    "address|math|style|p|h[1-6]|hr|fieldset|legend|section|article|aside|hgroup|header|footer|nav|figure|"
    "figcaption|details|menu|summary"
)
_BLOCK_OPEN = re.compile(rf"(<(?:{_BLOCKS})[\s/>])", re.IGNORECASE)
_BLOCK_CLOSE = re.compile(rf"(</(?:{_BLOCKS})>)", re.IGNORECASE)
_STARTS_BLOCK = re.compile(rf"^</?(?:{_BLOCKS})[\s/>]", re.IGNORECASE)
_ENDS_BLOCK = re.compile(rf"</?(?:{_BLOCKS})[^>]*>$", re.IGNORECASE)
_PRE = re.compile(r"<pre[\s>](?:(?!<pre[\s>]).)*?</pre>", re.IGNORECASE | re.DOTALL)
_BARE_URL_LINE = re.compile(r"^[ \t]*(https?://[^\s<>\"']+)[ \t]*$", re.MULTILINE)

# Shortcodes WordPress and WordPress.com know, handled by name; any other `[name attr=…]` or `[name]…[/name]`
# is taken as a plugin's shortcode and removed. A lone `[word]` with neither (“[sic]”) is prose and stays.
_LINKED = {"embed", "audio", "video", "youtube", "vimeo", "soundcloud", "spotify", "tweet", "twitter", "instagram"}
_KNOWN = _LINKED | {"caption", "wp_caption", "gallery", "playlist", "slideshow", "googlemaps"}
_OPENING = re.compile(
    r"\[(?P<escaped>\[?)(?P<name>[a-zA-Z][\w-]*)(?P<attrs>(?:\s[^\]]*)?)(?P<selfclose>/?)\](?P<escaped_end>(?(escaped)\]?|))"
)
_CLOSING = re.compile(r"\[/([a-zA-Z][\w-]*)\]")
_ATTR = re.compile(r"""([\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"']+))""")
_IMG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
_URL = re.compile(r"https?://[^\s<>\"'\]]+")


@dataclass
class Converted:
    html: str
    removed: list[str] = field(default_factory=list)  # shortcodes removed or made into links, e.g. "[gallery]"
    missing: list[str] = field(default_factory=list)  # images with no copy here: their old addresses


def convert(content: str, *, resolve_image: ImageResolver) -> Converted:
    """WordPress post or page content as safe HTML for this site, with what was removed and what is missing."""
    result = Converted(html="")
    text = (content or "").replace("\r\n", "\n").replace("\r", "\n")
    block_editor = bool(_BLOCK_MARK.search(text))
    text = _EMBED_BLOCK.sub(lambda m: _embed_block(m, result), text)
    text = _COMMENT.sub("", text)  # block-editor marks, <!--more-->, and any other comment
    text = _shortcodes(text, result)
    if not block_editor:
        text = _BARE_URL_LINE.sub(lambda m: _link(m.group(1), note=None), text)  # WordPress embeds these
        text = wpautop(text)
    text = _IMG.sub(lambda m: _image(m.group(0), resolve_image, result), text)
    result.html = re.sub(r"\n{3,}", "\n\n", clean_html(text)).strip()
    return result


def title_text(title: str) -> str:
    """A title's markup reduced to its words (templates escape it again on the way out)."""
    return " ".join(html_lib.unescape(nh3.clean(title or "", tags=set())).split())


def comment_text(content: str) -> str:
    """A comment's HTML as the plain text comments here are written in: paragraphs kept, a link's address
    written after its words (comments here are rendered as text, their addresses made into links)."""
    text = re.sub(r"<(script|style)\b.*?(</\1\s*>|$)", "", (content or "").replace("\r\n", "\n"), flags=re.I | re.S)
    text = re.sub(
        r"<a\s[^>]*href\s*=\s*[\"']?(https?://[^\"'\s>]+)[^>]*>((?:(?!<a\s).)*?)</a>",
        _link_as_text,
        text,
        flags=re.I | re.S,
    )
    text = re.sub(r"<br\s*/?>", "\n", text, flags=re.IGNORECASE)
    text = re.sub(r"</p\s*>", "\n\n", text, flags=re.IGNORECASE)
    text = html_lib.unescape(strip_tags(text))
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _link_as_text(match: re.Match) -> str:
    address, words = match.group(1), strip_tags(match.group(2)).strip()
    return address if not words or words == address else f"{words} ({address})"


def _embed_block(match: re.Match, result: Converted) -> str:
    """A block-editor embed (a video, a post on another site) becomes a plain link to what it showed."""
    result.removed.append("[embed]")
    address = _first_url(match.group("json")) or _first_url(_COMMENT.sub("", match.group(0)))
    return f"<p>{_link(address, note=None)}</p>" if address else ""


# Paragraphs ---------------------------------------------------------------------------------------------------


def wpautop(text: str) -> str:
    """WordPress's paragraphing of classic content: text separated by blank lines becomes paragraphs, a single
    line break a <br>; block elements are left as they are and preformatted text is never touched."""
    if not text.strip():
        return ""
    kept: list[str] = []

    def keep(match: re.Match) -> str:
        kept.append(match.group(0))
        return f'\n\n<pre data-kept="{len(kept) - 1}"></pre>\n\n'

    text = _PRE.sub(keep, text + "\n")
    text = _BLOCK_OPEN.sub(r"\n\n\1", text)
    text = _BLOCK_CLOSE.sub(r"\1\n\n", text)
    chunks = [chunk.strip() for chunk in re.split(r"\n\s*\n", text) if chunk.strip()]
    out = []
    for chunk in chunks:
        if _STARTS_BLOCK.match(chunk) or _ENDS_BLOCK.search(chunk):
            out.append(chunk)
        else:
            out.append("<p>" + re.sub(r"\s*\n\s*", "<br />\n", chunk) + "</p>")
    html = "\n".join(out)
    return re.sub(r'<pre data-kept="(\d+)"></pre>', lambda m: kept[int(m.group(1))], html)


# Shortcodes ---------------------------------------------------------------------------------------------------


def _shortcodes(text: str, result: Converted) -> str:
    """Each shortcode handled once, in one pass: a closing tag is looked for only when the text has one by that
    name, so brackets in prose cost nothing however many there are."""
    closers = {name.lower() for name in _CLOSING.findall(text)}
    lowered = text.lower()
    out, position = [], 0
    while match := _OPENING.search(text, position):
        out.append(text[position : match.start()])
        name, body, end = match.group("name").lower(), None, match.end()
        if name in closers and not match.group("selfclose") and not match.group("escaped"):
            close = lowered.find(f"[/{name}]", match.end())
            if close != -1:
                body, end = text[match.end() : close], close + len(name) + 3
        out.append(_shortcode(match, name, body, result))
        position = end
    out.append(text[position:])
    return "".join(out)


def _shortcode(match: re.Match, name: str, body: str | None, result: Converted) -> str:
    attrs = _attributes(match.group("attrs") or "")
    if match.group("escaped") and match.group("escaped_end"):  # [[gallery]] is WordPress for a literal [gallery]
        return match.group(0)[1:-1]
    if name not in _KNOWN and not attrs and body is None and not match.group("selfclose"):
        return match.group(0)  # “[sic]”, “[1]”: prose, not a shortcode
    if name in ("caption", "wp_caption"):
        return _caption(_shortcodes(body or "", result), attrs)
    result.removed.append(f"[{name}]")
    if name in _LINKED:
        address = attrs.get("src") or attrs.get("url") or _first_url(body or "") or _first_url(match.group("attrs"))
        for extension in ("mp3", "m4a", "ogg", "wav", "mp4", "m4v", "webm", "mov"):
            address = address or attrs.get(extension, "")
        return _link(address, note=None) if address else ""
    if name in _KNOWN or body is None:
        return ""
    return _shortcodes(body, result)  # a plugin's wrapper ([spoiler]…[/spoiler]): its words stay


def _attributes(text: str) -> dict[str, str]:
    return {m.group(1).lower(): next(v for v in m.groups()[1:] if v is not None) for m in _ATTR.finditer(text)}


def _first_url(text: str) -> str:
    match = _URL.search(text or "")
    return match.group(0) if match else ""


def _caption(body: str, attrs: dict[str, str]) -> str:
    images = _IMG.findall(body)
    # The picture may sit inside a link to its larger size: the figure keeps only the picture.
    caption = _IMG.sub("", re.sub(r"</?a\b[^>]*>", "", body)).strip() or attrs.get("caption", "")
    if not images:
        return f"<p>{caption}</p>" if caption else ""
    return f"\n\n<figure>{images[0]}<figcaption>{caption}</figcaption></figure>\n\n"


def _link(address: str, *, note: str | None) -> str:
    address = html_lib.unescape(address.strip())
    if urlsplit(address).scheme.lower() not in ("http", "https"):
        return escape(note or "")
    return f'<a href="{escape(address)}">{escape(note or address)}</a>'


# Images -------------------------------------------------------------------------------------------------------


def _image(tag: str, resolve_image: ImageResolver, result: Converted) -> str:
    attrs = _attributes(tag[4:])
    src = html_lib.unescape(attrs.get("src", "")).strip()
    alt = html_lib.unescape(attrs.get("alt", "")).strip()
    local = resolve_image(src) if src else None
    if local:
        size = "".join(
            f' {name}="{escape(attrs[name])}"' for name in ("width", "height") if attrs.get(name, "").isdigit()
        )
        return f'<img src="{escape(local)}" alt="{escape(alt)}"{size}>'
    if src:
        result.missing.append(src)
    words = alt or unquote(urlsplit(src).path.rsplit("/", 1)[-1]) or "image"
    return _link(src, note=words)
