"""The sample nginx configuration in deploy/, run for real in front of the test server.

Anonymous pages come from the proxy, as WordPress's cached pages do, for as long as the app's own
Cache-Control allows; personal pages and forms always reach the app; a change shows once that short time
has passed.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings as django_settings

from ole.health import WORKER
from ole.models import Heartbeat
from series.models import Post
from tests.factories import PostFactory

pytestmark = pytest.mark.django_db(transaction=True)

DEPLOY = Path(django_settings.BASE_DIR) / "deploy"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def proxy(live_server, tmp_path, settings):
    """nginx with deploy/ole-http.conf and deploy/ole-server.conf, pointed at the live server."""
    assert Path(NGINX).exists(), "nginx is needed for this test (make test installs it: apt-get install nginx-light)"
    settings.OLE_PUBLIC_MAX_AGE = 2
    upstream = urlsplit(live_server.url).netloc
    port = free_port()
    http_part = (DEPLOY / "ole-http.conf").read_text()
    http_part = http_part.replace("127.0.0.1:8000", upstream).replace("/var/cache/nginx/ole", str(tmp_path / "cache"))
    (tmp_path / "ole-http.conf").write_text(http_part)
    shutil.copy(DEPLOY / "ole-server.conf", tmp_path / "ole-server.conf")
    user = "user root;\n" if os.geteuid() == 0 else ""
    (tmp_path / "nginx.conf").write_text(
        f"""{user}daemon off;
pid {tmp_path}/nginx.pid;
error_log {tmp_path}/error.log warn;
events {{}}
http {{
    access_log off;
    client_body_temp_path {tmp_path}/body;
    proxy_temp_path {tmp_path}/proxy;
    include {tmp_path}/ole-http.conf;
    server {{
        listen 127.0.0.1:{port};
        include {tmp_path}/ole-server.conf;
    }}
}}
"""
    )
    process = subprocess.Popen(  # noqa: S603 - our own nginx, with our own config, on loopback
        [NGINX, "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"nginx did not start: {process.stderr.read().decode()}") from None
            time.sleep(0.05)
    yield base
    process.terminate()
    process.wait(timeout=10)


def fetch(url: str, *, cookie: str = "", method: str = "GET", data: bytes | None = None) -> tuple[int, dict, str]:
    request = urllib.request.Request(url, method=method, data=data)  # noqa: S310 - loopback only
    request.add_header("Host", "127.0.0.1")
    if cookie:
        request.add_header("Cookie", cookie)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


def test_anonymous_pages_come_from_the_proxy_and_changes_show_after_the_apps_lifetime(proxy):
    PostFactory(title="First light")
    status, headers, body = fetch(proxy + "/")
    assert status == 200 and headers["X-Cache-Status"] == "MISS"
    assert "First light" in body
    _, headers, _ = fetch(proxy + "/")
    assert headers["X-Cache-Status"] == "HIT"

    PostFactory(title="Second light", publish_at=None, status=Post.Status.DRAFT).publish_now()
    _, headers, body = fetch(proxy + "/")
    assert headers["X-Cache-Status"] == "HIT" and "Second light" not in body, "kept for the app's short lifetime"
    time.sleep(3.5)  # nginx counts whole seconds
    _, headers, body = fetch(proxy + "/")
    assert headers["X-Cache-Status"] in {"EXPIRED", "MISS", "REVALIDATED"}
    assert "Second light" in body


@pytest.mark.parametrize("cookies", ["sessionid=x", "csrftoken=abc; sessionid=x", "messages=x", "a=1;messages=x"])
def test_visitors_signed_in_or_with_a_message_always_reach_the_app(proxy, cookies):
    post = PostFactory()
    for path in ("/", post.get_absolute_url()):
        fetch(proxy + path)
        _, headers, _ = fetch(proxy + path, cookie=cookies)
        assert headers["X-Cache-Status"] == "BYPASS", path


@pytest.mark.parametrize("cookies", ["ole_comments=x", "csrftoken=abc; ole_likes=x"])
def test_a_browser_with_comments_or_likes_gets_post_pages_from_the_app_and_other_pages_from_the_proxy(proxy, cookies):
    post = PostFactory()
    fetch(proxy + post.get_absolute_url())
    _, headers, _ = fetch(proxy + post.get_absolute_url(), cookie=cookies)
    assert headers["X-Cache-Status"] == "BYPASS", "a post page shows this browser's own comments and likes"
    fetch(proxy + "/")
    _, headers, _ = fetch(proxy + "/", cookie=cookies)
    assert headers["X-Cache-Status"] == "HIT", "the home page shows neither"


@pytest.mark.parametrize("cookies", ["xsessionid=1", "csrftoken=abc; my_ole_likes=1", "note=sessionid"])
def test_cookies_that_only_look_like_personal_ones_do_not_bypass(proxy, cookies):
    post = PostFactory()
    for path in ("/", post.get_absolute_url()):
        fetch(proxy + path)
        _, headers, _ = fetch(proxy + path, cookie=cookies)
        assert headers["X-Cache-Status"] == "HIT", (path, cookies)


def test_a_csrf_cookie_alone_does_not_make_a_page_personal(proxy):
    post = PostFactory()
    for path in ("/", post.get_absolute_url()):
        fetch(proxy + path)
        _, headers, _ = fetch(proxy + path, cookie="csrftoken=abc")
        assert headers["X-Cache-Status"] == "HIT", path


def test_private_pages_and_forms_are_never_kept(proxy):
    for _ in range(2):
        status, headers, _ = fetch(proxy + "/stories/share/")
        assert status == 200
        assert headers.get("X-Cache-Status") != "HIT"
    post = PostFactory()
    like = f"{proxy}/likes/post/{post.pk}/"
    for _ in range(2):
        _, headers, _ = fetch(like, method="POST", data=b"")
        assert headers.get("X-Cache-Status") != "HIT"


def test_health_checks_always_reach_the_app_with_the_proxys_request_id(proxy):
    Heartbeat.beat(WORKER)
    status, headers, body = fetch(proxy + "/healthz")
    assert (status, json.loads(body)) == (200, {"status": "ok"})
    assert re.fullmatch(r"[0-9a-f]{32}", headers["X-Request-ID"])
    assert fetch(proxy + "/readyz")[0] == 200
    Heartbeat.objects.all().delete()
    status, headers, body = fetch(proxy + "/readyz")
    assert (status, json.loads(body)["failed"]) == (503, ["worker"])
    assert "X-Cache-Status" not in headers  # the proxy cache is not even asked


def test_the_proxy_sets_the_request_id_whatever_the_client_sent(proxy):
    request = urllib.request.Request(proxy + "/healthz", headers={"X-Request-ID": "chosen-by-the-client"})  # noqa: S310
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback only
        assert re.fullmatch(r"[0-9a-f]{32}", response.headers["X-Request-ID"])


def test_a_page_kept_by_the_proxy_carries_this_requests_id(proxy):
    PostFactory()
    first, second = fetch(proxy + "/")[1], fetch(proxy + "/")[1]
    assert second["X-Cache-Status"] == "HIT"
    assert re.fullmatch(r"[0-9a-f]{32}", second["X-Request-ID"])
    assert first["X-Request-ID"] != second["X-Request-ID"]
