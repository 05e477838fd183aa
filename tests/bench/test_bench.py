"""The benchmark's pieces: the seeding, its steps inside Django, the forms its clients fill, wrk's output, the nginx
it starts, and how it judges and reports the four figures. CI runs the whole of it on tiny data (make bench-smoke)."""

import json
import os
import re
import runpy
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.management import get_commands
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext

from bench import BENCH_POST, BENCH_POST_COMMENTS
from bench.load import (
    BenchError,
    comment_form_data,
    fetch,
    hidden_fields,
    parse_wrk,
    story_form_data,
    submit_stories,
    time_requests,
    to_ms,
)
from bench.probe import approve, count_queries, count_stories, follow, followers_sent, imported, newest_post
from bench.report import (
    IMPORT_SECONDS,
    Comparison,
    Following,
    Freshness,
    Import,
    Latencies,
    Pair,
    Report,
    Run,
    Submissions,
    percentile,
    render,
)
from bench.run import SEARCH_QUERIES, SITEMAPS, parse_options, s_maxage
from bench.seed import SeedError, seed
from bench.servers import DEPLOY, NGINX, STATIC, nginx, nginx_conf
from bench.views import PAGE, PAGE_BYTES
from ole.models import OutboundEmail
from ole.outbox import deliver_due
from series.models import Comment, Contributor, Delivery, Post, Series, TaggedPost, Topic
from series.models.following import announce_due
from stories.models import Story
from tests.conftest import reseed
from tests.factories import CommentFactory, PostFactory, StoryFactory

ROOT = Path(__file__).resolve().parents[2]
SMALL = {"posts": 40, "series": 4, "comments": 90, "stories": 15, "tags": 12, "contributors": 3}


def queries_for(client, url: str) -> int:
    client.get(url)  # settings rows and the like are made on the first visit
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


# The seeding -------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_seed_makes_the_rows_it_is_asked_for():
    seed(**SMALL)
    assert Post.objects.published().count() == SMALL["posts"]
    assert Series.objects.count() == SMALL["series"]
    assert Contributor.objects.count() == SMALL["contributors"]
    assert Topic.objects.count() == SMALL["tags"]
    assert Comment.objects.filter(status=Comment.Status.APPROVED).count() == SMALL["comments"]
    assert Story.objects.filter(status=Story.Status.SUBMITTED).count() == SMALL["stories"]
    assert all(story.events.count() == 1 for story in Story.objects.all())
    tags_per_post = TaggedPost.objects.values("content_object").annotate(n=Count("pk"))
    assert {row["n"] for row in tags_per_post} == {3}


@pytest.mark.django_db
def test_seed_keeps_every_comment_count_in_step():
    seed(**SMALL)
    counted = Post.objects.annotate(real=Count("comments"))
    assert all(post.comment_count == post.real for post in counted)
    assert sum(post.comment_count for post in counted) == SMALL["comments"]


@pytest.mark.django_db
def test_seeded_posts_are_complete_rows():
    seed(**SMALL)
    for post in Post.objects.all()[:5]:
        assert post.body_html.startswith("<p>")
        assert post.search_text and post.summary and post.word_count > 0
        assert post.reading_minutes >= 1
    parts = Post.objects.filter(series__kind=Series.Kind.BOUNDED).values_list("series", "part_number")
    assert len(parts) == len(set(parts))


@pytest.mark.django_db
def test_the_seeded_archive_leaves_the_worker_nothing_to_announce():
    seed(**SMALL)
    assert not Post.objects.filter(followers_told_at__isnull=True).exists()
    assert announce_due() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("query", SEARCH_QUERIES)
def test_every_search_query_of_the_benchmark_finds_seeded_posts(query):
    seed(**SMALL)
    assert Post.objects.published().search(query).exists()


@pytest.mark.django_db
def test_the_sitemaps_the_benchmark_times_answer(client):
    seed(**SMALL)
    for _page, path in SITEMAPS:
        response = client.get(path)
        assert response.status_code == 200, path
        assert b"<loc>" in response.content


@pytest.mark.django_db
def test_seed_refuses_a_database_it_has_already_filled():
    seed(**SMALL)
    with pytest.raises(SeedError, match="already seeded"):
        seed(**SMALL)


