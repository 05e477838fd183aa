"""The import's one write transaction stays short: its statements come in batches, never one a row."""

from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from series.models import Comment, Contributor, ImportedItem, OldAddress, Post, Topic
from series.wordpress.importer import WordPressImport

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


def write_statements(path: Path) -> list[str]:
    job = WordPressImport()
    with path.open("rb") as source:
        job.stage(source)
    with CaptureQueriesContext(connection) as queries:
        job.write()
    return [query["sql"] for query in queries.captured_queries]


def test_the_write_transaction_issues_the_same_statements_for_four_times_the_rows(tmp_path):
    few = write_statements(export(tmp_path / "few.xml", 5))
    assert (Post.objects.count(), Comment.everything.count()) == (5, 25)
    for model in (Comment, Post, OldAddress, Topic, Contributor, ImportedItem):  # as it was before
        model._default_manager.all().delete()
    many = write_statements(export(tmp_path / "many.xml", 20))
    assert (Post.objects.count(), Comment.everything.count()) == (20, 100)
    assert len(many) == len(few), "a statement a row (or a post) inside the write transaction"
    inserts = [sql for sql in many if sql.startswith("INSERT INTO")]
    assert any('"series_comment"' in sql for sql in inserts) and len(inserts) < 20


def test_the_command_says_how_long_the_write_transaction_took_when_asked(tmp_path):
    from io import StringIO

    out = StringIO()
    call_command("import_wordpress", str(export(tmp_path / "one.xml", 1)), "-v", "2", stdout=out)
    assert "The write transaction took " in out.getvalue()
    out = StringIO()
    call_command("import_wordpress", str(export(tmp_path / "one.xml", 1)), stdout=out)
    assert "The write transaction took" not in out.getvalue()
