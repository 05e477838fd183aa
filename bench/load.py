"""The load: wrk runs, and a small HTTP client for the forms (story writers, a commenter)."""

from __future__ import annotations

import http.client
import re
import subprocess
import threading
import time
import urllib.parse
import uuid
from dataclasses import dataclass

from bench.report import Run

HOST = "127.0.0.1"


class BenchError(RuntimeError):
    pass


# wrk -------------------------------------------------------------------------------------------------------

UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def to_ms(text: str) -> float:
    """wrk's durations ("812.00us", "4.20ms", "1.05s", "2.00m") in milliseconds."""
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    if not match:
        raise ValueError(f"not a wrk duration: {text!r}")
    return float(match.group(1)) * UNITS_MS[match.group(2)]


def parse_wrk(output: str) -> Run:
    """Requests per second, p50 and p99 (--latency), and every failed request from wrk's output."""
    rate = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.M)
    p50 = re.search(r"^\s+50%\s+(\S+)", output, re.M)
    p99 = re.search(r"^\s+99%\s+(\S+)", output, re.M)
    if not (rate and p50 and p99):
        raise ValueError("wrk printed no results (was --latency given?):\n" + output)
    errors = 0
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    if non_2xx:
        errors += int(non_2xx.group(1))
    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    if socket:
        errors += sum(int(n) for n in socket.groups())
    return Run(float(rate.group(1)), to_ms(p50.group(1)), to_ms(p99.group(1)), errors)


def wrk(url: str, *, seconds: int, connections: int) -> Run:
    """One wrk run on 127.0.0.1, two threads, a request taking over 5 s counted as failed."""
    if urllib.parse.urlsplit(url).hostname != HOST:
        raise BenchError(f"the benchmark only loads {HOST}, not {url}")
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "5s", url]
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 30, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BenchError(f"wrk failed on {url}: {done.stderr.strip()}")
    return parse_wrk(done.stdout)


# A small HTTP client: one keep-alive connection, its cookies, its own address behind the trusted proxy ----------


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: str


class Browser:
    def __init__(self, port: int, address: str = "10.0.0.1") -> None:
        self.port = port
        self.address = address
        self.cookies: dict[str, str] = {}
        self.connection = http.client.HTTPConnection(HOST, port, timeout=30)

    def request(self, method: str, path: str, form: dict[str, str] | None = None) -> Response:
        headers = {"Host": HOST, "X-Forwarded-For": self.address}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            self.connection.request(method, path, body=body, headers=headers)
            raw = self.connection.getresponse()
            text = raw.read().decode("utf-8", "replace")
        except (OSError, http.client.HTTPException):
            # The connection is spent: the next request opens a new one. Nothing is retried.
            self.connection.close()
            self.connection = http.client.HTTPConnection(HOST, self.port, timeout=30)
            raise
        for name, value in raw.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
        return Response(raw.status, {name.lower(): value for name, value in raw.getheaders()}, text)

    def close(self) -> None:
        self.connection.close()


def fetch(port: int, path: str) -> Response:
    """One request from a new visitor with no cookies."""
    browser = Browser(port)
    try:
        return browser.request("GET", path)
    finally:
        browser.close()


INPUT = re.compile(r"<input\b[^>]*>", re.I)
ATTRIBUTE = re.compile(r'(\w[\w-]*)="([^"]*)"')


def hidden_fields(html: str) -> dict[str, str]:
    """name -> value for every input that has both (the CSRF token, the form's one-time key...)."""
    found = {}
    for tag in INPUT.findall(html):
        attributes = dict(ATTRIBUTE.findall(tag))
        if "name" in attributes and "value" in attributes:
            found[attributes["name"]] = attributes["value"]
    return found


# Timed requests -------------------------------------------------------------------------------------------------


@dataclass
class Timed:
    samples_ms: list[float]
    errors: int


