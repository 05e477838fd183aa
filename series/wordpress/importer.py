"""Importing a WordPress export: staged, written hidden in short steps, then shown in one short transaction.

Everything slow (reading the file, converting and sanitising content, judging comments, image work) is done
first, into plain objects; nothing is written until the whole file has been read. Then the new posts, with their
tags, revisions and approved comments, are written a few hundred a transaction as posts "being imported", which
nobody sees; a last transaction writes the rest (updates, comments waiting for moderation, pages, old addresses)
and gives the new posts their status, with one cache invalidation. A broken file writes nothing, and a failure
while writing takes back what was written. Items are keyed by the exported site and their ids
(`ImportedItem`), with a fingerprint of each, so the same export imported again changes nothing and a later
export of the same site adds what is new and updates what changed.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import BinaryIO
from urllib.parse import unquote, urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import connection, models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from ole import pagecache
from ole.models import Lease, SafetyTerm
from ole.safety import CRISIS, IDENTITY, MEDICATION, flags_for
from ole.text import render_comment

from ..models import (
    Comment,
    CommunitySettings,
    Contributor,
    ImportedItem,
    OldAddress,
    Page,
    Post,
    PostRevision,
    Series,
    TaggedPost,
    Topic,
    unique_slug,
)
from ..models.addresses import page_path_problem
from ..models.revisions import snapshot_of
from . import rows, wxr
from .content import comment_text, convert, title_text
from .media import MediaLibrary

Kind = ImportedItem.Kind
DEFAULT_CATEGORY = "uncategorized"
SERIES_TAXONOMY = "series"  # as the Organize Series plugin writes it
POST_FIELDS = rows.fields_of(Post)
COMMENT_FIELDS = rows.fields_of(Comment)
# What the moderation list says of an imported comment the safety lists flag (it stays in the state it had).
FLAG_REASONS = {
    CRISIS: "Imported; the writer may have been in crisis",
    IDENTITY: "Imported; looks like a phone number, email address or street address",
    MEDICATION: "Imported; mentions doses or where to get medication",
}


IMPORT_LEASE = "wordpress-import"
IMPORT_LEASE_SECONDS = 300  # renewed as the import works: one that dies holds it this long at most
RENEW_EVERY_SECONDS = 30
NEW_POSTS_PER_STEP = 200  # a transaction of a fraction of a second
SQLITE_TURN_SECONDS = 0.1  # between two steps, long enough for a waiting writer's next try to find SQLite free
OLD_PATH_MAX = 500


class AnotherImportIsRunning(Exception):
    """An import cannot start while another runs; the message says so in one line."""


class ImportTurn:
    """Only one import runs at a time, from its first read of the database to its end: so posts being imported
    that no import is writing were left by one that died, and nothing it read changes under it. A lease in the
    database every process shares, renewed as the import works (`keep`)."""

    def __init__(self) -> None:
        self.token: str | None = None
        self.renewed = 0.0

    def take(self) -> None:
        """Take the turn (`AnotherImportIsRunning` if another import has it), then remove what one that died left."""
        self.token = Lease.take(IMPORT_LEASE, IMPORT_LEASE_SECONDS)
        if self.token is None:
            raise AnotherImportIsRunning(
                "Another WordPress import is running (or one stopped less than five minutes ago): "
                "run this one again when it has finished."
            )
        self.renewed = time.monotonic()
        remove_half_imported(Post.objects.being_imported(), keep=self.keep)

    def keep(self) -> None:
        if self.token is None or time.monotonic() - self.renewed < RENEW_EVERY_SECONDS:
            return
        if not Lease.renew(IMPORT_LEASE, self.token, IMPORT_LEASE_SECONDS):
            raise AnotherImportIsRunning("This import stalled for minutes and another one started: run it again.")
        self.renewed = time.monotonic()

    def release(self) -> None:
        if self.token is not None:
            Lease.release(IMPORT_LEASE, self.token)
            self.token = None


def remove_half_imported(posts: models.QuerySet[Post], keep: Callable[[], None] = lambda: None) -> int:
    """Delete posts an import wrote but never showed (it died, or failed), with their comments, old addresses and
    what the import remembered of them; a post a transaction, so that writers keep their turn. Nobody saw them:
    their comments go in one statement, without the erasure a deleted comment's text otherwise causes."""
    removed = 0
    for pk in posts.being_imported().values_list("pk", flat=True):
        keep()
        with transaction.atomic():
            comments = Comment.everything.filter(post=pk).values("pk")
            remembered = models.Q(kind=Kind.POST, object_id=pk) | models.Q(kind=Kind.COMMENT, object_id__in=comments)
            ImportedItem.objects.filter(remembered).delete()
            rows.delete(Comment, "post_id", pk)
            removed += posts.filter(pk=pk).delete()[1].get(Post._meta.label, 0)
    return removed


def written_with_post(comments: list[StagedComment]) -> list[StagedComment]:
    """The comments written with a new post, hidden like it: approved ones whose thread above them is approved.
    One waiting for moderation (and the replies under it) is written at the end: the moderation list must not
    show it while its post is still being imported."""
    held = {c.wp_id for c in comments if not c.approved}
    while True:
        grown = held | {c.wp_id for c in comments if c.wp_parent in held}
        if len(grown) == len(held):
            return [c for c in comments if c.wp_id not in held]
        held = grown


def open_media(media_dir: Path | None, site_url: str, *, dry_run: bool = False) -> MediaLibrary:
    """The one place the import's media library is made."""
    return MediaLibrary(media_dir, site_url, dry_run=dry_run)


# The report ---------------------------------------------------------------------------------------------------


