"""Staff sign in with a password and then a one-time code: enrolment at the first sign-in, recovery codes, the
sign-in lock over the code step, and an admin that refuses staff sessions not verified with a second factor.

The rest of the suite runs with OLE_STAFF_2FA off (pyproject.toml); every test here turns it on and drives the
real sign-in through the admin's own pages."""

import re
import time
from pathlib import Path

import pytest
from django.core.checks import run_checks
from django.db import OperationalError
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from ole import twofactor
from series.models import Comment, Post
from tests.factories import PostFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-password-42"
LOGIN = "/admin/login/"
CODE_STEP = "/admin/sign-in/code/"
ENROL = "/admin/sign-in/authenticator/"


@pytest.fixture(autouse=True)
def second_factor_on(settings):
    settings.OLE_STAFF_2FA = True
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # django-otp's own back-off would refuse a right code just after a wrong one


def code_for(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    """What the authenticator app shows now (or a step later: a code that was used once never works again)."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():06d}"


def enrolled(username: str = "lindiwe", **fields) -> TOTPDevice:
    user = StaffFactory(username=username, **fields)
    device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    twofactor.new_recovery_codes(user)
    return device


def password_step(client, username: str = "lindiwe", password: str = PASSWORD, next_url: str = "/admin/"):
    return client.post(LOGIN, {"username": username, "password": password, "next": next_url})


def signed_in(client) -> bool:
    return client.get("/admin/").status_code == 200


def test_the_password_alone_does_not_sign_a_staff_user_in(client):
    enrolled()
    response = password_step(client)
    assert response.status_code == 302 and response["Location"] == CODE_STEP
    assert "_auth_user_id" not in client.session
    assert not signed_in(client)
    assert client.get(reverse("admin:stories_story_changelist")).status_code == 302


def test_the_code_from_the_app_completes_the_sign_in_and_keeps_where_the_editor_was_going(client):
    device = enrolled()
    password_step(client, next_url="/admin/stories/story/")
    page = client.get(CODE_STEP)
    assert page.status_code == 200 and 'autocomplete="one-time-code"' in page.content.decode()
    response = client.post(CODE_STEP, {"code": code_for(device)})
    assert response.status_code == 302 and response["Location"] == "/admin/stories/story/"
    assert signed_in(client)
    assert client.get(reverse("admin:stories_story_changelist")).status_code == 200


def test_a_wrong_code_is_refused_with_a_clear_error_and_signs_nobody_in(client):
    device = enrolled()
    password_step(client)
    wrong = f"{(int(code_for(device)) + 1) % 1_000_000:06d}"
    for typed in [wrong, "", "not a code"]:
        response = client.post(CODE_STEP, {"code": typed})
        assert response.status_code == 200
        assert "errornote" in response.content.decode()
    assert "That code is not right" in client.post(CODE_STEP, {"code": wrong}).content.decode()
    assert not signed_in(client)


def test_a_code_is_never_accepted_twice(client):
    device = enrolled()
    password_step(client)
    code = code_for(device)
    assert client.post(CODE_STEP, {"code": code}).status_code == 302
    client.post(reverse("admin:logout"))
    password_step(client)
    assert client.post(CODE_STEP, {"code": code}).status_code == 200
    assert not signed_in(client)


def test_a_recovery_code_signs_in_once_and_is_then_used_up(client):
    device = enrolled()
    recovery = StaticToken.objects.filter(device__user=device.user).first().token
    password_step(client)
    page = client.get(CODE_STEP + "?recovery=1").content.decode()
    assert "Recovery code" in page and 'inputmode="numeric"' not in page
    response = client.post(CODE_STEP + "?recovery=1", {"code": f" {recovery.upper()} "}, follow=True)
    assert response.redirect_chain[0] == ("/admin/", 302)
    assert "9 left" in response.content.decode()
    assert signed_in(client)
    assert not StaticToken.objects.filter(token=recovery).exists()

    client.post(reverse("admin:logout"))
    password_step(client)
    again = client.post(CODE_STEP + "?recovery=1", {"code": recovery})
    assert again.status_code == 200 and "used already" in again.content.decode()
    assert not signed_in(client)


def test_a_recovery_code_is_not_taken_for_an_app_code_nor_the_other_way_round(client):
    device = enrolled()
    recovery = StaticToken.objects.filter(device__user=device.user).first().token
    password_step(client)
    assert client.post(CODE_STEP, {"code": recovery}).status_code == 200
    assert client.post(CODE_STEP + "?recovery=1", {"code": code_for(device)}).status_code == 200
    assert not signed_in(client)


def test_first_sign_in_enrols_an_authenticator_and_shows_ten_recovery_codes_once(client):
    user = StaffFactory(username="thandi")
    response = password_step(client, "thandi")
    assert response.status_code == 302 and response["Location"] == ENROL
    assert client.get(CODE_STEP)["Location"] == ENROL  # no code step without an authenticator

    page = client.get(ENROL).content.decode()
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    secret = twofactor.readable_secret(device)
    assert secret in page and "otpauth://totp/" in page and "<svg" in page
    assert secret in client.get(ENROL).content.decode()  # a reload shows the secret the app already holds
    assert TOTPDevice.objects.filter(user=user).count() == 1

    wrong = client.post(ENROL, {"code": "000000" if code_for(device) != "000000" else "111111"})
    assert wrong.status_code == 200 and "That code is not right" in wrong.content.decode()
    assert not TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    assert not signed_in(client)

    shown = client.post(ENROL, {"code": code_for(device)})
    assert shown.status_code == 200
    assert shown["Cache-Control"].startswith("max-age=0") and "no-store" in shown["Cache-Control"]
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", shown.content.decode())
    assert len(codes) == 10
    assert set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True)) == set(codes)
    assert TOTPDevice.objects.get(user=user).confirmed
    assert signed_in(client)
    assert client.get(ENROL).status_code == 302  # never shown again

    client.post(reverse("admin:logout"))
    assert password_step(client, "thandi")["Location"] == CODE_STEP
    assert client.post(CODE_STEP, {"code": code_for(device, steps_ahead=1)}).status_code == 302
    assert signed_in(client)


def test_someone_with_the_password_cannot_enrol_a_second_authenticator(client):
    device = enrolled()
    password_step(client)
    assert client.get(ENROL)["Location"] == CODE_STEP
    assert client.post(ENROL, {"code": code_for(device)})["Location"] == CODE_STEP
    assert TOTPDevice.objects.filter(user=device.user).count() == 1
    assert not signed_in(client)


def test_the_code_steps_need_the_password_step_first(client):
    enrolled()
    for url in [CODE_STEP, ENROL]:
        response = client.post(url, {"code": "123456"})
        assert response.status_code == 302 and response["Location"] == LOGIN


def test_the_code_step_waits_five_minutes_after_the_password(client):
    device = enrolled()
    password_step(client)
    session = client.session
    session[twofactor.PENDING]["until"] = time.time() - 1
    session.save()
    response = client.post(CODE_STEP, {"code": code_for(device)})
    assert response.status_code == 302 and response["Location"] == LOGIN
    assert not signed_in(client)


def test_a_password_changed_between_the_steps_ends_the_sign_in(client):
    device = enrolled()
    password_step(client)
    device.user.set_password("another-long-password-77")
    device.user.save()
    assert client.post(CODE_STEP, {"code": code_for(device)})["Location"] == LOGIN
    assert not signed_in(client)


def test_wrong_codes_lock_the_username_like_wrong_passwords(client, settings):
    settings.OLE_LOGIN_FAILURES_PER_USER = 5
    device = enrolled()
    password_step(client)  # attempt 1
    for _ in range(4):  # attempts 2 to 5
        assert client.post(CODE_STEP, {"code": "999999x"}).status_code == 200
    locked = client.post(CODE_STEP, {"code": code_for(device)})
    assert locked.status_code == 429 and "Too many sign-in attempts" in locked.content.decode()
    assert not signed_in(client)
    # The password again does not forgive the wrong codes: the username stays locked.
    assert password_step(client).status_code == 429


def test_a_right_password_between_wrong_codes_does_not_reset_the_count(client, settings):
    settings.OLE_LOGIN_FAILURES_PER_USER = 5
    device = enrolled()
    for _ in range(2):
        assert password_step(client).status_code == 302
        assert client.post(CODE_STEP, {"code": "999999x"}).status_code == 200
    assert password_step(client).status_code == 302  # attempt 5
    assert client.post(CODE_STEP, {"code": code_for(device)}).status_code == 429


def test_wrong_codes_count_against_the_connection_too(client, settings):
    settings.OLE_LOGIN_FAILURES_PER_USER = 100
    settings.OLE_LOGIN_FAILURES_PER_CLIENT = 3
    enrolled()
    password_step(client)
    for _ in range(2):
        assert client.post(CODE_STEP, {"code": "999999x"}).status_code == 200
    assert client.post(CODE_STEP, {"code": "999999x"}).status_code == 429


def test_a_whole_sign_in_forgives_the_username_and_is_no_failure_of_the_connection(client, settings):
    settings.OLE_LOGIN_FAILURES_PER_USER = 3
    settings.OLE_LOGIN_FAILURES_PER_CLIENT = 3
    device = enrolled()
    password_step(client)
    assert client.post(CODE_STEP, {"code": "999999x"}).status_code == 200
    assert client.post(CODE_STEP, {"code": code_for(device)}).status_code == 302
    client.post(reverse("admin:logout"))
    # Only the wrong code still counts against the connection (the password and the right code were taken back)
    # and the username starts afresh: a second whole sign-in fits under the limit of 3.
    assert password_step(client).status_code == 302
    assert client.post(CODE_STEP, {"code": code_for(device, steps_ahead=1)}).status_code == 302
    assert signed_in(client)


def test_the_code_step_fails_closed_when_attempts_cannot_be_counted(client, monkeypatch):
    device = enrolled()
    password_step(client)

    def refused(key: str, *, window: int) -> int:
        raise OperationalError("attempt to write a readonly database")

    monkeypatch.setattr("ole.loginguard.increment", refused)
    response = client.post(CODE_STEP, {"code": code_for(device)})
    assert response.status_code == 503 and "Signing in is paused" in response.content.decode()
    assert not signed_in(client)


def test_the_admin_refuses_a_staff_session_not_verified_with_a_second_factor(client, editor, settings):
    client.force_login(editor)  # a session from before the setting was on, or whose authenticator was removed
    for url in ["/admin/", reverse("admin:stories_story_changelist"), reverse("admin:password_change")]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    assert client.get(LOGIN).status_code == 200
    assert "_auth_user_id" not in client.session  # the login page ended that session

    settings.OLE_STAFF_2FA = False
    client.force_login(editor)
    assert client.get(reverse("admin:stories_story_changelist")).status_code == 200


def test_a_removed_authenticator_ends_the_verified_session(client):
    device = enrolled()
    password_step(client)
    client.post(CODE_STEP, {"code": code_for(device)})
    assert signed_in(client)
    device.delete()
    assert not signed_in(client)


def test_with_the_setting_off_the_password_alone_signs_staff_in(client, settings):
    settings.OLE_STAFF_2FA = False
    StaffFactory(username="lindiwe")
    assert password_step(client)["Location"] == "/admin/"
    assert signed_in(client)


def test_people_who_are_not_staff_never_reach_the_code_step(client):
    UserFactory(username="reader")
    response = password_step(client, "reader")
    assert response.status_code == 200 and twofactor.PENDING not in client.session


def test_check_deploy_fails_while_the_second_factor_is_off(settings):
    assert "ole.E005" not in {m.id for m in run_checks(include_deployment_checks=True)}
    settings.OLE_STAFF_2FA = False
    assert "ole.E005" in {m.id for m in run_checks(include_deployment_checks=True)}


def test_the_local_demo_turns_the_second_factor_off_and_says_so():
    root = Path(__file__).resolve().parents[2]
    run_env = next(line for line in (root / "Makefile").read_text().splitlines() if line.startswith("RUN_ENV"))
    assert "OLE_STAFF_2FA=0" in run_env
    assert "OLE_STAFF_2FA" in (root / "README.md").read_text()


def test_pages_outside_the_admin_do_not_trust_an_unverified_staff_session(client, editor, settings):
    post = PostFactory(status=Post.Status.DRAFT)
    client.force_login(editor)
    response = client.get(post.get_preview_url())
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    published = PostFactory()
    comment = reverse("series:comment_create", kwargs={"slug": published.slug})
    client.post(comment, {"name": "Ed", "email": "ed@ole.example", "body": "Signed as the editors?"})
    written = Comment.objects.get(post=published)
    assert written.author is None and written.role == Comment.Role.READER

    settings.OLE_STAFF_2FA = False
    assert client.get(post.get_preview_url()).status_code == 200


def test_a_signed_in_editor_makes_new_recovery_codes_and_the_old_ones_stop_working(client):
    device = enrolled()
    old = set(StaticToken.objects.filter(device__user=device.user).values_list("token", flat=True))
    password_step(client)
    used = next(iter(old))
    after = client.post(CODE_STEP + "?recovery=1", {"code": used}, follow=True).content.decode()
    assert "/admin/sign-in/recovery-codes/" in after  # the warning offers new ones
    page = client.get("/admin/sign-in/recovery-codes/")
    assert page.status_code == 200 and "<strong>9</strong> left" in page.content.decode()
    shown = client.post("/admin/sign-in/recovery-codes/")
    new = set(re.findall(r"<li><code>([a-z2-7]{8})</code></li>", shown.content.decode()))
    assert len(new) == 10 and not new & old
    assert set(StaticToken.objects.filter(device__user=device.user).values_list("token", flat=True)) == new


def test_recovery_codes_are_made_only_in_a_verified_session(client, editor):
    client.force_login(editor)
    response = client.post("/admin/sign-in/recovery-codes/")
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    assert not StaticToken.objects.filter(device__user=editor).exists()
