"""Hostile WordPress exports, imported into the live site and read in Chromium: no imported page, list, feed or
comment thread opens a dialog, runs a script or makes the browser contact any host but the site's own.

The site's Content-Security-Policy would block much of it in the browser anyway, so the test does not lean on
that: it also reads each page's DOM for what must not be there (frames, foreign scripts, remote images, handlers,
script links, foreign form targets) and counts a CSP report as a failure, since it means something got through
the sanitiser and only the policy stopped it.
"""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from defusedxml import ElementTree
from django.core.management import call_command
from playwright.sync_api import Page

from series.models import Comment, Contributor, OldAddress, Post, Series, Topic
from series.models import Page as SitePage
from tests.conftest import reseed
from tests.e2e.accessibility import assert_accessible

EXPORTS = Path(__file__).resolve().parents[1] / "series" / "wordpress"
# hostile.xml has the script, handler, javascript: and iframe cases in content; hostile_everywhere.xml adds
# forms, SVG and frames in titles, names, tags and comments, letter-case games, a thread, a pingback, and
# markup that loads from another host without any script.
HOSTILE = [EXPORTS / "hostile.xml", Path(__file__).parent / "hostile_everywhere.xml"]
ORG = EXPORTS / "wordpress_org.xml"

# What the DOM must not hold, read in the page (SVG links keep their target in href or xlink:href).
FORBIDDEN_IN_DOM = """(origin) => {
  const found = [];
  const local = (url) => { try { return new URL(url, document.baseURI).origin === origin; } catch { return false; } };
  const safeLink = (url) => !/^\\s*(javascript|vbscript|data):/i.test(url.replace(/[\\u0000-\\u0020]/g, ""));
  for (const el of document.querySelectorAll("iframe, frame, object, embed, applet, base, meta[http-equiv]")) {
    found.push(el.outerHTML.slice(0, 120));
  }
  for (const el of document.querySelectorAll("script")) {
    const data = ["application/json", "application/ld+json"].includes(el.type);
    if (el.src ? !el.src.startsWith(origin + "/static/") : !data) {
      found.push("script " + (el.src || el.textContent.slice(0, 80)));
    }
  }
  for (const el of document.querySelectorAll("*")) {
    for (const attr of el.attributes) {
      const name = attr.name.toLowerCase();
      if (name.startsWith("on")) found.push(`${el.tagName} ${name}`);
      if (["src", "poster", "background", "data", "action", "formaction"].includes(name) && !local(attr.value)) {
        found.push(`${el.tagName} ${name}=${attr.value}`);
      }
      if (name === "srcset" && attr.value.split(",").some((part) => !local(part.trim().split(/\\s+/)[0]))) {
        found.push(`${el.tagName} srcset=${attr.value}`);
      }
      if (["href", "xlink:href"].includes(name) && !safeLink(attr.value)) {
        found.push(`${el.tagName} ${name}=${attr.value}`);
      }
      const reference = /\\b(canonical|alternate)\\b/.test(el.rel);
      if (name === "href" && el.tagName === "LINK" && !local(attr.value) && !reference) {
        found.push(`link ${el.rel} ${attr.value}`);
      }
    }
  }
  for (const el of document.querySelectorAll("svg script, svg foreignObject, svg animate, svg set")) {
    found.push("svg " + el.tagName);
  }
  return found;
}"""

# The live server's own address (Django names it localhost, which is 127.0.0.1 here).
LOOPBACK = {"127.0.0.1", "localhost"}


class Watch:
    """Everything a page does that it must not: dialogs, requests to other hosts, CSP reports. Requests to other
    hosts are recorded and then refused, so none leaves this machine even if one is made."""

    def __init__(self, page: Page, site_url: str):
        self.page, self.site_url = page, site_url
        self.dialogs: list[str] = []
        self.foreign: list[str] = []
        self.csp: list[str] = []
        self.requests = 0
        page.on("dialog", lambda dialog: (self.dialogs.append(dialog.message), dialog.dismiss()))
        page.on("request", self.request)
        page.on("websocket", lambda socket: self.foreign.append(socket.url))
        page.on("console", self.console)
        page.route(lambda url: not self.is_local(url), lambda route: route.abort())

    def is_local(self, url: str) -> bool:
        parts = urlsplit(url)
        return parts.scheme == "data" or (parts.scheme in ("http", "https") and parts.hostname in LOOPBACK)

    def request(self, request) -> None:
        self.requests += 1
        if not self.is_local(request.url):
            self.foreign.append(request.url)

    def console(self, message) -> None:
        if "Content Security Policy" in message.text:
            self.csp.append(message.text)

    def visit(self, path: str) -> None:
        response = self.page.goto(self.site_url + path)
        assert response is not None and response.status == 200, (path, response and response.status)
        assert urlsplit(self.page.url).hostname in LOOPBACK, (path, self.page.url)
        self.check_dom(path)

    def check_dom(self, where: str) -> None:
        found = self.page.evaluate(FORBIDDEN_IN_DOM, self.site_url)
        assert found == [], (where, found)

    def assert_nothing_happened(self) -> None:
        assert self.requests > 0  # the recorder was listening
        assert self.dialogs == []
        assert self.foreign == []
        assert self.csp == []


