import datetime

from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils import timezone


class OleConfig(AppConfig):
    """Project-wide pieces both apps use: safety word lists and the outgoing-mail queue."""

    default = True
    name = "ole"
    verbose_name = "Site-wide settings"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in
        from django.db.models.signals import post_delete, post_migrate, post_save

        from . import checks  # noqa: F401 - registers the deployment checks
        from .errors import build_report_email
        from .loginguard import clear_failures
        from .models import ERROR_REPORT_EMAIL, ErrorReport, SafetyTerm
        from .outbox import register, register_job

        register(ERROR_REPORT_EMAIL)(build_report_email)
        register_job("old error reports deleted", ErrorReport.delete_old)

        user_logged_in.connect(expire_staff_sessions, dispatch_uid="ole.expire_staff_sessions")
        user_logged_in.connect(clear_failures, dispatch_uid="ole.clear_login_failures")
        post_migrate.connect(create_cache_table, sender=self, dispatch_uid="ole.create_cache_table")
        post_migrate.connect(migrate_ledger, sender=self, dispatch_uid="ole.migrate_ledger")
        post_save.connect(safety_terms_changed, sender=SafetyTerm, dispatch_uid="ole.safety_term_saved")
        post_delete.connect(safety_terms_changed, sender=SafetyTerm, dispatch_uid="ole.safety_term_deleted")


class OleAdminConfig(admin_apps.AdminConfig):
    """Django's admin with OLE's site: staff sign in with a second factor (ole.adminsite)."""

    default = False
    default_site = "ole.adminsite.OleAdminSite"


STAFF_SESSION_SECONDS = 12 * 60 * 60


def expire_staff_sessions(sender, request, user, **kwargs) -> None:
    """Staff sessions end 12 hours after sign-in however active they are (and at logout): the admin holds
    people's stories. A date, unlike a number of seconds, is stored in the session as it is, so later
    activity does not push it back."""
    if user.is_staff:
        request.session.set_expiry(timezone.now() + datetime.timedelta(seconds=STAFF_SESSION_SECONDS))


def safety_terms_changed(sender, **kwargs) -> None:
    sender.lists_changed()


def create_cache_table(sender, **kwargs) -> None:
    """`migrate` also makes the database cache's table, wherever the cache lives (a no-op for Redis)."""
    from django.core.cache import caches
    from django.core.cache.backends.db import DatabaseCache
    from django.core.management import call_command
    from django.db import router

    cache = caches["default"]
    if isinstance(cache, DatabaseCache):
        call_command("createcachetable", database=router.db_for_write(cache.cache_model_class), verbosity=0)


def migrate_ledger(sender, using: str, **kwargs) -> None:
    """`migrate` also brings the erasure ledger's own database up to date (ole.dbrouters.LedgerRouter)."""
    from django.core.management import call_command

    from .dbrouters import LEDGER

    if using != LEDGER:
        call_command("migrate", database=LEDGER, verbosity=0, interactive=False)
