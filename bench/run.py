"""The benchmark: `python -m bench.run` (`make bench`) or `python -m bench.run --smoke` (`make bench-smoke`).

It measures the four figures of issue 14, each page side by side with a ceiling:
1. behind the shipped nginx configuration (deploy/), the home and post pages against nginx serving a static
   20 KB file; and how soon a new comment shows there;
2. at gunicorn with the page cache, the home and post pages against the minimal Django view (bench/views.py),
   on SQLite with the embedded default's shared cache and on PostgreSQL with Redis;
3. without the page cache (OLE_PAGE_CACHE=0), the post page with 12 comments against the same view, and its queries;
4. story submissions through the real form from concurrent writers, counted in the database afterwards;
and three of issue 17, on the same seeded databases and servers:
5. search without the page cache: the search page's time for a few realistic queries, one client at a time
   (p95 judged) and under 16 connections (reported);
6. the sitemap without the page cache: the index's time and one page's (5,000 posts);
7. following by email: N followers of a new post, the time announce_due() takes to queue their emails, the
   worker's sending rate, and the home page's rate while it sends, beside its rate idle;
and one of issue 16, on a database of its own:
8. moving in from WordPress: `manage.py import_wordpress` on a generated export (bench/wordpress.py), its wall
   time and peak memory, and the rows it made.
A throughput target is judged on the median of three pairs (the page's wrk run and the ceiling's, back to back,
the order alternating); a miss is reported with the ceiling's figures. Everything runs on 127.0.0.1, every run
is bounded in time, and every process started here is stopped by its id when the run ends, whatever happens.
The table goes to bench/results/latest.md (not for a smoke run, which checks that everything works).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from bench import BENCH_POST
from bench.load import HOST, BenchError, fetch, post_comment, submit_stories, time_requests, wrk
from bench.report import (
    IMPORT_SECONDS,
    Comparison,
    Following,
    Freshness,
    Import,
    Latencies,
    Pair,
    Report,
    Submissions,
    render,
)
from bench.servers import MINIMAL, NGINX, ROOT, STATIC, gunicorn, nginx, postgres, redis, started, version
from bench.views import PAGE
from bench.wordpress import write_export

HOME = ("home", "/")
POST = ("post, 12 comments", f"/posts/{BENCH_POST}/")
NGINX_CEILING = "static 20 KB file from nginx"
DJANGO_CEILING = "minimal Django view"
DATABASES = {"sqlite": "SQLite", "postgres": "PostgreSQL"}
CACHES = {"sqlite": "the embedded default's shared cache", "postgres": "Redis"}
SECRET = "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFG"  # noqa: S105
SEARCH_QUERIES = ("tapering", "benzodiazepines withdrawal", "sleep")
SEARCH_P95_MS = 50
SITEMAPS = (("the sitemap index", "/sitemap.xml"), ("a sitemap page (5,000 posts)", "/sitemap-posts.xml"))
FIGURES = (1, 2, 3, 4, 5, 6, 7, 8)
SMOKE_SEED = ["--posts", "300", "--series", "10", "--comments", "600", "--stories", "50", "--tags", "40"]


@dataclass
class Options:
    smoke: bool
    databases: list[str]
    workers: int
    seconds: int  # each wrk run
    pairs: int
    connections: int
    writers: int
    writing_seconds: int
    time_limit_s: int
    output: Path | None
    figures: frozenset[int] = frozenset(FIGURES)
    search_requests: int = 120  # one client, the queries in turn
    sitemap_requests: int = 10  # one client, each sitemap document
    timed_seconds: int = 15  # at most, for each of those series of requests one at a time
    subscribers: int = 10_000
    import_posts: int = 10_000  # in the generated WordPress export
    import_comments: int = 100_000


def parse_options(argv: list[str]) -> Options:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--smoke", action="store_true", help="Tiny data, one 1-second pair each: checks, measures nothing."
    )
    parser.add_argument("--databases", default="sqlite,postgres", help="Comma-separated (default sqlite,postgres).")
    parser.add_argument("--workers", type=int, help="gunicorn workers (default: 2 × cores + 1, as shipped; smoke 2).")
    parser.add_argument("--output", type=Path, help="Where the table goes (default bench/results/latest.md).")
    parser.add_argument(
        "--figures", default=",".join(map(str, FIGURES)), help="Comma-separated figures to measure (default all)."
    )
    args = parser.parse_args(argv)
    if set(args.databases.split(",")) - set(DATABASES):
        parser.error(f"--databases: choose among {', '.join(DATABASES)}")
    figures = {int(part) for part in args.figures.split(",") if part.strip().isdigit()}
    if not figures or figures - set(FIGURES) or len(figures) != len(args.figures.split(",")):
        parser.error(f"--figures: choose among {', '.join(map(str, FIGURES))}")
    smoke = args.smoke
    default_output = None if smoke else ROOT / "bench" / "results" / "latest.md"
    return Options(
        smoke=smoke,
        databases=args.databases.split(","),
        workers=args.workers or (2 if smoke else 2 * (os.cpu_count() or 1) + 1),
        seconds=1 if smoke else 5,
        pairs=1 if smoke else 3,
        connections=16,
        writers=4 if smoke else 8,
        writing_seconds=2 if smoke else 10,
        # The import may take twice its target before it is stopped.
        time_limit_s=(4 if smoke else 15) * 60 + (60 if smoke else 2 * IMPORT_SECONDS + 60) * (8 in figures),
        output=args.output or default_output,
        figures=frozenset(figures),
        search_requests=6 if smoke else 120,
        sitemap_requests=2 if smoke else 10,
        timed_seconds=3 if smoke else 15,
        subscribers=50 if smoke else 10_000,
        import_posts=30 if smoke else 10_000,
        import_comments=200 if smoke else 100_000,
    )


# Steps inside Django, each in a process of its own with the servers' environment -------------------------------


def app_env(folder: Path, database_url: str, redis_url: str, options: Options) -> dict[str, str]:
    dropped = {"DEBUG", "OLE_ALLOW_DEV_SECRET", "OLE_PLAIN_STATIC", "OLE_SERVE_MEDIA", "OLE_PAGE_CACHE", "REDIS_URL"}
    env = {key: value for key, value in os.environ.items() if key not in dropped and key != "WEB_CONCURRENCY"}
    env.update(
        DJANGO_SETTINGS_MODULE="ole.settings",
        DATABASE_URL=database_url,
        DATA_DIR=str(folder / "data"),
        MEDIA_ROOT=str(folder / "media"),
        STATIC_ROOT=str(folder.parent / "static"),
        SECRET_KEY=SECRET,
        ALLOWED_HOSTS=HOST,
        SECURE_SSL_REDIRECT="0",
        SECURE_COOKIES="0",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        OLE_ROOT_URLCONF="bench.urls",
        OLE_TRUSTED_PROXIES="1",  # each story writer has its own address
        OLE_STORY_SUBMISSIONS_PER_HOUR="1000000",
        OLE_FOLLOW_EMAILS_PER_MINUTE="1000000",  # every follower's email due at once: the worker's own rate shows
        LOG_LEVEL="WARNING",
        GUNICORN_LOG_LEVEL="warning",
    )
    if redis_url:
        env["REDIS_URL"] = redis_url
    if options.smoke:
        env["OLE_PUBLIC_MAX_AGE"] = "2"  # the new comment's wait, in seconds
    return env


def manage(env: dict[str, str], *args: str) -> None:
    done = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    if done.returncode != 0:
        raise BenchError(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")


def probe(env: dict[str, str], *args: str) -> dict:
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "bench.probe", *args],
        cwd=ROOT,
        env={**env, "ALLOWED_HOSTS": f"{HOST},testserver"},
        capture_output=True,
        text=True,
        timeout=600,
    )
    if done.returncode != 0:
        raise BenchError(f"bench.probe {args[0]} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def timed_command(command: list[str], env: dict[str, str], log: Path, *, seconds: float) -> tuple[int, float, float]:
    """Run a command to its end: (exit status, wall seconds, peak resident MB) of that process alone.

    os.wait4 gives the resource use of the one process it waits for: resource.getrusage(RUSAGE_CHILDREN) would
    give the largest of every process this run has waited for (the seeding among them). Linux counts a process's
    peak from the size of the one that started it (this runner, about 40 MB), which any Django command passes.
    Stopped by its id after `seconds`, or when the run is interrupted."""
    started_at = time.monotonic()
    with log.open("w") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)  # noqa: S603
    try:
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                process.returncode = os.waitstatus_to_exitcode(status)
                return process.returncode, time.monotonic() - started_at, usage.ru_maxrss / 1024
            if time.monotonic() - started_at > seconds:
                raise BenchError(f"{' '.join(command[1:3])} did not end within {seconds:.0f} s")
            time.sleep(0.05)
    finally:
        if process.returncode is None:
            process.kill()
            os.wait4(process.pid, 0)
            process.returncode = -signal.SIGKILL


# Measuring ------------------------------------------------------------------------------------------------------


def settle(app_port: int, *, seconds: float = 15) -> None:
    """Wait until the app has worked off what wrk's last connections left queued, so runs do not overlap."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        started = time.monotonic()
        with contextlib.suppress(OSError):
            fetch(app_port, MINIMAL)
        if time.monotonic() - started < 0.05:
            return
        time.sleep(0.1)


