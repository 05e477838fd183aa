"""An editor's first sign-in with a second factor, on a 390 px phone in Chromium: password, setting up the
authenticator from the page's own key, recovery codes, and a later sign-in with a recovery code."""

import time
from base64 import b32decode

import pytest
from django.contrib.auth.models import Group
from django_otp.oath import TOTP
from playwright.sync_api import expect

from tests.e2e.accessibility import assert_accessible, fits_the_screen
from tests.factories import UserFactory

PHONE = {"width": 390, "height": 844}
PASSWORD = "a-long-test-password-42"


@pytest.fixture
def editor_account(site_url, settings):
    settings.OLE_STAFF_2FA = True
    user = UserFactory(username="nomsa", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    return user


def test_an_editor_sets_up_a_second_factor_and_signs_in_with_it_on_a_phone(browser, site_url, editor_account):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    blocked, scripts = [], []
    page.on("console", lambda message: "Content Security Policy" in message.text and blocked.append(message.text))
    page.on("request", lambda request: request.resource_type == "script" and scripts.append(request.url))

    page.goto(site_url + "/admin/stories/story/")
    page.get_by_label("Username").fill("nomsa")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Set up your sign-in codes")
    expect(page.locator(".second-factor-qr svg")).to_be_visible()
    assert fits_the_screen(page)
    assert_accessible(page)
    secret = page.locator("#secret").inner_text().replace(" ", "")
    app = TOTP(b32decode(secret))
    app.time = time.time()
    page.get_by_label("Code").fill(f"{app.token():06d}")
    page.get_by_role("button", name="Confirm and sign in").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Your recovery codes")
    codes = page.locator("#recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    assert fits_the_screen(page)
    page.get_by_role("link", name="I have kept them: continue").click()
    expect(page).to_have_url(site_url + "/admin/stories/story/")

    page.get_by_role("button", name="Log out").click()
    page.goto(site_url + "/admin/")
    page.get_by_label("Username").fill("nomsa")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your sign-in code")
    assert fits_the_screen(page)
    assert_accessible(page)
    page.get_by_role("link", name="No phone to hand? Use a recovery code").click()
    page.get_by_label("Recovery code").fill(codes[0])
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("9 left")).to_be_visible()
    expect(page.get_by_text("Editorial desk").first).to_be_visible()

    context.close()
    assert blocked == []  # nothing refused by the Content-Security-Policy
    assert all(url.startswith(site_url) for url in scripts)  # no third-party script
