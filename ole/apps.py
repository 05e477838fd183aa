from django.apps import AppConfig


class OleConfig(AppConfig):
    """Project-wide pieces both apps use: safety word lists and the outgoing-mail queue."""

    name = "ole"
    verbose_name = "Site-wide settings"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from . import checks  # noqa: F401 - registers the deployment checks

        user_logged_in.connect(expire_staff_sessions, dispatch_uid="ole.expire_staff_sessions")


STAFF_SESSION_SECONDS = 12 * 60 * 60


def expire_staff_sessions(sender, request, user, **kwargs) -> None:
    """Staff sessions last at most 12 hours (and end at logout); the admin holds people's stories."""
    if user.is_staff:
        request.session.set_expiry(STAFF_SESSION_SECONDS)
