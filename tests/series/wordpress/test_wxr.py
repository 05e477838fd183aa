"""Reading WordPress exports: both namespace spellings, both shapes, and every kind of file that is refused."""

from pathlib import Path

import pytest

from series.wordpress.wxr import Channel, ExportError, Item, read_export

HERE = Path(__file__).parent


def read(path: Path) -> tuple[Channel, list[Item]]:
    channel, *items = read_export(path)
    return channel, items


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "export.xml"
    path.write_text(text, encoding="utf-8")
    return path


WXR_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/"><channel>
<link>https://a.example.org</link><wp:wxr_version>1.2</wp:wxr_version>"""


def test_a_wordpress_org_export_is_read_with_its_authors_terms_items_and_comments():
    channel, items = read(HERE / "wordpress_org.xml")
    assert channel.site_url == "https://taper.example.org"
    assert channel.wxr_version == "1.2"
    assert [(a.login, a.display_name, a.wp_id) for a in channel.authors] == [
        ("sam", "Sam Rivers", "1"),
        ("jo", "Jo Park", "2"),
    ]
    assert ("category", "my-taper", "My Taper Diary") in [(t.taxonomy, t.slug, t.name) for t in channel.terms]
    assert ("post_tag", "sleep", "Sleep") in [(t.taxonomy, t.slug, t.name) for t in channel.terms]
    first = items[0]
    assert (first.wp_id, first.post_type, first.status, first.is_sticky) == ("10", "post", "publish", "1")
    assert first.title == "Week one: <em>the first cut</em>"
    assert first.date_gmt == "2019-05-03 08:30:00"
    assert first.content.startswith("I cut my dose by ten percent today.\nNothing happened yet.")
    assert [(t.taxonomy, t.slug) for t in first.terms] == [
        ("category", "my-taper"),
        ("category", "withdrawal"),
        ("post_tag", "sleep"),
    ]
    assert first.meta == {"_thumbnail_id": "21"}
    assert [c.wp_id for c in first.comments] == ["100", "101", "102", "103", "104", "105", "106", "107"]
    assert first.comments[1].parent == "100" and first.comments[7].kind == "pingback"
    attachment = next(item for item in items if item.post_type == "attachment")
    assert attachment.attachment_url.endswith("/2019/05/pills.jpg")


def test_a_wordpress_com_export_with_https_namespace_and_no_cdata_is_read_the_same_way():
    channel, items = read(HERE / "wordpress_com.xml")
    assert channel.site_url == "http://mindthegap.wordpress.com"  # the blog, not wordpress.com itself
    assert [a.display_name for a in channel.authors] == ["Robin & Friends"]
    assert ("series", "recovery-road", "Recovery Road") in [(t.taxonomy, t.slug, t.name) for t in channel.terms]
    assert items[0].title == "Part two & onwards"
    assert items[0].content == "<p>The second part, written <strong>later</strong>.</p>"
    assert items[1].excerpt == "It started here."
    assert items[1].comments[1].kind == "trackback"


def test_a_wxr_1_0_export_is_read():
    channel, items = read(HERE / "hostile.xml")
    assert channel.wxr_version == "1.0" and len(items) == 2


def test_the_commenters_ip_address_is_never_read():
    _, items = read(HERE / "wordpress_org.xml")
    comment = items[0].comments[0]
    assert "203.0.113.7" not in repr(comment)


def test_an_export_without_items_still_gives_its_channel(tmp_path):
    channel, items = read(write(tmp_path, WXR_HEAD + "</channel></rss>"))
    assert channel.site_url == "https://a.example.org" and items == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
            "<rss><channel><title>&lol2;</title></channel></rss>",
            "refused",
        ),
        (
            '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><rss><channel>'
            "<title>&x;</title></channel></rss>",
            "refused",
        ),
        (WXR_HEAD + "<item><title>cut off", "ends too soon"),
        (WXR_HEAD + "<item><title>bad</item></channel></rss>", "not well-formed"),
        ("", "ends too soon"),
        ('<?xml version="1.0"?><html><body>hi</body></html>', "not an RSS file"),
        (
            '<?xml version="1.0"?><rss version="2.0"><channel><title>A feed</title><link>https://a.example.org</link>'
            "<item><title>x</title></item></channel></rss>",
            "no WXR version",
        ),
        ('<?xml version="1.0"?><rss version="2.0"></rss>', "no channel"),
        (
            '<?xml version="1.0"?><rss xmlns:wp="http://wordpress.org/export/1.2/"><channel>'
            "<wp:wxr_version>1.2</wp:wxr_version><item><title>x</title></item></channel></rss>",
            "does not name its site",
        ),
        (WXR_HEAD + "<item><title>No id</title></item></channel></rss>", "has no post_id"),
    ],
    ids=[
        "entity bomb",
        "external entity",
        "truncated",
        "malformed",
        "empty",
        "not rss",
        "plain rss feed",
        "no channel",
        "no site",
        "item without id",
    ],
)
def test_a_file_that_is_not_a_whole_safe_wxr_export_is_refused_with_one_line(tmp_path, text, message):
    with pytest.raises(ExportError) as refused:
        list(read_export(write(tmp_path, text)))
    assert message in str(refused.value)
    assert "\n" not in str(refused.value)


def test_a_missing_file_is_refused_with_one_line(tmp_path):
    with pytest.raises(ExportError, match="Cannot read"):
        list(read_export(tmp_path / "nowhere.xml"))
