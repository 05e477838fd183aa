"""The import's write step: new posts written hidden in short transactions, then one short transaction that shows
them (its statements come in batches, never one a row); a failure anywhere takes back what was written, and only
one import writes at a time."""

import datetime
from io import StringIO
from pathlib import Path
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ole import pagecache
from ole.models import Lease
from series.models import Comment, Contributor, ImportedItem, OldAddress, Post, PostRevision, TaggedPost, Topic
from series.wordpress import importer, rows
from series.wordpress.importer import IMPORT_LEASE, WordPressImport
from tests.factories import CommentFactory, PostFactory

pytestmark = pytest.mark.django_db

HEAD = """<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
  xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/"
  xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
  <title>Bounded</title><link>https://{site}</link>
  <wp:wxr_version>1.2</wp:wxr_version><wp:base_site_url>https://{site}</wp:base_site_url>
  <wp:author><wp:author_id>1</wp:author_id><wp:author_login>sam</wp:author_login>
    <wp:author_display_name>Sam Rivers</wp:author_display_name></wp:author>
"""


def comment(wp_id: int, parent: int, kind: str = "comment", approved: str = "1") -> str:
    url = f"https://elsewhere.example.net/{wp_id}/" if kind == "pingback" else ""
    return f"""<wp:comment><wp:comment_id>{wp_id}</wp:comment_id><wp:comment_author>Alex</wp:comment_author>
      <wp:comment_author_url>{url}</wp:comment_author_url>
      <wp:comment_date_gmt>2020-01-01 10:{wp_id % 60:02d}:00</wp:comment_date_gmt>
      <wp:comment_content>Words of comment {wp_id}, a 0800 number aside.</wp:comment_content>
      <wp:comment_approved>{approved}</wp:comment_approved><wp:comment_type>{kind}</wp:comment_type>
      <wp:comment_parent>{parent}</wp:comment_parent></wp:comment>"""


def export(path: Path, posts: int, site: str = "bounded.example.org") -> Path:
    """`posts` posts alike in shape (same author, tag and category), each with a thread three deep, a comment
    waiting and a pingback: more rows, never new kinds of statement."""
    items = []
    for n in range(1, posts + 1):
        first = 10_000 + 10 * n
        items.append(f"""<item><title>Post {n}</title><link>https://{site}/2020/01/01/post-{n}/</link>
          <dc:creator>sam</dc:creator><content:encoded><![CDATA[Text of post {n}.

A second paragraph.]]></content:encoded>
          <wp:post_id>{n}</wp:post_id><wp:post_date_gmt>2020-01-01 08:00:00</wp:post_date_gmt>
          <wp:post_name>post-{n}</wp:post_name><wp:status>publish</wp:status><wp:post_type>post</wp:post_type>
          <category domain="category" nicename="diary">Diary</category>
          <category domain="post_tag" nicename="sleep">Sleep</category>
          {comment(first, 0)}{comment(first + 1, first)}{comment(first + 2, first + 1)}
          {comment(first + 3, 0, approved="0")}{comment(first + 4, 0, kind="pingback")}</item>""")
    path.write_text(HEAD.format(site=site) + "".join(items) + "</channel></rss>")
    return path


def staged(path: Path) -> WordPressImport:
    job = WordPressImport()
    with path.open("rb") as source:
        job.stage(source)
    return job


LAST_STEP = WordPressImport._write_the_rest_and_show
WRITE_HIDDEN = WordPressImport._write_hidden


def last_step_statements(path: Path, monkeypatch) -> list[str]:
    """The SQL of the transaction that shows the import (the one visitors and writers could wait on)."""
    captured = []

    def capturing(self, *args):
        with CaptureQueriesContext(connection) as queries:
            LAST_STEP(self, *args)
        captured.extend(query["sql"] for query in queries.captured_queries)

    monkeypatch.setattr(WordPressImport, "_write_the_rest_and_show", capturing)
    staged(path).write()
    return captured