@pytest.mark.django_db
def test_the_bench_post_has_twelve_threaded_comments_and_renders(client):
    seed(**SMALL)
    post = Post.objects.get(slug=BENCH_POST)
    comments = list(post.comments.all())
    assert len(comments) == BENCH_POST_COMMENTS == post.comment_count
    assert sum(comment.parent_id is None for comment in comments) == 3
    assert max(comment.depth for comment in comments) == 2
    assert all(c.depth == (c.parent.depth + 1 if c.parent else 0) for c in comments)
    html = client.get(post.get_absolute_url()).content.decode()
    assert all(f'id="comment-{comment.pk}"' in html for comment in comments)


@pytest.mark.django_db
def test_the_bench_pages_run_the_same_queries_on_more_data(client):
    urls = ["/", f"/posts/{BENCH_POST}/", "/series/bench-series-2/", "/tags/bench-tag-1/", "/feed/"]
    seed(**SMALL)
    few = [queries_for(client, url) for url in urls]
    for model in (Comment, Post, Series, Topic, Contributor, Story):
        model.objects.all().delete()
    seed(posts=200, series=4, comments=900, stories=30, tags=12, contributors=3)
    many = [queries_for(client, url) for url in urls]
    assert few == many


# The steps the run takes inside Django ----------------------------------------------------------------------


@pytest.mark.django_db
def test_the_post_page_without_the_page_cache_stays_within_ten_queries(settings):
    settings.OLE_PAGE_CACHE = False
    seed(**SMALL)
    found = count_queries(f"/posts/{BENCH_POST}/")
    assert found["status"] == 200
    assert 0 < found["queries"] <= 10


@pytest.mark.django_db
def test_the_new_comment_goes_on_the_newest_post_whose_comments_are_open(client):
    seed(**SMALL)
    slug = newest_post()["slug"]
    assert slug != BENCH_POST
    page = client.get(f"/posts/{slug}/").content.decode()
    assert f'action="/posts/{slug}/comments/' in page


@pytest.mark.django_db
def test_the_benchs_comment_is_sent_through_the_real_form_and_published_by_approval(client):
    seed(**SMALL)
    slug = newest_post()["slug"]
    page = client.get(f"/posts/{slug}/").content.decode()
    form = comment_form_data(page, "A comment with bench-marker-1 in it.", csrf_token="unused-by-the-test-client")
    assert client.post(f"/posts/{slug}/comments/", form).status_code == 302
    comment = Comment.objects.get(body__contains="bench-marker-1")
    answer = approve("bench-marker-1")
    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED
    assert answer["status_before"] in {Comment.Status.PENDING, Comment.Status.APPROVED}
    assert approve("bench-marker-1")["status_before"] == Comment.Status.APPROVED, "approving twice changes nothing"


@pytest.mark.django_db
def test_following_queues_one_email_per_follower_of_the_new_post_and_counts_what_is_sent(settings):
    settings.OLE_FOLLOW_EMAILS_PER_MINUTE = 1_000_000
    seed(**SMALL)
    answer = follow(30)
    assert (answer["announced"], answer["queued"]) == (1, 30)
    assert answer["seconds"] > 0
    assert Delivery.objects.count() == 30
    times = OutboundEmail.objects.filter(kind="following.post").values_list("send_after", flat=True)
    assert (max(times) - min(times)).total_seconds() < 1, "paced high enough that all are due at once"
    assert followers_sent() == {"sent": 0, "first": None, "last": None}
    assert deliver_due(limit=12) == (12, 0)
    sent = followers_sent()
    assert sent["sent"] == 12 and sent["first"] <= sent["last"]


@pytest.mark.django_db
def test_stories_are_counted_per_title_so_a_duplicate_shows():
    StoryFactory(title="Bench x w1 n1")
    StoryFactory(title="Bench x w1 n1")
    StoryFactory(title="Bench x w2 n1")
    StoryFactory(title="Another story")
    assert count_stories("Bench x ")["counts"] == {"Bench x w1 n1": 2, "Bench x w2 n1": 1}


@pytest.mark.django_db
def test_the_bench_client_fills_the_real_share_form(client):
    form = client.get("/stories/share/write/")
    fields = hidden_fields(form.content.decode())
    assert {"submission_key", "consent_version", "csrfmiddlewaretoken"} <= set(fields)
    response = client.post("/stories/share/write/", story_form_data("A bench story", fields))
    assert response.status_code == 302
    assert response["Location"].endswith("/stories/share/thanks/")
    assert Story.objects.filter(title="A bench story").count() == 1


