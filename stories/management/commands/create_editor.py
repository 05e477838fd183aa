"""`manage.py create_editor USERNAME EMAIL`: a staff account in the Editors group, and a link to set its password."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from ole.mail import EDITORS_GROUP


class Command(BaseCommand):
    help = (
        "Make a staff account in the Editors group and print a one-time link (valid 24 hours) where its owner "
        "sets a password; with OLE_STAFF_2FA on they then set up their sign-in codes."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")
        parser.add_argument("email")

    def handle(self, *args, username: str, email: str, **options) -> None:
        User = get_user_model()
        username, email = username.strip(), email.strip()
        try:
            User.username_validator(username)
            validate_email(email)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        if User._default_manager.filter(username__iexact=username).exists():
            raise CommandError(f"There is already an account named {username!r}.")
        group = Group.objects.filter(name=EDITORS_GROUP).first()
        if group is None:
            raise CommandError(f"The {EDITORS_GROUP!r} group is missing: run `manage.py migrate` first.")
        with transaction.atomic():
            user = User._default_manager.create_user(username=username, email=email, is_staff=True)
            user.set_unusable_password()
            user.save(update_fields=["password"])
            user.groups.add(group)
        self.stdout.write(f"Made the editor {username!r}. Send them this link to set their password ")
        self.stdout.write(f"(it works once, for {settings.PASSWORD_RESET_TIMEOUT // 3600} hours):")
        self.stdout.write(set_password_link(user))


def set_password_link(user) -> str:
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    path = reverse("admin:set_password", kwargs={"uidb64": uidb64, "token": default_token_generator.make_token(user)})
    return settings.OLE_SITE_URL.rstrip("/") + path