def test_the_last_step_issues_the_same_statements_for_four_times_the_rows(tmp_path, monkeypatch):
    # Four and sixteen: a batch of rows whose number is a power of two is one statement (see `batch_sizes`).
    few = last_step_statements(export(tmp_path / "few.xml", 4), monkeypatch)
    assert (Post.objects.published().count(), Comment.everything.count()) == (4, 20)
    for model in (Comment, Post, OldAddress, Topic, Contributor, ImportedItem):  # as it was before
        model._default_manager.all().delete()
    many = last_step_statements(export(tmp_path / "many.xml", 16), monkeypatch)
    assert (Post.objects.published().count(), Comment.everything.count()) == (16, 80)
    assert len(many) == len(few), "a statement a row (or a post) inside the last transaction"
    inserts = [sql for sql in many if sql.startswith("INSERT INTO")]
    assert len(inserts) < 10
    # Only the comments waiting for moderation are left to it: one a post here.
    comment_inserts = [sql for sql in inserts if '"series_comment"' in sql]
    assert len(comment_inserts) == 1 and comment_inserts[0].count("), (") == 16 - 1


def test_rows_are_inserted_in_batches_of_a_few_sizes_only_however_many_there_are():
    # Each distinct statement stays prepared in the driver's cache: a size for every count would fill it.
    every = [rows.batch_sizes(count, 1000) for count in range(0, 5000)]
    assert all(sum(sizes) == count for count, sizes in enumerate(every))
    assert {size for sizes in every for size in sizes} == {1000, *(2**bit for bit in range(10))}
    assert rows.batch_sizes(2037, 1000) == [1000, 1000, 32, 4, 1]


def test_new_posts_are_written_in_steps_unseen_until_the_last_one_shows_them(tmp_path, monkeypatch, editor_client):
    monkeypatch.setattr(importer, "NEW_POSTS_PER_STEP", 2)
    seen_before_the_last_step = {}

    def looking_first(self, *args):
        seen_before_the_last_step.update(
            written=Post.objects.count(),
            published=Post.objects.published().count(),
            in_the_admin=editor_client.get(reverse("admin:series_post_changelist")).context["cl"].result_count,
            approved_comments=Comment.everything.filter(status=Comment.Status.APPROVED).count(),
            waiting_comments=Comment.everything.filter(status=Comment.Status.PENDING).count(),
            sitemap=editor_client.get("/sitemap-posts.xml").content.count(b"<url>"),
        )
        LAST_STEP(self, *args)

    monkeypatch.setattr(WordPressImport, "_write_the_rest_and_show", looking_first)
    steps = []

    def counting(self, chunk, *args):
        steps.append(len(chunk))
        return WRITE_HIDDEN(self, chunk, *args)

    monkeypatch.setattr(WordPressImport, "_write_hidden", counting)
    staged(export(tmp_path / "five.xml", 5)).write()
    assert steps == [2, 2, 1]
    assert seen_before_the_last_step == {
        "written": 5,
        "published": 0,
        "in_the_admin": 0,
        "approved_comments": 20,
        "waiting_comments": 0,  # the moderation list would have shown them with no post to read
        "sitemap": 0,
    }
    assert Post.objects.published().count() == 5 and not Post.objects.being_imported().exists()
    assert Comment.everything.filter(status=Comment.Status.PENDING).count() == 5


def test_a_reply_to_a_comment_waiting_for_moderation_waits_for_the_last_step_too():
    def one(wp_id: str, parent: str = "", approved: bool = True) -> importer.StagedComment:
        return importer.StagedComment(wp_id=wp_id, fingerprint="", wp_parent=parent, comment=None, approved=approved)

    comments = [one("1"), one("2", "1", approved=False), one("3", "2"), one("4", "3"), one("5", "1"), one("6")]
    assert [c.wp_id for c in importer.written_with_post(comments)] == ["1", "5", "6"]
    looped = [one("7", "8"), one("8", "7", approved=False)]
    assert importer.written_with_post(looped) == []


