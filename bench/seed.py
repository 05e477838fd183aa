"""A large, synthetic site for the benchmark, written with bulk inserts (`python -m bench.probe seed [--posts N]`).

It fills whatever database DATABASE_URL names, so the benchmark points it at a database of its own. Rows are
built with the fields `Post.save()` and `Comment.save()` would derive (rendered HTML, search text, word count,
summary), because bulk_create does not call save(). Every post is published; one known post, `bench-post`,
carries exactly BENCH_POST_COMMENTS threaded comments (its comments are closed: it is the oldest post).
"""

from __future__ import annotations

import datetime
import random
import time
import uuid

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from bench import BENCH_POST, BENCH_POST_COMMENTS
from ole.text import count_words, derive_excerpt, plain_text, render_comment, render_markdown
from series.models import Comment, ContentNote, Contributor, Post, Series, TaggedPost, Topic
from stories.models import ConsentVersion, Story, StoryEvent

BATCH = 2000
COLUMN_EVERY = 10  # every tenth series is a recurring column

# Words the generated text is drawn from.
WORDS = (
    "sleep morning tapering doctor family walk breathing anxiety dose week month kettle garden friend "
    "withdrawal patience letter window quiet tired hope routine kitchen rain evening list notebook tea "
    "appointment courage small steps slowly again honest support group nurse pharmacy calendar "
    "benzodiazepine diazepam taper"
)
VOCABULARY = WORDS.split()

# (parent index or None) for the bench post's comments: three threads, nested up to depth 2.
BENCH_THREAD = (None, 0, 1, 0, None, 4, 5, 4, None, 8, 9, 9)

DEFAULTS = {
    "posts": 10_000,
    "series": 200,
    "comments": 50_000,  # approved comments, the bench post's included
    "stories": 5_000,
    "tags": 2_000,
    "contributors": 50,
    "tags_per_post": 3,
}


class SeedError(Exception):
    pass


def paragraph(rng: random.Random, words: int) -> str:
    chosen = [rng.choice(VOCABULARY) for _ in range(words)]
    return " ".join(chosen).capitalize() + "."


def markdown_body(rng: random.Random, paragraphs: int) -> str:
    return "\n\n".join(paragraph(rng, rng.randint(40, 90)) for _ in range(paragraphs))


def seed(
    *,
    posts: int = DEFAULTS["posts"],
    series: int = DEFAULTS["series"],
    comments: int = DEFAULTS["comments"],
    stories: int = DEFAULTS["stories"],
    tags: int = DEFAULTS["tags"],
    contributors: int = DEFAULTS["contributors"],
    tags_per_post: int = DEFAULTS["tags_per_post"],
    random_seed: int = 1,
) -> str:
    """Fill the current (migrated, empty) database; returns a one-line summary. Refuses a database it filled."""
    if Post.objects.filter(slug=BENCH_POST).exists():
        raise SeedError("This database is already seeded for the benchmark; use a fresh one.")
    if posts < 1 or series < 1 or comments < BENCH_POST_COMMENTS:
        raise SeedError(f"Needs at least one post, one series and {BENCH_POST_COMMENTS} comments.")
    started = time.monotonic()
    seeder = Seeder(random.Random(random_seed))
    with transaction.atomic():
        made_contributors = seeder.make_contributors(contributors)
        made_series = seeder.make_series(series)
        made_posts = seeder.make_posts(posts, made_contributors, made_series)
        seeder.make_tags(tags, made_posts, tags_per_post)
        seeder.make_comments(comments, made_posts)
        seeder.make_stories(stories, made_series)
        # As on a live site, the archive's followers were told of each post and its links announced long ago: the
        # worker's jobs start with nothing left to do.
        Post.objects.update(followers_told_at=F("publish_at"), links_announced_at=F("updated"))
    # Fresh planner statistics, as a live database has them: without them SQLite picks poor indexes.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return (
        f"Seeded {posts:,} posts, {comments:,} comments, {stories:,} stories and {tags:,} tags "
        f"in {time.monotonic() - started:.1f} s."
    )


