"""In-process look-ups for the benchmark, run with the server's environment against the same database.

`python -m bench.probe queries URL...` prints the queries each page runs (the second, warm request);
`python -m bench.probe stories PREFIX` prints how many stories, and how many distinct titles, start with PREFIX;
`python -m bench.probe newest-post` prints the newest post's id and slug (its comments are open);
`python -m bench.probe likes-cookie SLUG` prints the Cookie header of a browser that liked a post other than SLUG.
Every answer is one line of JSON.
"""

from __future__ import annotations

import json
import os
import sys
import time
import uuid

import django

SERVER_TIMES = 40
WORDS = "Some days were harder than others, and I wrote them down so that I would remember the good ones too. "


def story_form_data(title: str, *, key: str, consent_version: str) -> dict[str, str]:
    """A valid submission of the share form (the body clears the 50-word minimum)."""
    return {
        "title": title,
        "body": WORDS * 4,
        "credit": "pen_name",
        "credit_name": "Bench Writer",
        "email": "bench.writer@bench.invalid",
        "suggested_tags": "",
        "series": "",
        "consent_publish": "on",
        "consent_editing": "on",
        "consent_adult": "on",
        "website": "",
        "submission_key": key,
        "consent_version": consent_version,
    }


def count_queries(urls: list[str]) -> dict[str, dict]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    results = {}
    for url in urls:
        client.get(url)  # the first request fills caches (settings row, page cache when on)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        results[url] = {
            "queries": len(queries),
            "status": response.status_code,
            "bytes": len(body),
            "server_p95_ms": server_p95_ms(client, url),
        }
    results["submit"] = _submission_queries(client)
    return results


def percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def server_p95_ms(client, url: str, *, times: int = SERVER_TIMES) -> float:
    """The page's own time in the app (no network, no queue), one request at a time: the 95th percentile."""
    spent = []
    for _ in range(times):
        started = time.perf_counter()
        response = client.get(url)
        if response.streaming:
            b"".join(response.streaming_content)
        spent.append((time.perf_counter() - started) * 1000)
    return round(percentile(spent, 0.95), 1)


def _submission_queries(client) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from stories.models import ConsentVersion

    data = story_form_data("Probe story", key=str(uuid.uuid4()), consent_version=str(ConsentVersion.current().version))
    with CaptureQueriesContext(connection) as queries:
        response = client.post("/stories/share/write/", data)
    return {"queries": len(queries), "status": response.status_code, "bytes": len(response.content)}


def count_stories(prefix: str) -> dict[str, int]:
    from django.db.models import Count

    from stories.models import Story

    rows = Story.objects.filter(title__startswith=prefix)
    per_title = rows.values("title").annotate(n=Count("pk"))
    return {
        "rows": rows.count(),
        "titles": per_title.count(),
        "duplicated": sum(item["n"] - 1 for item in per_title if item["n"] > 1),
        "titles_list": sorted(item["title"] for item in per_title),
    }


def main(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ole.settings")
    django.setup()
    command, *args = argv
    if command == "queries":
        answer: object = count_queries(args)
    elif command == "stories":
        answer = count_stories(args[0])
    elif command == "newest-post":
        from series.models import Post

        newest = Post.objects.published().order_by("-publish_at", "-pk").values("pk", "slug").first()
        answer = {"id": newest["pk"], "slug": newest["slug"]}
    elif command == "likes-cookie":
        from django.http import HttpResponse

        from series.community import LIKES_COOKIE
        from series.models import Post

        other = Post.objects.published().exclude(slug=args[0]).order_by("-publish_at", "-pk").values("pk").first()
        signed = HttpResponse()
        signed.set_signed_cookie(LIKES_COOKIE, json.dumps([f"post:{other['pk']}"]), salt=LIKES_COOKIE)
        answer = {"cookie": f"{LIKES_COOKIE}={signed.cookies[LIKES_COOKIE].value}"}
    else:
        print(f"unknown command {command}", file=sys.stderr)
        return 2
    print(json.dumps(answer))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
