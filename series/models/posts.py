"""The reading side: contributors, series, posts, content notes, tags and the crisis lines."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Protocol

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from taggit.managers import TaggableManager
from taggit.models import TagBase, TaggedItemBase

from ole import images, pagecache
from ole.storage import delete_files_on_commit
from ole.text import count_words, derive_excerpt, plain_text, reading_minutes, render_markdown
from ole.workflow import InvalidTransition

from .. import search
from .revisions import RESTORABLE_FIELDS, PostRevision, snapshot_of

IMAGE_HELP = "JPEG, PNG or WebP, at most 10 MB. Location and camera data are removed on upload."


upload_rendition = images.GeneratedPath("renditions")


def unique_slug(model: type[models.Model], text: str, *, max_length: int = 200, fallback: str = "untitled") -> str:
    base = slugify(text)[: max_length - 6].strip("-") or fallback
    slug, suffix = base, 2
    while model._default_manager.filter(slug=slug).exists():
        slug, suffix = f"{base}-{suffix}", suffix + 1
    return slug


def live_posts(prefix: str = "") -> Q:
    """The one rule of what visitors may see: a scheduled or published post whose time has come.

    `prefix` reaches posts through a relation, e.g. live_posts("posts__") on Series or Contributor.
    """
    return Q(
        **{
            f"{prefix}status__in": Post.LIVE_STATUSES,
            f"{prefix}publish_at__lte": timezone.now(),
            f"{prefix}trashed_at__isnull": True,
        }
    )


class WithPublishedPostsQuerySet(models.QuerySet):
    """For contributors, series and tags: only those with something a visitor can read."""

    posts_path = "posts__"

    def with_published_posts(self) -> models.QuerySet:
        return self.filter(live_posts(self.posts_path)).distinct()

    def count_published_posts(self) -> models.QuerySet:
        return self.annotate(post_count=models.Count(self.posts_path.rstrip("_"), filter=live_posts(self.posts_path)))


class TopicQuerySet(WithPublishedPostsQuerySet):
    posts_path = "tagged_posts__content_object__"

    def count_published_posts(self) -> models.QuerySet:
        return self.annotate(post_count=models.Count("tagged_posts", filter=live_posts(self.posts_path)))


class ContentNote(models.Model):
    """One entry of the managed vocabulary of content notes shown before hard stories."""

    name = models.CharField(max_length=60, unique=True, help_text="As readers see it, e.g. “withdrawal symptoms”.")
    slug = models.SlugField(max_length=60, unique=True)
    description = models.CharField(
        max_length=200, blank=True, help_text="Optional: a short explanation for readers and writers."
    )
    signals_crisis = models.BooleanField(
        "a writer choosing it may be in crisis",
        default=False,
        help_text="Tick for notes such as “suicidal thoughts” or “self-harm”: a writer who picks it for their own "
        "story is shown the crisis lines at once, and the story is marked urgent for the editors.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CrisisLine(models.Model):
    """A crisis or support line listed on the help page and near hard content."""

    name = models.CharField(max_length=120, help_text="e.g. “Suicide Crisis Helpline”.")
    organisation = models.CharField(max_length=120, blank=True)
    region = models.CharField(max_length=80, help_text="Country or “International”. Lines are grouped by region.")
    phone = models.CharField(max_length=40, blank=True)
    sms = models.CharField(max_length=40, blank=True, help_text="SMS number, if the line takes messages.")
    website = models.URLField(blank=True)
    hours = models.CharField(max_length=80, blank=True, help_text="e.g. “24 hours, every day”.")
    description = models.CharField(max_length=240, blank=True)
    verified = models.BooleanField(
        default=False,
        help_text=(
            "Tick only after an editor has called or checked the line. Visitors are not told (a warning would "
            "alarm someone in crisis); this list's filter shows unverified lines, and check --deploy warns."
        ),
    )
    position = models.PositiveSmallIntegerField(default=0, help_text="Lower numbers are listed first.")

    class Meta:
        ordering = ["position", "region", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.region})"

    @property
    def phone_href(self) -> str:
        return "tel:" + "".join(ch for ch in self.phone if ch.isdigit() or ch == "+")


class Contributor(models.Model):
    display_name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100, unique=True)
    bio = models.TextField(
        max_length=800, blank=True, help_text="Two or three sentences, shown on posts and the author page."
    )
    avatar = images.CheckedImageField(folder="avatars", max_side=256, blank=True, help_text=IMAGE_HELP)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        limit_choices_to={"is_staff": True},
        related_name="contributor",
        help_text="Optional: the staff account of this contributor.",
    )
    email_on_comments = models.BooleanField(
        default=False, help_text="Email this contributor (at their staff account's address) about new comments."
    )

    objects = WithPublishedPostsQuerySet.as_manager()

    class Meta:
        ordering = ["display_name"]

    def __str__(self) -> str:
        return self.display_name

    def get_absolute_url(self) -> str:
        return reverse("series:contributor", kwargs={"slug": self.slug})


class Weekday(models.IntegerChoices):
    """As `date.weekday()` counts them."""

    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class Series(models.Model):
    class Kind(models.TextChoices):
        BOUNDED = "bounded", "Series: parts read in order"
        COLUMN = "column", "Recurring column: newest first"

    title = models.CharField(max_length=160)
    slug = models.SlugField(max_length=160, unique=True)
    summary = models.TextField(max_length=1000, help_text="One short paragraph shown on the series page and in cards.")
    cover_image = images.CheckedImageField(folder="covers", max_side=1600, blank=True, help_text=IMAGE_HELP)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.BOUNDED)
    planned_parts = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Bounded series only: how many parts are planned (“Part 2 of 4”)."
    )
    position = models.PositiveSmallIntegerField(default=0, help_text="Order on the series list; lower first.")
    cadence_weekday = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        choices=Weekday.choices,
        verbose_name="a new post every",
        help_text="Recurring columns only: the day a new post is due (the original blog ran “Mental Floss "
        "Mondays”). The editors' dashboard shows the next four of these days and any that has no post yet. "
        "Empty: no fixed rhythm.",
    )
    created = models.DateTimeField(auto_now_add=True)

    objects = WithPublishedPostsQuerySet.as_manager()

    # A post added for an empty slot from the dashboard starts at this time of day (local time).
    SLOT_TIME = datetime.time(9, 0)

    class Meta:
        ordering = ["position", "title"]
        verbose_name_plural = "series"
        constraints = [
            models.CheckConstraint(
                condition=Q(cadence_weekday__isnull=True) | Q(kind="column", cadence_weekday__lte=6),
                name="series_cadence_only_for_columns",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("series:series_detail", kwargs={"slug": self.slug})

    @property
    def is_column(self) -> bool:
        return self.kind == self.Kind.COLUMN

    def clean(self) -> None:
        super().clean()
        if self.cadence_weekday is not None and not self.is_column:
            raise ValidationError({"cadence_weekday": "Only a recurring column has a day for its new posts."})

    def next_slots(self, count: int = 4, *, today: datetime.date) -> list[datetime.date]:
        """The next `count` days on the column's weekday, today included when it is one; none without a cadence."""
        if self.cadence_weekday is None:
            return []
        first = today + datetime.timedelta(days=(self.cadence_weekday - today.weekday()) % 7)
        return [first + datetime.timedelta(weeks=n) for n in range(count)]

    def published_parts(self) -> PostQuerySet:
        """Published parts in table-of-contents order (a column lists its newest entry first)."""
        posts = self.posts.published().filter(from_reader=False)
        if self.is_column:
            return posts.order_by("-publish_at", "-pk")
        return posts.order_by("part_number", "publish_at", "pk")

    def readers_stories(self) -> PostQuerySet:
        """Readers' stories promoted into this series, newest first."""
        return self.posts.published().for_cards().filter(from_reader=True).order_by("-publish_at", "-pk")


