"""A generated WordPress export (WXR 1.2) for the benchmark's import figure:

    python -m bench.wordpress OUT.xml [--posts 10000] [--comments 100000] [--seed 1]

Posts (most published, some drafts, a few scheduled and sticky) with categories and tags, threaded comments
(some waiting for moderation, some pingbacks, a few threads deeper than OLE nests), a few pages in a hierarchy,
and a few attachments used as featured images and in the text. The same arguments always write the same file;
it is written item by item, so memory stays small whatever the size.
"""

from __future__ import annotations

import argparse
import datetime
import random
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

SITE = "https://peer-support.example.org"
WP = "http://wordpress.org/export/1.2/"
START = datetime.datetime(2012, 3, 1, 9, 0, tzinfo=datetime.UTC)
SCHEDULED_FROM = datetime.datetime(2099, 1, 1, 9, 0, tzinfo=datetime.UTC)  # "future" posts stay in the future
_VOCABULARY = (
    "tapering benzodiazepine withdrawal sleep anxiety recovery support peer story week month doctor dose "
    "slowly nights walking tired hope family friends together small steps kindness patience body mind "
    "symptoms waves windows better worse again today morning evening garden tea letters kitchen path river "
    "quiet noise heart breath hands learning listening writing reading café naïve Übung señora ĉiutage "
    "forum group meeting plan notes calendar journal appointment pharmacy pill cut hold stable months years"
)
WORDS = tuple(_VOCABULARY.split())
AUTHORS = (("admin", "Sam Rivers"), ("mira", "Mira Okafor"), ("jon", "Jon Lindqvist"), ("ana", "Ana Ruiz"))
CATEGORIES = (
    "Uncategorized",
    "Tapering diaries",
    "Sleep",
    "Letters",
    "Family",
    "Research notes",
    "Recovery stories",
    "Community",
)
PENDING_EVERY = 29  # one comment in 29 waits for moderation
PINGBACK_EVERY = 97  # one in 97 is a pingback from another blog
DEEP_THREAD_EVERY = 23  # one post in 23 has a reply chain deeper than any site nests
DRAFT_EVERY = 41
SCHEDULED_EVERY = 173
STICKY_EVERY = 997


@dataclass
class Summary:
    """What the export holds, for the benchmark to check the import against."""

    posts: int = 0
    published: int = 0
    drafts: int = 0
    scheduled: int = 0
    sticky: int = 0
    pages: int = 0
    attachments: int = 0
    comments: int = 0  # every wp:comment, pingbacks and those waiting included
    pending: int = 0
    pingbacks: int = 0
    replies: int = 0
    categories: int = len(CATEGORIES)
    tags: int = 0

    def line(self) -> str:
        return (
            f"{self.posts:,} posts ({self.published:,} published, {self.drafts:,} drafts, {self.scheduled:,} "
            f"scheduled), {self.pages:,} pages, {self.attachments:,} attachments, {self.comments:,} comments "
            f"({self.replies:,} replies, {self.pending:,} waiting, {self.pingbacks:,} pingbacks), "
            f"{self.categories:,} categories, {self.tags:,} tags"
        )


def cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def slugify(text: str) -> str:
    return "-".join("".join(c for c in word.lower() if c.isascii() and c.isalnum()) for word in text.split()).strip("-")


