"""Reports of unhandled errors for the site's administrators (ADMINS).

Django logs each unhandled error to `django.request`; `QueuedAdminEmailHandler` turns the record into a report as
Django's AdminEmailHandler does, but queues it in the outbox (ole.models.ErrorReport) instead of talking to the mail
server, so the request that failed never waits on SMTP, and a mail server that is down loses nothing.

A report keeps what helps to find the fault (the exception, the traceback's code lines, the view, the names of the
form fields, query parameters, cookies and local variables) and none of what a visitor sent or is: no values of
those, no request headers beyond a few plain ones, no settings, no user name, and the text is passed through the
logs' redaction (private links and email addresses) at the end, which also covers the path and exception messages.

This module is loaded by the logging configuration, before the apps: it imports models only when it needs them.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils.log import AdminEmailHandler
from django.views.debug import ExceptionReporter, SafeExceptionReporterFilter

from .logging import current_request_id, redact

logger = logging.getLogger("ole.errors")

# Request headers that describe the request, not the visitor (no address, agent, referrer or cookie).
KEPT_META = frozenset(
    {"REQUEST_METHOD", "SERVER_NAME", "SERVER_PORT", "SERVER_PROTOCOL", "CONTENT_TYPE", "CONTENT_LENGTH", "HTTP_HOST"}
)


class PrivateExceptionReporterFilter(SafeExceptionReporterFilter):
    """Names without values: every form field, cookie and local variable; of the settings, only the apps and the
    middleware (a database address can hold a password under a name that looks harmless)."""

    def is_active(self, request) -> bool:
        return True

    def _names(self, items) -> dict[str, str]:
        try:
            return dict.fromkeys(items, self.cleansed_substitute)
        except Exception:  # reading a body that failed to parse can fail again
            return {}

    def get_post_parameters(self, request) -> dict[str, str]:
        return {} if request is None else self._names(request.POST)

    def get_safe_cookies(self, request) -> dict[str, str]:
        return {} if request is None else self._names(request.COOKIES)

    def get_safe_request_meta(self, request) -> dict[str, str]:
        return {} if request is None else {key: value for key, value in request.META.items() if key in KEPT_META}

    def get_safe_settings(self) -> dict[str, object]:
        return {name: getattr(settings, name) for name in ("SETTINGS_MODULE", "INSTALLED_APPS", "MIDDLEWARE")}

    def get_traceback_frame_variables(self, request, tb_frame) -> list[tuple[str, str]]:
        return [(name, self.cleansed_substitute) for name in tb_frame.f_locals]


class PrivateExceptionReporter(ExceptionReporter):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.filter = PrivateExceptionReporterFilter()

    def get_traceback_data(self) -> dict:
        data = super().get_traceback_data()
        if self.request is not None:
            hidden = self.filter.cleansed_substitute
            data["request_GET_items"] = [(name, hidden) for name in self.request.GET]
            data["request_FILES_items"] = [(name, hidden) for name in self.request.FILES]
            data["request_insecure_uri"] = data["request_insecure_uri"].split("?", 1)[0]
            data["user_str"] = self._who()
        return data

    def _who(self) -> str:
        try:
            user = self.request.user
            return f"user #{user.pk}" if user.is_authenticated else "anonymous"
        except Exception:  # the database may be what failed
            return "unknown"

    def get_traceback_text(self) -> str:
        return redact(super().get_traceback_text())

    def get_traceback_html(self) -> str:
        return redact(super().get_traceback_html())


class QueuedAdminEmailHandler(AdminEmailHandler):
    """Django's report, filtered as above, queued for ADMINS in the outbox rather than sent from the request."""

    def __init__(self, include_html: bool = False, email_backend: str | None = None, reporter_class=None) -> None:
        super().__init__(include_html=False, reporter_class=reporter_class or f"{__name__}.PrivateExceptionReporter")

    def emit(self, record: logging.LogRecord) -> None:
        if not settings.ADMINS:
            return
        try:
            super().emit(record)
        except Exception as error:
            # The database may be what failed; a report that cannot be queued must not turn into a second error.
            logger.warning("Error report not queued (%s).", type(error).__name__)

    def send_mail(self, subject: str, message: str, *args, **kwargs) -> None:
        from .models import ErrorReport

        request_id = current_request_id.get()
        if request_id:
            message = f"Request ID: {request_id}\n\n{message}"
        ErrorReport.file(subject=redact(subject), body=redact(message))


def build_report_email(report_id: int) -> EmailMessage | None:
    from .models import ErrorReport

    report = ErrorReport.objects.filter(pk=report_id).first()
    if report is None or not settings.ADMINS:
        return None
    body = report.body
    if report.repeats:
        body = f"The same error happened {report.repeats} more time(s) within minutes of this one.\n\n{body}"
    return EmailMessage(
        subject=f"{settings.EMAIL_SUBJECT_PREFIX}{report.subject}",
        body=body,
        from_email=settings.SERVER_EMAIL,
        to=[address for _name, address in settings.ADMINS],
    )