WRITTEN = (Post, Comment, PostRevision, TaggedPost, Topic, Contributor, ImportedItem, OldAddress)


def nothing_written() -> dict[str, int]:
    return {model.__name__: model._default_manager.count() for model in WRITTEN if model._default_manager.exists()}


@pytest.mark.parametrize("failing", ["_write_hidden", "_show_new_posts"])
def test_a_failure_in_any_step_takes_back_every_step_and_frees_the_next_import(tmp_path, monkeypatch, failing):
    monkeypatch.setattr(importer, "NEW_POSTS_PER_STEP", 2)
    path = export(tmp_path / "five.xml", 5)
    calls = []
    original = getattr(WordPressImport, failing)

    def failing_late(self, *args):
        calls.append(1)
        if len(calls) == 2 or failing == "_show_new_posts":
            raise DatabaseError("disk full")
        return original(self, *args)

    with mock.patch.object(WordPressImport, failing, failing_late), pytest.raises(DatabaseError):
        run(path)
    assert nothing_written() == {}
    run(path)
    assert Post.objects.published().count() == 5


def test_taking_back_keeps_a_new_tag_an_editor_has_used_meanwhile(tmp_path, monkeypatch):
    monkeypatch.setattr(importer, "NEW_POSTS_PER_STEP", 2)
    editors_post = PostFactory(title="An editor's own")
    calls = []

    def tagging_then_failing(self, *args):
        calls.append(1)
        if len(calls) == 2:
            raise DatabaseError("disk full")
        WRITE_HIDDEN(self, *args)
        editors_post.tags.add(Topic.objects.get(name="Sleep"))  # as if between the two steps

    with mock.patch.object(WordPressImport, "_write_hidden", tagging_then_failing), pytest.raises(DatabaseError):
        run(export(tmp_path / "five.xml", 5))
    assert list(Post.objects.all()) == [editors_post]
    assert list(editors_post.tags.names()) == ["Sleep"]
    assert not Topic.objects.filter(name="Diary").exists() and not ImportedItem.objects.exists()


def test_an_interruption_after_the_last_step_has_committed_takes_nothing_back(tmp_path, monkeypatch):
    path = export(tmp_path / "five.xml", 5)

    def committed_then_interrupted(self, *args):
        LAST_STEP(self, *args)
        raise KeyboardInterrupt

    interrupted = mock.patch.object(WordPressImport, "_write_the_rest_and_show", committed_then_interrupted)
    with interrupted, pytest.raises(KeyboardInterrupt):
        run(path)
    remembered = ImportedItem.objects.count()
    assert Post.objects.published().count() == 5 and TaggedPost.objects.count() == 10 and remembered
    run(path)
    assert (Post.objects.count(), ImportedItem.objects.count()) == (5, remembered)


def test_an_old_address_an_editor_adds_while_the_import_runs_is_kept(tmp_path, monkeypatch):
    def editor_adds_an_address(self, *args):
        OldAddress.objects.get_or_create(path="/tag/sleep/", defaults={"target": "/help/"})
        return WRITE_HIDDEN(self, *args)

    monkeypatch.setattr(WordPressImport, "_write_hidden", editor_adds_an_address)
    out = run(export(tmp_path / "two.xml", 2))
    assert OldAddress.objects.get(path="/tag/sleep/").target == "/help/"
    assert "1 old addresses already lead elsewhere here" in out
    assert Post.objects.published().count() == 2


