"""Pingbacks and webmentions: other pages saying they link to a post, and OLE telling pages it links to.

A received mention is recorded unverified; the worker fetches the source safely (ole.safefetch), checks that
it really links to the post, and only then lets it through the same moderation as comments. Links between
OLE's own posts become pingbacks at once, without any HTTP request.
"""

from __future__ import annotations

import datetime
import logging
import re

# Only builds requests here; parsing is hardened with defusedxml (SeriesConfig.ready).
import xmlrpc.client  # nosec B411
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.urls import Resolver404, resolve
from django.utils import timezone

from ole import safefetch
from ole.outbox import queue_digest

from .models import Comment, CommunitySettings, Post
from .services import HELD_DIGEST_EVERY, moderate

logger = logging.getLogger(__name__)
RECHECK_AFTER_FAILURE = datetime.timedelta(minutes=30)


class MentionRefused(Exception):
    """A mention that cannot be taken; `code` is the pingback fault code that applies."""

    def __init__(self, message: str, code: int):
        super().__init__(message)
        self.code = code


# Pingback 1.0 fault codes.
SOURCE_MISSING, NO_LINK, TARGET_MISSING, TARGET_CLOSED, ALREADY_REGISTERED, ACCESS_DENIED = (
    0x0010,
    0x0011,
    0x0020,
    0x0021,
    0x0030,
    0x0031,
)


# Reading pages -----------------------------------------------------------------------------------------


class _PageReader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.endpoints: dict[str, str] = {}
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        values = {name: value or "" for name, value in attrs}
        rels = values.get("rel", "").lower().split()
        if tag == "a" and values.get("href"):
            self.links.append(values["href"])
        if tag in ("a", "link") and values.get("href") is not None:
            for rel in ("webmention", "pingback"):
                if rel in rels:
                    self.endpoints.setdefault(rel, values["href"])
        if tag == "title":
            self._in_title = True

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False

    def handle_data(self, data):
        if self._in_title and len(self.title) < 300:
            self.title += data


def read_page(html: str) -> _PageReader:
    reader = _PageReader()
    reader.feed(html[:1_000_000])
    reader.close()
    return reader


def _normal(url: str) -> str:
    """A URL reduced for comparison; "" for one that cannot be parsed."""
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").lower()
    except ValueError:
        return ""
    return urlunsplit((parts.scheme.lower(), host, parts.path.rstrip("/"), parts.query, ""))


def _join(base: str, href: str) -> str:
    try:
        return urljoin(base, href)
    except ValueError:
        return ""


def links_to(html: str, base_url: str, target: str) -> bool:
    wanted = _normal(target)
    return bool(wanted) and any(_normal(_join(base_url, href)) == wanted for href in read_page(html).links)


def source_host(source: str) -> str:
    """What a per-source rate limit counts: the source's host name (or the raw text when there is none)."""
    return _host(source) or source[:200]


