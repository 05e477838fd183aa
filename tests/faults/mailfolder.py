"""An email backend for tests that run the worker as a separate process: each message becomes one file.

A message is written aside and then renamed, so it is delivered whole or not at all, as a mail server accepts
it only at the end. The message addressed to OLE_TEST_MAIL_STALL hangs, like a server that stops answering in
the middle of a message, so a test can kill the worker at a known point.
"""

import os
import time
import uuid
from pathlib import Path

from django.core.mail.backends.base import BaseEmailBackend


class FolderBackend(BaseEmailBackend):
    def send_messages(self, messages) -> int:
        folder = Path(os.environ["OLE_TEST_MAIL_DIR"])
        for message in messages:
            if message.to == [os.environ.get("OLE_TEST_MAIL_STALL")]:
                (folder / "stalled").touch()
                time.sleep(600)
            name = uuid.uuid4().hex
            aside = folder / f".{name}.part"
            aside.write_bytes(message.message().as_bytes())
            os.replace(aside, folder / f"{name}.eml")
        return len(messages)
