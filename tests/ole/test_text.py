"""The one sanitiser every page's HTML goes through."""

from ole.text import clean_html, render_markdown

OUTSIDE_PICTURES = (
    '<img src="https://evil.example/x.png" alt="B">'
    '<img src="//evil.example/y.png">'
    '<img src="/media/../x">'
    '<img src="data:image/png;base64,AAAA">'
)


def test_pictures_are_kept_only_from_the_sites_own_media(settings):
    settings.MEDIA_URL = "/media/"
    html = clean_html(f'<figure><img src="/media/a.jpg" alt="A"><figcaption>c</figcaption></figure>{OUTSIDE_PICTURES}')
    assert '<img src="/media/a.jpg" alt="A">' in html
    assert "<figcaption>c</figcaption>" in html
    assert html.count("<img") == 1


def test_markdown_keeps_the_sites_own_pictures_and_drops_others(settings):
    settings.MEDIA_URL = "/media/"
    assert 'src="/media/a.jpg"' in render_markdown('<img src="/media/a.jpg" alt="x">\n\nHello')
    assert "<img" not in render_markdown("![x](https://evil.example/x.png)")
