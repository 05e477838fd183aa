"""Pingbacks and webmentions, with real clients and a small HTTP server on 127.0.0.1 started by the tests."""

import http.server
import threading
import xmlrpc.client

import pytest
from django.urls import reverse

from ole import safefetch
from series import mentions
from series.models import Comment
from tests.factories import PostFactory

pytestmark = pytest.mark.django_db


class Site:
    """A tiny web server with pages the tests set, recording what is posted to it."""

    def __init__(self):
        self.pages: dict[str, tuple[int, dict[str, str], bytes]] = {}
        self.received: list[tuple[str, dict[str, str], bytes]] = []
        site = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                status, headers, body = site.pages.get(self.path, (404, {}, b"not here"))
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                site.received.append((self.path, dict(self.headers), self.rfile.read(length)))
                self.send_response(202)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def page(self, path: str, html: str, status: int = 200, **headers: str) -> str:
        self.pages[path] = (status, {"Content-Type": "text/html; charset=utf-8", **headers}, html.encode())
        return self.url + path

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def site(settings):
    settings.OLE_SAFEFETCH_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    settings.OLE_SITE_URL = "http://testserver"
    server = Site()
    yield server
    server.close()


@pytest.fixture
def post():
    return PostFactory(title="Withdrawal, gently")


def target_of(post) -> str:
    return "http://testserver" + post.get_absolute_url()


def pingback(client, *params, method="pingback.ping"):
    body = xmlrpc.client.dumps(tuple(params), methodname=method)
    response = client.post(reverse("series:pingback"), body, content_type="text/xml")
    return xmlrpc.client.loads(response.content)[0][0]


class TestPingbackEndpoint:
    def test_success_records_an_unverified_pingback(self, client, post):
        assert "appear once verified" in pingback(client, "https://blog.example/a", target_of(post))
        mention = Comment.objects.get()
        assert (mention.kind, mention.status) == ("pingback", "unverified")
        assert "blog.example" not in client.get(post.get_absolute_url()).content.decode()

    @pytest.mark.parametrize(
        "source, target, code",
        [
            ("ftp://blog.example/a", "TARGET", mentions.SOURCE_MISSING),
            ("TARGET", "TARGET", mentions.NO_LINK),
            ("https://blog.example/a", "http://testserver/posts/no-such-post/", mentions.TARGET_MISSING),
            ("https://blog.example/a", "http://testserver/no/such/page/", mentions.TARGET_MISSING),
            ("https://blog.example/a", "https://elsewhere.example/posts/x/", mentions.TARGET_CLOSED),
            ("https://blog.example/a", "http://testserver/series/", mentions.TARGET_CLOSED),
        ],
    )
    def test_faults(self, client, post, source, target, code):
        source, target = (value.replace("TARGET", target_of(post)) for value in (source, target))
        with pytest.raises(xmlrpc.client.Fault) as fault:
            pingback(client, source, target)
        assert fault.value.faultCode == code

    def test_a_closed_post_takes_no_pingbacks(self, client, post):
        post.comments_open = False
        post.save()
        with pytest.raises(xmlrpc.client.Fault) as fault:
            pingback(client, "https://blog.example/a", target_of(post))
        assert fault.value.faultCode == mentions.TARGET_CLOSED

    def test_already_registered(self, client, post, site):
        source = site.page("/a", f'<a href="{target_of(post)}">x</a>')
        pingback(client, source, target_of(post))
        mentions.verify_due()
        with pytest.raises(xmlrpc.client.Fault) as fault:
            pingback(client, source, target_of(post))
        assert fault.value.faultCode == mentions.ALREADY_REGISTERED

    def test_floods_are_denied(self, client, post, settings):
        settings.OLE_MENTIONS_PER_SOURCE_PER_HOUR = 2
        for n in range(2):
            pingback(client, f"https://blog.example/{n}", target_of(post))
        with pytest.raises(xmlrpc.client.Fault) as fault:
            pingback(client, "https://blog.example/3", target_of(post))
        assert fault.value.faultCode == mentions.ACCESS_DENIED

    @pytest.mark.parametrize(
        "body, code",
        [
            (b"<not xml", -32700),
            (b"<?xml version='1.0'?><methodCall><methodName>x</methodName></methodCall>", -32601),
            (xmlrpc.client.dumps((1, 2), methodname="pingback.ping").encode(), -32602),
            (xmlrpc.client.dumps(("only one",), methodname="pingback.ping").encode(), -32602),
            (xmlrpc.client.dumps(xmlrpc.client.Fault(1, "x"), methodresponse=True).encode(), -32700),
            (
                b"<?xml version='1.0'?><methodCall><methodName>pingback.ping</methodName><params><param><value>"
                b"<struct><member><value><string>a</string></value></member></struct></value></param></params>"
                b"</methodCall>",
                -32700,
            ),
            (b"<?xml version='1.0'?>" + b"<methodCall>" + b"x" * 70_000 + b"</methodCall>", -32700),
            (
                b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
                b"<methodCall><methodName>&b;</methodName></methodCall>",
                -32700,  # entities are refused outright (defusedxml)
            ),
        ],
    )
    def test_malformed_calls_get_a_fault_never_a_500(self, client, body, code):
        response = client.post(reverse("series:pingback"), body, content_type="text/xml")
        assert response.status_code == 200
        with pytest.raises(xmlrpc.client.Fault) as fault:
            xmlrpc.client.loads(response.content)
        assert fault.value.faultCode == code

    def test_only_post(self, client):
        assert client.get(reverse("series:pingback")).status_code == 405

    def test_the_endpoints_are_advertised(self, client, post):
        response = client.get(post.get_absolute_url())
        assert response["X-Pingback"] == "http://testserver/pingback/"
        assert response["Link"] == '<http://testserver/webmention/>; rel="webmention"'
        html = response.content.decode()
        assert '<link rel="pingback" href="http://testserver/pingback/">' in html
        assert '<link rel="webmention" href="http://testserver/webmention/">' in html