@pytest.mark.django_db
def test_the_minimal_view_is_twenty_kilobytes_without_a_query(client, settings):
    settings.ROOT_URLCONF = "bench.urls"
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/bench/minimal/")
    assert response.status_code == 200
    assert len(response.content) == PAGE_BYTES == 20 * 1024
    assert response["Content-Type"].startswith("text/html")
    assert len(queries) == 0


@pytest.mark.django_db
def test_the_minimal_view_is_not_part_of_the_site(client):
    assert client.get("/bench/minimal/").status_code == 404


# The nginx it starts -------------------------------------------------------------------------------------------


def test_the_benchs_nginx_runs_the_shipped_parts_with_only_the_upstream_and_cache_moved(tmp_path):
    conf = nginx_conf(tmp_path, port=18080, upstream="127.0.0.1:18081", static_page=PAGE)
    shipped = (DEPLOY / "ole-http.conf").read_text()
    moved = shipped.replace("127.0.0.1:8000", "127.0.0.1:18081").replace("/var/cache/nginx/ole", f"{tmp_path}/cache")
    assert (tmp_path / "ole-http.conf").read_text() == moved != shipped
    assert (tmp_path / "ole-server.conf").read_text() == (DEPLOY / "ole-server.conf").read_text()
    assert (tmp_path / "www" / STATIC.lstrip("/")).read_text() == PAGE
    assert Path(NGINX).exists(), "nginx is needed (make bench-tools or make browser installs it)"
    checked = subprocess.run(  # noqa: S603
        [NGINX, "-t", "-p", str(tmp_path), "-c", str(conf)], capture_output=True, text=True, timeout=30, check=False
    )
    assert checked.returncode == 0, checked.stderr


@pytest.mark.django_db(transaction=True)
def test_the_benchs_nginx_serves_its_ceiling_itself_and_the_sites_pages_from_its_cache(live_server, tmp_path, settings):
    settings.OLE_PUBLIC_MAX_AGE = 30
    PostFactory(title="Behind the proxy")
    upstream = urlsplit(live_server.url).port
    with nginx(tmp_path / "nginx", upstream_port=upstream, static_page=PAGE) as port:
        ceiling = fetch(port, STATIC)
        assert (ceiling.status, ceiling.body) == (200, PAGE)
        assert "x-cache-status" not in ceiling.headers, "nginx's own file, not a page of the app"
        fetch(port, "/")
        home = fetch(port, "/")
        assert home.headers["x-cache-status"] == "HIT" and "Behind the proxy" in home.body
        assert s_maxage(home.headers["cache-control"]) == 30


@pytest.mark.django_db(transaction=True)
def test_the_story_writers_send_through_the_real_form_and_every_story_is_counted(live_server, settings):
    settings.OLE_STORY_SUBMISSIONS_PER_HOUR = 1000
    reseed()  # the consent wording the form shows
    # One writer: the test server's threads share one in-memory SQLite connection, which takes no concurrent
    # writes. Writers at once are the benchmark's own run (gunicorn on a database file).
    sent = submit_stories(urlsplit(live_server.url).port, prefix="Bench live", clients=1, seconds=1)
    assert sent.accepted and not sent.errors
    stored = count_stories("Bench live")["counts"]
    assert stored == dict.fromkeys(sent.accepted, 1)


@pytest.mark.django_db(transaction=True)
def test_timed_requests_keep_each_answers_time_and_count_failures(live_server):
    PostFactory(title="Timed")
    port = urlsplit(live_server.url).port
    timed = time_requests(port, ["/", "/no-such-page/"], clients=1, per_client=4, seconds=30)
    assert len(timed.samples_ms) == 2 and timed.errors == 2
    assert all(0 < took < 30_000 for took in timed.samples_ms)


def test_s_maxage_is_read_from_cache_control():
    assert s_maxage("public, max-age=0, s-maxage=60") == 60
    assert s_maxage("private, no-cache") is None


# wrk's output ---------------------------------------------------------------------------------------------------