def _host(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


# Receiving ---------------------------------------------------------------------------------------------


def _site_hosts() -> set[str]:
    hosts = {urlsplit(settings.OLE_SITE_URL).hostname or ""}
    hosts.update(host.lstrip(".") for host in settings.ALLOWED_HOSTS if host != "*")
    return {host.lower() for host in hosts if host}


def _is_ours(url: str) -> bool:
    """A link to this site: the site's own address, or one of its host names on the default port."""
    try:
        parts, site = urlsplit(url), urlsplit(settings.OLE_SITE_URL)
        if (parts.hostname, parts.port) == (site.hostname, site.port):
            return True
        return parts.port is None and (parts.hostname or "").lower() in _site_hosts()
    except ValueError:
        return False


def post_for_target(target: str) -> Post:
    """The published post a target URL names on this site, ready to take mentions."""
    try:
        parts = urlsplit(target)
        host = (parts.hostname or "").lower()
    except ValueError as error:
        raise MentionRefused("The target is not a well-formed address.", TARGET_CLOSED) from error
    if parts.scheme not in ("http", "https") or host not in _site_hosts():
        raise MentionRefused("The target is not a page on this site.", TARGET_CLOSED)
    try:
        match = resolve(parts.path or "/")
    except Resolver404 as error:
        raise MentionRefused("The target page does not exist.", TARGET_MISSING) from error
    if match.view_name != "series:post":
        raise MentionRefused("The target is not a post that takes mentions.", TARGET_CLOSED)
    post = Post.objects.published().select_related("contributor").filter(slug=match.kwargs["slug"]).first()
    if post is None:
        raise MentionRefused("The target page does not exist.", TARGET_MISSING)
    if not post.comments_are_open(close_after_days=CommunitySettings.current().close_after_days):
        raise MentionRefused("This post no longer takes mentions.", TARGET_CLOSED)
    return post


def receive(*, source: str, target: str, kind: str) -> Comment:
    """Record a mention to verify (or queue a re-check of a known one); raises MentionRefused."""
    source, target = source.strip(), target.strip()
    if not source.lower().startswith(("http://", "https://")) or not _host(source) or len(source) > 2000:
        raise MentionRefused("The source must be an http or https address.", SOURCE_MISSING)
    if _normal(source) == _normal(target):
        raise MentionRefused("A page cannot mention itself.", NO_LINK)
    post = post_for_target(target)
    with transaction.atomic():
        existing = post.comments.filter(source_url=source).exclude(kind=Comment.Kind.COMMENT).first()
        if existing:
            if kind == Comment.Kind.PINGBACK and existing.status != Comment.Status.UNVERIFIED:
                raise MentionRefused("This pingback is already registered.", ALREADY_REGISTERED)
            # A webmention sent again means "look again": the source may have changed or gone.
            existing.next_check_at = timezone.now()
            existing.save(update_fields=["next_check_at"])
            return existing
        return Comment.objects.create(
            post=post,
            kind=kind,
            source_url=source,
            name=_host(source)[:80] or source[:80],
            body="",
            status=Comment.Status.UNVERIFIED,
            next_check_at=timezone.now(),
        )


# Verifying ---------------------------------------------------------------------------------------------


def verify(mention: Comment) -> None:
    """Fetch the source: keep the mention only if the page exists and links to the post."""
    target = settings.OLE_SITE_URL.rstrip("/") + mention.post.get_absolute_url()
    try:
        page = safefetch.request(mention.source_url, headers={"Accept": "text/html"})
    except safefetch.UnsafeURL:
        _drop(mention, "unsafe source")
        return
    except safefetch.FetchFailed as error:
        mention.next_check_at = timezone.now() + RECHECK_AFTER_FAILURE
        mention.save(update_fields=["next_check_at"])
        logger.info("Mention %s: source not reachable (%s); will retry.", mention.pk, error)
        return
    if page.status in (404, 410) or not links_to(page.text, page.url, target):
        _drop(mention, "source gone or no longer links here")
        return
    site = _host(page.url)
    title = " ".join(read_page(page.text).title.split())[:120] or site
    changed = title != mention.body
    mention.name = f"{title} | {site}"[: Comment.NAME_MAX]
    mention.body = title
    mention.next_check_at = None
    first = mention.status == Comment.Status.UNVERIFIED
    newcomer = "First mention from this site" if first and not _known_site(mention) else ""
    verdict = moderate(mention, newcomer_reason=newcomer)
    if verdict.discard:
        _drop(mention, "block list")
        return
    with transaction.atomic():
        mention.save(update_fields=["name", "body", "body_html", "next_check_at"])
        # Judged on every check: a page that changes its title after approval is judged again.
        if first:
            mention.verify_mention(hold_reasons=verdict.hold_reasons)
        elif changed and verdict.held and mention.status in (Comment.Status.APPROVED, Comment.Status.PENDING):
            mention.hold(verdict.hold_reasons)
        if mention.status == Comment.Status.PENDING:
            queue_digest("comments.held", every=HELD_DIGEST_EVERY)


def _known_site(mention: Comment) -> bool:
    """Whether an approved mention from the same site is already shown (on any post)."""
    netloc = urlsplit(mention.source_url).netloc.lower()
    return (
        Comment.objects.filter(status=Comment.Status.APPROVED, source_url__icontains=f"//{netloc}/")
        .exclude(pk=mention.pk)
        .exists()
    )


def _drop(mention: Comment, why: str) -> None:
    logger.info("Mention %s dropped: %s.", mention.pk, why)
    post = mention.post
    with transaction.atomic():
        mention.delete()
        post.refresh_comment_count()


def verify_due(limit: int = 20) -> int:
    """Check the mentions that are due; returns how many were looked at."""
    due = list(
        Comment.objects.filter(next_check_at__lte=timezone.now())
        .select_related("post")
        .order_by("next_check_at")[:limit]
    )
    for mention in due:
        try:
            verify(mention)
        except Exception:
            logger.exception("Mention %s could not be checked; dropped.", mention.pk)
            Comment.objects.filter(pk=mention.pk).delete()
    return len(due)


# Sending -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Endpoint:
    kind: str
    url: str


def discover(page: safefetch.Fetched) -> Endpoint | None:
    """A page's webmention endpoint (preferred) or pingback server, from headers or the HTML."""
    link_header = page.headers.get("link", "")
    for part in link_header.split(","):
        match = re.match(r"\s*<([^>]*)>\s*;(.*)", part)
        if match and re.search(r'rel="?[^"]*\bwebmention\b', match.group(2)):
            return Endpoint("webmention", urljoin(page.url, match.group(1)))
    endpoints = read_page(page.text).endpoints if "html" in page.headers.get("content-type", "html") else {}
    if "webmention" in endpoints:
        return Endpoint("webmention", urljoin(page.url, endpoints["webmention"]))
    if page.headers.get("x-pingback"):
        return Endpoint("pingback", page.headers["x-pingback"])
    if "pingback" in endpoints:
        return Endpoint("pingback", urljoin(page.url, endpoints["pingback"]))
    return None


def link_internal(post: Post) -> int:
    """Pingbacks for links from one OLE post to another, made at once (no HTTP); returns how many are new."""
    if not post.is_published():
        return 0
    source = settings.OLE_SITE_URL.rstrip("/") + post.get_absolute_url()
    made = 0
    for href in set(read_page(post.body_html).links):
        url = _join(source, href)
        try:
            target = post_for_target(url)
        except MentionRefused:
            continue
        if target.pk == post.pk:
            continue
        _mention, created = Comment.objects.get_or_create(
            post=target,
            source_url=source,
            kind=Comment.Kind.PINGBACK,
            defaults={
                "name": f"{post.title} | {settings.OLE_SITE_NAME}"[: Comment.NAME_MAX],
                "body": post.title,
                "status": Comment.Status.APPROVED,
            },
        )
        if created:
            made += 1
            target.refresh_comment_count()
    return made


def notify_links(post: Post) -> dict[str, str]:
    """Tell every outside page a published post links to; returns {url: what happened}."""
    source = settings.OLE_SITE_URL.rstrip("/") + post.get_absolute_url()
    results = {}
    for href in sorted(set(read_page(post.body_html).links)):
        url = _join(source, href)
        if not url.lower().startswith(("http://", "https://")) or _is_ours(url):
            continue
        try:
            endpoint = discover(safefetch.request(url))
            if endpoint is None:
                results[url] = "no endpoint"
            elif endpoint.kind == "webmention":
                body = f"source={_quote(source)}&target={_quote(url)}".encode()
                reply = safefetch.request(
                    endpoint.url,
                    method="POST",
                    body=body,
                    headers={"Content-Type": "application/x-www-form-urlencoded"},
                )
                results[url] = f"webmention {reply.status}"
            else:
                payload = xmlrpc.client.dumps((source, url), methodname="pingback.ping").encode()
                reply = safefetch.request(
                    endpoint.url, method="POST", body=payload, headers={"Content-Type": "text/xml"}
                )
                results[url] = f"pingback {reply.status}"
        except (safefetch.UnsafeURL, safefetch.FetchFailed) as error:
            results[url] = f"skipped: {error}"
    return results


def _quote(value: str) -> str:
    return quote(value, safe="")


def notify_due(limit: int = 10) -> int:
    """Posts published (or changed) since their links were last announced: announce them now."""
    posts = list(Post.objects.published().filter(links_announced_at__isnull=True)[:limit])
    stale = list(Post.objects.published().filter(links_announced_at__lt=F("updated"))[: max(limit - len(posts), 0)])
    for post in [*posts, *stale]:
        try:
            link_internal(post)
            notify_links(post)
        except Exception:
            logger.exception("Post %s: announcing its links failed.", post.pk)
        Post.objects.filter(pk=post.pk).update(links_announced_at=timezone.now())
    return len(posts) + len(stale)