class Seeder:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.now = timezone.now()

    def make_contributors(self, count: int) -> list[Contributor]:
        rows = [
            Contributor(display_name=f"Bench Writer {n}", slug=f"bench-writer-{n}", bio=paragraph(self.rng, 25))
            for n in range(1, count + 1)
        ]
        return Contributor.objects.bulk_create(rows, batch_size=BATCH)

    def make_series(self, count: int) -> list[Series]:
        rows = [
            Series(
                title=f"Bench series {n}",
                slug=f"bench-series-{n}",
                summary=paragraph(self.rng, 30),
                kind=Series.Kind.COLUMN if n % COLUMN_EVERY == 0 else Series.Kind.BOUNDED,
                position=n,
            )
            for n in range(1, count + 1)
        ]
        return Series.objects.bulk_create(rows, batch_size=BATCH)

    def make_posts(self, count: int, contributors: list[Contributor], series: list[Series]) -> list[Post]:
        # Rendering Markdown is the slow part of saving a post: a few dozen bodies are rendered once and shared.
        variants = []
        for _ in range(min(count, 40)):
            body = markdown_body(self.rng, self.rng.randint(5, 9))
            html = render_markdown(body)
            variants.append((body, html, plain_text(html), count_words(html), derive_excerpt(html)))
        notes = list(ContentNote.objects.all()[:3])
        parts: dict[int, int] = {}
        rows = []
        for n in range(count):
            body, html, text, words, summary = variants[n % len(variants)]
            in_series = series[n % len(series)]
            parts[in_series.pk] = parts.get(in_series.pk, 0) + 1
            slug = BENCH_POST if n == 0 else f"bench-{n:05d}"
            rows.append(
                Post(
                    title=f"Bench post {n}: {self.rng.choice(VOCABULARY)} and {self.rng.choice(VOCABULARY)}",
                    slug=slug,
                    contributor=contributors[n % len(contributors)],
                    series=in_series,
                    part_number=None if in_series.is_column else parts[in_series.pk],
                    body=body,
                    body_html=html,
                    search_text=text,
                    word_count=words,
                    summary=summary,
                    status=Post.Status.PUBLISHED,
                    publish_at=self.now - datetime.timedelta(hours=count - n + 1),
                    featured=n % 500 == 1,
                )
            )
        posts = Post.objects.bulk_create(rows, batch_size=BATCH)
        if notes:
            through = Post.content_notes.through
            links = [through(post_id=post.pk, contentnote_id=note.pk) for post in posts[::7] for note in notes[:2]]
            through.objects.bulk_create(links, batch_size=BATCH)
        return posts

    def make_tags(self, count: int, posts: list[Post], per_post: int) -> None:
        if count < 1:
            return
        rows = [
            Topic(name=f"bench tag {n}", slug=f"bench-tag-{n}", description=paragraph(self.rng, 20))
            for n in range(1, count + 1)
        ]
        tags = Topic.objects.bulk_create(rows, batch_size=BATCH)
        links = []
        for index, post in enumerate(posts):
            chosen = {tags[(index * 7 + k * 131) % len(tags)].pk for k in range(per_post)}
            links.extend(TaggedPost(content_object_id=post.pk, tag_id=tag_id) for tag_id in chosen)
        TaggedPost.objects.bulk_create(links, batch_size=BATCH)

    def make_comments(self, total: int, posts: list[Post]) -> None:
        bench_post, others = posts[0], posts[1:]
        variants = [paragraph(self.rng, self.rng.randint(12, 60)) for _ in range(30)]
        rendered = [render_comment(text) for text in variants]
        created = self.now - datetime.timedelta(hours=1)

        thread: list[Comment] = []
        for index, parent_index in enumerate(BENCH_THREAD):
            parent = thread[parent_index] if parent_index is not None else None
            comment = self.comment(bench_post, index, variants, rendered, created + datetime.timedelta(minutes=index))
            comment.parent = parent
            comment.depth = parent.depth + 1 if parent else 0
            # Each comment is inserted before its replies so that their parent has a key.
            comment.save()
            thread.append(comment)
        counts = {bench_post.pk: len(thread)}

        remaining = total - len(thread)
        batch: list[Comment] = []
        targets = others or [bench_post]
        if not others:
            remaining = 0
        for n in range(remaining):
            post = targets[n % len(targets)]
            counts[post.pk] = counts.get(post.pk, 0) + 1
            batch.append(self.comment(post, n, variants, rendered, created - datetime.timedelta(seconds=n)))
            if len(batch) >= BATCH:
                Comment.objects.bulk_create(batch)
                batch = []
        Comment.objects.bulk_create(batch)
        self.store_comment_counts(posts, counts)

    def comment(self, post: Post, n: int, variants: list[str], rendered: list[str], when) -> Comment:
        return Comment(
            post=post,
            name=f"Reader {n % 997}",
            email=f"reader{n % 997}@bench.invalid",
            body=variants[n % len(variants)],
            body_html=rendered[n % len(rendered)],
            status=Comment.Status.APPROVED,
            created=when,
        )

    def store_comment_counts(self, posts: list[Post], counts: dict[int, int]) -> None:
        """Keep the denormalised counter that cards and the post header show in step with the rows."""
        for post in posts:
            post.comment_count = counts.get(post.pk, 0)
        Post.objects.bulk_update(posts, ["comment_count"], batch_size=BATCH)

    def make_stories(self, count: int, series: list[Series]) -> None:
        if count < 1:
            return
        consent = ConsentVersion.current()
        if consent is None:
            raise SeedError("No consent wording: run the migrations first.")
        bodies = [markdown_body(self.rng, 3) for _ in range(20)]
        rows = [
            Story(
                submission_key=uuid.uuid4(),
                title=f"Bench story {n}",
                body=bodies[n % len(bodies)],
                credit=Story.Credit.PEN_NAME,
                credit_name=f"Pen name {n}",
                email=f"writer{n}@bench.invalid",
                series=series[n % len(series)] if n % 3 == 0 else None,
                consent_version=consent,
                consented_at=self.now,
                consent_publish=True,
                consent_editing=True,
                consent_adult=True,
                status=Story.Status.SUBMITTED,
                status_changed_at=self.now - datetime.timedelta(minutes=n),
            )
            for n in range(count)
        ]
        stories = Story.objects.bulk_create(rows, batch_size=BATCH)
        events = [
            StoryEvent(story=story, to_status=Story.Status.SUBMITTED, by_writer=True, created=story.status_changed_at)
            for story in stories
        ]
        StoryEvent.objects.bulk_create(events, batch_size=BATCH)