WRK_OUTPUT = """Running 5s test @ http://127.0.0.1:18001/posts/bench-post/
  2 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    24.10ms    8.31ms 120.44ms   81.20%
    Req/Sec   331.52     40.12   414.00     72.00%
  Latency Distribution
     50%   22.87ms
     75%   27.01ms
     90%   33.62ms
     99%    1.02s
  3310 requests in 5.01s, 79.21MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 4
Requests/sec:    660.73
Transfer/sec:     15.81MB
"""


def test_wrk_output_is_read_in_milliseconds_with_every_failed_request():
    assert parse_wrk(WRK_OUTPUT) == Run(rate=660.73, p50_ms=pytest.approx(22.87), p99_ms=pytest.approx(1020), errors=7)
    clean = re.sub(r"  (Socket errors|Non-2xx).*\n", "", WRK_OUTPUT)
    assert parse_wrk(clean).errors == 0


def test_wrk_durations_in_every_unit():
    assert [to_ms(text) for text in ("812.00us", "4.20ms", "1.50s", "2.00m")] == pytest.approx(
        [0.812, 4.2, 1500, 120_000]
    )
    with pytest.raises(ValueError):
        to_ms("fast")


def test_wrk_output_without_a_latency_distribution_is_an_error():
    with pytest.raises(ValueError, match="no results"):
        parse_wrk("Requests/sec:    660.73\n")


# Judging and reporting ------------------------------------------------------------------------------------------


def pair(page: float, ceiling: float, *, page_first: bool = True, ceiling_p99: float = 30.0, errors: int = 0) -> Pair:
    return Pair(Run(page, 4.0, 20.0, errors), Run(ceiling, 3.0, ceiling_p99), page_first)


def test_a_page_is_judged_on_the_median_of_its_pairs_beside_the_ceiling():
    # A page run that landed on a quiet moment (third pair) and one on a neighbour's burst (second) both drop out.
    found = Comparison(
        2, "home", "gunicorn", "minimal Django view", 50, [pair(2550, 3000), pair(850, 3400), pair(2400, 2000)]
    )
    assert [round(each.share) for each in found.pairs] == [85, 25, 120]
    assert found.median() == found.pairs[0]
    assert found.met
    assert "85% of the minimal Django view: 2,550 against 3,000 req/s (pairs: 85%, 25%, 120%; the median counts)" in (
        found.measured()
    )


def test_a_miss_is_reported_with_the_ceilings_own_figures():
    found = Comparison(1, "post", "behind nginx", "nginx static file", 70, [pair(6000, 10000, ceiling_p99=67.0)])
    assert not found.met
    assert "60% of the nginx static file: 6,000 against 10,000 req/s" in found.measured()
    assert "the ceiling's own p99 67.0 ms" in found.measured()
    assert "MISSED" in render(Report(comparisons=[found]))


def test_failed_requests_miss_the_target_whatever_the_rate():
    found = Comparison(2, "post", "gunicorn", "minimal view", 50, [pair(3000, 3000, errors=3)])
    assert not found.met and "3 failed requests" in found.measured()


def test_without_the_page_cache_the_share_is_reported_and_the_queries_judged():
    slow = [pair(90, 3000)]
    assert Comparison(3, "post", "no cache", "minimal view", None, slow, queries=7, max_queries=10).met
    assert not Comparison(3, "post", "no cache", "minimal view", None, slow, queries=11, max_queries=10).met
    assert not Comparison(3, "post", "no cache", "minimal view", None, slow, queries=None, max_queries=10).met


def test_a_new_comment_must_show_within_the_s_maxage_and_nginxs_second():
    assert Freshness(60, 59.2, "HIT", "pending").met
    assert Freshness(60, 60.9, "HIT", "pending").met
    assert not Freshness(60, 62.0, "HIT", "pending").met
    assert not Freshness(60, None, "HIT", "pending").met
    assert not Freshness(None, 0.5, "MISS", "pending").met


def test_submissions_must_reach_fifty_a_second_with_none_lost_or_duplicated():
    titles = [f"s{n}" for n in range(600)]
    stored = dict.fromkeys(titles, 1)
    assert Submissions("sqlite", 8, 10.0, titles, {}, stored).met
    assert not Submissions("sqlite", 8, 20.0, titles, {}, stored).met, "30/s"
    missing = dict(stored)
    del missing["s1"]
    lost = Submissions("sqlite", 8, 10.0, titles, {}, missing)
    assert (lost.lost, lost.met) == (1, False)
    doubled = Submissions("sqlite", 8, 10.0, titles, {}, {**stored, "s2": 2})
    assert (doubled.duplicated, doubled.met) == (1, False)
    assert not Submissions("sqlite", 8, 10.0, titles, {"answer 503": 1}, stored).met


