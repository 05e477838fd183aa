"""The benchmark's generated WordPress export: a WXR 1.2 file with the counts asked for, the same every time."""

import tracemalloc
from collections import Counter

import pytest
from defusedxml import ElementTree

from bench.wordpress import WP, main, write_export

NS = {"wp": WP, "content": "http://purl.org/rss/1.0/modules/content/"}


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    path = tmp_path_factory.mktemp("export") / "small.xml"
    summary = write_export(path, posts=300, comments=2500, seed=7)
    return path, summary, ElementTree.parse(path).getroot()


def items(root, post_type: str) -> list:
    return [item for item in root.iter("item") if item.findtext("wp:post_type", namespaces=NS) == post_type]


def test_the_export_is_wxr_1_2_with_the_sites_addresses(small):
    _path, _summary, root = small
    channel = root.find("channel")
    assert root.tag == "rss" and channel.findtext("wp:wxr_version", namespaces=NS) == "1.2"
    assert channel.findtext("wp:base_site_url", namespaces=NS).startswith("https://")
    assert len(channel.findall("wp:author", NS)) >= 2


def test_the_export_holds_the_posts_and_comments_asked_for(small):
    _path, summary, root = small
    posts = items(root, "post")
    assert len(posts) == summary.posts == 300
    assert len(list(root.iter(f"{{{WP}}}comment"))) == summary.comments == 2500
    statuses = Counter(post.findtext("wp:status", namespaces=NS) for post in posts)
    assert statuses == {"publish": summary.published, "draft": summary.drafts, "future": summary.scheduled}
    assert summary.drafts and summary.scheduled and summary.published > 0.9 * 300


def test_comments_are_on_published_posts_in_threads_that_answer_a_shown_comment(small):
    _path, summary, root = small
    kinds, waiting, replies, deepest = Counter(), 0, 0, 0
    for post in items(root, "post"):
        comments = post.findall("wp:comment", NS)
        if post.findtext("wp:status", namespaces=NS) != "publish":
            assert comments == []
        depth = {}
        for comment in comments:
            comment_id = int(comment.findtext("wp:comment_id", namespaces=NS))
            parent = int(comment.findtext("wp:comment_parent", namespaces=NS))
            kinds[comment.findtext("wp:comment_type", namespaces=NS)] += 1
            waiting += comment.findtext("wp:comment_approved", namespaces=NS) == "0"
            if parent:
                assert depth[parent] is not None, "a reply answers an earlier, shown comment of the same post"
                replies += 1
            shown = comment.findtext("wp:comment_approved", namespaces=NS) == "1"
            depth[comment_id] = (depth[parent] + 1 if parent else 0) if shown else None
            deepest = max(deepest, depth[comment_id] or 0)
    assert kinds == {"comment": summary.comments - summary.pingbacks, "pingback": summary.pingbacks}
    assert (waiting, replies) == (summary.pending, summary.replies)
    assert summary.pingbacks and summary.pending and summary.replies
    assert deepest > 5, "some threads go deeper than WordPress nests by default (5), and OLE (3)"


def test_posts_have_categories_tags_permalinks_and_some_a_featured_picture(small):
    _path, summary, root = small
    posts = items(root, "post")
    domains = Counter(category.get("domain") for post in posts for category in post.findall("category"))
    assert domains["category"] == 300 and domains["post_tag"] > 300
    assert all(category.get("nicename") for post in posts for category in post.findall("category"))
    published = [post for post in posts if post.findtext("wp:status", namespaces=NS) == "publish"]
    assert all(post.findtext("link").count("/") == 7 for post in published)  # https://site/YYYY/MM/DD/slug/
    attachments = {item.findtext("wp:post_id", namespaces=NS) for item in items(root, "attachment")}
    assert len(attachments) == summary.attachments >= 2
    featured = [
        meta.findtext("wp:meta_value", namespaces=NS)
        for post in posts
        for meta in post.findall("wp:postmeta", NS)
        if meta.findtext("wp:meta_key", namespaces=NS) == "_thumbnail_id"
    ]
    assert featured and set(featured) <= attachments
    assert any("wp-content/uploads/" in post.findtext("content:encoded", namespaces=NS) for post in posts)


def test_pages_form_a_hierarchy(small):
    _path, summary, root = small
    pages = items(root, "page")
    assert len(pages) == summary.pages >= 5
    ids = {page.findtext("wp:post_id", namespaces=NS) for page in pages}
    parents = [page.findtext("wp:post_parent", namespaces=NS) for page in pages]
    assert any(parent in ids for parent in parents) and "0" in parents


def test_the_same_seed_writes_the_same_file_and_another_seed_another(tmp_path):
    first, second, other = tmp_path / "a.xml", tmp_path / "b.xml", tmp_path / "c.xml"
    write_export(first, posts=50, comments=400, seed=3)
    write_export(second, posts=50, comments=400, seed=3)
    write_export(other, posts=50, comments=400, seed=4)
    assert first.read_bytes() == second.read_bytes() != other.read_bytes()


def test_memory_does_not_grow_with_the_export(tmp_path):
    tracemalloc.start()
    try:
        write_export(tmp_path / "export.xml", posts=150, comments=4_000)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    size = (tmp_path / "export.xml").stat().st_size
    assert size > 4_000_000
    assert peak < 2_000_000, f"{peak:,} bytes at peak for a {size:,}-byte export"


def test_the_command_line_writes_the_export_and_says_what_it_holds(tmp_path, capsys):
    assert main([str(tmp_path / "out.xml"), "--posts", "20", "--comments", "60"]) == 0
    said = capsys.readouterr().out
    assert "20 posts" in said and "60 comments" in said
    assert len(list(ElementTree.parse(tmp_path / "out.xml").getroot().iter(f"{{{WP}}}comment"))) == 60


def test_the_command_line_refuses_an_empty_export(tmp_path):
    with pytest.raises(SystemExit):
        main([str(tmp_path / "out.xml"), "--posts", "0"])
