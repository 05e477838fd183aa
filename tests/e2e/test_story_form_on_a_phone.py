"""Writing a story on a 390 px phone: an opt-in draft kept on the device only, consent boxes big enough to tap, the
photo described, and the private link easy to copy."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.accessibility import assert_accessible
from tests.factories import image_bytes

PHONE = {"width": 390, "height": 844}
FORM = "/stories/share/write/"
DRAFT_KEY = "ole.storyDraft"
MARKER = "Quillonwhistle"  # a word found nowhere else, to look for in every request
STORY = "The first winter after I stopped, I wrote a line each morning about how the night had gone. " * 6
CONSENTS = [re.compile("I agree that OLE may publish"), re.compile("light edits"), "I am 18 or older."]


@pytest.fixture
def phone(browser, site_url):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    yield context
    context.close()


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


def stored_draft(page: Page) -> str | None:
    return page.evaluate(f"localStorage.getItem('{DRAFT_KEY}')")


def wait_for_draft(page: Page, text: str) -> None:
    page.wait_for_function("([key, text]) => (localStorage.getItem(key) || '').includes(text)", arg=[DRAFT_KEY, text])


def carries(request, text: str) -> bool:
    body = request.post_data_buffer or b""
    return text in request.url or text.encode() in body or any(text in v for v in request.headers.values())


def test_a_draft_kept_on_this_device_survives_a_closed_tab_is_never_sent_and_goes_when_the_story_is_sent(
    phone, site_url
):
    requests = []
    phone.on("request", lambda request: requests.append(request))
    page = phone.new_page()
    page.goto(site_url + FORM)
    keep = page.get_by_label("Keep a draft on this device")
    expect(keep).to_be_visible()
    expect(keep).not_to_be_checked()  # off until the writer chooses it
    expect(page.get_by_text("Anyone else who uses this phone or computer could read it")).to_be_visible()
    assert_accessible(page)

    fill_story(page, title=f"The {MARKER} winter")
    keep.check()
    expect(page.locator("#draft-status")).to_have_text(re.compile("kept on this device"))
    page.get_by_label("Suggested tags").fill(f"sleep, {MARKER}")  # typed after opting in: saved as it comes
    wait_for_draft(page, f"sleep, {MARKER}")
    draft = stored_draft(page)
    assert STORY.strip() in draft
    assert "mornings@example.org" not in draft  # never the email address
    page.close()

    page = phone.new_page()
    page.goto(site_url + FORM)
    expect(page.locator("#id_title")).to_have_value(f"The {MARKER} winter")
    expect(page.locator("#id_body")).to_have_value(STORY)
    expect(page.get_by_label("Anonymous")).to_be_checked()
    expect(page.get_by_label("Suggested tags")).to_have_value(f"sleep, {MARKER}")
    expect(page.get_by_label("Your email address")).to_have_value("")
    expect(page.get_by_label("Keep a draft on this device")).to_be_checked()
    expect(page.locator("#draft-status")).to_have_text(re.compile("We put back the draft kept on this device"))
    expect(page.locator("#word-count")).to_have_text("108 words")  # the word count follows the restored text
    assert [r.url for r in requests if carries(r, MARKER)] == []  # nothing left the device

    page.get_by_label("Your email address").fill("mornings@example.org")
    for label in CONSENTS:
        page.get_by_label(label).check()
    page.get_by_role("button", name="Send my story").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for sharing your story")
    assert [r.method for r in requests if carries(r, MARKER)] == ["POST"]  # only the story itself, when sent
    assert stored_draft(page) is None
    page.goto(site_url + FORM)
    expect(page.locator("#id_title")).to_have_value("")
    expect(page.get_by_label("Keep a draft on this device")).not_to_be_checked()


def test_forget_this_draft_deletes_it_from_the_device(phone, site_url):
    page = phone.new_page()
    page.goto(site_url + FORM)
    page.get_by_label("Keep a draft on this device").check()
    fill_story(page)
    wait_for_draft(page, "Mornings, one line")
    page.get_by_role("button", name="Forget this draft").click()
    expect(page.locator("#draft-status")).to_have_text(re.compile("deleted from this device"))
    expect(page.get_by_label("Keep a draft on this device")).not_to_be_checked()
    page.get_by_label("Suggested tags").fill("typed after forgetting")
    page.wait_for_timeout(600)  # longer than the draft's pause before saving
    assert stored_draft(page) is None
    page.goto(site_url + FORM)
    expect(page.locator("#id_title")).to_have_value("")


def test_without_opting_in_nothing_is_kept(phone, site_url):
    page = phone.new_page()
    page.goto(site_url + FORM)
    fill_story(page)
    page.wait_for_timeout(600)
    assert stored_draft(page) is None
    page.close()
    page = phone.new_page()
    page.goto(site_url + FORM)
    expect(page.locator("#id_body")).to_have_value("")


def test_without_javascript_no_draft_is_offered(browser, site_url):
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    page.goto(site_url + FORM)
    expect(page.locator("#id_title")).to_be_visible()
    expect(page.get_by_label("Keep a draft on this device")).to_be_hidden()
    expect(page.get_by_role("button", name="Forget this draft")).to_be_hidden()
    context.close()


def test_a_photo_needs_a_description_and_the_description_typed_is_kept(phone, site_url, tmp_path):
    photo = tmp_path / "me.png"
    photo.write_bytes(image_bytes())
    page = phone.new_page()
    page.goto(site_url + FORM)
    fill_story(page)
    page.get_by_label("A photo (optional)").set_input_files(str(photo))
    for label in CONSENTS:
        page.get_by_label(label).check()
    page.get_by_role("button", name="Send my story").click()
    expect(page.get_by_role("alert").first).to_contain_text("Please describe your photo")
    expect(page.locator("#id_title")).to_have_value("Mornings, one line at a time")
    assert_accessible(page)

    page.get_by_label("A photo (optional)").set_input_files(str(photo))  # a browser cannot keep a chosen file
    page.get_by_label(re.compile("Describe your photo")).fill("A notebook open on a kitchen table")
    page.get_by_role("button", name="Send my story").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for sharing your story")
    page.goto(page.get_by_label("Your private link").input_value())
    expect(page.get_by_role("img", name="A notebook open on a kitchen table")).to_be_visible()
