"""A visitor in distress, on a 390 px phone: help stays one tap away on a long post, without JavaScript."""

import pytest
from playwright.sync_api import expect

from tests.e2e.accessibility import serious_violations
from tests.factories import PostFactory

PHONE = {"width": 390, "height": 844}
PARAGRAPH = "Some nights were longer than others, and I kept writing them down so I would remember the mornings. "


@pytest.fixture
def long_post(site_url):
    body = "\n\n".join(f"Paragraph {n}. " + PARAGRAPH * 4 for n in range(60))
    return PostFactory(title="A long night, written down", body=body)


def test_help_stays_in_reach_on_a_long_post_on_a_phone_without_javascript(browser, site_url, long_post):
    context = browser.new_context(viewport=PHONE, java_script_enabled=False, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(site_url + long_post.get_absolute_url())
    help_link = page.get_by_role("link", name="Need help now?")
    expect(help_link).to_have_count(1)  # the header's own link gives way to the strip on a phone

    page.get_by_text("Paragraph 30.").scroll_into_view_if_needed()
    page.mouse.wheel(0, 400)
    page.wait_for_timeout(200)
    assert page.get_by_role("heading", level=1).bounding_box()["y"] < 0, "the page has scrolled past the title"
    expect(help_link).to_be_in_viewport()
    strip = page.get_by_role("navigation", name="Crisis help").bounding_box()
    assert strip["y"] == 0 and strip["height"] <= 56, strip  # a slim strip at the top, not over the text

    help_link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Need help now?")
    main = page.get_by_role("main")
    expect(main.get_by_role("link", name="0800 567 567")).to_be_visible()
    expect(page.get_by_text("not yet verified")).to_have_count(0)
    expect(page.get_by_text("Not yet verified by our editors")).to_have_count(0)
    context.close()


def test_the_help_link_never_sits_over_the_text(browser, site_url, long_post):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(site_url + long_post.get_absolute_url())
    for paragraph in ("Paragraph 30.", "Paragraph 59."):
        page.get_by_text(paragraph).scroll_into_view_if_needed()
        page.mouse.wheel(0, 300)
        page.wait_for_timeout(200)
        # Below the strip, every point of the screen shows the page itself, never the help link or its strip.
        over_text = page.evaluate(
            """() => {
                const strip = document.querySelector('.help-strip').getBoundingClientRect();
                const hits = [];
                for (let y = strip.bottom + 1; y < innerHeight; y += 20)
                    for (let x = 5; x < innerWidth; x += 40)
                        if (document.elementFromPoint(x, y)?.closest('.help-strip, .help-link')) hits.push([x, y]);
                return hits;
            }"""
        )
        assert over_text == []
    strip = page.get_by_role("navigation", name="Crisis help").bounding_box()
    assert strip["y"] == 0 and strip["height"] <= 56, "it takes one slim line of the screen"
    context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_serious_accessibility_violations_on_a_phone(browser, site_url, long_post, scheme):
    context = browser.new_context(viewport=PHONE, color_scheme=scheme)
    page = context.new_page()
    problems = {}
    for path in [long_post.get_absolute_url(), "/help/", "/"]:
        page.goto(site_url + path)
        page.mouse.wheel(0, 2000)
        serious = serious_violations(page)
        if serious:
            problems[path] = serious
    context.close()
    assert problems == {}
