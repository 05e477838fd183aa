"""Log filters that keep private links and email addresses out of logs, the request id on each line, and the
one-JSON-object-per-line format (LOG_FORMAT=json)."""

from __future__ import annotations

import contextvars
import datetime
import json
import logging
import re

# A writer's status link and a commenter's edit or unsubscribe link are keys: never write them to a log.
PRIVATE_PATH = re.compile(
    r"(/stories/status/|/comments/\d+/(?:edit|delete)/|/comments/(?:unsubscribe|erase)/)[^/\s\"']+"
)
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")

# The id of the request this thread (or task) is answering; set by ole.requestid.RequestIdMiddleware.
current_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)


def redact(text: str) -> str:
    return EMAIL.sub("[email]", PRIVATE_PATH.sub(r"\1[redacted]", text))


class RedactPrivateLinks(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            record.msg = redact(record.getMessage())
            record.args = ()
        else:
            record.msg = redact(str(record.msg))
        if record.exc_info and not record.exc_text:
            # The formatters use this text as it is: an exception's message may hold a path or an address too.
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        return True


class AddRequestId(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, message, request id, and the traceback if any."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.datetime.fromtimestamp(record.created, datetime.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False)
