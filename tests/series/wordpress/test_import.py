"""The import_wordpress command: every mapping, old addresses, idempotency, all-or-nothing and the dry run."""

import datetime
import os
import re
import subprocess
import sys
from io import StringIO
from pathlib import Path
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError

from ole import pagecache
from ole.models import OutboundEmail
from series.models import Comment, Contributor, ImportedItem, OldAddress, Page, Post, PostRevision, Series, Topic
from series.wordpress.importer import WordPressImport
from tests.factories import ContributorFactory, PostFactory

pytestmark = pytest.mark.django_db

HERE = Path(__file__).parent
ORG = HERE / "wordpress_org.xml"
COM = HERE / "wordpress_com.xml"
HOSTILE = HERE / "hostile.xml"


def run(path: Path, *args: str) -> str:
    out, err = StringIO(), StringIO()
    call_command("import_wordpress", str(path), *args, stdout=out, stderr=err)
    assert err.getvalue() == ""  # no progress bar when the output is not a terminal
    return out.getvalue()


def counts() -> dict[str, int]:
    return {
        model.__name__: model._default_manager.count()
        for model in (Post, Comment, Page, OldAddress, Topic, Series, Contributor, PostRevision, ImportedItem)
    }


def post(title: str) -> Post:
    return Post.objects.get(title=title)


def test_posts_are_imported_with_their_text_excerpt_time_author_and_status():
    run(ORG, "--series", "my-taper")
    first = post("Week one: the first cut")  # markup in the title reduced to text
    assert first.status == Post.Status.PUBLISHED and first.is_published()
    assert first.publish_at == datetime.datetime(2019, 5, 3, 8, 30, tzinfo=datetime.UTC)
    assert first.slug == "week-one"
    assert first.excerpt == "The first cut."
    assert first.contributor.display_name == "Sam Rivers" and first.contributor.user is None
    assert first.featured  # it was sticky
    assert "<p>I cut my dose by ten percent today.<br>\nNothing happened yet.</p>" in first.body_html
    assert post("Week two").contributor.display_name == "Jo Park"
    assert not post("Week two").featured


@pytest.mark.parametrize(
    ("title", "status"),
    [
        ("Coming soon", Post.Status.SCHEDULED),
        ("Half-written", Post.Status.DRAFT),
        ("Members only", Post.Status.DRAFT),
        ("Private thoughts", Post.Status.DRAFT),
        ("Pending review", Post.Status.DRAFT),
    ],
)
def test_statuses_map_and_nothing_unfinished_or_private_is_public(title, status):
    run(ORG)
    imported = post(title)
    assert imported.status == status
    assert not imported.is_published()


def test_a_scheduled_post_keeps_its_time():
    run(ORG)
    assert post("Coming soon").publish_at == datetime.datetime(2099, 1, 1, 8, 0, tzinfo=datetime.UTC)


def test_trash_attachments_and_menu_items_are_not_posts_and_the_summary_says_why():
    output = run(ORG)
    assert not Post.objects.filter(title__in=["Binned", "pills", "Menu item"]).exists()
    assert "1 × posts in WordPress's trash" in output and "“Binned”" in output
    assert "nav_menu_item items" in output


def test_old_posts_send_no_follower_email_and_no_pingbacks():
    run(ORG)
    for imported in Post.objects.published():
        assert imported.followers_told_at is not None
        assert imported.links_announced_at is not None and imported.links_announced_at >= imported.updated
    assert post("Coming soon").followers_told_at is None  # told when it goes live, as any scheduled post
    assert not OutboundEmail.objects.exists()


def test_tags_and_categories_become_topics_and_the_default_category_does_not():
    run(ORG)
    assert set(post("Week one: the first cut").tags.names()) == {"My Taper Diary", "Withdrawal", "Sleep"}
    assert set(post("Week two").tags.names()) == {"My Taper Diary", "Équilibre"}
    assert not Topic.objects.filter(name="Uncategorized").exists()
    assert Topic.objects.get(name="Équilibre").slug == "equilibre"


def test_series_can_be_named_in_one_option_or_several():
    run(ORG, "--series", "withdrawal", "--series", "my-taper")
    assert Series.objects.filter(title="My Taper Diary").exists()
    assert "Withdrawal" not in post("Week one: the first cut").tags.names()  # named as a series: never a tag


def test_a_category_named_with_series_becomes_a_series_with_parts_in_date_order():
    run(ORG, "--series", "my-taper")
    series = Series.objects.get(title="My Taper Diary")
    assert series.summary == "Every step of one taper."
    parts = list(series.posts.order_by("part_number").values_list("title", "part_number"))
    assert parts == [("Week one: the first cut", 1), ("Week two", 2), ("Coming soon", 3)]
    assert "My Taper Diary" not in post("Week two").tags.names()