def wp_date(moment: datetime.datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def rss_date(moment: datetime.datetime) -> str:
    return moment.strftime("%a, %d %b %Y %H:%M:%S +0000")


def write_export(path: Path, *, posts: int = 10_000, comments: int = 100_000, seed: int = 1) -> Summary:
    """Write the export to `path`, item by item; what it holds."""
    with path.open("w", encoding="utf-8", newline="\n", buffering=1024 * 1024) as out:
        summary = Summary()
        for piece in _export(random.Random(seed), posts, comments, summary):
            out.write(piece)
    return summary


def _export(rng: random.Random, posts: int, comments: int, summary: Summary) -> Iterator[str]:
    tags = [f"{word} {other}" for word in WORDS[:40] for other in WORDS[40:45]][: max(10, min(200, posts // 50))]
    summary.tags = len(tags)
    yield from _channel_head(tags)
    ids = iter(range(1, 10**9))
    attachments = [_attachment(rng, next(ids), number, summary) for number in range(max(2, posts // 1000))]
    yield from (item for _id, _url, item in attachments)
    yield from _pages(rng, ids, max(5, posts // 500), summary)
    statuses = [_status(number) for number in range(posts)]
    published = sum(1 for status in statuses if status == "publish")
    per_post = _spread(rng, comments, published)
    comment_ids = iter(range(1, 10**9))
    published_number = 0
    for number, status in enumerate(statuses):
        count = 0
        if status == "publish":
            count = per_post[published_number]
            published_number += 1
        feature = attachments[number % len(attachments)] if number < len(attachments) * 3 else None
        yield from _post(rng, next(ids), number, status, tags, feature, count, comment_ids, summary)
    yield "</channel>\n</rss>\n"


def _channel_head(tags: list[str]) -> Iterator[str]:
    yield (
        '<?xml version="1.0" encoding="UTF-8" ?>\n'
        '<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:wfw="http://wellformedweb.org/CommentAPI/" '
        f'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="{WP}">\n<channel>\n'
        "<title>Slowly, Together</title>\n"
        f"<link>{SITE}</link>\n"
        "<description>A peer-support blog about tapering off benzodiazepines</description>\n"
        f"<pubDate>{rss_date(START)}</pubDate>\n<language>en-GB</language>\n"
        f"<wp:wxr_version>1.2</wp:wxr_version>\n<wp:base_site_url>{SITE}</wp:base_site_url>\n"
        f"<wp:base_blog_url>{SITE}</wp:base_blog_url>\n"
    )
    for number, (login, name) in enumerate(AUTHORS, start=1):
        first, last = name.split()
        yield (
            f"<wp:author><wp:author_id>{number}</wp:author_id><wp:author_login>{cdata(login)}</wp:author_login>"
            f"<wp:author_email>{cdata(f'{login}@peer-support.example.org')}</wp:author_email>"
            f"<wp:author_display_name>{cdata(name)}</wp:author_display_name>"
            f"<wp:author_first_name>{cdata(first)}</wp:author_first_name>"
            f"<wp:author_last_name>{cdata(last)}</wp:author_last_name></wp:author>\n"
        )
    for number, name in enumerate(CATEGORIES, start=1):
        yield (
            f"<wp:category><wp:term_id>{number}</wp:term_id><wp:category_nicename>{cdata(slugify(name))}"
            f"</wp:category_nicename><wp:category_parent>{cdata('')}</wp:category_parent>"
            f"<wp:cat_name>{cdata(name)}</wp:cat_name></wp:category>\n"
        )
    for number, name in enumerate(tags, start=len(CATEGORIES) + 1):
        yield (
            f"<wp:tag><wp:term_id>{number}</wp:term_id><wp:tag_slug>{cdata(slugify(name))}</wp:tag_slug>"
            f"<wp:tag_name>{cdata(name)}</wp:tag_name></wp:tag>\n"
        )
    yield "<generator>https://wordpress.org/?v=6.4.2</generator>\n"


def _status(number: int) -> str:
    if number % SCHEDULED_EVERY == SCHEDULED_EVERY - 1:
        return "future"
    if number % DRAFT_EVERY == DRAFT_EVERY - 1:
        return "draft"
    return "publish"


def _spread(rng: random.Random, total: int, posts: int) -> list[int]:
    """`total` comments over `posts` posts, a few posts with many and most with a handful."""
    if posts == 0:
        return []
    weights = [rng.paretovariate(1.6) for _ in range(posts)]
    scale = total / sum(weights)
    counts = [int(weight * scale) for weight in weights]
    while sum(counts) > total:  # a float rounded up: take it back from the busiest post
        counts[counts.index(max(counts))] -= 1
    for index in rng.sample(range(posts), total - sum(counts)):  # each floor lost less than one
        counts[index] += 1
    return counts


def _words(rng: random.Random, count: int) -> str:
    return " ".join(rng.choices(WORDS, k=count))


def _paragraphs(rng: random.Random, count: int) -> str:
    paragraphs = []
    for _ in range(count):
        text = _words(rng, rng.randint(25, 70))
        paragraphs.append(f"{text[0].upper()}{text[1:]}. <strong>{_words(rng, 3)}</strong> {_words(rng, 8)}.")
    return "\n\n".join(paragraphs)


def _item(
    *,
    item_id: int,
    title: str,
    link: str,
    moment: datetime.datetime,
    author: str,
    content: str,
    slug: str,
    status: str,
    post_type: str,
    parent: int = 0,
    excerpt: str = "",
    sticky: bool = False,
    extra: str = "",
    close: bool = True,
) -> str:
    """One item; with `close=False` it is left open for its comments, which follow one by one."""
    return (
        f"<item>\n<title>{cdata(title)}</title>\n<link>{escape(link)}</link>\n<pubDate>{rss_date(moment)}</pubDate>\n"
        f'<dc:creator>{cdata(author)}</dc:creator>\n<guid isPermaLink="false">{SITE}/?p={item_id}</guid>\n'
        f"<description></description>\n<content:encoded>{cdata(content)}</content:encoded>\n"
        f"<excerpt:encoded>{cdata(excerpt)}</excerpt:encoded>\n<wp:post_id>{item_id}</wp:post_id>\n"
        f"<wp:post_date>{cdata(wp_date(moment))}</wp:post_date>\n"
        f"<wp:post_date_gmt>{cdata(wp_date(moment))}</wp:post_date_gmt>\n"
        f"<wp:post_modified>{cdata(wp_date(moment))}</wp:post_modified>\n"
        f"<wp:post_modified_gmt>{cdata(wp_date(moment))}</wp:post_modified_gmt>\n"
        f"<wp:comment_status>{cdata('open')}</wp:comment_status>\n<wp:ping_status>{cdata('open')}</wp:ping_status>\n"
        f"<wp:post_name>{cdata(slug)}</wp:post_name>\n<wp:status>{cdata(status)}</wp:status>\n"
        f"<wp:post_parent>{parent}</wp:post_parent>\n<wp:menu_order>0</wp:menu_order>\n"
        f"<wp:post_type>{cdata(post_type)}</wp:post_type>\n<wp:post_password>{cdata('')}</wp:post_password>\n"
        f"<wp:is_sticky>{int(sticky)}</wp:is_sticky>\n{extra}" + ("</item>\n" if close else "")
    )


def _attachment(rng: random.Random, item_id: int, number: int, summary: Summary) -> tuple[int, str, str]:
    summary.attachments += 1
    moment = START + datetime.timedelta(days=number)
    name = f"picture-{number + 1}"
    file = f"{moment:%Y/%m}/{name}.jpg"
    url = f"{SITE}/wp-content/uploads/{file}"
    meta = (
        f"<wp:attachment_url>{cdata(url)}</wp:attachment_url>\n"
        f"<wp:postmeta><wp:meta_key>{cdata('_wp_attached_file')}</wp:meta_key>"
        f"<wp:meta_value>{cdata(file)}</wp:meta_value></wp:postmeta>\n"
        f"<wp:postmeta><wp:meta_key>{cdata('_wp_attachment_image_alt')}</wp:meta_key>"
        f"<wp:meta_value>{cdata(_words(rng, 4))}</wp:meta_value></wp:postmeta>\n"
    )
    item = _item(
        item_id=item_id,
        title=name,
        link=f"{SITE}/{name}/",
        moment=moment,
        author=AUTHORS[0][0],
        content="",
        slug=name,
        status="inherit",
        post_type="attachment",
        extra=meta,
    )
    return item_id, url, item


def _pages(rng: random.Random, ids: Iterator[int], count: int, summary: Summary) -> Iterator[str]:
    top: tuple[int, str] | None = None
    for number in range(count):
        page_id = next(ids)
        title = ("About", "Contact", "Crisis lines", "Our team", "How to taper")[number % 5]
        slug = f"{slugify(title)}-{number + 1}" if number >= 5 else slugify(title)
        parent_id, path = 0, slug
        if number % 3 == 2 and top is not None:  # every third page sits under the last top-level one
            parent_id, path = top[0], f"{top[1]}/{slug}"
        else:
            top = (page_id, slug)
        summary.pages += 1
        yield _item(
            item_id=page_id,
            title=title,
            link=f"{SITE}/{path}/",
            moment=START + datetime.timedelta(hours=number),
            author=AUTHORS[0][0],
            content=_paragraphs(rng, 3),
            slug=slug,
            status="publish",
            post_type="page",
            parent=parent_id,
        )


def _post(
    rng: random.Random,
    post_id: int,
    number: int,
    status: str,
    tags: list[str],
    feature: tuple[int, str, str] | None,
    comment_count: int,
    comment_ids: Iterator[int],
    summary: Summary,
) -> Iterator[str]:
    summary.posts += 1
    moment = START + datetime.timedelta(hours=7 * number, minutes=rng.randint(0, 59))
    if status == "future":
        moment = SCHEDULED_FROM + datetime.timedelta(days=number)
        summary.scheduled += 1
    elif status == "draft":
        summary.drafts += 1
    else:
        summary.published += 1
    sticky = status == "publish" and number % STICKY_EVERY == 0
    summary.sticky += sticky
    title = f"{_words(rng, rng.randint(2, 6)).capitalize()}, week {number + 1}"
    slug = slugify(title)
    link = f"{SITE}/{moment:%Y/%m/%d}/{slug}/" if status == "publish" else f"{SITE}/?p={post_id}"
    content = _paragraphs(rng, rng.randint(3, 8))
    if number % 5 == 0:  # the block editor's shape
        content = "\n\n".join(
            f"<!-- wp:paragraph -->\n<p>{part}</p>\n<!-- /wp:paragraph -->" for part in content.split("\n\n")
        )
    extra = "".join(
        f'<category domain="category" nicename={quoteattr(slugify(name))}>{cdata(name)}</category>\n'
        for name in [CATEGORIES[number % len(CATEGORIES)]]
    )
    extra += "".join(
        f'<category domain="post_tag" nicename={quoteattr(slugify(name))}>{cdata(name)}</category>\n'
        for name in rng.sample(tags, min(len(tags), rng.randint(0, 4)))
    )
    if feature is not None:
        attachment_id, url, _item_xml = feature
        extra += (
            f"<wp:postmeta><wp:meta_key>{cdata('_thumbnail_id')}</wp:meta_key>"
            f"<wp:meta_value>{cdata(str(attachment_id))}</wp:meta_value></wp:postmeta>\n"
        )
        sized = url.replace(".jpg", "-300x200.jpg")
        content += (
            f'\n\n[caption id="attachment_{attachment_id}" align="alignnone" width="300"]<img '
            f'class="size-medium wp-image-{attachment_id}" src="{sized}" alt="{_words(rng, 3)}" width="300" '
            f'height="200" /> {_words(rng, 5)}[/caption]'
        )
    yield _item(
        item_id=post_id,
        title=title,
        link=link,
        moment=moment,
        author=AUTHORS[number % len(AUTHORS)][0],
        content=content,
        slug=slug,
        status=status,
        post_type="post",
        excerpt=_words(rng, 12) if number % 4 == 0 else "",
        sticky=sticky,
        extra=extra,
        close=False,
    )
    yield from _comments(rng, moment, comment_count, comment_ids, deep=number % DEEP_THREAD_EVERY == 0, summary=summary)
    yield "</item>\n"


def _comments(
    rng: random.Random, posted: datetime.datetime, count: int, ids: Iterator[int], *, deep: bool, summary: Summary
) -> Iterator[str]:
    approved: list[int] = []  # only a shown comment can be answered
    moment = posted
    for number in range(count):
        comment_id = next(ids)
        moment += datetime.timedelta(minutes=rng.randint(3, 600))
        summary.comments += 1
        if comment_id % PINGBACK_EVERY == 0:
            summary.pingbacks += 1
            yield _comment(
                comment_id,
                author="Another recovery blog",
                email="",
                url=f"https://another-blog.example.net/{comment_id}/",
                moment=moment,
                content=f"[…] {_words(rng, 20)} […]",
                approved="1",
                kind="pingback",
                parent=0,
            )
            continue
        parent = 0
        if approved and (deep and number < 12):
            parent = approved[-1]  # a chain of replies, each answering the one before
        elif approved and rng.random() < 0.4:
            parent = rng.choice(approved[-20:])
        summary.replies += parent != 0
        waiting = comment_id % PENDING_EVERY == 0
        summary.pending += waiting
        commenter = rng.randint(1, 5000)
        yield _comment(
            comment_id,
            author=f"{rng.choice(WORDS).capitalize()} {commenter}",
            email=f"reader{commenter}@example.com",
            url=f"https://reader{commenter}.example.com/" if commenter % 10 == 0 else "",
            moment=moment,
            content=f"{_words(rng, rng.randint(8, 60)).capitalize()}.\n\n{_words(rng, rng.randint(3, 20))} 🙂",
            approved="0" if waiting else "1",
            kind="comment",
            parent=parent,
        )
        if not waiting:
            approved.append(comment_id)


def _comment(
    comment_id: int,
    *,
    author: str,
    email: str,
    url: str,
    moment: datetime.datetime,
    content: str,
    approved: str,
    kind: str,
    parent: int,
) -> str:
    return (
        f"<wp:comment>\n<wp:comment_id>{comment_id}</wp:comment_id>\n"
        f"<wp:comment_author>{cdata(author)}</wp:comment_author>\n"
        f"<wp:comment_author_email>{cdata(email)}</wp:comment_author_email>\n"
        f"<wp:comment_author_url>{escape(url)}</wp:comment_author_url>\n"
        f"<wp:comment_author_IP>{cdata(f'192.0.2.{comment_id % 250 + 1}')}</wp:comment_author_IP>\n"
        f"<wp:comment_date>{cdata(wp_date(moment))}</wp:comment_date>\n"
        f"<wp:comment_date_gmt>{cdata(wp_date(moment))}</wp:comment_date_gmt>\n"
        f"<wp:comment_content>{cdata(content)}</wp:comment_content>\n"
        f"<wp:comment_approved>{cdata(approved)}</wp:comment_approved>\n"
        f"<wp:comment_type>{cdata(kind)}</wp:comment_type>\n<wp:comment_parent>{parent}</wp:comment_parent>\n"
        f"<wp:comment_user_id>0</wp:comment_user_id>\n</wp:comment>\n"
    )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.wordpress", description=__doc__.splitlines()[0])
    parser.add_argument("output", type=Path, help="The export file to write.")
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--comments", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1, help="The same seed writes the same file.")
    args = parser.parse_args(argv)
    if args.posts < 1 or args.comments < 0:
        parser.error("--posts must be at least 1 and --comments at least 0")
    summary = write_export(args.output, posts=args.posts, comments=args.comments, seed=args.seed)
    size = args.output.stat().st_size
    print(f"Wrote {args.output} ({size / 1_000_000:.1f} MB): {summary.line()}.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