def test_the_table_lists_the_figures_in_order_and_every_pair():
    titles = [f"t{n}" for n in range(700)]
    report = Report(
        comparisons=[
            Comparison(
                2,
                "home",
                "gunicorn, SQLite",
                "minimal Django view",
                50,
                [pair(2000, 3000), pair(2100, 3000, page_first=False)],
            ),
            Comparison(1, "home", "behind nginx", "nginx static file", 70, [pair(8000, 10000)]),
            Comparison(3, "post", "no cache", "minimal Django view", None, [pair(90, 3000)], queries=7, max_queries=10),
        ],
        latencies=[
            Latencies(6, "the sitemap index", "gunicorn", 1, [30.0, 35.0]),
            Latencies(5, "search", "gunicorn", 1, [20.0, 30.0], target_p95_ms=50),
        ],
        following=[following_found()],
        freshness=[Freshness(60, 58.0, "HIT", "pending")],
        submissions=[Submissions("sqlite", 8, 10.0, titles, {}, dict.fromkeys(titles, 1))],
        context=["Run somewhen."],
        failures=["something broke"],
    )
    table = render(report)
    summary = [line for line in table.splitlines() if re.match(r"\| \d \| ", line) and line.count("|") == 6]
    assert [line.split("|")[1].strip() for line in summary] == ["1", "1", "2", "3", "4", "5", "6", "7", "7", "7"]
    verdicts = [line.rstrip().rsplit("|", 2)[-2].strip() for line in summary]
    assert verdicts == ["met"] * 5 + ["met", "reported", "met", "reported", "met"]
    pairs = [line for line in table.splitlines() if line.count("|") == 13 and re.match(r"\| \d \| ", line)]
    assert len(pairs) == 4
    assert "| 2 | home | gunicorn, SQLite | 2 | ceiling | 2,100 |" in table
    assert "## Failures" in table and "- something broke" in table


def test_percentiles_are_nearest_rank():
    samples = [float(n) for n in range(1, 101)]
    assert (percentile(samples, 50), percentile(samples, 95), percentile(samples, 100)) == (50, 95, 100)
    assert percentile([7.0], 95) == 7.0
    assert percentile([3.0, 1.0, 2.0], 95) == 3.0


def test_search_is_judged_on_its_p95_one_client_at_a_time_and_reported_under_sixteen():
    fast = [10.0] * 95 + [49.0] * 5
    assert Latencies(5, "search", "gunicorn", 1, fast, target_p95_ms=50).met
    slow = [10.0] * 94 + [51.0] * 6
    assert not Latencies(5, "search", "gunicorn", 1, slow, target_p95_ms=50).met
    assert not Latencies(5, "search", "gunicorn", 1, fast, errors=1, target_p95_ms=50).met
    assert not Latencies(5, "search", "gunicorn", 1, [], target_p95_ms=50).met
    many = Latencies(5, "search", "gunicorn", 16, [400.0] * 20)
    assert many.met and many.wanted() == "reported"
    assert many.what() == "search, gunicorn, 16 connections"
    assert "p95 400.0 ms, p50 400.0 ms, max 400.0 ms (20 requests)" in many.measured()


def following_found(*, seconds: float = 4.0, queued: int = 10_000, busy: float = 600.0) -> Following:
    return Following(
        "SQLite", 10_000, queued, seconds, sent=3000, send_seconds=10.0,
        idle=Run(1000.0, 5.0, 20.0), busy=Run(busy, 8.0, 40.0), idle_after=Run(1100.0, 5.0, 20.0),
    )  # fmt: skip


def test_following_must_queue_every_follower_within_ten_seconds():
    assert following_found().queue_met
    assert not following_found(seconds=10.5).queue_met
    assert not following_found(queued=9_999).queue_met, "an email short"