def test_a_series_taxonomy_becomes_a_series_ordered_by_date_not_by_file_order():
    run(COM)
    series = Series.objects.get(title="Recovery Road")
    assert series.summary == "A road, in three parts."
    assert list(series.posts.order_by("part_number").values_list("title", flat=True)) == [
        "Part one",
        "Part two & onwards",
    ]
    assert set(post("Part two & onwards").tags.names()) == {"Hope", "Stories"}
    assert post("Part one").contributor.display_name == "Robin & Friends"


def test_each_imported_post_has_one_imported_revision():
    run(ORG)
    first = post("Week one: the first cut")
    assert list(first.revisions.values_list("note", flat=True)) == ["Imported from WordPress"]
    assert first.revisions.get().snapshot["tags"] == ["My Taper Diary", "Sleep", "Withdrawal"]


def test_an_author_is_matched_to_a_contributor_of_the_same_name():
    existing = ContributorFactory(display_name="Sam Rivers")
    run(ORG)
    assert post("Week one: the first cut").contributor == existing
    assert Contributor.objects.filter(display_name="Sam Rivers").count() == 1


def test_comments_keep_their_threads_order_and_states():
    run(ORG)
    first = post("Week one: the first cut")
    comments = {c.body: c for c in first.comments.all()}
    assert "Buy now" not in comments and "Trashed" not in comments  # spam and trash are not imported
    top = comments["Good luck with it! Go slowly."]
    reply = comments["Thank you, I will."]
    assert top.parent is None and reply.parent == top and reply.depth == 1
    assert top.status == Comment.Status.APPROVED
    assert top.created == datetime.datetime(2019, 5, 3, 10, 0, tzinfo=datetime.UTC)
    waiting = comments["Waiting for moderation. I took 20 mg of it."]
    assert waiting.status == Comment.Status.PENDING
    assert first.comment_count == 5  # approved: four comments and one pingback


def test_replies_deeper_than_the_thread_depth_go_under_the_deepest_allowed_ancestor():
    from series.models import CommunitySettings

    CommunitySettings.objects.update_or_create(pk=1, defaults={"reply_depth": 2})
    run(ORG)
    comments = {c.body: c for c in post("Week one: the first cut").comments.all()}
    deep = comments["Reply at depth three, deeper than allowed."]
    two = comments["Reply at depth two."]
    assert two.depth == 1 and two.parent == comments["Thank you, I will."].parent
    assert deep.depth == 1 and deep.addressed_to == two


def test_pingbacks_and_trackbacks_become_pingbacks_with_their_page():
    run(ORG)
    run(COM)
    mentions = Comment.objects.filter(kind=Comment.Kind.PINGBACK).order_by("source_url")
    assert [m.source_url for m in mentions] == [
        "http://some.example.net/linking/",
        "https://another.example.net/2019/05/on-tapering/",
    ]
    assert all(m.status == Comment.Status.APPROVED and not m.email for m in mentions)


def test_emails_stay_private_ips_are_never_imported_and_the_authors_comments_have_the_badge():
    run(ORG)
    comments = {c.body: c for c in Comment.objects.all()}
    assert comments["Good luck with it! Go slowly."].email == "alex@mail.example.com"
    assert comments["Thank you, I will."].role == Comment.Role.AUTHOR
    assert comments["Good luck with it! Go slowly."].role == Comment.Role.READER
    stored = " ".join(str(value) for row in Comment.objects.values() for value in row.values())
    assert "203.0.113.7" not in stored and "198.51.100.2" not in stored


def test_comments_are_flagged_for_editors_but_not_moderated_again_and_no_email_goes_out():
    run(ORG)
    waiting = Comment.objects.get(body__startswith="Waiting for moderation")
    assert waiting.held_reason == "Imported; mentions doses or where to get medication"
    assert Comment.objects.get(body="Thank you, I will.").held_reason == ""
    assert waiting.status == Comment.Status.PENDING
    assert not OutboundEmail.objects.exists()


def test_pages_are_imported_at_their_old_paths_with_their_hierarchy():
    run(ORG)
    about = Page.objects.get(path="/about/")
    team = Page.objects.get(path="/about/équipe/")  # the percent-encoded path, decoded
    assert team.parent == about and team.title == "L’équipe"
    assert about.body_html == "<p>We are a small group.</p>\n<p>Write to us any time.</p>"
    run(COM)
    assert Page.objects.filter(path="/contact/").exists()


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/2019/05/03/week-one/", "/posts/week-one/"),
        ("/2019/05/03/week-one/feed/", "/posts/week-one/comments/feed/"),
        ("/?p=10", "/posts/week-one/"),
        ("/?page_id=3", "/about/équipe/"),
        ("/tag/sleep/", "/tags/sleep/"),
        ("/tag/sleep/feed/", "/tags/sleep/feed/"),
        ("/tag/équilibre/", "/tags/equilibre/"),
        ("/category/withdrawal/", "/tags/withdrawal/"),
        ("/category/withdrawal/feed/", "/tags/withdrawal/feed/"),
        ("/category/my-taper/", "/series/my-taper/"),
        ("/category/my-taper/feed/", "/series/my-taper/feed/"),
    ],
)
def test_old_addresses_are_recorded_for_every_kind(old, new):
    run(ORG, "--series", "my-taper")
    assert OldAddress.objects.get(path=old).target == new