def import_exports(*paths: Path) -> None:
    for path in paths:
        call_command("import_wordpress", str(path), stdout=StringIO())


@pytest.fixture
def imported_site(live_server, transactional_db):
    """The live server, with the hostile exports and the WordPress.org one imported into its database."""
    reseed()
    import_exports(*HOSTILE, ORG)
    return live_server.url


def public_paths() -> list[str]:
    """Every page the imports gave the site, and the lists that show them."""
    posts = list(Post.objects.published())
    assert {"hello", "every-place", "week-one"} <= {post.slug for post in posts}
    approved = Comment.objects.filter(status="approved").select_related("post")
    threads = [f"{comment.post.get_absolute_url()}?replyto={comment.pk}" for comment in approved]
    return [
        "/",
        "/tags/",
        "/contributors/",
        "/series/",
        "/archive/",
        "/archive/2022/3/",
        "/search/?q=place",
        *(post.get_absolute_url() for post in posts),
        *threads,
        *(page.path for page in SitePage.objects.published()),
        *(topic.get_absolute_url() for topic in Topic.objects.all()),
        *(contributor.get_absolute_url() for contributor in Contributor.objects.all()),
        *(series.get_absolute_url() for series in Series.objects.all()),
    ]


def feed_paths() -> list[str]:
    return [
        "/feed/",
        "/feed/atom/",
        "/feed/comments/",
        "/feed/comments/atom/",
        *(f"{post.get_absolute_url()}comments/feed/" for post in Post.objects.published()),
        *(f"{topic.get_absolute_url()}feed/" for topic in Topic.objects.all()),
    ]


DESCRIPTIONS = {"description", "summary", "content", "encoded", "title"}


def html_in_feed(xml: str) -> list[str]:
    """The HTML a feed reader would render: each RSS description and Atom summary or content."""
    root = ElementTree.fromstring(xml.encode())
    texts = [element.text or "" for element in root.iter() if element.tag.split("}")[-1] in DESCRIPTIONS]
    return [text for text in texts if text.strip()]


def test_the_recorder_sees_a_dialog_a_foreign_request_and_a_forbidden_element(page: Page, live_server):
    """The checks below would see what they look for: this page does all of it."""
    watch = Watch(page, live_server.url)
    page.goto(live_server.url + "/robots.txt")
    page.set_content('<img src="https://evil.example.com/x.png"><iframe></iframe><a href=" JaVa\tScRiPt:x">x</a>')
    page.evaluate("() => alert('shown')")
    assert watch.dialogs == ["shown"]
    assert watch.foreign == ["https://evil.example.com/x.png"]
    found = page.evaluate(FORBIDDEN_IN_DOM, live_server.url)
    assert any("iframe" in item.lower() for item in found)
    assert any("evil.example.com" in item for item in found)
    assert any("JaVa" in item for item in found)


def test_no_imported_page_opens_a_dialog_or_reaches_another_host(page: Page, imported_site):
    watch = Watch(page, imported_site)
    paths = public_paths()
    for path in paths:
        watch.visit(path)
    # Old addresses redirect here, never away.
    for old in OldAddress.objects.values_list("path", flat=True):
        watch.visit(old)
    # The hostile thread is shown, reply and pingback included, and the hostile names as plain text.
    watch.visit("/posts/every-place/")
    comments = page.locator(".comment")
    assert comments.count() >= 3, comments.count()
    assert page.get_by_text("Sven", exact=False).count() > 0
    assert page.locator("text=Olive").count() > 0
    watch.assert_nothing_happened()


def test_no_feed_of_imported_posts_and_comments_carries_what_would_run_in_a_reader(page: Page, imported_site):
    watch = Watch(page, imported_site)
    for path in feed_paths():
        response = page.request.get(imported_site + path)
        assert response.status == 200, path
        # A reader shows the feed's HTML in a page of its own: here, one on the site's address.
        for html in html_in_feed(response.text()):
            page.goto(imported_site + "/robots.txt")
            page.set_content(html)
            watch.check_dom(f"{path}: {html[:80]}")
    for path in ("/feed/", "/feed/comments/"):
        page.goto(imported_site + path)
    watch.assert_nothing_happened()


@pytest.mark.parametrize("path", ["/posts/every-place/", "/posts/week-one/", "/trap-page/", "/about/équipe/"])
def test_imported_posts_and_pages_pass_axe(page: Page, imported_site, path):
    page.goto(imported_site + path)
    assert_accessible(page)