def warm(urls: list[str], app_port: int, options: Options) -> None:
    """Bring every worker (and every cache) to its steady state before anything is measured; not counted.

    A smoke run sends one request to each: it measures nothing, and the first request fills the caches."""
    for url in urls:
        if options.smoke:
            parts = urllib.parse.urlsplit(url)
            fetch(parts.port, parts.path)
        else:
            wrk(url, seconds=2, connections=options.connections)
            settle(app_port)


def side_by_side(page_url: str, ceiling_url: str, app_port: int, options: Options) -> list[Pair]:
    """The page and its ceiling back to back, `options.pairs` times, the page first in the first pair."""
    pairs = []
    for number in range(options.pairs):
        page_first = number % 2 == 0
        runs = {}
        for url in (page_url, ceiling_url) if page_first else (ceiling_url, page_url):
            runs[url] = wrk(url, seconds=options.seconds, connections=options.connections)
            settle(app_port)
        pairs.append(Pair(runs[page_url], runs[ceiling_url], page_first))
        page, ceiling = pairs[-1].page, pairs[-1].ceiling
        print(
            f"    pair {number + 1}: page {page.rate:,.0f} req/s (p99 {page.p99_ms:.1f} ms), ceiling "
            f"{ceiling.rate:,.0f} req/s (p99 {ceiling.p99_ms:.1f} ms): {pairs[-1].share:.0f}%",
            flush=True,
        )
    return pairs