def test_drafts_and_scheduled_posts_get_no_old_address_that_would_tell_their_title():
    run(ORG)
    targets = set(OldAddress.objects.values_list("target", flat=True))
    for title in ("Coming soon", "Half-written", "Members only", "Private thoughts"):
        assert post(title).get_absolute_url() not in targets
    assert not OldAddress.objects.filter(path__in=["/?p=12", "/?p=13", "/?p=14"]).exists()


def test_importing_the_same_export_again_changes_nothing():
    run(ORG, "--series", "my-taper")
    before = counts()
    updated = {p.pk: p.updated for p in Post.objects.all()}
    output = run(ORG, "--series", "my-taper")
    assert counts() == before
    assert {p.pk: p.updated for p in Post.objects.all()} == updated
    assert "posts: 0 created, 0 updated, 7 unchanged" in output
    assert "Old addresses answered by a redirect: 0 new" in output


def test_a_later_export_of_the_same_site_adds_what_is_new_and_updates_what_changed(tmp_path):
    run(ORG)
    later = ORG.read_text()
    later = later.replace("Nothing happened yet.", "Nothing happened yet; now it has.")
    later = later.replace("https://taper.example.org", "http://taper.example.org")  # same site, other scheme
    new_item = """<item><title>Week three</title><link>https://taper.example.org/2019/05/17/week-three/</link>
        <dc:creator>jo</dc:creator><content:encoded>Third.</content:encoded><wp:post_id>40</wp:post_id>
        <wp:post_date_gmt>2019-05-17 08:00:00</wp:post_date_gmt><wp:post_name>week-three</wp:post_name>
        <wp:status>publish</wp:status><wp:post_type>post</wp:post_type></item>"""
    later = later.replace("</channel>", new_item + "</channel>")
    new_reply = """<wp:comment><wp:comment_id>108</wp:comment_id><wp:comment_author>Kim</wp:comment_author>
        <wp:comment_date_gmt>2019-06-01 10:00:00</wp:comment_date_gmt>
        <wp:comment_content>Late reply.</wp:comment_content>
        <wp:comment_approved>1</wp:comment_approved><wp:comment_parent>100</wp:comment_parent></wp:comment>"""
    later = later.replace("</wp:comment>", "</wp:comment>" + new_reply, 1)
    path = tmp_path / "later.xml"
    path.write_text(later)
    before = counts()
    output = run(path)
    assert "posts: 1 created, 1 updated, 6 unchanged" in output
    assert counts()["Post"] == before["Post"] + 1
    assert counts()["Comment"] == before["Comment"] + 1
    reply = Comment.objects.get(body="Late reply.")
    assert reply.parent == Comment.objects.get(body="Good luck with it! Go slowly.") and reply.depth == 1
    assert post("Week one: the first cut").comment_count == 6
    assert "now it has" in post("Week one: the first cut").body_html
    assert post("Week one: the first cut").revisions.count() == 2
    assert OldAddress.objects.get(path="/?p=40").target == "/posts/week-three/"
    assert "posts: 0 created, 0 updated, 8 unchanged" in run(path)  # what changed was remembered as it is now


def test_the_running_site_shows_the_import_at_once(client):
    client.get("/")  # a page stored in the cache before the import
    version = pagecache.cache.get(pagecache.SITE_VERSION)
    run(ORG)
    assert pagecache.cache.get(pagecache.SITE_VERSION) != version
    assert "Week two" in client.get("/").content.decode()


def test_an_imported_post_page_renders_its_html(client):
    run(ORG)
    page = client.get("/posts/week-one/").content.decode()
    assert "<p>I cut my dose by ten percent today.<br>" in page
    assert "&lt;p&gt;" not in page
    assert "Thank you, I will." in page


