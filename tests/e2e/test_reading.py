"""A visitor's journeys through the site in a real Chromium, and an accessibility check of every public page."""

import os
import re
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from series.models import Page as OlePage
from series.models import Post
from tests.e2e.accessibility import serious_violations
from tests.factories import CommentFactory, PostFactory

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
BENZOS = "/series/benzodiazepines-the-long-way-round/"


def test_a_visitor_follows_a_series_searches_and_finds_help(page: Page, site_url):
    page.goto(site_url + "/")
    expect(page.get_by_role("heading", name="Featured stories")).to_be_visible()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Series").click()
    page.get_by_role("link", name=re.compile("Benzodiazepines")).first.click()
    expect(page).to_have_url(re.compile(BENZOS + "$"))

    page.get_by_role("link", name="Dependence and tolerance: two sides of one coin").click()
    expect(page.get_by_text(re.compile(r"Part 2 of 4 in"))).to_be_visible()

    page.get_by_role("link", name=re.compile("Next part")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Withdrawal, and how to get through it")
    expect(page.get_by_text(re.compile(r"Part 3 of 4 in"))).to_be_visible()
    expect(page.get_by_role("complementary", name="Content notes")).to_be_visible()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Search").click()
    page.get_by_label("Search for").fill("worry")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="The worry window").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("The worry window")

    page.get_by_role("link", name="Need help now?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Need help now?")
    expect(page.get_by_role("main").get_by_role("link", name="0800 567 567")).to_be_visible()


def test_drafts_and_scheduled_posts_stay_hidden(page: Page, site_url):
    draft = Post.objects.filter(status=Post.Status.DRAFT).first()
    scheduled = Post.objects.filter(status=Post.Status.SCHEDULED, publish_at__gt=timezone.now()).first()
    assert draft and scheduled, "the demo content has a draft and a scheduled post"
    for post in (draft, scheduled):
        response = page.goto(site_url + post.get_absolute_url())
        assert response.status == 404
        expect(page.get_by_role("heading", level=1)).to_have_text("We couldn't find that page")


def test_hostile_markdown_is_inert_in_the_browser(page: Page, live_server, transactional_db):
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    post = PostFactory(
        title="Hostile input",
        body=(
            "<script>alert('script')</script>\n\n"
            '<img src="x" onerror="alert(\'onerror\')">\n\n'
            "[click me](javascript:alert('link'))\n\n"
            "<iframe src=\"javascript:alert('iframe')\"></iframe>\n\n"
            "<svg onload=\"alert('svg')\"></svg>\n\n"
            '<a href="#" onclick="alert(\'click\')">press</a>'
        ),
    )
    page.goto(live_server.url + post.get_absolute_url())
    for link in page.locator("#post-text a").all():
        link.click()
    page.wait_for_timeout(300)
    assert dialogs == []
    assert page.locator("#post-text script, #post-text iframe, #post-text img, #post-text svg").count() == 0


def test_reads_well_on_a_phone_and_in_dark_mode(browser, site_url):
    context = browser.new_context(viewport={"width": 360, "height": 740}, color_scheme="dark")
    page = context.new_page()
    page.goto(site_url + BENZOS)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    red, green, blue = (int(part) for part in re.findall(r"\d+", background)[:3])
    assert max(red, green, blue) < 60, background
    context.close()