def time_requests(port: int, paths: list[str], *, clients: int, per_client: int, seconds: float) -> Timed:
    """`clients` visitors at once, each on its own keep-alive connection, ask for `paths` in turn, `per_client`
    requests each or until `seconds` pass; the time of every answer, in milliseconds, as the client saw it."""
    samples: list[float] = []
    errors = 0
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def visitor(number: int) -> None:
        nonlocal errors
        browser = Browser(port, f"10.3.{number // 250}.{number % 250 + 1}")
        try:
            for n in range(per_client):
                if time.monotonic() > deadline:
                    break
                started = time.perf_counter()
                try:
                    status = browser.request("GET", paths[(number + n) % len(paths)]).status
                except (OSError, http.client.HTTPException):
                    status = 0
                took = (time.perf_counter() - started) * 1000
                with lock:
                    if status == 200:
                        samples.append(took)
                    else:
                        errors += 1
        finally:
            browser.close()

    threads = [threading.Thread(target=visitor, args=(n,), daemon=True) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 60)
    if any(thread.is_alive() for thread in threads):
        raise BenchError("a timed visitor did not stop within a minute of its time")
    return Timed(samples, errors)


# Story writers ------------------------------------------------------------------------------------------------

SHARE_FORM = "/stories/share/write/"
THANKS = "/stories/share/thanks/"
STORY_TEXT = "Some days were harder than others, and I wrote them down so that I would remember the good ones too. "


def story_form_data(title: str, fields: dict[str, str]) -> dict[str, str]:
    """A valid submission of the share form, over the hidden fields the form page gave (its 50-word minimum met)."""
    return {
        **fields,
        "title": title,
        "body": STORY_TEXT * 4,
        "credit": "pen_name",
        "credit_name": "Bench Writer",
        "email": "bench.writer@bench.invalid",
        "suggested_tags": "",
        "series": "",
        "consent_publish": "on",
        "consent_editing": "on",
        "consent_adult": "on",
        "website": "",
    }


@dataclass
class Sent:
    accepted: list[str]
    errors: dict[str, int]
    seconds: float


def submit_stories(port: int, *, prefix: str, clients: int, seconds: float) -> Sent:
    """`clients` writers, each on its own connection and address, send stories through the form for `seconds`."""
    accepted: list[str] = []
    errors: dict[str, int] = {}
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def error(kind: str) -> None:
        with lock:
            errors[kind] = errors.get(kind, 0) + 1

    def writer(number: int) -> None:
        browser = Browser(port, f"10.1.{number // 250}.{number % 250 + 1}")
        sent = 0
        try:
            while time.monotonic() < deadline:
                sent += 1
                title = f"{prefix} w{number} n{sent}"
                try:
                    form = browser.request("GET", SHARE_FORM)
                    if form.status != 200:
                        error(f"form {form.status}")
                        continue
                    answer = browser.request("POST", SHARE_FORM, story_form_data(title, hidden_fields(form.body)))
                except (OSError, http.client.HTTPException) as failure:
                    error(type(failure).__name__)
                    continue
                if answer.status == 302 and answer.headers.get("location", "").endswith(THANKS):
                    with lock:
                        accepted.append(title)
                else:
                    error(f"answer {answer.status}")
        finally:
            browser.close()

    started = time.monotonic()
    threads = [threading.Thread(target=writer, args=(n,), daemon=True) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 60)
    if any(thread.is_alive() for thread in threads):
        raise BenchError("a story writer did not stop within a minute of its time")
    return Sent(accepted, errors, time.monotonic() - started)


# A commenter ----------------------------------------------------------------------------------------------------


def comment_form_data(page_html: str, text: str, *, csrf_token: str) -> dict[str, str]:
    """A new reader's comment, over the hidden fields of the post page's form."""
    return {
        **hidden_fields(page_html),
        "name": "Bench Reader",
        "email": f"reader-{uuid.uuid4().hex[:8]}@bench.invalid",
        "website": "",
        "body": text,
        "nickname": "",
        "parent": "",
        "csrfmiddlewaretoken": csrf_token,
    }


def post_comment(port: int, slug: str, text: str) -> int:
    """A new reader sends a comment through the post page's form; returns the answer's status."""
    browser = Browser(port, "10.2.0.1")
    try:
        browser.request("GET", SHARE_FORM)  # a form page that always comes from the app: it sets the CSRF cookie
        page = fetch(port, f"/posts/{slug}/")
        form = comment_form_data(page.body, text, csrf_token=browser.cookies.get("csrftoken", ""))
        return browser.request("POST", f"/posts/{slug}/comments/", form).status
    finally:
        browser.close()