@dataclass
class Summary:
    counts: Counter = field(default_factory=Counter)  # ("posts", "created") → n
    skipped: Counter = field(default_factory=Counter)  # reason → n
    skipped_items: list[str] = field(default_factory=list)  # posts and pages skipped, by title
    removed: Counter = field(default_factory=Counter)  # shortcode → n
    missing: list[str] = field(default_factory=list)
    redirects: int = 0
    addresses_kept: int = 0  # old addresses this site already sends elsewhere (another blog moved in before)
    dry_run: bool = False
    write_seconds: float | None = None  # how long the last write transaction (the one that shows it all) took

    def lines(self) -> list[str]:
        head = "Dry run: nothing was written. The import would make:" if self.dry_run else "Imported:"
        out = [head]
        for kind in ("posts", "pages", "comments", "contributors", "tags", "series"):
            parts = [f"{self.counts[(kind, what)]} {what}" for what in ("created", "updated", "unchanged")]
            if any(self.counts[(kind, what)] for what in ("created", "updated", "unchanged")):
                out.append(f"  {kind}: {', '.join(parts)}")
        drafts = self.counts[("posts", "as drafts")]
        if drafts:
            out.append(f"  of the posts, {drafts} are drafts (draft, pending, private or password-protected)")
        out.append(f"Old addresses answered by a redirect: {self.redirects} new")
        if self.addresses_kept:
            out.append(
                f"  {self.addresses_kept} old addresses already lead elsewhere here (an earlier move, or an editor): "
                "left as they were"
            )
        out.append(f"Skipped: {sum(self.skipped.values())}")
        out += [f"  {count} × {reason}" for reason, count in sorted(self.skipped.items())]
        out += [f"    {item}" for item in self.skipped_items]
        out.append(f"Shortcodes and embeds removed or made into links: {sum(self.removed.values())}")
        out += [f"  {count} × {name}" for name, count in sorted(self.removed.items())]
        missing = list(dict.fromkeys(self.missing))  # each once, however many posts show it
        out.append(f"Media missing (shown as plain links): {len(missing)}")
        out += [f"  {src}" for src in missing]
        return out


# Staged rows --------------------------------------------------------------------------------------------------


@dataclass(slots=True)
class Known:
    """What an earlier import of this site made of an item (kept small: an export has many)."""

    pk: int
    object_id: int
    fingerprint: str


@dataclass(slots=True)
class StagedComment:
    wp_id: str
    fingerprint: str
    wp_parent: str
    comment: Comment | None  # kept only for a comment already here (its fresh words); a new one keeps its row
    approved: bool = False
    existing: int | None = None  # the row made by an earlier import
    changed: bool = True
    row: bytes | None = None  # a new comment's database values, prepared before the transaction (packed)
    written: bool = False  # by this import, already


@dataclass
class StagedPost:
    item: wxr.Item
    fingerprint: str
    post: Post
    tags: list[tuple[str, str, str]]  # (taxonomy, slug, name) of the terms that become tags
    series: tuple[str, str, str] | None
    comments: list[StagedComment] = field(default_factory=list)
    existing: Post | None = None
    changed: bool = True
    feature_id: str = ""  # the attachment WordPress showed as its feature image
    row: bytes | None = None  # a new post's database values, prepared before the transaction (packed)
    addresses: list[tuple[str, str]] = field(default_factory=list)  # (old path, new path), worked out beforehand
    body: bytes | None = None  # a new post's body (packed) while it waits for its revision
    hidden: bool = False  # written by this import, as a post being imported


@dataclass
class StagedPage:
    item: wxr.Item
    fingerprint: str
    page: Page
    existing: Page | None = None
    changed: bool = True


def site_key(url: str) -> str:
    """The exported site as host and path: the same site exported over http and https is the same site."""
    parts = urlsplit(url.strip())
    return f"{parts.netloc.lower()}{parts.path.rstrip('/')}"


def fingerprint(value, *, site: str = "") -> str:
    """A digest of an item as exported; the site's own addresses count alike over http and https."""
    text = json.dumps(value, sort_keys=True, default=str)
    if site:
        text = text.replace(f"http://{site}", f"https://{site}")
    return hashlib.sha256(text.encode()).hexdigest()


def parse_gmt(value: str) -> datetime.datetime | None:
    try:
        moment = datetime.datetime.strptime(value.strip(), "%Y-%m-%d %H:%M:%S")
    except ValueError:  # WordPress writes "0000-00-00 00:00:00" for a draft never saved with a date
        return None
    return moment.replace(tzinfo=datetime.UTC)