def compare(report: Report, found: Comparison, page_url: str, ceiling_url: str, app: int, options: Options) -> None:
    print(f"  [{found.figure}] {found.what()}, against the {found.ceiling} ({found.note or 'no cache header'})")
    found.pairs = side_by_side(page_url, ceiling_url, app, options)
    if found.errors:
        report.failures.append(f"{found.what()}: {found.errors} failed requests (errors, non-2xx, timeouts)")
    report.comparisons.append(found)


def cache_header(port: int, path: str, header: str) -> str:
    value = fetch(port, path).headers.get(header.lower())
    return f"{header}: {value}" if value else f"no {header} header"


def s_maxage(cache_control: str) -> int | None:
    found = re.search(r"s-maxage=(\d+)", cache_control)
    return int(found.group(1)) if found else None


def new_comment_shows(report: Report, proxy: int, env: dict[str, str]) -> None:
    """A comment on a page nginx holds: seconds from the moment it is public until nginx shows it."""
    slug = probe(env, "newest-post")["slug"]  # the bench post is the oldest: its comments are closed
    path = f"/posts/{slug}/"
    fetch(proxy, path)
    held = fetch(proxy, path)
    found = Freshness(s_maxage(held.headers.get("cache-control", "")), None, held.headers.get("x-cache-status", ""))
    report.freshness.append(found)
    marker = f"bench-{uuid.uuid4().hex}"
    status = post_comment(proxy, slug, f"A new comment, to time the proxy: {marker}.")
    sent_at = time.time()
    if status not in (302, 303):
        report.failures.append(f"the comment form answered {status}, not a redirect")
        return
    # A new commenter's comment is held until an editor approves it; then it is public.
    approved = probe(env, "approve", marker)
    found.status_before = approved["status_before"]
    public_at = sent_at if found.status_before == "approved" else approved["at"]
    deadline = public_at + (found.s_maxage or 60) + 15
    while time.time() < deadline:
        if marker in fetch(proxy, path).body:
            found.seconds = time.time() - public_at
            return
        time.sleep(0.25)
    report.failures.append(f"the new comment did not show behind nginx within {deadline - public_at:.0f} s")