class TestPingbackWithARealClient:
    def test_xmlrpc_client_against_the_live_server(self, live_server, transactional_db, settings):
        settings.OLE_SITE_URL = live_server.url
        post = PostFactory()
        proxy = xmlrpc.client.ServerProxy(live_server.url + "/pingback/")
        assert "verified" in proxy.pingback.ping("https://blog.example/a", live_server.url + post.get_absolute_url())
        with pytest.raises(xmlrpc.client.Fault) as fault:
            proxy.pingback.ping("https://blog.example/b", live_server.url + "/posts/missing/")
        assert fault.value.faultCode == mentions.TARGET_MISSING
        with pytest.raises(xmlrpc.client.Fault) as fault:
            proxy.system.listMethods()
        assert fault.value.faultCode == -32601


class TestWebmentionEndpoint:
    def send(self, client, **data):
        return client.post(reverse("series:webmention"), data)

    def test_accepted(self, client, post):
        response = self.send(client, source="https://blog.example/a", target=target_of(post))
        assert response.status_code == 202
        assert Comment.objects.get().kind == "webmention"

    @pytest.mark.parametrize(
        "data",
        [
            {"source": "https://blog.example/a"},
            {"target": "TARGET"},
            {"source": "TARGET", "target": "TARGET"},
            {"source": "javascript:alert(1)", "target": "TARGET"},
            {"source": "https://blog.example/a", "target": "https://other.example/x"},
            {"source": "https://blog.example/a", "target": "mailto:x@y.org"},
            {"source": "https://blog.example/" + "a" * 3000, "target": "TARGET"},
            {"source": "http://[bad", "target": "TARGET"},
            {"source": "https://blog.example/a", "target": "http://[bad"},
        ],
    )
    def test_invalid_is_400(self, client, post, data):
        data = {key: value.replace("TARGET", target_of(post)) for key, value in data.items()}
        assert self.send(client, **data).status_code == 400
        assert not Comment.objects.exists()

    def test_sending_again_queues_a_recheck_not_a_duplicate(self, client, post):
        self.send(client, source="https://blog.example/a", target=target_of(post))
        self.send(client, source="https://blog.example/a", target=target_of(post))
        assert Comment.objects.count() == 1


