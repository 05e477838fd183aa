"""Log filters that keep private links out of logs."""

from __future__ import annotations

import logging
import re

# A writer's status link and a commenter's edit or unsubscribe link are keys: never write them to a log.
PRIVATE_PATH = re.compile(
    r"(/stories/status/|/comments/\d+/(?:edit|delete)/|/comments/(?:unsubscribe|erase)/)[^/\s\"']+"
)


def redact(text: str) -> str:
    return PRIVATE_PATH.sub(r"\1[redacted]", text)


class RedactPrivateLinks(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            record.msg = redact(record.getMessage())
            record.args = ()
        else:
            record.msg = redact(str(record.msg))
        return True