def story_submissions(report: Report, name: str, app_port: int, env: dict[str, str], options: Options) -> None:
    print(f"  [4] story submissions, {name}: {options.writers} writers for {options.writing_seconds} s", flush=True)
    prefix = f"Bench {name} {uuid.uuid4().hex[:8]}"
    sent = submit_stories(app_port, prefix=prefix, clients=options.writers, seconds=options.writing_seconds)
    stored = probe(env, "stories", prefix)["counts"]
    found = Submissions(name, options.writers, sent.seconds, sent.accepted, sent.errors, stored)
    print(f"    {found.measured()}", flush=True)
    if found.lost or found.duplicated or found.errors:
        report.failures.append(f"story submissions, {name}: {found.measured()}")
    report.submissions.append(found)


def search_times(report: Report, database: str, app_port: int, options: Options) -> None:
    paths = [f"/search/?{urllib.parse.urlencode({'q': query})}" for query in SEARCH_QUERIES]
    for path in paths:  # each query's first answer is not counted
        fetch(app_port, path)
    setting = f"gunicorn, {database}, without the page cache"
    runs = ((1, options.search_requests, SEARCH_P95_MS), (options.connections, 10**6, None))
    for clients, per_client, target in runs:
        print(f"  [5] search ({', '.join(SEARCH_QUERIES)}), {database}, {clients} at a time", flush=True)
        seconds = options.timed_seconds if clients == 1 else options.seconds
        timed = time_requests(app_port, paths, clients=clients, per_client=per_client, seconds=seconds)
        found = Latencies(5, "search", setting, clients, timed.samples_ms, timed.errors, target)
        print(f"    {found.measured()}", flush=True)
        if timed.errors:
            report.failures.append(f"{found.what()}: {timed.errors} failed requests")
        report.latencies.append(found)
        settle(app_port)


def sitemap_times(report: Report, database: str, app_port: int, options: Options) -> None:
    for page, path in SITEMAPS:
        fetch(app_port, path)  # not counted
        timed = time_requests(
            app_port, [path], clients=1, per_client=options.sitemap_requests, seconds=options.timed_seconds
        )
        found = Latencies(6, page, f"gunicorn, {database}, without the page cache", 1, timed.samples_ms, timed.errors)
        print(f"  [6] {found.what()}: {found.measured()}", flush=True)
        if timed.errors:
            report.failures.append(f"{found.what()}: {timed.errors} failed requests")
        report.latencies.append(found)