class TestVerification:
    def test_a_page_that_links_here_is_shown_with_its_title(self, client, post, site):
        source = site.page("/post", f'<title>On getting through</title><p><a href="{target_of(post)}">this</a></p>')
        client.post(reverse("series:webmention"), {"source": source, "target": target_of(post)})
        assert mentions.verify_due() == 1
        mention = Comment.objects.get()
        # Like a first comment, the first mention from a site waits for an editor.
        assert (mention.status, mention.name) == ("pending", "On getting through | 127.0.0.1")
        assert "First mention from this site" in mention.held_reason
        mention.approve()
        html = client.get(post.get_absolute_url()).content.decode()
        assert "Pingback: " in html and "On getting through | 127.0.0.1" in html
        second = site.page("/later", f'<title>Later</title><a href="{target_of(post)}">x</a>')
        client.post(reverse("series:webmention"), {"source": second, "target": target_of(post)})
        mentions.verify_due()
        assert Comment.objects.get(source_url=second).status == "approved"

    def test_a_title_changed_after_approval_is_judged_again(self, client, post, site):
        source = site.page("/p", f'<title>Kind words</title><a href="{target_of(post)}">x</a>')
        client.post(reverse("series:webmention"), {"source": source, "target": target_of(post)})
        mentions.verify_due()
        Comment.objects.get().approve()
        site.page("/p", f'<title>Call 082 123 4567, dm me</title><a href="{target_of(post)}">x</a>')
        client.post(reverse("series:webmention"), {"source": source, "target": target_of(post)})
        mentions.verify_due()
        assert Comment.objects.get().status == "pending"

    def test_titles_are_escaped(self, client, post, site):
        source = site.page(
            "/x", f'<title>&lt;script&gt;alert(1)&lt;/script&gt;</title><a href="{target_of(post)}">x</a>'
        )
        client.post(reverse("series:webmention"), {"source": source, "target": target_of(post)})
        mentions.verify_due()
        Comment.objects.get().approve()
        html = client.get(post.get_absolute_url()).content.decode()
        assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html

    @pytest.mark.parametrize(
        "hostile",
        ['<a href="http://[oops">x</a>', "REDIRECT"],
    )
    def test_hostile_pages_never_stop_the_worker(self, client, post, site, hostile):
        if hostile == "REDIRECT":
            site.pages["/bad"] = (302, {"Location": "http://x:70000/"}, b"")
            source = site.url + "/bad"
        else:
            source = site.page("/bad", hostile)
        good = site.page("/good", f'<a href="{target_of(post)}">x</a>')
        for url in (source, good):
            client.post(reverse("series:webmention"), {"source": url, "target": target_of(post)})
        from django.core.management import call_command

        call_command("run_worker", verbosity=0)
        assert list(Comment.objects.values_list("source_url", flat=True)) == [good]

    def test_a_page_that_does_not_link_here_is_dropped(self, client, post, site):
        source = site.page("/other", "<p>No link at all.</p>")
        client.post(reverse("series:webmention"), {"source": source, "target": target_of(post)})
        mentions.verify_due()
        assert not Comment.objects.exists()

    def test_a_deleted_source_removes_the_mention_on_recheck(self, client, post, site):
        source = site.page("/gone", f'<a href="{target_of(post)}">x</a>')
        client.post(reverse("series:webmention"), {"source": source, "target": target_of(post)})
        mentions.verify_due()
        Comment.objects.get().approve()
        site.pages["/gone"] = (410, {}, b"gone")
        client.post(reverse("series:webmention"), {"source": source, "target": target_of(post)})
        mentions.verify_due()
        assert not Comment.objects.exists()
        post.refresh_from_db()
        assert post.comment_count == 0

    def test_mentions_go_through_the_spam_rules(self, client, post, site):
        source = site.page("/spam", f'<title>Casino bonus today</title><a href="{target_of(post)}">x</a>')
        client.post(reverse("series:webmention"), {"source": source, "target": target_of(post)})
        mentions.verify_due()
        assert not Comment.objects.exists()