class Topic(TagBase):
    """A tag, with a description shown on its page."""

    description = models.TextField(max_length=1000, blank=True, help_text="Shown at the top of the tag page.")

    objects = TopicQuerySet.as_manager()

    class Meta:
        verbose_name = "tag"
        verbose_name_plural = "tags"
        ordering = ["name"]

    def get_absolute_url(self) -> str:
        return reverse("series:tag", kwargs={"slug": self.slug})


class TaggedPost(TaggedItemBase):
    content_object = models.ForeignKey("Post", on_delete=models.CASCADE)
    tag = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="tagged_posts")


class ReadersStory(Protocol):
    """What a post made from a reader's story takes from it (stories.Story provides it; series never imports it)."""

    title: str
    body: str
    public_credit: str
    photo_alt: str


class PostQuerySet(models.QuerySet):
    def published(self) -> PostQuerySet:
        """Posts a visitor may see: scheduled or published, and their time has come."""
        return self.filter(live_posts())

    def featured(self) -> PostQuerySet:
        return self.filter(featured=True)

    def being_imported(self) -> PostQuerySet:
        """Posts a WordPress import has written but not yet shown (or left behind, if it died)."""
        return self.filter(status=Post.Status.IMPORTING)

    def for_editors(self) -> PostQuerySet:
        """Every post editors work with: all but those an import is still writing (nobody sees them yet)."""
        return self.exclude(status=Post.Status.IMPORTING)

    def for_cards(self) -> PostQuerySet:
        """Everything a list of post cards shows, in a fixed number of queries, without the long texts."""
        return (
            self.select_related("contributor", "series")
            .prefetch_related("content_notes")
            .defer("body", "body_html", "search_text", "search_vector")
        )

    def next_publication(self) -> float | None:
        """When the next post goes live by itself (a timestamp), or None: pages change then without a save.

        Scheduled posts, and published ones given a moment still to come: both go live when it comes.
        """
        moment = (
            self.filter(status__in=Post.LIVE_STATUSES, publish_at__gt=timezone.now(), trashed_at__isnull=True)
            .order_by("publish_at")
            .values_list("publish_at", flat=True)
            .first()
        )
        return moment.timestamp() if moment else None

    def search(self, query: str) -> PostQuerySet:
        """Full-text search with English stemming ("tapering" finds "taper"), words in the title ranking above
        words in the text: PostgreSQL's own search, or SQLite's FTS5 (`series.search`).

        Only the newest `Post.SEARCH_MATCHES` matches are ranked and counted: a word nearly every post has would
        otherwise rank the whole archive on each request. The results page says when there are more.
        """
        from django.db import connection

        if connection.vendor == "postgresql":
            from django.contrib.postgres.search import SearchQuery, SearchRank

            search_query = SearchQuery(query, search_type="websearch", config="english")
            return (
                self._newest_of(self.filter(search_vector=search_query))
                .annotate(rank=SearchRank(models.F("search_vector"), search_query))
                .order_by("-rank", "-publish_at", "-pk")
            )
        expression = search.match_expression(query)
        if not expression:
            return self.none()
        matches = self.filter(pk__in=RawSQL(search.matching_ids_sql(), [expression]))  # noqa: S611 - words are parameters
        # Ranked in one pass: the index joined once to the newest matches (a rank per row, asked row by row, ran
        # the full-text match again for each of them).
        return (
            self._newest_of(matches)
            .extra(**search.ranked_join(connection.ops.quote_name(Post._meta.db_table), expression))
            .order_by("rank", "-publish_at", "-pk")
        )

    def _newest_of(self, matches: PostQuerySet) -> PostQuerySet:
        return self.filter(pk__in=matches.order_by("-publish_at", "-pk").values("pk")[: Post.SEARCH_MATCHES])


