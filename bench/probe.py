"""The benchmark's steps inside Django, run with the server's environment against the same database.

    python -m bench.probe seed [--posts N --series N --comments N --stories N --tags N]
    python -m bench.probe queries PATH        queries of a warm anonymous request (run with OLE_PAGE_CACHE=0)
    python -m bench.probe newest-post         the newest post's slug (its comments are open)
    python -m bench.probe approve MARKER      approve the comment whose text holds MARKER, if it is not yet shown
    python -m bench.probe stories PREFIX      how many stories, and how many distinct titles, start with PREFIX

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
    args = parser.parse_args(argv)

    if args.step == "seed":
        answer: object = {"summary": seed(**{name: getattr(args, name) for name in DEFAULTS})}
    elif args.step == "queries":
        answer = count_queries(args.path)
    elif args.step == "newest-post":
        answer = newest_post()
    elif args.step == "approve":
        answer = approve(args.marker)
    else:
        answer = count_stories(args.prefix)
    print(json.dumps(answer))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