class TestSafeFetch:
    @pytest.mark.parametrize(
        "url",
        [
            "http://127.0.0.1:9/",
            "http://localhost/",
            "http://10.0.0.1/",
            "http://192.168.1.1/",
            "http://169.254.169.254/latest/meta-data/",
            "http://[::1]/",
            "http://0.0.0.0/",
            "file:///etc/passwd",
            "gopher://example.org/",
        ],
    )
    def test_private_and_odd_addresses_are_refused(self, url, settings):
        settings.OLE_SAFEFETCH_ALLOWED_NETWORKS = []
        with pytest.raises(safefetch.UnsafeURL):
            safefetch.request(url)

    def test_the_local_test_server_itself_is_refused_without_the_test_allowance(self, site, settings):
        url = site.page("/x", "hello")
        assert safefetch.request(url).status == 200
        settings.OLE_SAFEFETCH_ALLOWED_NETWORKS = []
        with pytest.raises(safefetch.UnsafeURL):
            safefetch.request(url)

    def test_redirects_are_followed_a_few_times_only(self, site):
        for n in range(5):
            site.pages[f"/r{n}"] = (302, {"Location": f"/r{n + 1}"}, b"")
        site.page("/r5", "end")
        with pytest.raises(safefetch.FetchFailed):
            safefetch.request(site.url + "/r0")
        assert safefetch.request(site.url + "/r3").text == "end"

    def test_a_redirect_to_a_private_address_is_refused(self, site, settings):
        site.pages["/jump"] = (302, {"Location": "http://10.0.0.1/admin"}, b"")
        with pytest.raises(safefetch.UnsafeURL):
            safefetch.request(site.url + "/jump")

    def test_only_web_ports_on_the_public_internet(self, settings):
        settings.OLE_SAFEFETCH_ALLOWED_NETWORKS = []
        with pytest.raises(safefetch.UnsafeURL):
            safefetch.request("http://93.184.215.14:22/")
        with pytest.raises(safefetch.UnsafeURL):
            safefetch.request("http://example.com:99999/")

    @pytest.mark.parametrize("address", ["::ffff:10.0.0.1", "2002:7f00:1::1", "64:ff9b::a9fe:a9fe"])
    def test_ipv4_hidden_in_ipv6_is_judged_as_ipv4(self, address):
        import ipaddress

        assert not safefetch._public(ipaddress.ip_address(address))

    def test_a_slow_trickle_hits_the_overall_timeout(self, site):
        import socket
        import time

        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        port = listener.getsockname()[1]

        def trickle():
            conn, _ = listener.accept()
            conn.recv(1024)
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n")
            for _ in range(20):
                try:
                    conn.sendall(b"x")
                except OSError:
                    break
                time.sleep(0.3)
            conn.close()

        threading.Thread(target=trickle, daemon=True).start()
        started = time.monotonic()
        with pytest.raises(safefetch.FetchFailed):
            safefetch.request(f"http://127.0.0.1:{port}/", timeout=1.0)
        assert time.monotonic() - started < 2.5
        listener.close()

    def test_size_is_capped(self, site):
        site.page("/big", "x" * 2_000_000)
        with pytest.raises(safefetch.UnsafeURL):
            safefetch.request(site.url + "/big")


class TestSending:
    def test_webmention_and_pingback_endpoints_are_discovered_and_notified(self, site, settings):
        webmention_page = site.page("/wm", "<p>hi</p>", Link=f'<{site.url}/wm-endpoint>; rel="webmention"')
        pingback_page = site.page("/pb", "<p>hi</p>", **{"X-Pingback": f"{site.url}/xmlrpc"})
        quiet_page = site.page("/quiet", "<p>no endpoints</p>")
        post = PostFactory(body=f"[one]({webmention_page}) [two]({pingback_page}) [three]({quiet_page})")
        results = mentions.notify_links(post)
        assert results == {webmention_page: "webmention 202", pingback_page: "pingback 202", quiet_page: "no endpoint"}
        paths = {path: body for path, _headers, body in site.received}
        assert b"source=http%3A%2F%2Ftestserver%2Fposts%2F" in paths["/wm-endpoint"]
        params, method = xmlrpc.client.loads(paths["/xmlrpc"])
        assert method == "pingback.ping" and params == ("http://testserver" + post.get_absolute_url(), pingback_page)

    def test_links_between_ole_posts_become_pingbacks_at_once(self, settings):
        settings.OLE_SITE_URL = "http://testserver"
        older = PostFactory(title="Part one")
        newer = PostFactory(title="Part two", body=f"As I wrote in [part one]({older.get_absolute_url()}).")
        assert mentions.link_internal(newer) == 1
        mention = older.comments.get()
        assert (mention.kind, mention.status) == ("pingback", "approved")
        assert mention.name.startswith("Part two |")
        assert mentions.link_internal(newer) == 0  # no duplicates

    def test_the_worker_announces_each_published_post_once(self, site, settings):
        from django.core.management import call_command

        settings.OLE_SITE_URL = "http://testserver"
        target = site.page("/wm", "<p>hi</p>", Link=f'<{site.url}/wm-endpoint>; rel="webmention"')
        PostFactory(body=f"[a link]({target})")
        PostFactory(draft=True, body=f"[a link]({target})")
        call_command("run_worker", verbosity=0)
        call_command("run_worker", verbosity=0)
        assert [path for path, _h, _b in site.received] == ["/wm-endpoint"]