def test_the_home_page_while_sending_is_judged_against_the_mean_of_idle_before_and_after():
    assert following_found(busy=600.0).share == pytest.approx(100 * 600 / 1050)
    assert following_found(busy=525.0).busy_met
    assert not following_found(busy=520.0).busy_met, "more than 2x slower"
    failing = following_found()
    failing.busy = Run(900.0, 5.0, 20.0, errors=2)
    assert not failing.busy_met
    rate = following_found().lines()[1]
    assert rate[2].startswith("300 emails/s (3,000 in 10.0 s)")


# Moving in from WordPress (figure 8) ----------------------------------------------------------------------------

ROWS = {"posts": 10_000, "pages": 20, "comments": 98_970, "pingbacks": 1_030}


def import_found(*, seconds: float = 120.0, peak_mb: float = 180.0, imported: dict | None = None) -> Import:
    return Import(
        10_000, 100_000, export_mb=144.7, seconds=seconds, peak_mb=peak_mb, expected=dict(ROWS),
        imported=dict(ROWS) if imported is None else imported,
    )  # fmt: skip


def test_the_import_must_end_within_five_minutes_and_three_hundred_megabytes_with_every_row():
    assert import_found().met
    assert not import_found(seconds=300.5).met
    assert not import_found(peak_mb=301).met
    short = import_found(imported={**ROWS, "comments": 98_969})
    assert not short.met and "not the 10,000 posts, 20 pages, 98,970 comments" in short.measured()
    assert not Import(10_000, 100_000, expected=dict(ROWS)).met, "a run that did not finish"
    line = render(Report(imports=[import_found()]))
    assert "| 8 | import a WordPress export: 10,000 posts, 100,000 comments, SQLite | 120.0 s, peak 180 MB" in line
    assert "| ≤ 300 s and ≤ 300 MB, every item imported | met |" in line


def test_a_skipped_import_says_why_and_is_neither_met_nor_missed():
    skipped = Import(30, 200, skipped="import_wordpress not available")
    for smoke in (False, True):
        table = render(Report(imports=[skipped], smoke=smoke))
        assert "| skipped: import_wordpress not available |" in table and table.rstrip().endswith("| skipped |")
        assert "MISSED" not in table


def test_the_import_step_is_skipped_while_the_command_does_not_exist(monkeypatch, tmp_path, capsys):
    from bench import run

    monkeypatch.setattr(run, "ROOT", tmp_path)
    assert not run.import_command_exists()
    report = Report()
    run.wordpress_import(report, tmp_path / "import", parse_options(["--smoke"]))
    assert report.imports[0].skipped == "import_wordpress not available" and not report.failures
    assert "skipped: import_wordpress not available" in capsys.readouterr().out
    assert not (tmp_path / "import").exists()
    (tmp_path / "series" / "management" / "commands").mkdir(parents=True)
    (tmp_path / "series" / "management" / "commands" / "import_wordpress.py").touch()
    assert run.import_command_exists()


@pytest.fixture
def import_step(monkeypatch, tmp_path):
    """The import step with its processes replaced: what it runs, and what the count afterwards finds (by default
    every row of the export)."""
    from bench import run

    ran = {"status": 0, "report": Report(), "folder": tmp_path / "import"}
    ran["counts"] = lambda: dict(ran["report"].imports[0].expected)
    monkeypatch.setattr(run, "import_command_exists", lambda: True)
    monkeypatch.setattr(run, "manage", lambda env, *args: ran.setdefault("manage", args))

    def timed(command, env, log, *, seconds):
        ran.update(command=command, env=env, seconds=seconds)
        log.write_text(ran.get("log", "Reading the export\nCommandError: not a WordPress export\n"))
        return ran["status"], 42.0, 150.0

    monkeypatch.setattr(run, "timed_command", timed)
    monkeypatch.setattr(run, "probe", lambda env, step: ran["counts"]() if step == "imported" else None)
    ran["run"] = lambda: run.wordpress_import(ran["report"], ran["folder"], parse_options(["--smoke"]))
    return ran


