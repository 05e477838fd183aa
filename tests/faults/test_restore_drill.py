"""The restore drill: a backup taken while eight writers send stories through the site, restored into a fresh
folder and served again, holds every story whose sending was answered before the backup began (each found by
its writer's private link). Real processes: gunicorn, `manage.py backup`, `manage.py restore`."""

from __future__ import annotations

import re
import threading
import time

import requests

from tests.stories.test_submission import form_data

from .sites import Server

WRITERS = 8
TIMEOUT = 20
# Every writer sends from 127.0.0.1: the per-address limit would stop them, not the backup.
SERVE = {"OLE_STORY_SUBMISSIONS_PER_HOUR": "1000000"}


def field(page: requests.Response, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]*)"', page.text).group(1)


class Writer(threading.Thread):
    """Sends stories one after another until told to stop; notes when each was answered and its private link."""

    def __init__(self, number: int, url: str, stop: threading.Event):
        super().__init__(daemon=True)
        self.number, self.url, self.stop_sending = number, url, stop
        self.answered: list[tuple[float, str, str]] = []  # (when answered, title, private link's path)
        self.errors: list[str] = []

    def run(self) -> None:
        browser = requests.Session()
        sent = 0
        while not self.stop_sending.is_set():
            try:
                form = browser.get(f"{self.url}/stories/share/write/", timeout=TIMEOUT)
                title = f"Drill writer {self.number} story {sent}"
                fields = form_data(title=title, email=f"drill{self.number}@example.org")
                fields.update(
                    csrfmiddlewaretoken=field(form, "csrfmiddlewaretoken"),
                    submission_key=field(form, "submission_key"),
                    consent_version=field(form, "consent_version"),
                )
                page = browser.post(
                    f"{self.url}/stories/share/write/", data=fields, allow_redirects=False, timeout=TIMEOUT
                )
                answered = time.monotonic()
                sent += 1
                if page.status_code != 302:
                    self.errors.append(f"{page.status_code}: {page.text[:300]}")
                    continue
                thanks = browser.get(f"{self.url}/stories/share/thanks/", timeout=TIMEOUT)
                link = re.search(r"https?://[^/\"]+(/stories/status/[^/\"]+/)", thanks.text).group(1)
                self.answered.append((answered, title, link))
            except (requests.RequestException, AttributeError) as error:
                self.errors.append(repr(error))


def test_a_backup_taken_while_writers_send_stories_holds_every_story_answered_before_it_began(sites, tmp_path):
    live = sites.new("live")
    server = Server(live, **SERVE)
    stop = threading.Event()
    writers = [Writer(number, server.url, stop) for number in range(WRITERS)]
    try:
        for writer in writers:
            writer.start()
        deadline = time.monotonic() + 30
        while sum(len(w.answered) for w in writers) < 2 * WRITERS and time.monotonic() < deadline:
            time.sleep(0.1)
        began = time.monotonic()
        live.manage("backup", str(tmp_path / "backups"))
        during = sum(1 for w in writers for when, _t, _l in w.answered if when > began)
        time.sleep(0.5)
    finally:
        stop.set()
        for writer in writers:
            writer.join(timeout=TIMEOUT + 5)
        server.stop()
    assert not [error for writer in writers for error in writer.errors], writers[0].errors[:3]
    before = [(title, link) for w in writers for when, title, link in w.answered if when < began]
    assert len(before) >= 2 * WRITERS
    assert during > 0, "the writers were idle while the backup ran: the drill proves nothing"

    (backup,) = (tmp_path / "backups").iterdir()
    fresh = sites.new("fresh", migrated=False)
    fresh.manage("restore", str(backup))
    restored = Server(fresh, workers=1)
    try:
        missing = []
        for title, link in before:
            page = requests.get(f"{restored.url}{link}", timeout=TIMEOUT)
            if page.status_code != 200 or title not in page.text:
                missing.append((title, page.status_code))
        assert missing == []
    finally:
        restored.stop()
