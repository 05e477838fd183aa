"""Writing a story on a 390 px phone: consent boxes big enough to tap, and the private link easy to copy."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

PHONE = {"width": 390, "height": 844}
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
STORY = "The first winter after I stopped, I wrote a line each morning about how the night had gone. " * 6
CONSENTS = [re.compile("I agree that OLE may publish"), re.compile("light edits"), "I am 18 or older."]


@pytest.fixture
def phone(browser, site_url):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    yield context
    context.close()


def assert_accessible(page: Page) -> None:
    results = Axe().run(page, options=AXE_OPTIONS)
    serious = [v["id"] for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == [], page.url


def fill_story(page: Page, *, title: str = "Mornings, one line at a time") -> None:
    page.locator("#id_title").fill(title)
    page.locator("#id_body").fill(STORY)
    page.get_by_label("Anonymous").check()
    page.get_by_label("Your email address").fill("mornings@example.org")


def test_consent_boxes_are_full_size_and_their_labels_tick_them_on_a_390px_phone(phone, site_url):
    page = phone.new_page()
    page.goto(site_url + "/stories/share/write/")
    for label in CONSENTS:
        box = page.get_by_label(label)
        size = box.bounding_box()
        assert size["width"] >= 24 and size["height"] >= 24, (label, size)
        # The label's words are part of the target: a tap on them ticks the box.
        page.locator(f"label[for='{box.get_attribute('id')}']").tap()
        expect(box).to_be_checked()
    assert_accessible(page)


def test_the_private_link_is_copied_by_a_button_that_says_so(phone, site_url):
    phone.grant_permissions(["clipboard-read", "clipboard-write"], origin=site_url)
    page = phone.new_page()
    page.goto(site_url + "/stories/share/write/")
    fill_story(page)
    for label in CONSENTS:
        page.get_by_label(label).check()
    page.get_by_role("button", name="Send my story").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for sharing your story")

    link = page.get_by_label("Your private link").input_value()
    assert re.fullmatch(re.escape(site_url) + r"/stories/status/[^/]+/", link)
    page.get_by_role("button", name="Copy link").click()
    expect(page.locator("#copy-status")).to_have_text(re.compile("^Copied"))
    expect(page.locator("#copy-status")).to_have_attribute("aria-live", "polite")
    assert page.evaluate("navigator.clipboard.readText()") == link
    assert_accessible(page)


def test_without_javascript_the_private_link_is_a_selectable_field_and_no_button(browser, site_url):
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    page.goto(site_url + "/stories/share/write/")
    fill_story(page, title="Written without scripts")
    for label in CONSENTS:
        page.get_by_label(label).check()
    page.get_by_role("button", name="Send my story").click()
    field = page.get_by_label("Your private link")
    assert "/stories/status/" in field.input_value()
    expect(field).to_have_attribute("readonly", "")
    expect(page.get_by_role("button", name="Copy link")).to_have_count(0)
    context.close()