def test_the_import_runs_the_command_on_a_generated_export_in_a_fresh_sqlite_database(import_step):
    import_step["run"]()
    (found,) = import_step["report"].imports
    folder = import_step["folder"]
    export = folder / "wordpress.xml"
    assert import_step["command"][1:] == ["manage.py", "import_wordpress", str(export), "-v", "2"]
    assert import_step["manage"] == ("migrate", "--noinput", "-v0")
    assert import_step["env"]["DATABASE_URL"] == f"sqlite:///{folder / 'data' / 'import.sqlite3'}"
    assert import_step["env"]["MEDIA_ROOT"] == str(folder / "media")
    assert import_step["seconds"] == 2 * IMPORT_SECONDS
    assert found.expected["posts"] == 30 and found.expected["comments"] + found.expected["pingbacks"] == 200
    assert (found.seconds, found.peak_mb, found.export_mb) == (42.0, 150.0, export.stat().st_size / 1_000_000)
    assert found.complete and not import_step["report"].failures


def test_the_import_reports_how_long_its_last_write_transaction_held_the_database(import_step):
    import_step["log"] = "Imported:\n  posts: 30 created\nThe last write transaction took 1.23 s\n"
    import_step["run"]()
    (found,) = import_step["report"].imports
    assert found.write_seconds == 1.23
    measured = found.measured()
    assert measured.startswith("42.0 s, peak 150 MB (a ") and ", its last write transaction 1.2 s;" in measured


def test_an_import_that_leaves_rows_out_fails_the_run(import_step):
    import_step["counts"] = lambda: {"posts": 30, "pages": 0, "comments": 0, "pingbacks": 0}
    import_step["run"]()
    (failure,) = import_step["report"].failures
    assert failure.startswith("import_wordpress: 42.0 s, peak 150 MB") and "not the 30 posts" in failure


def test_an_import_that_fails_fails_the_run_with_its_last_lines(import_step):
    import_step["status"] = 1
    import_step["run"]()
    (failure,) = import_step["report"].failures
    assert failure == "import_wordpress ended with status 1: Reading the export / CommandError: not a WordPress export"
    assert import_step["report"].imports[0].measured() == "did not finish"


def test_a_timed_command_reports_its_own_time_and_peak_memory(tmp_path):
    """Run from a process the runner's size (the test's own process is far larger): a command's peak counts from
    the size of the process that starts it, as Linux counts it."""
    grow = "import time; block = bytearray(120 * 1024 * 1024); time.sleep(0.3)"
    script = (
        "import json, sys; from pathlib import Path; from bench.run import timed_command; "
        f"log = Path({str(tmp_path / 'log')!r}); "
        f"print(json.dumps([timed_command([sys.executable, '-c', {grow!r}], {{}}, log, seconds=60), "
        "timed_command([sys.executable, '-c', 'exit(3)'], {}, log, seconds=60)]))"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)  # noqa: S603
    (status, seconds, peak_mb), (small_status, _seconds, small_mb) = json.loads(done.stdout)
    assert status == 0 and seconds >= 0.3 and 120 <= peak_mb < 250
    assert small_status == 3 and small_mb < 100, "each command's own peak, not the largest of every earlier one"


def test_a_timed_command_is_stopped_by_its_id_when_it_runs_too_long(tmp_path, monkeypatch):
    from bench import run

    started = []
    real_popen = subprocess.Popen
    monkeypatch.setattr(run.subprocess, "Popen", lambda *a, **k: started.append(real_popen(*a, **k)) or started[-1])
    with pytest.raises(BenchError, match="did not end within 1 s"):
        run.timed_command([sys.executable, "-c", "import time; time.sleep(60)"], {}, tmp_path / "log", seconds=1)
    (process,) = started
    assert process.returncode is not None
    with pytest.raises(ProcessLookupError):
        os.kill(process.pid, 0)


def test_the_count_after_an_import_counts_drafts_waiting_comments_and_pingbacks_apart(db):
    from series.models import Page

    draft = PostFactory(draft=True)
    CommentFactory(post=PostFactory(), status=Comment.Status.PENDING)
    CommentFactory(post=draft.__class__.objects.published().first(), kind=Comment.Kind.PINGBACK)
    Page.objects.create(path="/about/", title="About", body_html="<p>Us.</p>")
    assert imported() == {"posts": 2, "pages": 1, "comments": 1, "pingbacks": 1}


# How it is run --------------------------------------------------------------------------------------------------


def test_a_run_of_the_new_figures_alone_has_no_table_of_pairs():
    table = render(Report(latencies=[Latencies(6, "the sitemap index", "gunicorn", 1, [30.0])]))
    assert "| 6 | the sitemap index, gunicorn, 1 client |" in table and "| reported |" in table
    assert "## Every pair" not in table