@pytest.mark.parametrize(
    "text",
    [
        '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aa"><!ENTITY b "&a;&a;">]><rss><channel>&b;</channel></rss>',
        "CUT",
        '<?xml version="1.0"?><rss version="2.0"><channel><link>https://x.example</link><item><title>RSS</title>'
        "</item></channel></rss>",
    ],
    ids=["entity bomb", "truncated", "not wxr"],
)
def test_a_broken_file_imports_nothing_and_exits_with_one_line(tmp_path, text):
    if text == "CUT":
        text = ORG.read_text()[:-4000]  # many items read, then the file ends
    path = tmp_path / "bad.xml"
    path.write_text(text)
    before = counts()
    with pytest.raises(CommandError) as refused:
        run(path)
    assert "\n" not in str(refused.value)
    assert counts() == before


def test_an_error_while_writing_rolls_everything_back():
    before = counts()
    # The last write of all fails: everything written before it goes too.
    failing = mock.patch.object(WordPressImport, "_flush_remembered", side_effect=DatabaseError("disk full"))
    with failing, pytest.raises(DatabaseError):
        run(ORG)
    assert counts() == before


def test_a_dry_run_prints_the_same_summary_and_writes_nothing():
    PostFactory()
    before = counts()
    output = run(ORG, "--dry-run", "--series", "my-taper")
    assert counts() == before
    assert output.startswith("Dry run: nothing was written.")
    assert "posts: 7 created, 0 updated, 0 unchanged" in output
    assert "comments: 6 created" in output
    assert "1 × [gallery]" in output
    real = run(ORG, "--series", "my-taper")
    assert real.splitlines()[1:] == output.splitlines()[1:]


def test_the_summary_lists_shortcodes_removed_and_media_missing():
    output = run(ORG)
    assert "1 × [contact-form-7]" in output and "2 × [embed]" in output
    assert "https://taper.example.org/wp-content/uploads/2019/05/pills.jpg" in output
    assert "Media missing (shown as plain links): " in output
    assert "not in the export" not in output  # the feature image's attachment comes later in the file


def test_a_feature_image_whose_attachment_is_not_in_the_export_is_listed(tmp_path):
    path = tmp_path / "export.xml"
    path.write_text(ORG.read_text().replace("<wp:post_id>21</wp:post_id>", "<wp:post_id>29</wp:post_id>"))
    assert "the feature image of “Week one: the first cut” (attachment 21, not in the export)" in run(path)


def test_a_missing_export_file_is_one_line():
    with pytest.raises(CommandError, match="Cannot read"):
        run(Path("/nowhere/export.xml"))


EXECUTABLE = re.compile(
    r"<(?:script|iframe|form|input|svg|object|embed|style)\b|\son\w+\s*=|javascript:|vbscript:|src=\"(?!/media/)", re.I
)


def test_hostile_input_leaves_nothing_executable_in_posts_titles_names_tags_pages_or_comments(client):
    run(HOSTILE)
    hello = Post.objects.get(slug="hello")
    assert hello.title == "Hello world"
    assert Contributor.objects.get(posts=hello).display_name == "Mallory"
    assert Topic.objects.get(slug="xss").name == "xss"
    for html in (hello.body_html, Page.objects.get().body_html, *Comment.objects.values_list("body_html", flat=True)):
        assert EXECUTABLE.findall(html) == []
    comment = Comment.objects.get()
    assert comment.website == "" and comment.name == "Eve"
    for url in ("/posts/hello/", "/tags/xss/", f"/contributors/{hello.contributor.slug}/"):
        body = client.get(url).content.decode()
        assert "alert(" not in body, url


def test_the_command_exits_with_status_1_and_one_line_for_a_broken_file(tmp_path):
    bad = tmp_path / "bad.xml"
    bad.write_text('<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a SYSTEM "file:///etc/passwd">]><rss>&a;</rss>')
    env = {**os.environ, "DEBUG": "1", "DATA_DIR": str(tmp_path / "data")}
    done = subprocess.run(  # noqa: S603 - this project's manage.py
        [sys.executable, "manage.py", "import_wordpress", str(bad)],
        capture_output=True,
        text=True,
        env=env,
        cwd=Path(__file__).resolve().parents[3],
        timeout=120,
    )
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        "CommandError: The file was refused: it holds a DTD, which an export never needs."
    ]


class Terminal(StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_sees_a_progress_bar_over_the_file(monkeypatch):
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    call_command("import_wordpress", str(ORG), stdout=StringIO())
    assert "Reading the export" in terminal.getvalue()
    assert "100%" in terminal.getvalue()


def test_the_import_moves_the_page_cache_version_once_however_much_it_writes():
    with mock.patch.object(pagecache, "site_changed", wraps=pagecache.site_changed) as moved:
        run(ORG, "--series", "my-taper")
    assert moved.call_count == 1


def test_a_post_deleted_here_since_is_not_brought_back_by_importing_again():
    run(ORG)
    post("Week two").erase()
    output = run(ORG)
    assert not Post.objects.filter(title="Week two").exists()
    assert "1 × posts deleted here since an earlier import (left deleted)" in output