class Post(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SCHEDULED = "scheduled", "Scheduled"
        PUBLISHED = "published", "Published"
        # Written by a WordPress import in short steps and shown to nobody until its last step gives each post its
        # status: a long import never holds the database, and a failed one leaves nothing behind.
        IMPORTING = "importing", "Being imported"

    LIVE_STATUSES = (Status.SCHEDULED, Status.PUBLISHED)
    SEARCH_MATCHES = 500  # search ranks and counts at most this many of the newest matches
    RENDITIONS = {
        "image_card": images.Rendition("card", 640, 360, crop=True),
        "image_wide": images.Rendition("wide", 1600, 900, crop=False),
        "image_social": images.Rendition("social", 1200, 630, crop=True),
    }

    title = models.CharField(max_length=200)
    slug = models.SlugField(
        max_length=200,
        unique=True,
        blank=True,
        help_text="The post's address. Made from the title when left empty; it cannot change once published.",
    )
    contributor = models.ForeignKey(Contributor, on_delete=models.PROTECT, related_name="posts")
    byline = models.CharField(
        max_length=80,
        blank=True,
        help_text="Credit shown instead of the contributor, e.g. a reader's pen name or “Anonymous”.",
    )
    from_reader = models.BooleanField(
        default=False, help_text="A reader's story: listed in its series' “Readers' stories” section."
    )
    series = models.ForeignKey(Series, null=True, blank=True, on_delete=models.SET_NULL, related_name="posts")
    part_number = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="For a bounded series: this post's place in it (1, 2, 3…)."
    )
    body = models.TextField(
        help_text="Markdown: blank lines between paragraphs, **bold**, *italic*, [links](https://…)."
    )
    body_html = models.TextField(editable=False, default="")
    excerpt = models.TextField(
        max_length=500,
        blank=True,
        help_text="Shown on cards and in search results. Taken from the start of the text when empty.",
    )
    summary = models.TextField(editable=False, default="")
    search_text = models.TextField(editable=False, default="", help_text="The text as readers see it, for search.")
    # Kept up to date by a PostgreSQL trigger (migration 0012), weighted title A, text B, with a GIN index;
    # the column stays empty on SQLite, which searches the text itself.
    search_vector = SearchVectorField(null=True, editable=False)
    word_count = models.PositiveIntegerField(editable=False, default=0)

    feature_image = images.CheckedImageField(folder="features", blank=True, help_text=IMAGE_HELP)
    feature_image_alt = models.CharField(
        max_length=200, blank=True, help_text="Describe the image for readers who cannot see it."
    )
    image_card = models.ImageField(upload_to=upload_rendition, blank=True, editable=False)
    image_card_width = models.PositiveSmallIntegerField(null=True, editable=False)
    image_card_height = models.PositiveSmallIntegerField(null=True, editable=False)
    image_wide = models.ImageField(upload_to=upload_rendition, blank=True, editable=False)
    image_wide_width = models.PositiveSmallIntegerField(null=True, editable=False)
    image_wide_height = models.PositiveSmallIntegerField(null=True, editable=False)
    image_social = models.ImageField(upload_to=upload_rendition, blank=True, editable=False)
    image_social_width = models.PositiveSmallIntegerField(null=True, editable=False)
    image_social_height = models.PositiveSmallIntegerField(null=True, editable=False)

    content_notes = models.ManyToManyField(
        ContentNote,
        blank=True,
        related_name="posts",
        help_text="Readers see these before the text and choose to read on.",
    )
    tags = TaggableManager(through=TaggedPost, blank=True)

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    publish_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the post goes live. A scheduled post appears by itself at this time.",
    )
    featured = models.BooleanField(default=False, help_text="Featured posts lead the home page.")
    comments_open = models.BooleanField(
        default=True, help_text="Untick to close comments. They also close by themselves after a set time."
    )
    comment_count = models.PositiveIntegerField(default=0, editable=False)
    links_announced_at = models.DateTimeField(
        null=True, editable=False, help_text="When the pages this post links to were last sent pingbacks."
    )
    followers_told_at = models.DateTimeField(
        null=True, editable=False, help_text="When the post's followers by email were told of it (once, ever)."
    )
    like_count = models.PositiveIntegerField(default=0, editable=False)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)
    trashed_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="In the trash since then: hidden everywhere public, deleted for good after TRASH_DAYS.",
    )

    objects = PostQuerySet.as_manager()

    TRASH_DAYS = 30

    class Meta:
        ordering = ["-publish_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "publish_at"], name="post_status_publish_idx"),
            # Lists walk this in their own order and stop after a page, instead of sorting every live post.
            models.Index(fields=["-publish_at", "-id"], name="post_publish_order_idx"),
            models.Index(fields=["series", "part_number"], name="post_series_part_idx"),
            # Only the featured few: the home page finds its newest three at once, where walking every live post
            # in order and skipping the others took 2 ms at 10,000 posts on SQLite, and grew with the archive.
            models.Index(fields=["-publish_at", "-id"], condition=Q(featured=True), name="post_featured_order_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["draft", "importing"]) | Q(publish_at__isnull=False),
                name="post_live_needs_publish_at",
            ),
            models.UniqueConstraint(
                fields=["series", "part_number"],
                condition=Q(series__isnull=False, part_number__isnull=False),
                name="post_unique_part_in_series",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        self.derive(update_fields=kwargs.get("update_fields"))
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("series:post", kwargs={"slug": self.slug})

    def get_preview_url(self) -> str:
        return reverse("series:post_preview", kwargs={"slug": self.slug})

    def derive(self, *, update_fields: Iterable[str] | None = None) -> None:
        """Work out what a save derives from the post: its slug, rendered text, summary and image sizes. A save
        calls it; so does the WordPress import before it writes posts in bulk."""
        if not self.slug:
            self.slug = unique_slug(Post, self.title)
        if update_fields is None or "body" in update_fields or "excerpt" in update_fields:
            self.body_html = render_markdown(self.body)
            self.search_text = plain_text(self.body_html)
            self.word_count = count_words(self.body_html)
            self.summary = self.excerpt.strip() or derive_excerpt(self.body_html)
        if update_fields is None:
            self._refresh_renditions()

    def clean(self) -> None:
        errors = {}
        if self.status != self.Status.DRAFT and self.publish_at is None:
            if self.status == self.Status.SCHEDULED:
                errors["publish_at"] = "Choose when the scheduled post should go live."
            else:
                self.publish_at = timezone.now()
        if self.part_number is not None and self.series_id is None:
            errors["part_number"] = "A part number needs a series."
        if self.feature_image and not self.feature_image_alt.strip():
            errors["feature_image_alt"] = "Describe the image for readers who cannot see it."
        if errors:
            raise ValidationError(errors)

    # Visibility -----------------------------------------------------------------------------

    def is_published(self) -> bool:
        """Mirror of PostQuerySet.published() for one post."""
        return (
            self.status in self.LIVE_STATUSES
            and self.publish_at is not None
            and self.publish_at <= timezone.now()
            and self.trashed_at is None
        )

    is_published.boolean = True
    is_published.short_description = "Live"

    @property
    def slug_is_locked(self) -> bool:
        """Once a post has gone out (or is set to), its address must not change: links and feeds point at it."""
        return self.pk is not None and self.status in self.LIVE_STATUSES

    # Transitions ----------------------------------------------------------------------------

    def publish_now(self, *, by=None) -> None:
        """Make a draft or scheduled post live at once; a live post is refused."""
        if self.is_published():
            raise InvalidTransition("This post is already published.")
        self.status = self.Status.PUBLISHED
        self.publish_at = timezone.now()
        with transaction.atomic():
            self.save(update_fields=["status", "publish_at", "updated"])
            self.record_revision(by=by, note="Published")

    def schedule(self, when: datetime.datetime, *, by=None) -> None:
        """Schedule a draft for a future time; a time in the past is refused."""
        if self.is_published():
            raise InvalidTransition("This post is already published.")
        if when <= timezone.now():
            raise InvalidTransition("A post can only be scheduled for a time in the future.")
        self.status = self.Status.SCHEDULED
        self.publish_at = when
        with transaction.atomic():
            self.save(update_fields=["status", "publish_at", "updated"])
            self.record_revision(by=by, note="Scheduled")

    def publish_from(
        self,
        story: ReadersStory,
        *,
        series: Series | None,
        tags: Iterable[Topic] = (),
        content_notes: Iterable[ContentNote] = (),
        image=None,
        featured: bool = True,
        when: datetime.datetime | None = None,
        by=None,
    ) -> None:
        """Make or update the post of a reader's story, live at once or, given `when`, scheduled for then (a live
        post stays as it is, and refuses a date). `by`: the editor who chose the date, for its revision.

        The writer's words replace the post's; the writer's content notes are added to those editors added.
        Tags are set when the post is made: later they change only by an edit the writer approves. An editor's
        own post is refused: a story never overwrites it.
        """
        if self.pk is not None and not self.from_reader:
            raise InvalidTransition("Only a reader's post can be published from a story.")
        if self.trashed_at is not None:
            raise InvalidTransition("The story's post is in the trash: restore it from there first.")
        new = self.pk is None
        with transaction.atomic():
            self.title, self.body, self.byline = story.title, story.body, story.public_credit
            self.series = series
            self.featured, self.from_reader = featured, True
            if when is not None:
                if self.is_published():
                    raise InvalidTransition("This post is already published.")
                if self.pk is None:
                    self.status = self.Status.DRAFT  # saved first, then scheduled by the guarded method below
            elif not self.is_published():
                self.status = self.Status.PUBLISHED
                self.publish_at = timezone.now()
            if image is not None and not self.feature_image:
                self.feature_image = image
                self.feature_image_alt = story.photo_alt
            self.save()
            if new:
                self.tags.set(tags)
            self.content_notes.add(*content_notes)
            self.record_revision(note="Made from a reader's story" if new else "Updated from the reader's story")
            if when is not None:
                self.schedule(when, by=by)

    def unpublish(self, *, by=None) -> None:
        """Take a post back to draft; it disappears from every public page at once."""
        if self.status == self.Status.DRAFT:
            raise InvalidTransition("This post is already a draft.")
        self.status = self.Status.DRAFT
        with transaction.atomic():
            self.save(update_fields=["status", "updated"])
            self.record_revision(by=by, note="Moved back to draft")

    def set_featured(self, featured: bool) -> None:
        if self.featured == featured:
            raise InvalidTransition(f"This post is already {'featured' if featured else 'not featured'}.")
        self.featured = featured
        self.save(update_fields=["featured", "updated"])

    def erase(self) -> None:
        """Delete the post for good, with its revisions and, once that is committed, its image files (a
        withdrawn story leaves nothing; the trash is bypassed)."""
        delete_files_on_commit([getattr(self, field) for field in ("feature_image", *self.RENDITIONS)])
        with transaction.atomic():
            self.revisions.all().delete()
            self.delete()  # a deleted post's text leaves the page cache (SeriesConfig.ready: deleting_erases)

    # The trash ------------------------------------------------------------------------------

    def trash(self) -> None:
        """Move the post to the trash: hidden from every public page at once, with its comments, likes and tags
        kept for a restore; deleted for good after TRASH_DAYS. A post already in the trash is refused."""
        if self.trashed_at is not None:
            raise InvalidTransition("This post is already in the trash.")
        self.trashed_at = timezone.now()
        self.save(update_fields=["trashed_at"])  # stored pages go too (SeriesConfig.ready: erases)

    def restore_from_trash(self) -> None:
        """Take the post out of the trash, as it was (its status unchanged)."""
        if self.trashed_at is None:
            raise InvalidTransition("This post is not in the trash.")
        self.trashed_at = None
        self.save(update_fields=["trashed_at"])

    # Revisions ------------------------------------------------------------------------------

    def record_revision(self, *, by=None, note: str = "", always: bool = False) -> PostRevision | None:
        """Keep the post as it is now (by: the editor who saved it; none for the site itself). A save that
        changed nothing a revision keeps adds none, unless `always`."""
        snapshot = snapshot_of(self)
        if not always:
            latest = self.revisions.order_by("-saved_at", "-pk").values_list("snapshot", flat=True).first()
            if latest == snapshot:
                return None
        return PostRevision.objects.create(post=self, snapshot=snapshot, saved_by=by, note=note)

    def restore_revision(self, revision: PostRevision, *, by, fields: Iterable[str] = RESTORABLE_FIELDS) -> list[str]:
        """Bring back `fields` of an earlier revision (never the status or publication time: those change only
        through the guarded methods); the restore is itself a new revision, recording `by`. Returns what could
        not be restored (an image whose file is gone)."""
        if revision.post_id != self.pk:
            raise InvalidTransition("That revision belongs to another post.")
        old = revision.snapshot
        fields = [field for field in fields if field in RESTORABLE_FIELDS]
        skipped = []
        series_id = old["series"] if "series" in fields else self.series_id
        part = old["part_number"] if "part_number" in fields else self.part_number
        if "series" in fields and series_id is not None and not Series.objects.filter(pk=series_id).exists():
            raise InvalidTransition("The series of that version has since been deleted.")
        if (
            series_id is not None
            and part is not None
            and Post.objects.filter(series=series_id, part_number=part).exclude(pk=self.pk).exists()
        ):
            raise InvalidTransition(f"Another post is now part {part} of that series: change it first.")
        for field in ("title", "body", "excerpt", "feature_image_alt", "part_number"):
            if field in fields:
                setattr(self, field, old[field])
        if "series" in fields:
            self.series_id = series_id
        if "feature_image" in fields and old["feature_image"] != (self.feature_image.name or ""):
            if not old["feature_image"]:
                self.feature_image = None
            elif self.feature_image.storage.exists(old["feature_image"]):
                self.feature_image = old["feature_image"]
                self.image_card = None  # its sizes are made afresh from the restored image
            else:
                skipped.append("the image (its file is gone)")
        with transaction.atomic():
            self.save()
            if "tags" in fields:
                self.tags.set(old["tags"])
            if "content_notes" in fields:
                self.content_notes.set(ContentNote.objects.filter(pk__in=old["content_notes"]))
            when = timezone.localtime(revision.saved_at)
            self.record_revision(by=by, note=f"Restored the version of {when:%d %b %Y %H:%M}", always=True)
        return skipped

    # Community ------------------------------------------------------------------------------

    def comments_are_open(self, *, close_after_days: int) -> bool:
        """Comments are taken on a published post whose comments are open and not yet closed by age."""
        if not self.is_published() or not self.comments_open:
            return False
        return not close_after_days or self.publish_at > timezone.now() - datetime.timedelta(days=close_after_days)

    def refresh_comment_count(self) -> None:
        """Recount the approved comments shown on cards and in the post header."""
        self.comment_count = self.comments.filter(status="approved", trashed_at__isnull=True).count()
        Post.objects.filter(pk=self.pk).update(comment_count=self.comment_count)

    def like(self) -> None:
        """One more like, as a single atomic UPDATE: no read, no lock held past the statement."""
        Post.objects.filter(pk=self.pk).update(like_count=models.F("like_count") + 1)
        pagecache.post_changed(self.slug)

    # Series navigation ----------------------------------------------------------------------

    def _series_neighbour(self, *, after: bool) -> Post | None:
        if self.series_id is None or (self.series.is_column and self.publish_at is None):
            return None
        # Only what a "previous / next" link shows: the neighbours' long texts stay unread.
        siblings = (
            self.series.posts.published()
            .exclude(pk=self.pk)
            .only("title", "slug", "series", "part_number", "publish_at")
        )
        if self.series.is_column or self.part_number is None:
            key, value = "publish_at", self.publish_at
        else:
            key, value = "part_number", self.part_number
        if value is None:
            return None
        # Ties (two entries published at the same moment) are broken by id, so every entry is reachable.
        if after:
            later = Q(**{f"{key}__gt": value}) | Q(**{key: value, "pk__gt": self.pk})
            return siblings.filter(later).order_by(key, "pk").first()
        earlier = Q(**{f"{key}__lt": value}) | Q(**{key: value, "pk__lt": self.pk})
        return siblings.filter(earlier).order_by(f"-{key}", "-pk").first()

    def previous_in_series(self) -> Post | None:
        """The published part before this one (for a column: the entry before it)."""
        return self._series_neighbour(after=False)

    def next_in_series(self) -> Post | None:
        """The published part after this one (for a column: the entry after it)."""
        return self._series_neighbour(after=True)

    def series_position(self) -> tuple[int, int] | None:
        """(part, of total) for a post in a bounded series; None for a column or a post outside a series."""
        if self.series_id is None or self.series.is_column or self.part_number is None:
            return None
        highest = self.series.posts.published().aggregate(highest=models.Max("part_number"))["highest"] or 0
        total = max(self.series.planned_parts or 0, highest, self.part_number)
        return self.part_number, total

    # Derived content -------------------------------------------------------------------------

    @property
    def credit(self) -> str:
        """The name a post is credited to: the byline when there is one, otherwise the contributor."""
        return self.byline or self.contributor.display_name

    @property
    def reading_minutes(self) -> int:
        return reading_minutes(self.word_count)

    def _refresh_renditions(self) -> None:
        """Re-encode a newly uploaded feature image and make its sizes once, at upload time."""
        if not self.feature_image:
            for field in self.RENDITIONS:
                setattr(self, field, None)
                setattr(self, f"{field}_width", None)
                setattr(self, f"{field}_height", None)
            return
        if self.feature_image._committed and self.image_card:
            return
        source = self.feature_image.file if not self.feature_image._committed else self.feature_image.open("rb")
        clean = images.reencode(source)
        self.feature_image.save(clean.name, clean, save=False)
        for field, rendition in self.RENDITIONS.items():
            rendered, width, height = images.render(clean, rendition)
            getattr(self, field).save(rendered.name, rendered, save=False)
            setattr(self, f"{field}_width", width)
            setattr(self, f"{field}_height", height)
