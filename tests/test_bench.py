"""The benchmark's pieces: the seed command, the ceiling page, the form client and wrk's output."""

import io
import runpy
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext

from bench.probe import story_form_data
from bench.run import (
    Judged,
    Report,
    Submissions,
    WrkResult,
    hidden_fields,
    median_round,
    parse_wrk,
    percentile,
    targets,
    to_ms,
)
from bench.views import CEILING_BYTES
from ole.management.commands.seed_bench import BENCH_POST, BENCH_POST_COMMENTS
from series.models import Comment, Contributor, Post, Series, TaggedPost, Topic
from stories.models import Story

ROOT = Path(__file__).resolve().parent.parent
SMALL = {"posts": 40, "series": 4, "comments": 90, "stories": 15, "tags": 12, "contributors": 3}


def seed(**counts) -> None:
    call_command("seed_bench", stdout=io.StringIO(), **counts)


def queries_for(client, url: str) -> int:
    client.get(url)  # settings rows and the like are made on the first visit
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


@pytest.mark.django_db
def test_seed_bench_makes_the_rows_it_is_asked_for():
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
def test_seed_bench_keeps_every_comment_count_in_step():
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
def test_seed_bench_refuses_a_database_it_has_already_filled():
    seed(**SMALL)
    with pytest.raises(Exception, match="already seeded"):
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
    response = client.get(post.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
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


@pytest.mark.django_db
def test_the_ceiling_is_twenty_kilobytes_without_a_query(client, settings):
    settings.ROOT_URLCONF = "bench.urls"
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/bench/ceiling/")
    assert response.status_code == 200
    assert len(response.content) == CEILING_BYTES == 20 * 1024
    assert response["Content-Type"].startswith("text/html")
    assert len(queries) == 0


@pytest.mark.django_db
def test_the_ceiling_is_not_part_of_the_site(client):
    assert client.get("/bench/ceiling/").status_code == 404


@pytest.mark.django_db
def test_the_bench_client_fills_the_real_share_form(client):
    form = client.get("/stories/share/write/")
    fields = hidden_fields(form.content.decode())
    assert {"submission_key", "consent_version", "csrfmiddlewaretoken"} <= set(fields)
    data = story_form_data("A bench story", key=fields["submission_key"], consent_version=fields["consent_version"])
    response = client.post("/stories/share/write/", data)
    assert response.status_code == 302
    assert response["Location"].endswith("/stories/share/thanks/")
    assert Story.objects.filter(title="A bench story").count() == 1


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
  Non-2xx or 3xx responses: 4
Requests/sec:    660.73
Transfer/sec:     15.81MB
OLE-RESULT p50=22870 p95=41250 p99=1020000 requests=3310 duration_us=5010000 status_errors=4 socket_errors=1
"""


def test_wrk_output_is_read_in_milliseconds():
    result = parse_wrk(WRK_OUTPUT)
    assert result.requests_per_s == 660.73
    assert result.p50_ms == pytest.approx(22.87)
    assert result.p99_ms == pytest.approx(1020)
    assert result.p95_ms == pytest.approx(41.25)
    assert (result.requests, result.non_2xx, result.status_errors, result.socket_errors) == (3310, 4, 4, 1)


def test_wrk_durations_in_every_unit():
    assert [to_ms(text) for text in ("812.00us", "4.20ms", "1.50s", "2.00m")] == pytest.approx(
        [0.812, 4.2, 1500, 120_000]
    )
    with pytest.raises(ValueError):
        to_ms("fast")


def test_wrk_output_without_a_latency_distribution_is_an_error():
    with pytest.raises(ValueError, match="no results"):
        parse_wrk("Requests/sec:    660.73\n")


def test_percentile_picks_from_the_sorted_values():
    values = [float(n) for n in range(1, 101)]
    assert percentile(values, 0.5) == pytest.approx(50.5, abs=0.5)
    assert percentile(values, 0.95) == pytest.approx(95, abs=1)
    assert percentile([], 0.95) == 0.0


def test_reads_under_writes_report_the_median_round():
    rounds = [(2.4, "idle a", "busy a"), (1.1, "idle b", "busy b"), (1.6, "idle c", "busy c")]
    assert median_round(rounds) == (1.6, "idle c", "busy c")
    assert median_round(rounds[:1]) == rounds[0]


def test_the_post_page_is_judged_on_the_median_pair_beside_its_ceiling():
    def pair(ceiling: float, page: float, p99: float = 20.0) -> tuple[WrkResult, WrkResult]:
        return WrkResult(ceiling, 3.0, 30.0), WrkResult(page, 4.0, p99)

    # A page run that landed on a quiet moment (third pair) and one on a neighbour's burst (second) both drop out.
    judged = Judged("postgres", 2, "on", [pair(3000, 2550), pair(3400, 1700), pair(2000, 2400, p99=80.0)])
    assert judged.shares == [85.0, 50.0, 120.0]
    assert judged.median_pair() == (85.0, *pair(3000, 2550))
    report = Report(judged=[judged, Judged("sqlite", 4, "off", [pair(3000, 90, p99=300.0)])])
    found = targets(report)
    assert found[0].startswith("post page, postgres, 2 workers, page cache on: 85% of the ceiling beside it")
    assert "85%, 50%, 120%" in found[0] and found[0].endswith(": met")
    assert "p99 20.0 ms (target < 50 ms; the ceiling's own p99 in that pair: 30.0 ms)" in found[0]
    assert "3% of the ceiling beside it (target ≥ 30%" in found[1] and found[1].endswith("NOT met")


def test_every_round_of_stories_is_counted():
    total, first, second = Submissions(), Submissions(sent=3, accepted=["a", "b"]), Submissions(sent=1)
    first.error("post 503")
    second.error("post 503")
    for part in (first, second):
        total.merge(part)
    assert (total.sent, total.accepted, total.errors) == (4, ["a", "b"], {"post 503": 2})


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
    import sys

    monkeypatch.delenv("GUNICORN_SWITCH_INTERVAL_MS", raising=False)
    config = runpy.run_path(str(ROOT / "ole" / "gunicorn.conf.py"))
    before = sys.getswitchinterval()
    try:
        config["post_worker_init"](None)
        assert sys.getswitchinterval() == pytest.approx(0.001)
    finally:
        sys.setswitchinterval(before)