def test_what_an_import_that_was_killed_left_unseen_is_replaced_by_the_next_import(tmp_path, monkeypatch):
    monkeypatch.setattr(importer, "NEW_POSTS_PER_STEP", 2)
    path = export(tmp_path / "five.xml", 5)
    killed = mock.patch.multiple(
        WordPressImport,
        _show_new_posts=mock.Mock(side_effect=SystemExit("killed")),
        _take_back=mock.Mock(),  # a killed process takes nothing back, and keeps its turn until it runs out
    )
    with killed, mock.patch.object(Lease, "release"), pytest.raises(SystemExit):
        run(path)
    assert Post.objects.being_imported().count() == 5 and ImportedItem.objects.exists()
    with pytest.raises(CommandError, match="stopped less than five minutes ago"):
        run(path)
    Lease.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))

    run(path)
    assert not Post.objects.being_imported().exists()
    assert sorted(Post.objects.published().values_list("slug", flat=True)) == [f"post-{n}" for n in range(1, 6)]
    assert Comment.everything.count() == 25
    assert OldAddress.objects.filter(path="/2020/01/01/post-1/").get().target == "/posts/post-1/"
    remembered = ImportedItem.objects.count()
    run(path)  # and the import after sees it as imported once
    assert (Post.objects.count(), Comment.everything.count(), ImportedItem.objects.count()) == (5, 25, remembered)


def test_removing_what_an_import_left_erases_no_stored_page(tmp_path, monkeypatch):
    left = PostFactory(status=Post.Status.IMPORTING)
    CommentFactory(post=left, status=Comment.Status.APPROVED)
    erased = mock.Mock()
    monkeypatch.setattr(pagecache, "forget_pages", erased)
    assert importer.remove_half_imported(Post.objects.all()) == 1
    assert not Post.objects.exists() and not Comment.everything.exists()
    erased.assert_not_called()


def test_the_retention_command_removes_posts_an_import_left_unseen_a_day_ago():
    old, recent = PostFactory(status=Post.Status.IMPORTING), PostFactory(status=Post.Status.IMPORTING)
    Post.objects.filter(pk=old.pk).update(updated=timezone.now() - datetime.timedelta(days=1, minutes=1))
    out = StringIO()
    call_command("apply_retention", stdout=out)
    assert list(Post.objects.being_imported()) == [recent]
    assert "and 1 posts an interrupted import left unseen" in out.getvalue()


def test_an_import_is_refused_in_one_line_while_another_runs_and_a_dry_run_is_not(tmp_path):
    path = export(tmp_path / "one.xml", 1)
    Lease.take(IMPORT_LEASE, 60)
    with pytest.raises(CommandError, match=r"^Another WordPress import is running") as refused:
        run(path)
    assert "\n" not in str(refused.value)
    assert not Post.objects.exists() and not Contributor.objects.exists()
    assert "Dry run: nothing was written" in run(path, "--dry-run")


def test_the_command_says_how_long_the_last_write_transaction_took_when_asked(tmp_path):
    from io import StringIO

    out = StringIO()
    call_command("import_wordpress", str(export(tmp_path / "one.xml", 1)), "-v", "2", stdout=out)
    assert "The last write transaction took " in out.getvalue()
    out = StringIO()
    call_command("import_wordpress", str(export(tmp_path / "one.xml", 1)), stdout=out)
    assert "The last write transaction took" not in out.getvalue()


def test_a_second_blog_moved_in_keeps_the_first_blogs_old_addresses_and_the_summary_says_so(tmp_path):
    first = export(tmp_path / "first.xml", 2, site="first.example.org")
    again = run(first)
    assert "already lead elsewhere" not in run(first) and "already lead elsewhere" not in again
    second = run(export(tmp_path / "second.xml", 2, site="second.example.org"))
    # Both blogs had posts 1 and 2 at the same paths: the first blog's keep them, and the summary says how many.
    assert OldAddress.objects.get(path="/?p=1").target == "/posts/post-1/"
    assert "6 old addresses already lead elsewhere here (an earlier move, or an editor): left as they were" in second
    assert Post.objects.published().count() == 4


def run(path: Path, *args: str) -> str:
    out = StringIO()
    call_command("import_wordpress", str(path), *args, stdout=out)
    return out.getvalue()
