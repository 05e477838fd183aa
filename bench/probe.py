"""The benchmark's steps inside Django, run with the server's environment against the same database.

    python -m bench.probe seed [--posts N --series N --comments N --stories N --tags N]
    python -m bench.probe queries PATH        queries of a warm anonymous request (run with OLE_PAGE_CACHE=0)
    python -m bench.probe newest-post         the newest post's slug (its comments are open)
    python -m bench.probe approve MARKER      approve the comment whose text holds MARKER, if it is not yet shown
    python -m bench.probe stories PREFIX      how many stories, and how many distinct titles, start with PREFIX
    python -m bench.probe follow N            N confirmed followers of everything, a new post, and the time
                                              announce_due() takes to queue their emails
    python -m bench.probe followers-sent      how many of those emails the worker sent, first and last (epoch s)
    python -m bench.probe imported            posts, pages, comments and pingbacks in the database

Every answer is one line of JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

import django


def count_queries(path: str) -> dict[str, int]:
    """The queries an anonymous visitor's second request runs (the first fills whatever is read once)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.get(path)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    return {"queries": len(queries), "status": response.status_code}


def newest_post() -> dict[str, str]:
    from series.models import Post

    return {"slug": Post.objects.published().order_by("-publish_at", "-pk").values_list("slug", flat=True)[0]}


def approve(marker: str) -> dict[str, object]:
    """Publish the benchmark's comment the way an editor does; `at` is when it became public (epoch seconds)."""
    from series.models import Comment

    comment = Comment.objects.get(body__contains=marker)
    before = comment.status
    if comment.status != Comment.Status.APPROVED:
        comment.approve()
    return {"status_before": before, "at": time.time()}


def count_stories(prefix: str) -> dict[str, object]:
    from django.db.models import Count

    from stories.models import Story

    per_title = Story.objects.filter(title__startswith=prefix).values("title").annotate(n=Count("pk"))
    return {"counts": {row["title"]: row["n"] for row in per_title}}


FOLLOWED_POST = "bench-followed"


def follow(subscribers: int) -> dict[str, object]:
    """`subscribers` confirmed followers of everything, then a new post goes live: the worker's announce_due()
    is timed making one delivery per follower and queueing their emails (paced OLE_FOLLOW_EMAILS_PER_MINUTE)."""
    import datetime

    from django.utils import timezone

    from ole.models import OutboundEmail
    from series.models import Contributor, Post, Subscription
    from series.models.following import announce_due

    before = timezone.now() - datetime.timedelta(days=1)
    Subscription.objects.bulk_create(
        [
            Subscription(email=f"follower{n}@bench.invalid", created=before, confirmed_at=before)
            for n in range(subscribers)
        ],
        batch_size=2000,
    )
    template = Post.objects.published().order_by("-publish_at").first()
    Post.objects.create(
        title="Bench post for followers",
        slug=FOLLOWED_POST,
        contributor=Contributor.objects.order_by("pk").first(),
        series=template.series if template else None,
        body=template.body if template else "A new post for the followers.",
        status=Post.Status.PUBLISHED,
        publish_at=timezone.now(),
    )
    started = time.monotonic()
    announced = announce_due()
    seconds = time.monotonic() - started
    queued = OutboundEmail.objects.filter(kind="following.post", state=OutboundEmail.State.PENDING).count()
    return {"announced": announced, "queued": queued, "seconds": seconds}


def followers_sent() -> dict[str, object]:
    from django.db.models import Count, Max, Min

    from ole.models import OutboundEmail

    sent = OutboundEmail.objects.filter(kind="following.post", state=OutboundEmail.State.SENT)
    found = sent.aggregate(n=Count("pk"), first=Min("sent_at"), last=Max("sent_at"))
    return {
        "sent": found["n"],
        "first": found["first"].timestamp() if found["first"] else None,
        "last": found["last"].timestamp() if found["last"] else None,
    }


def imported() -> dict[str, int]:
    """The rows an import makes, per kind, counted as the export's summary counts them (drafts and waiting
    comments included)."""
    from series.models import Comment, Page, Post

    comments = Comment.everything
    return {
        "posts": Post.objects.count(),
        "pages": Page.objects.count(),
        "comments": comments.filter(kind=Comment.Kind.COMMENT).count(),
        "pingbacks": comments.filter(kind=Comment.Kind.PINGBACK).count(),
    }


def main(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ole.settings")
    django.setup()
    from bench.seed import DEFAULTS, seed

    parser = argparse.ArgumentParser(prog="python -m bench.probe")
    steps = parser.add_subparsers(dest="step", required=True)
    seeding = steps.add_parser("seed")
    for name, default in DEFAULTS.items():
        seeding.add_argument(f"--{name.replace('_', '-')}", type=int, default=default)
    steps.add_parser("queries").add_argument("path")
    steps.add_parser("newest-post")
    steps.add_parser("approve").add_argument("marker")
    steps.add_parser("stories").add_argument("prefix")
    steps.add_parser("follow").add_argument("subscribers", type=int)
    steps.add_parser("followers-sent")
    steps.add_parser("imported")
    args = parser.parse_args(argv)

    if args.step == "seed":
        answer: object = {"summary": seed(**{name: getattr(args, name) for name in DEFAULTS})}
    elif args.step == "queries":
        answer = count_queries(args.path)
    elif args.step == "newest-post":
        answer = newest_post()
    elif args.step == "approve":
        answer = approve(args.marker)
    elif args.step == "stories":
        answer = count_stories(args.prefix)
    elif args.step == "follow":
        answer = follow(args.subscribers)
    elif args.step == "imported":
        answer = imported()
    else:
        answer = followers_sent()
    print(json.dumps(answer))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