PUBLIC_PAGES = [
    "/",
    "/?page=2",
    "/posts/withdrawal-and-how-to-get-through-it/",
    "/series/",
    BENZOS,
    "/series/mental-floss-mondays/",
    "/tags/",
    "/tags/withdrawal/",
    "/contributors/",
    "/contributors/ole-editors/",
    "/archive/",
    "/search/?q=sleep",
    "/search/?q=" + "x" * 300,
    "/help/",
    "/privacy/",
    "/stories/share/",
    "/stories/share/write/",
    "/stories/lost-link/",
    "/comments/erase-link/",
    "/stories/write-to-us/",
    "/stories/write-to-us/thanks/",
    "/follow/",
    "/no-such-page/",
]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_serious_accessibility_violations_on_any_public_page(browser, site_url, scheme):
    context = browser.new_context(color_scheme=scheme)
    page = context.new_page()
    blocked = []
    page.on("console", lambda message: "Content Security Policy" in message.text and blocked.append(message.text))
    problems = {}
    now = timezone.localtime()
    comment = CommentFactory(post=Post.objects.get(slug="withdrawal-and-how-to-get-through-it"))
    report = reverse("series:comment_report", kwargs={"pk": comment.pk})
    # A simple page at a path of its own (series/addresses.py), with a parent and a child.
    about = OlePage.objects.create(
        path="/über-uns/", title="Über uns", body_html="<p>Who we are.</p><h2>How we work</h2><p>Slowly.</p>"
    )
    OlePage.objects.create(path="/über-uns/team/", title="The team", parent=about, body_html="<p>Editors.</p>")
    OlePage.objects.create(path="/über-uns/team/ed/", title="Ed", parent=OlePage.objects.get(title="The team"))
    pages = [*PUBLIC_PAGES, f"/archive/{now.year}/{now.month}/", report, "/%C3%BCber-uns/", "/%C3%BCber-uns/team/"]
    for path in pages:
        page.goto(site_url + path)
        serious = serious_violations(page)
        if serious:
            problems[path] = serious
    expect(page.get_by_role("navigation", name="Breadcrumb")).to_contain_text("Über uns")  # the page was swept
    context.close()
    assert problems == {}
    assert blocked == []  # nothing of ours is refused by our own Content-Security-Policy


def test_screenshots_of_home_and_a_post(page: Page, site_url, tmp_path):
    """Takes the README's screenshots; `make screenshots` writes them into docs/screenshots."""
    target = SCREENSHOTS if os.environ.get("OLE_UPDATE_SCREENSHOTS") else tmp_path
    target.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(site_url + "/", wait_until="networkidle")
    page.screenshot(path=str(target / "home.png"))
    page.goto(site_url + "/posts/dependence-and-tolerance-two-sides-of-one-coin/", wait_until="networkidle")
    page.screenshot(path=str(target / "post.png"))
    assert (target / "home.png").stat().st_size > 10_000
    assert (target / "post.png").stat().st_size > 10_000


@pytest.mark.parametrize("path", ["/", "/posts/withdrawal-and-how-to-get-through-it/"])
def test_pages_are_light_and_load_nothing_from_elsewhere(page: Page, site_url, path):
    """Under 100 KB of HTML, CSS and JavaScript together (images aside), no third-party request, and no script
    that holds back the text."""
    requests, sizes = [], {}

    def on_response(response):
        if response.request.resource_type in ("document", "stylesheet", "script"):
            sizes[response.url] = len(response.body())

    page.on("request", lambda request: requests.append(request.url))
    page.on("response", on_response)
    page.goto(site_url + path, wait_until="networkidle")
    assert all(url.startswith(site_url) or url.startswith("data:") for url in requests), requests
    assert sum(sizes.values()) < 100_000, sizes
    blocking = page.evaluate("[...document.querySelectorAll('script[src]')].filter(s => !s.defer && !s.async).length")
    assert blocking == 0


@pytest.mark.parametrize("width", [1280, 820, 390])
def test_the_home_page_shows_each_post_once_and_fills_every_row(page: Page, site_url, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(site_url + "/")
    titles = page.locator(".card-title a").evaluate_all("links => links.map(link => link.getAttribute('href'))")
    assert len(titles) >= 5
    assert len(titles) == len(set(titles)), titles
    for grid in page.locator(".card-grid").all():
        right_edge = grid.evaluate("grid => grid.getBoundingClientRect().right")
        rows: dict[int, float] = {}
        for box in grid.locator(":scope > li").evaluate_all(
            "items => items.map(item => item.getBoundingClientRect()).map(box => [box.top, box.right])"
        ):
            top, right = round(box[0]), box[1]
            rows[top] = max(rows.get(top, 0), right)
        assert all(abs(right - right_edge) < 2 for right in rows.values()), (width, rows, right_edge)