def wait_for_line(log: Path, text: str, *, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if log.exists() and text in log.read_text():
            return
        time.sleep(0.1)
    raise BenchError(f"{log.name} did not show {text!r} within {seconds:.0f} s")


def following(report: Report, name: str, app_port: int, env: dict[str, str], folder: Path, options: Options) -> None:
    """Followers of a new post: queueing their emails, then the home page idle and while the worker sends them."""
    print(f"  [7] following by email, {name}: {options.subscribers:,} followers of a new post", flush=True)
    queued = probe(env, "follow", str(options.subscribers))
    if queued["announced"] != 1:
        report.failures.append(f"following, {name}: {queued['announced']} posts announced, not the new one alone")
    found = Following(DATABASES[name], options.subscribers, queued["queued"], queued["seconds"])
    report.following.append(found)
    home = f"http://{HOST}:{app_port}{HOME[1]}"
    fetch(app_port, HOME[1])  # the new post changed the home page: its first rendering is not counted
    found.idle = wrk(home, seconds=options.seconds, connections=options.connections)
    settle(app_port)
    log = folder / "worker.log"
    # The shipped worker's loop without its pause between rounds; the mail goes to Django's in-memory backend.
    command = [sys.executable, "manage.py", "run_worker", "--loop", "--interval", "0"]
    with started(command, log=log, env=env):
        wait_for_line(log, "Emails sent", seconds=60)
        found.busy = wrk(home, seconds=options.seconds, connections=options.connections)
    settle(app_port)
    # Idle again after it, so a moment of the shared machine's does not decide the comparison alone.
    found.idle_after = wrk(home, seconds=options.seconds, connections=options.connections)
    sent = probe(env, "followers-sent")
    found.sent = sent["sent"]
    found.send_seconds = (sent["last"] - sent["first"]) if sent["first"] is not None else 0.0
    for _figure, what, measured, _wanted, _met in found.lines():
        print(f"    {what}: {measured}", flush=True)
    if any(run.errors for run in (found.idle, found.busy, found.idle_after)):
        report.failures.append(f"following, {name}: failed requests on the home page")


WRITE_LINE = "The last write transaction took"  # as import_wordpress prints it at verbosity 2


def import_command_exists() -> bool:
    return any(ROOT.glob("*/management/commands/import_wordpress.py"))


def wordpress_import(report: Report, folder: Path, options: Options) -> None:
    """A generated export imported into a fresh SQLite database: the command's time, its memory, the rows made."""
    found = Import(options.import_posts, options.import_comments)
    report.imports.append(found)
    print(f"[8] importing a WordPress export: {found.posts:,} posts, {found.comments:,} comments", flush=True)
    if not import_command_exists():
        found.skipped = "import_wordpress not available"
        print(f"    skipped: {found.skipped}", flush=True)
        return
    folder.mkdir()
    export = folder / "wordpress.xml"
    summary = write_export(export, posts=found.posts, comments=found.comments)
    found.export_mb = export.stat().st_size / 1_000_000
    found.expected = {
        "posts": summary.posts,
        "pages": summary.pages,
        "comments": summary.comments - summary.pingbacks,
        "pingbacks": summary.pingbacks,
    }
    env = app_env(folder, f"sqlite:///{folder / 'data' / 'import.sqlite3'}", "", options)
    manage(env, "migrate", "--noinput", "-v0")
    command = [sys.executable, "manage.py", "import_wordpress", str(export), "-v", "2"]
    log = folder / "import.log"
    status, found.seconds, found.peak_mb = timed_command(command, env, log, seconds=2 * IMPORT_SECONDS)
    if status != 0:
        found.seconds = found.peak_mb = None
        last = log.read_text(errors="replace").strip().splitlines()[-3:]
        report.failures.append(f"import_wordpress ended with status {status}: {' / '.join(last)}")
        return
    for line in log.read_text(errors="replace").splitlines():
        if line.startswith(WRITE_LINE):
            found.write_seconds = float(line.removeprefix(WRITE_LINE).split()[0])
    found.imported = probe(env, "imported")
    print(f"    {found.measured()}", flush=True)
    if not found.complete:
        report.failures.append(f"import_wordpress: {found.measured()}")


def measure_database(report: Report, name: str, env: dict[str, str], folder: Path, options: Options) -> None:
    print(f"[{name}] migrating and seeding", flush=True)
    started_at = time.monotonic()
    manage(env, "migrate", "--noinput", "-v0")
    seeded = probe(env, "seed", *(SMOKE_SEED if options.smoke else []))["summary"]
    report.context.append(f"- {name}: {seeded} (with the migrations: {time.monotonic() - started_at:.0f} s)")
    database = DATABASES[name]
    figures = options.figures
    # nginx once, in front of the first database: it serves its own copies, whichever database is behind it.
    behind_nginx = name == options.databases[0] and 1 in figures

    cached = {**env, "OLE_PAGE_CACHE": "1"}
    if figures & {1, 2, 4, 7}:
        with contextlib.ExitStack() as running:
            app = running.enter_context(gunicorn(cached, workers=options.workers, log=folder / "gunicorn-cached.log"))
            app_base = f"http://{HOST}:{app}"
            if behind_nginx:
                proxy = running.enter_context(nginx(folder / "nginx", upstream_port=app, static_page=PAGE))
                base = f"http://{HOST}:{proxy}"
                warm([base + STATIC, base + HOME[1], base + POST[1]], app, options)
                for page, path in (HOME, POST):
                    found = Comparison(1, page, f"behind nginx (gunicorn, {database})", NGINX_CEILING, 70, [])
                    found.note = cache_header(proxy, path, "X-Cache-Status")
                    compare(report, found, base + path, base + STATIC, app, options)
            warm([app_base + MINIMAL, app_base + HOME[1], app_base + POST[1]], app, options)
            if 2 in figures:
                for page, path in (HOME, POST):
                    found = Comparison(2, page, f"gunicorn, {database} with {CACHES[name]}", DJANGO_CEILING, 50, [])
                    found.note = cache_header(app, path, "X-Page-Cache")
                    compare(report, found, app_base + path, app_base + MINIMAL, app, options)
            if behind_nginx:
                print("  [1] a new comment, behind nginx", flush=True)
                new_comment_shows(report, proxy, env)
                print(f"    {report.freshness[-1].measured()}", flush=True)
            if 4 in figures:
                story_submissions(report, name, app, env, options)
            if 7 in figures:
                following(report, name, app, {**cached, "PYTHONUNBUFFERED": "1"}, folder, options)

    if figures & {3, 5, 6}:
        uncached = {**env, "OLE_PAGE_CACHE": "0"}
        queries = probe(uncached, "queries", POST[1]) if 3 in figures else None
        if queries and queries["status"] != 200:
            report.failures.append(f"{POST[1]} answered {queries['status']} without the page cache ({name})")
        with gunicorn(uncached, workers=options.workers, log=folder / "gunicorn-uncached.log") as app:
            app_base = f"http://{HOST}:{app}"
            if queries:
                warm([app_base + MINIMAL, app_base + POST[1]], app, options)
                setting = f"gunicorn, {database}, without the page cache"
                found = Comparison(
                    3, POST[0], setting, DJANGO_CEILING, None, [], queries=queries["queries"], max_queries=10
                )
                compare(report, found, app_base + POST[1], app_base + MINIMAL, app, options)
            if 5 in figures:
                search_times(report, database, app, options)
            if 6 in figures:
                sitemap_times(report, database, app, options)


# The run --------------------------------------------------------------------------------------------------------


def machine() -> str:
    cpu = "unknown CPU"
    with contextlib.suppress(OSError):
        cpu = next(
            (
                line.split(":", 1)[1].strip()
                for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")
            ),
            cpu,
        )
    return f"{os.cpu_count()} cores ({cpu}), {platform.system()} {platform.release()}"


def load_average() -> str:
    return " / ".join(f"{value:.1f}" for value in os.getloadavg())


def context(options: Options, *, began: str, minutes: float, load_before: str) -> list[str]:
    import django
    import gunicorn as gunicorn_package

    postgres_bin = sorted(Path("/usr/lib/postgresql").glob("*/bin/postgres"))
    smoke = " Smoke run: tiny data, one 1-second pair each; it checks that everything works and measures nothing."
    return [
        f"Run {began} UTC, {minutes:.1f} minutes.{smoke if options.smoke else ''}",
        f"Machine: {machine()}; load average (1/5/15 min) {load_before} before the run, {load_average()} after "
        "(other work shares the machine when it is above about 0.5).",
        f"Software: Python {platform.python_version()}, Django {django.get_version()}, gunicorn "
        f"{gunicorn_package.__version__} ({options.workers} workers, ole/gunicorn.conf.py), "
        f"{version([NGINX, '-v'])}, {version(['wrk', '--version']).split('[')[0].strip()}, "
        f"{version([str(postgres_bin[-1]), '--version']) if postgres_bin else 'PostgreSQL missing'}, "
        f"{version(['redis-server', '--version']).split(' sha=')[0]}.",
        f"Method: wrk -t2 -c{options.connections} -d{options.seconds}s on {HOST}, after a warm-up that is not "
        f"counted. Each page is run side by side with its ceiling ({options.pairs} pair(s) of runs back to back, "
        "the order alternating) and judged on the median pair. nginx runs deploy/ole-http.conf and "
        "deploy/ole-server.conf as shipped (one worker process, no access log) in front of the first database's "
        "server; its ceiling is a 20 KB file it serves itself. The minimal Django view sends the same 20 KB through "
        "the site's middleware. Queries are those of a warm anonymous request, counted in-process. Search and the "
        "sitemap (figures 5, 6) are timed request by request at the client on 127.0.0.1, at gunicorn without the "
        f"page cache, after one answer each that is not counted. Following (7): {options.subscribers:,} confirmed "
        "followers of a new post; announce_due() timed in-process; then `manage.py run_worker --loop --interval 0` "
        "sends through Django's in-memory mail backend (OLE_FOLLOW_EMAILS_PER_MINUTE high, so all are due), its "
        "rate read from the emails' sent times, while wrk loads the home page at gunicorn with the page cache. "
        "bench/seed.py fills the databases:",
    ]


def import_context(options: Options) -> str:
    return (
        f"Import (8): bench/wordpress.py writes a WXR 1.2 export of {options.import_posts:,} posts and "
        f"{options.import_comments:,} threaded comments (with drafts, scheduled posts, pages, attachments whose "
        "files are not given, pingbacks and comments waiting for moderation); `manage.py import_wordpress` imports "
        "it in a process of its own into a freshly migrated SQLite database. Its wall time runs from its start to "
        "its exit (Python and Django starting included); its peak memory is its ru_maxrss (os.wait4); the rows "
        "are counted afterwards."
    )


@contextlib.contextmanager
def database(name: str, folder: Path) -> Iterator[tuple[str, str]]:
    """(DATABASE_URL, REDIS_URL): a SQLite file with the embedded default's cache, or PostgreSQL with Redis."""
    if name == "sqlite":
        yield f"sqlite:///{folder / 'data' / 'bench.sqlite3'}", ""
    else:
        with postgres(folder / "pg") as database_url, redis(folder) as redis_url:
            yield database_url, redis_url


def interrupted(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def out_of_time(signum: int, frame: object) -> None:
    raise BenchError("the run went past its time limit")


def main(argv: list[str]) -> int:
    options = parse_options(argv)
    if options.figures - {8} and not shutil.which("wrk"):
        print("wrk is missing: make bench-tools installs it (apt-get install wrk).")
        return 2
    # Ctrl-C, SIGTERM and the time limit all unwind through the `with` blocks, which stop every process.
    signal.signal(signal.SIGTERM, interrupted)
    signal.signal(signal.SIGALRM, out_of_time)
    signal.alarm(options.time_limit_s)
    report = Report(smoke=options.smoke)
    began, load_before, started = time.strftime("%Y-%m-%d %H:%M", time.gmtime()), load_average(), time.monotonic()
    workdir = Path(tempfile.mkdtemp(prefix="ole-bench-"))
    workdir.chmod(0o711)  # PostgreSQL's own user (when run as root) reaches its folder inside
    try:
        # Figure 8 alone needs none of the seeded databases.
        for name in options.databases if options.figures - {8} else []:
            folder = workdir / name
            folder.mkdir()
            with database(name, folder) as (database_url, redis_url):
                env = app_env(folder, database_url, redis_url, options)
                if not (workdir / "static").exists():
                    manage(env, "collectstatic", "--noinput", "-v0")
                measure_database(report, name, env, folder, options)
        if 8 in options.figures:
            wordpress_import(report, workdir / "import", options)
    except KeyboardInterrupt:
        print("Interrupted: every process started here has been stopped.", file=sys.stderr)
        return 130
    except (BenchError, subprocess.SubprocessError, OSError) as error:
        for log in sorted(workdir.rglob("*.log")):
            print(f"--- the end of {log.relative_to(workdir)}", *log.read_text().splitlines()[-15:], sep="\n")
        print(f"The benchmark stopped: {error}", file=sys.stderr)
        return 1
    finally:
        signal.alarm(0)
        shutil.rmtree(workdir, ignore_errors=True)
    minutes = (time.monotonic() - started) / 60
    report.context[:0] = context(options, began=began, minutes=minutes, load_before=load_before)
    if 8 in options.figures:
        report.context.append(import_context(options))
    table = render(report)
    print("\n" + table)
    if options.output:
        options.output.parent.mkdir(parents=True, exist_ok=True)
        options.output.write_text(table)
        print(f"Written to {options.output}")
    return 1 if report.failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
