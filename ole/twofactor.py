"""Staff sign in with a password, then a one-time code (django-otp): a code from an authenticator app (TOTP) or
a recovery code, each of which works once.

The password step does not sign a staff user in: it remembers who passed it in the session for a few minutes
(`start`), and only the code step signs them in, already verified (`finish`). So no half-signed-in staff
session exists for any page to trust; the admin still refuses one that is not verified (`ole.adminsite`).
A staff user without a confirmed authenticator is taken to enrol one at their first sign-in.
"""

from __future__ import annotations

import time
from base64 import b32encode

from django.conf import settings
from django.contrib import auth
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import user_passes_test
from django.db import transaction
from django.http import HttpRequest
from django_otp import login as otp_login
from django_otp import verify_token
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

PENDING = "ole_second_factor"
# How long the code step waits after the password step before the password must be given again.
PENDING_SECONDS = 5 * 60
RECOVERY_CODES = 10


def required(user) -> bool:
    """Staff (and superusers) need a second factor while OLE_STAFF_2FA is on."""
    return bool(settings.OLE_STAFF_2FA and user.is_authenticated and (user.is_staff or user.is_superuser))


def is_verified(user) -> bool:
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified and is_verified())


def is_trusted_staff(user) -> bool:
    """Staff whose session may act as staff: verified with a second factor while that is required. For pages
    outside the admin that trust staff (a draft's preview, a comment signed as the editors')."""
    return bool(
        user.is_authenticated and user.is_active and user.is_staff and (not required(user) or is_verified(user))
    )


def staff_required(view):
    """Like the admin's staff_member_required, and a staff session must be verified with a second factor."""
    return user_passes_test(is_trusted_staff, login_url="admin:login")(view)


def has_device(user) -> bool:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).exists()


def start(request: HttpRequest, user, *, next_url: str) -> None:
    """The password step passed: remember the user for the code step, without signing them in."""
    request.session.cycle_key()
    request.session[PENDING] = {
        "user": user.pk,
        "username": user.get_username(),
        "backend": user.backend,
        "auth_hash": user.get_session_auth_hash(),
        "next": next_url,
        "until": time.time() + PENDING_SECONDS,
    }


def pending_username(request: HttpRequest) -> str | None:
    """Who is between the password and the code step in this session, if anyone (for the sign-in lock)."""
    pending = request.session.get(PENDING)
    return pending["username"] if pending else None


def pending_user(request: HttpRequest):
    """The user who passed the password step in this session within the last few minutes, or None. A password
    changed since, or an account made inactive or no longer staff, ends the sign-in."""
    pending = request.session.get(PENDING)
    if not pending:
        return None
    user = get_user_model()._default_manager.filter(pk=pending["user"]).first()
    if (
        pending["until"] < time.time()
        or user is None
        or not required(user)
        or not user.is_active
        or user.get_session_auth_hash() != pending["auth_hash"]
    ):
        del request.session[PENDING]
        return None
    return user


def finish(request: HttpRequest, user, device: Device) -> str:
    """The code step passed: sign the user in, verified by `device`; returns where they were going."""
    pending = request.session.pop(PENDING)
    auth.login(request, user, backend=pending["backend"])
    otp_login(request, device)
    return pending["next"]


def enrolment_device(user) -> TOTPDevice:
    """The authenticator being set up: the same one on every visit until it is confirmed, so a reloaded page
    shows the secret the app already holds."""
    device = TOTPDevice.objects.devices_for_user(user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


def readable_secret(device: TOTPDevice) -> str:
    """The authenticator's secret as people type it into an app: base32, in groups of four."""
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def confirm_enrolment(device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm an authenticator with a code it made; returns the new recovery codes, or None if the code is
    wrong. Refused (None) once the user has a confirmed authenticator: enrolment is for the first sign-in."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        if has_device(device.user) or not device.verify_token(_digits(code)):
            return None
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=device.user, confirmed=False).delete()
        return new_recovery_codes(device.user)


def new_recovery_codes(user) -> list[str]:
    """Ten new single-use recovery codes, replacing any earlier ones."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def verify_code(user, code: str, *, recovery: bool) -> Device | None:
    """The confirmed device that accepts this code (a recovery code is then used up), or None."""
    model, code = (StaticDevice, _recovery(code)) if recovery else (TOTPDevice, _digits(code))
    for device in model.objects.devices_for_user(user, confirmed=True):
        if verified := verify_token(user, device.persistent_id, code):
            return verified
    return None


def _digits(code: str) -> str:
    return "".join(code.split())


def _recovery(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()