def test_a_smoke_run_judges_nothing():
    found = Comparison(1, "post", "behind nginx", "static file", 70, [pair(100, 10000)])
    table = render(Report(comparisons=[found], smoke=True))
    assert "not judged (smoke)" in table and "MISSED" not in table


def test_the_smoke_run_is_tiny_bounded_and_writes_no_results():
    smoke = parse_options(["--smoke"])
    assert (smoke.pairs, smoke.seconds, smoke.output) == (1, 1, None)
    assert smoke.time_limit_s <= 5 * 60
    assert (smoke.import_posts, smoke.import_comments) == (30, 200)
    assert (smoke.subscribers, smoke.search_requests, smoke.sitemap_requests, smoke.timed_seconds) == (50, 6, 2, 3)
    full = parse_options([])
    assert (full.pairs, full.databases) == (3, ["sqlite", "postgres"])
    assert full.figures == {1, 2, 3, 4, 5, 6, 7, 8}
    assert full.subscribers == 10_000
    assert (full.import_posts, full.import_comments) == (10_000, 100_000)
    assert full.timed_seconds <= 15, "each new step takes seconds, not minutes"
    assert full.output == ROOT / "bench" / "results" / "latest.md"
    assert full.time_limit_s <= 15 * 60 + 2 * IMPORT_SECONDS + 60, "the import may take twice its target"
    assert parse_options(["--figures", "1,2,3,4,5,6,7"]).time_limit_s <= 15 * 60


def test_the_new_steps_can_be_run_alone():
    assert parse_options(["--figures", "5,6,7"]).figures == {5, 6, 7}
    for wrong in ("9", "5,x", ""):
        with pytest.raises(SystemExit):
            parse_options(["--figures", wrong])


def test_the_runner_starts_without_django_set_up():
    """Django runs in the servers and in bench.probe's processes, each with its own environment; not in the runner."""
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    command = [sys.executable, "-c", "import bench.run"]
    imported = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)  # noqa: S603
    assert imported.returncode == 0, imported.stderr


def test_ci_runs_the_smoke_run_of_the_benchmark():
    assert "$(PY) -m bench.run --smoke" in (ROOT / "Makefile").read_text()
    assert "make bench-smoke" in (ROOT / ".ci" / "run").read_text()


def test_the_seeding_is_the_benchmarks_not_a_site_command():
    assert not {"seed_bench", "seed"} & set(get_commands())


# The production server's settings ------------------------------------------------------------------------------


def test_gunicorn_logs_no_request_paths_or_addresses(monkeypatch):
    monkeypatch.delenv("GUNICORN_ACCESS_LOG", raising=False)
    config = runpy.run_path(str(ROOT / "ole" / "gunicorn.conf.py"))
    assert config["accesslog"] is None
    personal = ("%(r)s", "%(U)s", "%(q)s", "%(f)s", "%(h)s", "%({x-forwarded-for}i)s")
    assert not any(part in config["access_log_format"] for part in personal)
    assert config["graceful_timeout"] > 0


def test_gunicorn_recycles_workers_only_when_asked(monkeypatch):
    monkeypatch.delenv("GUNICORN_MAX_REQUESTS", raising=False)
    monkeypatch.delenv("GUNICORN_MAX_REQUESTS_JITTER", raising=False)
    assert runpy.run_path(str(ROOT / "ole" / "gunicorn.conf.py"))["max_requests"] == 0
    monkeypatch.setenv("GUNICORN_MAX_REQUESTS", "50000")
    config = runpy.run_path(str(ROOT / "ole" / "gunicorn.conf.py"))
    assert (config["max_requests"], config["max_requests_jitter"]) == (50000, 5000)


def test_gunicorn_workers_switch_threads_every_millisecond(monkeypatch):
    monkeypatch.delenv("GUNICORN_SWITCH_INTERVAL_MS", raising=False)
    config = runpy.run_path(str(ROOT / "ole" / "gunicorn.conf.py"))
    before = sys.getswitchinterval()
    try:
        config["post_worker_init"](None)
        assert sys.getswitchinterval() == pytest.approx(0.001)
    finally:
        sys.setswitchinterval(before)