def parse_local(value: str) -> datetime.datetime | None:
    try:
        moment = datetime.datetime.strptime(value.strip(), "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return None
    return timezone.make_aware(moment)


def decoded_path(url: str) -> str:
    """The path of an address, percent-encoding decoded (/about/%c3%a9quipe/ → /about/équipe/); "" for none."""
    parts = urlsplit(url.strip())
    path = unquote(parts.path)
    if not path.startswith("/") or path.startswith("//") or "\\" in path:
        return ""
    return path


_valid_url = URLValidator(schemes=["http", "https"])
_valid_email = EmailValidator()


def _url_or_blank(value: str, max_length: int) -> str:
    try:
        _valid_url(value)
    except ValidationError:
        return ""
    return value if len(value) <= max_length else ""


def _email_or_blank(value: str) -> str:
    value = value.strip()
    try:
        _valid_email(value)
    except ValidationError:
        return ""
    return value if len(value) <= 254 else ""


# The import ---------------------------------------------------------------------------------------------------


class WordPressImport:
    """One import of one export: `stage()` reads and prepares everything, `write()` commits it at once."""

    def __init__(
        self,
        *,
        series_slugs: Iterable[str] = (),
        media_dir: Path | None = None,
        dry_run: bool = False,
        progress: Callable[[int], None] | None = None,
        turn: ImportTurn | None = None,
    ) -> None:
        self.series_slugs = {slug.strip().lower() for slug in series_slugs if slug.strip()}
        self.media_dir = media_dir
        self.dry_run = dry_run
        self.progress = progress or (lambda position: None)
        self.summary = Summary()
        self.posts: list[StagedPost] = []
        self.pages: list[StagedPage] = []
        self.attachments: dict[str, wxr.Item] = {}
        self.terms: dict[tuple[str, str], wxr.Term] = {}
        self.authors: dict[str, wxr.Author] = {}
        self.site = ""
        self.prefix = ""
        self.remembered_new: dict[tuple[str, str], tuple[int, str]] = {}
        self.remembered_changed: list[ImportedItem] = []
        self.made: defaultdict[type[models.Model], list[int]] = defaultdict(list)  # rows made, to take back
        self.shown = False  # the last transaction ran: nothing is taken back after it
        self.turn = turn
        self.comment_pks: dict[str, int] = {}  # WordPress id → the comment's id here
        self.comment_shapes: dict[int, tuple[int, int | None]] = {}  # comment id → (depth, parent id)

    # Staging ---------------------------------------------------------------------------------------------------

    def stage(self, source: BinaryIO) -> None:
        """Read the whole export and prepare every row; nothing is written. `wxr.ExportError` if unreadable."""
        stream = wxr.read_stream(source)
        for thing in stream:
            if isinstance(thing, wxr.Channel):
                self._channel(thing)
            else:
                self._item(thing)
            self.progress(source.tell())
            self._keep_turn()
        self._resolve_after_reading()

    def _keep_turn(self) -> None:
        if self.turn is not None:
            self.turn.keep()

    def _channel(self, channel: wxr.Channel) -> None:
        if self.turn is not None:  # taken before the first read of the database: a broken file never needs it
            self.turn.take()
        self.site = site_key(channel.site_url)
        self.prefix = urlsplit(channel.site_url).path.rstrip("/")
        self.media = open_media(self.media_dir, channel.site_url, dry_run=self.dry_run)
        hidden = Post.objects.being_imported()  # left by an import that died: removed before this one writes
        self.known = {
            (kind, wp_id): Known(pk, object_id, mark)
            for pk, kind, wp_id, object_id, mark in ImportedItem.objects.filter(site=self.site)
            .exclude(kind=Kind.POST, object_id__in=hidden.values("pk"))
            .exclude(kind=Kind.COMMENT, object_id__in=Comment.everything.filter(post__in=hidden).values("pk"))
            .values_list("pk", "kind", "wp_id", "object_id", "fingerprint")
        }
        self.authors = {author.login: author for author in channel.authors}
        for term in channel.terms:
            if term.slug:
                self.terms[(term.taxonomy, term.slug)] = term
        self.rules = CommunitySettings.objects.first() or CommunitySettings()
        self.safety_terms = SafetyTerm.phrases()
        # A post left half-imported is removed before this import writes: its address is free.
        self.taken_slugs = set(Post.objects.exclude(status=Post.Status.IMPORTING).values_list("slug", flat=True))

    def _item(self, item: wxr.Item) -> None:
        if item.post_type == "attachment":
            self.attachments[item.wp_id] = item
        elif item.post_type == "post":
            self._post(item)
        elif item.post_type == "page":
            self._page(item)
        else:
            self._skip(f"{item.post_type or 'unknown'} items (menus, revisions, custom types) are not imported")

    def _skip(self, reason: str, title: str = "") -> None:
        self.summary.skipped[reason] += 1
        if title:
            self.summary.skipped_items.append(title)

    def _convert(self, content: str):
        converted = convert(content, resolve_image=self.media.image_url)
        self.summary.removed.update(converted.removed)
        return converted

    def _post(self, item: wxr.Item) -> None:
        title = title_text(item.title) or "(untitled)"
        status, publish_at = self._status(item)
        if status is None:
            self._skip(publish_at, f"post {item.wp_id} “{title}”")
            return
        previous = self.known.get((Kind.POST, item.wp_id))
        series = self._series_of(item)
        tags = [
            (term.taxonomy, term.slug or slugify(term.name), term.name)
            for term in item.terms
            if term.taxonomy in ("category", "post_tag")
            and (term.taxonomy, term.slug) != ("category", DEFAULT_CATEGORY)
            and not (term.taxonomy == "category" and term.slug.lower() in self.series_slugs)
            and term.name.strip()
        ]
        mark = fingerprint({**_fields(item), "series": series}, site=self.site)
        staged = StagedPost(item=item, fingerprint=mark, post=Post(), tags=tags, series=series)
        if previous is not None:
            staged.changed = previous.fingerprint != mark
            found = Post.objects.filter(pk=previous.object_id)
            if not staged.changed:  # only what its old addresses and series need: its text stays in the database
                found = found.only("slug", "status", "publish_at", "series", "part_number", "trashed_at")
            existing = found.first()
            if existing is None:
                self._skip("posts deleted here since an earlier import (left deleted)", f"post {item.wp_id} “{title}”")
                return
            staged.existing, staged.post = existing, existing
        post = staged.post
        if staged.changed:
            converted = self._convert(item.content)
            post.title = title[:200]
            post.body = converted.html
            post.excerpt = title_text(item.excerpt)[:500]
            post.status, post.publish_at = status, publish_at
            post.featured = item.is_sticky == "1"
            if post.status == Post.Status.DRAFT and post.pk is None:
                post.publish_at = None
            if post.pk is None:
                post.slug = self._new_slug(item.name, title)
            staged.feature_id = item.meta.get("_thumbnail_id", "").strip()
        if status == Post.Status.DRAFT:
            self.summary.counts[("posts", "as drafts")] += 1
        self._comments(staged)
        item.content = item.excerpt = ""  # converted, or unchanged: the raw text is not needed again
        item.comments = []
        self.posts.append(staged)

    def _status(self, item: wxr.Item) -> tuple[str | None, datetime.datetime | str | None]:
        """(status, publication time), or (None, why it is skipped)."""
        when = parse_gmt(item.date_gmt) or parse_local(item.date)
        wp_status = item.status or "draft"
        if wp_status == "trash":
            return None, "posts in WordPress's trash"
        if wp_status in ("auto-draft", "inherit"):
            return None, "posts never saved by their writer (auto-drafts)"
        if wp_status == "future" and when is not None:
            live = Post.Status.SCHEDULED if when > timezone.now() else Post.Status.PUBLISHED
            return live, when
        if wp_status == "publish" and not item.password:
            return Post.Status.PUBLISHED, when or timezone.now()
        return Post.Status.DRAFT, when  # draft, pending, private, password-protected: never public

    def _series_of(self, item: wxr.Item) -> tuple[str, str, str] | None:
        for term in item.terms:
            if term.taxonomy == SERIES_TAXONOMY or (
                term.taxonomy == "category" and term.slug.lower() in self.series_slugs
            ):
                return (term.taxonomy, term.slug, term.name)
        return None

    def _new_slug(self, name: str, title: str) -> str:
        base = slugify(unquote(name)) or slugify(title) or "post"
        base = base[:190].strip("-") or "post"
        slug, suffix = base, 2
        while slug in self.taken_slugs:
            slug, suffix = f"{base}-{suffix}", suffix + 1
        self.taken_slugs.add(slug)
        return slug

    def _comments(self, staged: StagedPost) -> None:
        author = self.authors.get(staged.item.creator)
        for wp_comment in staged.item.comments:
            approved = wp_comment.approved
            if approved not in ("1", "0"):
                self._skip(
                    "comments marked spam or trash"
                    if approved in ("spam", "trash")
                    else f"comments in state “{approved}”"
                )
                continue
            previous = self.known.get((Kind.COMMENT, wp_comment.wp_id))
            mark = fingerprint(_slots(wp_comment), site=self.site)
            is_mention = wp_comment.kind in ("pingback", "trackback")
            comment = Comment(
                kind=Comment.Kind.PINGBACK if is_mention else Comment.Kind.COMMENT,
                name=title_text(wp_comment.author)[: Comment.NAME_MAX] or "Anonymous",
                email="" if is_mention else _email_or_blank(wp_comment.email),
                website="" if is_mention else _url_or_blank(wp_comment.url, 300),
                source_url=_url_or_blank(wp_comment.url, 2000) if is_mention else "",
                body=comment_text(wp_comment.content),
                status=Comment.Status.APPROVED if approved == "1" else Comment.Status.PENDING,
                created=parse_gmt(wp_comment.date_gmt) or parse_local(wp_comment.date) or timezone.now(),
            )
            if is_mention and not comment.source_url:
                self._skip("pingbacks without a web address")
                continue
            by_author = author is not None and (
                (wp_comment.user_id not in ("", "0") and wp_comment.user_id == author.wp_id)
                or (author.email and wp_comment.email.strip().lower() == author.email.lower())
            )
            if by_author and not is_mention:
                comment.role = Comment.Role.AUTHOR
            comment.body_html = render_comment(comment.body)
            # The safety lists flag what editors should read; an old conversation is not moderated again.
            found = flags_for(
                f"{comment.name}\n{comment.body}",
                crisis_terms=self.safety_terms.get("crisis", []),
                medication_terms=self.safety_terms.get("medication", []),
            )
            comment.held_reason = "; ".join(FLAG_REASONS[flag] for flag in sorted(found))[:200]
            staged.comments.append(
                StagedComment(
                    wp_id=wp_comment.wp_id,
                    fingerprint=mark,
                    wp_parent=wp_comment.parent if wp_comment.parent not in ("", "0") else "",
                    comment=comment,
                    existing=previous.object_id if previous else None,
                    changed=previous is None or previous.fingerprint != mark,
                    approved=comment.status == Comment.Status.APPROVED,
                )
            )
        staged.comments.sort(key=lambda c: (c.comment.created, int(c.wp_id) if c.wp_id.isdigit() else 0))
        # Mentions: one per linking page and post, as the site keeps them.
        seen: set[str] = set()
        kept = []
        for staged_comment in staged.comments:
            source = staged_comment.comment.source_url
            if source and source in seen:
                self._skip("pingbacks repeated from the same page")
                continue
            seen.add(source) if source else None
            kept.append(staged_comment)
        staged.comments = kept
        for staged_comment in kept:  # a new comment is kept as its row only: memory stays small
            if staged_comment.existing is None:
                staged_comment.row = rows.pack(rows.values_of(staged_comment.comment, COMMENT_FIELDS))
                staged_comment.comment = None

    def _page(self, item: wxr.Item) -> None:
        title = title_text(item.title) or "(untitled)"
        if item.status in ("trash", "auto-draft", "inherit"):
            self._skip("pages in WordPress's trash or never saved", f"page {item.wp_id} “{title}”")
            return
        previous = self.known.get((Kind.PAGE, item.wp_id))
        mark = fingerprint(_fields(item), site=self.site)
        staged = StagedPage(item=item, fingerprint=mark, page=Page())
        if previous is not None:
            existing = Page.objects.filter(pk=previous.object_id).first()
            if existing is None:
                self._skip("pages deleted here since an earlier import (left deleted)", f"page {item.wp_id} “{title}”")
                return
            staged.existing, staged.page = existing, existing
            staged.changed = previous.fingerprint != mark
        if staged.changed:
            converted = self._convert(item.content)
            staged.page.title = title[:200]
            staged.page.body_html = converted.html
            staged.page.published = item.status == "publish" and not item.password
        if item.comments:
            self.summary.skipped["comments on pages (pages here take no comments)"] += len(item.comments)
        self.pages.append(staged)

    def _resolve_after_reading(self) -> None:
        """What needs the whole file: page paths through their parents, feature images, derived text."""
        by_id = {staged.item.wp_id: staged for staged in self.pages}
        for staged in self.pages:
            if staged.existing is None:
                staged.page.path = self._page_path(staged, by_id, set())
        taken = dict(Page.objects.values_list("path", "pk"))
        planned: set[str] = set()
        kept = []
        for staged in self.pages:
            path = staged.page.path
            if staged.existing is None and (taken.get(path) is not None or path in planned or len(path) > 500):
                self._skip("pages whose path is already a page here", f"page {staged.item.wp_id} at {path}")
                continue
            if staged.existing is None and page_path_problem(path):
                self._skip("pages at an address the site takes", f"page {staged.item.wp_id} at {path}")
                continue
            planned.add(path)
            kept.append(staged)
        self.pages = kept
        for staged in self.posts:
            post = staged.post
            if staged.changed and staged.feature_id:
                # Attachments may come after the posts that show them: they are all known by now.
                attachment = self.attachments.get(staged.feature_id)
                src = (attachment.attachment_url or attachment.guid) if attachment else ""
                image = self.media.feature_image(src) if src else None
                if image is not None and not self.dry_run:  # a dry run checks the picture, stores nothing
                    post.feature_image = image
                    alt = attachment.meta.get("_wp_attachment_image_alt", "")
                    post.feature_image_alt = (title_text(alt) or post.title)[:200]
                elif not src:
                    self.summary.missing.append(
                        f"the feature image of “{post.title}” (attachment {staged.feature_id}, not in the export)"
                    )
            if staged.changed:
                post.derive(
                    update_fields=None if post.feature_image and not post.feature_image._committed else ["body"]
                )
            if staged.existing is None:
                staged.row = rows.pack(rows.values_of(post, POST_FIELDS))
                staged.body = rows.pack([post.body])  # for its revision
                post.body = post.body_html = post.search_text = post.summary = ""  # in the row already
        self.summary.missing.extend(self.media.missing)
        for staged in self.posts:  # worked out here: the write transaction only looks them up
            staged.addresses = self._post_addresses(staged)

    def _post_addresses(self, staged: StagedPost) -> list[tuple[str, str]]:
        post = staged.post
        if not (post.status == Post.Status.PUBLISHED and post.publish_at and post.publish_at <= timezone.now()):
            return []  # a draft's or a scheduled post's address would tell its title before its time
        target = reverse("series:post", kwargs={"slug": post.slug})
        feed = reverse("series:post_comments_feed", kwargs={"slug": post.slug})
        found = []
        path = decoded_path(staged.item.link)
        if path not in ("", "/") and not urlsplit(staged.item.link).query:
            found += [(path, target), (path.rstrip("/") + "/feed/", feed)]
        found.append((f"{self.prefix}/?p={staged.item.wp_id}", target))
        return found

    def _page_path(self, staged: StagedPage, by_id: dict[str, StagedPage], seen: set[str]) -> str:
        path = decoded_path(staged.item.link)
        if path not in ("", "/") and not urlsplit(staged.item.link).query:
            return path if path.endswith("/") else path + "/"
        slug = unquote(staged.item.name) or slugify(staged.page.title) or f"page-{staged.item.wp_id}"
        parent = by_id.get(staged.item.parent)
        if parent is not None and staged.item.wp_id not in seen:
            seen.add(staged.item.wp_id)
            return self._page_path(parent, by_id, seen) + slug + "/"
        return f"{self.prefix}/{slug}/"

    # Writing -------------------------------------------------------------------------------------------------

    def write(self) -> Summary:
        """Write the new posts and their conversations in short transactions, shown to nobody, then show
        everything in one short transaction. A failure on the way takes back what was written. The command
        gives the import an `ImportTurn`, taken as the export's first lines are read."""
        self.comment_pks = {c.wp_id: c.existing for staged in self.posts for c in staged.comments if c.existing}
        try:
            with transaction.atomic():
                contributors = self._write_contributors()
                topics = self._write_topics()
                series = self._write_series()
            self._write_new_posts(contributors, topics, series)
            addresses = self._addresses(topics, series)  # worked out first: the last step only writes them
            started = time.monotonic()
            self._write_the_rest_and_show(contributors, topics, series, addresses)
            self.summary.write_seconds = time.monotonic() - started
        except BaseException:
            if not self.shown:
                self._take_back()
            raise
        return self.summary

    def _write_the_rest_and_show(self, contributors, topics, series, addresses: list[tuple[str, str]]) -> None:
        """The one transaction visitors notice: what changed, what waits for moderation, then the new posts shown."""
        with transaction.atomic():
            self._write_changed_posts(contributors, topics, series)
            self._write_comments([(staged, c) for staged in self.posts for c in staged.comments if not c.written])
            self._recount_comments()
            self._write_pages()
            self._write_addresses(addresses)
            self._flush_remembered()
            self._show_new_posts()
            pagecache.site_changed()
            self.shown = True  # from here on nothing is taken back: it commits, or rolls back by itself

    def _take_back(self) -> None:
        """Delete what the steps before the last wrote: the hidden posts, and what was made for them that nothing
        else uses now (an editor may have tagged a post with a new tag meanwhile)."""
        remove_half_imported(Post.objects.filter(pk__in=[staged.post.pk for staged in self.posts if staged.hidden]))
        with transaction.atomic():
            ImportedItem.objects.filter(pk__in=self.made[ImportedItem]).delete()
            unused = {"posts__isnull": True, "followers__isnull": True}
            Contributor.objects.filter(pk__in=self.made[Contributor], posts__isnull=True, user__isnull=True).delete()
            Series.objects.filter(pk__in=self.made[Series], stories__isnull=True, **unused).delete()
            Topic.objects.filter(pk__in=self.made[Topic], tagged_posts__isnull=True, followers__isnull=True).delete()

    def plan(self) -> Summary:
        """What `write` would do, counted without writing (a dry run)."""
        self.summary.dry_run = True
        self._count_contributors_and_terms()
        for staged in self.posts:
            self._count("posts", staged.existing, staged.changed)
            for comment in staged.comments:
                self._count("comments", comment.existing, comment.changed)
        for staged in self.pages:
            self._count("pages", staged.existing, staged.changed)
        topics = {
            key: SimpleNamespace(slug=slugify(unquote(key[1])) or slugify(name))
            for key, name in self._needed_terms().items()
        }
        series = {
            key: SimpleNamespace(slug=slugify(unquote(key[1])) or slugify(name))
            for key, name in self._needed_series().items()
        }
        self._new_addresses(self._addresses(topics, series))
        return self.summary

    def _create(self, obj: models.Model) -> models.Model:
        """Insert one row without the signals a save sends: the import moves the page cache's version once, at the
        end, not once for every tag it makes."""
        type(obj)._default_manager.bulk_create([obj])
        self.made[type(obj)].append(obj.pk)
        return obj

    def _count(self, kind: str, existing, changed: bool) -> None:
        self.summary.counts[(kind, "created" if existing is None else "updated" if changed else "unchanged")] += 1

    def _remember(self, kind: str, wp_id: str, object_id: int, mark: str) -> None:
        row = self.known.get((kind, wp_id))
        if row is None:
            self.remembered_new[(kind, wp_id)] = (object_id, mark)
        elif row.object_id != object_id or row.fingerprint != mark:
            row.object_id, row.fingerprint = object_id, mark
            self.remembered_changed.append(
                ImportedItem(pk=row.pk, object_id=object_id, fingerprint=mark, imported_at=timezone.now())
            )

    def _flush_remembered(self, *, new_only: bool = False) -> None:
        """Write what this import remembers of each item: the new items so far (and the changed ones)."""
        fields = rows.fields_of(ImportedItem)
        template = ImportedItem(site=self.site, kind="", wp_id="", object_id=0, fingerprint="")
        values = rows.values_of(template, fields)
        kind, wp_id, object_id, mark = (
            rows.column(fields, name) for name in ("kind", "wp_id", "object_id", "fingerprint")
        )
        new = []
        for (one_kind, one_id), (one_object, one_mark) in self.remembered_new.items():
            row = list(values)
            row[kind], row[wp_id], row[object_id], row[mark] = one_kind, one_id, one_object, one_mark
            new.append(row)
        self.remembered_new.clear()
        self.made[ImportedItem] += rows.insert(ImportedItem, [field.column for field in fields], new)
        if not new_only:
            ImportedItem.objects.bulk_update(self.remembered_changed, ["object_id", "fingerprint", "imported_at"], 1000)

    def _needed_authors(self) -> dict[str, str]:
        """login → display name, for the authors of the posts imported."""
        logins = dict.fromkeys(staged.item.creator for staged in self.posts)
        needed = {}
        for login in logins:
            author = self.authors.get(login)
            needed[login] = title_text(author.display_name if author else login)[:100] or "Unknown author"
        return needed

    def _needed_terms(self) -> dict[tuple[str, str], str]:
        """(taxonomy, slug) → name, for the terms that become tags."""
        terms = {(taxonomy, slug): name for staged in self.posts for taxonomy, slug, name in staged.tags}
        return {key: title_text(name)[:100] for key, name in terms.items()}

    def _needed_series(self) -> dict[tuple[str, str], str]:
        terms = {(s.series[0], s.series[1]): s.series[2] for s in self.posts if s.series}
        return {key: title_text(name)[:160] for key, name in terms.items()}

    def _count_contributors_and_terms(self) -> None:
        for login, name in self._needed_authors().items():
            known = (Kind.AUTHOR, login) in self.known or Contributor.objects.filter(display_name__iexact=name).exists()
            self.summary.counts[("contributors", "unchanged" if known else "created")] += 1
        for (taxonomy, slug), name in self._needed_terms().items():
            known = (Kind.TOPIC, f"{taxonomy}:{slug}") in self.known or Topic.objects.filter(name__iexact=name).exists()
            self.summary.counts[("tags", "unchanged" if known else "created")] += 1
        for taxonomy, slug in self._needed_series():
            known = (Kind.SERIES, f"{taxonomy}:{slug}") in self.known or Series.objects.filter(
                slug=slugify(unquote(slug))
            ).exists()
            self.summary.counts[("series", "unchanged" if known else "created")] += 1

    def _write_contributors(self) -> dict[str, Contributor]:
        found = {}
        for login, name in self._needed_authors().items():
            row = self.known.get((Kind.AUTHOR, login))
            contributor = Contributor.objects.filter(pk=row.object_id).first() if row else None
            contributor = contributor or Contributor.objects.filter(display_name__iexact=name).first()
            self.summary.counts[("contributors", "unchanged" if contributor else "created")] += 1
            if contributor is None:
                contributor = self._create(
                    Contributor(
                        display_name=name, slug=unique_slug(Contributor, name, max_length=100, fallback="contributor")
                    )
                )
            self._remember(Kind.AUTHOR, login, contributor.pk, fingerprint(name))
            found[login] = contributor
        return found

    def _write_topics(self) -> dict[tuple[str, str], Topic]:
        found = {}
        for (taxonomy, slug), name in self._needed_terms().items():
            key = f"{taxonomy}:{slug}"
            row = self.known.get((Kind.TOPIC, key))
            topic = Topic.objects.filter(pk=row.object_id).first() if row else None
            topic = topic or Topic.objects.filter(name__iexact=name).first()
            self.summary.counts[("tags", "unchanged" if topic else "created")] += 1
            if topic is None:
                term = self.terms.get((taxonomy, slug))
                topic = self._create(
                    Topic(
                        name=name,
                        slug=unique_slug(
                            Topic, unquote(slug) if slugify(unquote(slug)) else name, max_length=100, fallback="topic"
                        ),
                        description=title_text(term.description)[:1000] if term else "",
                    )
                )
            self._remember(Kind.TOPIC, key, topic.pk, fingerprint(name))
            found[(taxonomy, slug)] = topic
        return found

    def _write_series(self) -> dict[tuple[str, str], Series]:
        found = {}
        for (taxonomy, slug), name in self._needed_series().items():
            key = f"{taxonomy}:{slug}"
            row = self.known.get((Kind.SERIES, key))
            series = Series.objects.filter(pk=row.object_id).first() if row else None
            series = series or Series.objects.filter(slug=slugify(unquote(slug))).first()
            self.summary.counts[("series", "unchanged" if series else "created")] += 1
            if series is None:
                term = self.terms.get((taxonomy, slug))
                series = self._create(
                    Series(
                        title=name,
                        slug=unique_slug(Series, unquote(slug) or name, max_length=160, fallback="series"),
                        summary=title_text(term.description)[:1000] if term else "",
                    )
                )
            self._remember(Kind.SERIES, key, series.pk, fingerprint(name))
            found[(taxonomy, slug)] = series
        return found

    def _write_new_posts(self, contributors, topics, series) -> None:
        """New posts, each with its tags, first revision and approved conversation, a few hundred a transaction,
        all shown to nobody yet. On SQLite, where one writer holds the whole database, others get a turn between."""
        new = [staged for staged in self.posts if staged.existing is None]
        pause = SQLITE_TURN_SECONDS if connection.vendor == "sqlite" else 0
        for start in range(0, len(new), NEW_POSTS_PER_STEP):
            with transaction.atomic():
                self._write_hidden(new[start : start + NEW_POSTS_PER_STEP], contributors, topics, series)
            self._keep_turn()
            time.sleep(pause)

    def _write_hidden(self, chunk: list[StagedPost], contributors, topics, series) -> None:
        contributor_column = rows.column(POST_FIELDS, "contributor_id")
        series_column = rows.column(POST_FIELDS, "series_id")
        count_column = rows.column(POST_FIELDS, "comment_count")
        status_column = rows.column(POST_FIELDS, "status")
        values = []
        for staged in chunk:
            post = staged.post
            post.contributor = contributors[staged.item.creator]
            post.series = series.get((staged.series[0], staged.series[1])) if staged.series else None
            row = rows.unpack(staged.row)
            row[contributor_column], row[series_column] = post.contributor_id, post.series_id
            row[count_column] = sum(c.approved for c in staged.comments)
            row[status_column] = Post.Status.IMPORTING
            values.append(row)
            staged.row = None
            self._count("posts", None, True)
        rows.insert_objects(POST_FIELDS, [staged.post for staged in chunk], values)
        for staged in chunk:
            staged.hidden = True
            self._remember(Kind.POST, staged.item.wp_id, staged.post.pk, staged.fingerprint)
        tagged = {(s.post.pk, topics[(taxonomy, slug)].pk) for s in chunk for taxonomy, slug, _ in s.tags}
        rows.insert(TaggedPost, ["content_object_id", "tag_id"], sorted(tagged))
        self._write_revisions(chunk, topics)
        self._write_comments([(staged, c) for staged in chunk for c in written_with_post(staged.comments)])
        self._write_addresses([address for staged in chunk for address in staged.addresses])
        self._flush_remembered(new_only=True)

    def _write_changed_posts(self, contributors, topics, series) -> None:
        """Posts an earlier import made: updated where the export changed them; and every imported post's part
        in its series."""
        now = timezone.now()
        changed = []
        for staged in self.posts:
            if staged.existing is None:
                continue
            self._count("posts", staged.existing, staged.changed)
            self._remember(Kind.POST, staged.item.wp_id, staged.post.pk, staged.fingerprint)
            if not staged.changed:
                continue
            post = staged.post
            post.contributor = contributors[staged.item.creator]
            post.series = series.get((staged.series[0], staged.series[1])) if staged.series else None
            post.part_number = None
            post.updated = now
            changed.append(staged)
        if changed:
            fields = [
                "title", "body", "body_html", "excerpt", "summary", "search_text", "word_count", "status",
                "publish_at", "featured", "contributor", "series", "part_number", "updated", "feature_image",
                "feature_image_alt",
                *(f"{name}{suffix}" for name in Post.RENDITIONS for suffix in ("", "_width", "_height")),
            ]  # fmt: skip
            Post.objects.bulk_update([staged.post for staged in changed], fields, batch_size=500)
            TaggedPost.objects.filter(content_object__in=[staged.post for staged in changed]).delete()
            tagged = {(s.post.pk, topics[(taxonomy, slug)].pk) for s in changed for taxonomy, slug, _ in s.tags}
            rows.insert(TaggedPost, ["content_object_id", "tag_id"], sorted(tagged))
            self._write_revisions(changed, topics)
        self._number_parts({staged.post.series_id for staged in self.posts if staged.changed and staged.post.series_id})
        # Old posts are not news: no follower email, no pingbacks to the pages they link to.
        live = [staged.post.pk for staged in changed if staged.post.is_published()]
        Post.objects.filter(pk__in=live).update(links_announced_at=models.F("updated"), followers_told_at=now)

    def _write_revisions(self, staged_posts: list[StagedPost], topics) -> None:
        """One "imported" revision a post, a statement's worth of bodies unpacked at a time."""
        fields = rows.fields_of(PostRevision)
        for start in range(0, len(staged_posts), rows.ROWS_PER_STATEMENT):
            revisions = []
            for staged in staged_posts[start : start + rows.ROWS_PER_STATEMENT]:
                if staged.body is not None:
                    staged.post.body = rows.unpack(staged.body)[0]
                tags = sorted({topics[(t[0], t[1])].name for t in staged.tags})
                snapshot = snapshot_of(staged.post, tags=tags, content_notes=[] if staged.existing is None else None)
                revisions.append(PostRevision(post=staged.post, snapshot=snapshot, note="Imported from WordPress"))
                if staged.body is not None:
                    staged.post.body, staged.body = "", None
            rows.insert_objects(fields, revisions, [rows.values_of(revision, fields) for revision in revisions])

    def _show_new_posts(self) -> None:
        """Give every post written hidden its status: from here on visitors see them."""
        now = timezone.now()
        groups: dict[tuple[str, bool], list[int]] = defaultdict(list)
        for staged in self.posts:
            if staged.hidden:
                groups[(staged.post.status, staged.post.is_published())].append(staged.post.pk)
        for (status, published), pks in groups.items():
            # Old posts are not news: no follower email, no pingbacks to the pages they link to.
            told = {"links_announced_at": models.F("updated"), "followers_told_at": now} if published else {}
            for start in range(0, len(pks), rows.ROWS_PER_STATEMENT):
                hidden = Post.objects.being_imported().filter(pk__in=pks[start : start + rows.ROWS_PER_STATEMENT])
                hidden.update(status=status, **told)

    def _number_parts(self, series_ids: set[int]) -> None:
        """Parts of a series are numbered by publication date, after any part a post made here already holds."""
        by_series: dict[int, list[int]] = defaultdict(list)
        for staged in self.posts:
            if staged.post.series_id in series_ids:
                by_series[staged.post.series_id].append(staged.post.pk)
        for series_id, imported in by_series.items():
            others = Post.objects.filter(series=series_id).exclude(pk__in=imported)
            start = others.aggregate(highest=models.Max("part_number"))["highest"] or 0
            every = list(Post.objects.filter(series=series_id, pk__in=imported))
            every.sort(key=lambda post: (post.publish_at is None, post.publish_at or timezone.now(), post.pk))
            Post.objects.filter(pk__in=[post.pk for post in every]).update(part_number=None)
            for number, post in enumerate(every, start=start + 1):
                post.part_number = number
            Post.objects.bulk_update(every, ["part_number"])

    def _write_comments(self, selection: list[tuple[StagedPost, StagedComment]]) -> None:
        """Write these comments: new ones threaded under their parents (written now, earlier in this import, or
        by an earlier import), changed ones updated."""
        limit = max(self.rules.reply_depth - 1, 0)
        created = [(staged, c) for staged, c in selection if c.existing is None]
        pk_of, shape = self.comment_pks, self.comment_shapes  # wp id → id; id → (depth, parent id)
        new_ids = {c.wp_id for _, c in created}
        # Rows already here are read only when needed: to update them, or as parents of new replies.
        parents = {pk_of[c.wp_parent] for _, c in created if c.wp_parent in pk_of and c.wp_parent not in new_ids}
        changed = [c for _, c in selection if c.existing and c.changed]
        unread = {pk for pk in parents if pk not in shape}
        here = Comment.everything.in_bulk(list(unread | {c.existing for c in changed}))
        shape.update({pk: (row.depth, row.parent_id) for pk, row in here.items()})
        updated = []
        for _, staged_comment in selection:
            if staged_comment.existing is None:
                continue
            if not staged_comment.changed:
                self._count("comments", staged_comment.existing, False)
                continue
            row = here.get(staged_comment.existing)
            if row is None:
                self._skip("comments deleted here since an earlier import (left deleted)")
                continue
            self._count("comments", row.pk, True)
            fresh = staged_comment.comment
            row.body, row.body_html, row.name = fresh.body, fresh.body_html, fresh.name
            row.website, row.held_reason = fresh.website, fresh.held_reason or row.held_reason
            if row.status == Comment.Status.PENDING:  # what an editor already decided stays decided
                row.status = fresh.status
            updated.append(row)
        Comment.everything.bulk_update(
            updated, ["body", "body_html", "name", "website", "held_reason", "status"], batch_size=500
        )

        def depth_and_parent(pk: int) -> tuple[int, int | None]:
            if pk not in shape:
                shape[pk] = Comment.everything.values_list("depth", "parent_id").get(pk=pk)
            return shape[pk]

        # Threads: parents first (a reply's parent is older, or at least earlier in the file).
        post_column, depth_column = rows.column(COMMENT_FIELDS, "post_id"), rows.column(COMMENT_FIELDS, "depth")
        parent_column = rows.column(COMMENT_FIELDS, "parent_id")
        addressed_column = rows.column(COMMENT_FIELDS, "addressed_to_id")
        pending = created
        while pending:
            wave, later = [], []
            waiting = {staged_comment.wp_id for _, staged_comment in pending}
            for staged, staged_comment in pending:
                wp_parent = staged_comment.wp_parent
                if wp_parent in waiting:
                    later.append((staged, staged_comment))
                    continue
                answered = pk_of.get(wp_parent) if wp_parent else None
                if answered is not None and answered not in shape:
                    answered = None  # deleted here since: the reply starts a thread of its own
                parent = answered
                while parent is not None and shape[parent][0] >= limit and shape[parent][1]:
                    parent = shape[parent][1]
                    depth_and_parent(parent)
                depth = shape[parent][0] + 1 if parent else 0
                wave.append((staged_comment, staged.post.pk, depth, parent, answered if answered != parent else None))
            if not wave:  # a loop of parents: the rest start threads of their own
                for _, staged_comment in later:
                    staged_comment.wp_parent = ""
                pending = later
                continue
            for start in range(0, len(wave), rows.ROWS_PER_STATEMENT):  # unpacked a statement's worth at a time
                chunk, values = wave[start : start + rows.ROWS_PER_STATEMENT], []
                for staged_comment, post_pk, depth, parent, addressed in chunk:
                    row = rows.unpack(staged_comment.row)
                    row[post_column], row[depth_column], row[parent_column] = post_pk, depth, parent
                    row[addressed_column] = addressed
                    values.append(row)
                    staged_comment.row = None
                ids = rows.insert(Comment, [field.column for field in COMMENT_FIELDS], values)
                for (staged_comment, _, depth, parent, _), pk in zip(chunk, ids, strict=True):
                    pk_of[staged_comment.wp_id] = pk
                    shape[pk] = (depth, parent)
                    staged_comment.written = True
                    self._count("comments", None, True)
            pending = later
        for _, c in selection:
            if c.wp_id in pk_of and (c.existing is None or c.existing in here or not c.changed):
                self._remember(Kind.COMMENT, c.wp_id, pk_of[c.wp_id], c.fingerprint)

    def _recount_comments(self) -> None:
        """New posts were written with their count; posts an earlier import made count what they show now."""
        touched = [s.post.pk for s in self.posts if s.existing and any(c.changed for c in s.comments)]
        counts = dict(
            Comment.objects.filter(post__in=touched, status=Comment.Status.APPROVED)
            .values_list("post")
            .annotate(n=models.Count("pk"))
        )
        Post.objects.bulk_update(
            [Post(pk=pk, comment_count=counts.get(pk, 0)) for pk in touched], ["comment_count"], batch_size=500
        )

    def _write_pages(self) -> None:
        by_id = {}
        for staged in sorted(self.pages, key=lambda s: s.page.path.count("/")):
            self._count("pages", staged.existing, staged.changed)
            if staged.changed:
                parent = by_id.get(staged.item.parent)
                staged.page.parent = parent.page if parent else staged.page.parent
                if staged.existing is None:
                    self._create(staged.page)
                else:
                    staged.page.updated = timezone.now()
                    Page.objects.bulk_update([staged.page], ["title", "body_html", "published", "parent", "updated"])
            by_id[staged.item.wp_id] = staged
            self._remember(Kind.PAGE, staged.item.wp_id, staged.page.pk, staged.fingerprint)

    def _addresses(self, topics, series) -> list[tuple[str, str]]:
        """(old path, new path) for every live post, page, tag and category, and their feeds."""
        rows: list[tuple[str, str]] = []
        for staged in self.posts:
            if not staged.hidden:  # a new post's were written with it
                rows += staged.addresses
        for staged in self.pages:
            if staged.page.published:
                rows += [(f"{self.prefix}/?page_id={staged.item.wp_id}", staged.page.path)]
                rows += [(f"{self.prefix}/?p={staged.item.wp_id}", staged.page.path)]
        for (taxonomy, slug), topic in topics.items():
            old = f"{self.prefix}/{'tag' if taxonomy == 'post_tag' else 'category'}/{self._term_path(taxonomy, slug)}/"
            rows += [
                (old, reverse("series:tag", kwargs={"slug": topic.slug})),
                (old + "feed/", reverse("series:tag_feed", kwargs={"slug": topic.slug})),
            ]
        for (taxonomy, slug), one in series.items():
            old = f"{self.prefix}/{taxonomy}/{self._term_path(taxonomy, slug)}/"
            rows += [
                (old, reverse("series:series_detail", kwargs={"slug": one.slug})),
                (old + "feed/", reverse("series:series_feed", kwargs={"slug": one.slug})),
            ]
        return list(dict(rows).items())

    def _term_path(self, taxonomy: str, slug: str, depth: int = 0) -> str:
        """A category's path in WordPress names its parents: /category/health/sleep/."""
        term = self.terms.get((taxonomy, slug))
        own = unquote(slug)
        if term is None or not term.parent or depth > 10:
            return own
        return f"{self._term_path(taxonomy, term.parent, depth + 1)}/{own}"

    def _new_addresses(self, addresses: list[tuple[str, str]]) -> list[tuple[str, str]]:
        """The old addresses not answered yet (by an earlier import, an editor, or earlier in this one), read in
        the transaction that writes them; counted in the summary with those already leading elsewhere."""
        wanted = [(path, target) for path, target in addresses if path != target and len(path) <= OLD_PATH_MAX]
        paths = [path for path, _ in wanted]
        taken = {}
        for start in range(0, len(paths), rows.ROWS_PER_STATEMENT):
            chunk = paths[start : start + rows.ROWS_PER_STATEMENT]
            taken.update(OldAddress.objects.filter(path__in=chunk).values_list("path", "target"))
        new = []
        for path, target in wanted:
            if path in taken:
                self.summary.addresses_kept += taken[path] != target
                continue
            new.append((path, target))
            taken[path] = target
        self.summary.redirects += len(new)
        return new

    def _write_addresses(self, addresses: list[tuple[str, str]]) -> None:
        fields = rows.fields_of(OldAddress)
        values = rows.values_of(OldAddress(path="", target=""), fields)
        path_column, target_column = rows.column(fields, "path"), rows.column(fields, "target")
        new = []
        for path, target in self._new_addresses(addresses):
            row = list(values)
            row[path_column], row[target_column] = path, target
            new.append(row)
        rows.insert(OldAddress, [field.column for field in fields], new)


def _fields(item: wxr.Item) -> dict:
    """An item as exported, without its comments (each has a fingerprint of its own)."""
    return {**vars(item), "terms": [_slots(term) for term in item.terms], "comments": None}


def _slots(value) -> dict:
    return {name: getattr(value, name) for name in value.__slots__}
