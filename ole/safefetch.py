"""Fetching other people's pages safely (for pingbacks and webmentions).

Only http and https; the host is resolved here and every address must be public (no loopback, private,
link-local, multicast or reserved address), and the connection goes to that checked address, so a DNS answer
cannot change between the check and the request. Redirects are followed by hand, a few at most, each checked
the same way. A short timeout and a size cap bound every request.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from django.conf import settings

USER_AGENT = "OLE mention checker (+https://ourlivedexperience.example/)"


class UnsafeURL(Exception):
    """The URL may not be fetched (scheme, address or size)."""


class FetchFailed(Exception):
    """The fetch did not complete (network error, timeout, too many redirects)."""


@dataclass(frozen=True)
class Fetched:
    url: str
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


def _extra_networks() -> list:
    return [ipaddress.ip_network(net) for net in getattr(settings, "OLE_SAFEFETCH_ALLOWED_NETWORKS", [])]


def _public(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if not ip.is_global or ip.is_multicast or ip.is_reserved or ip.is_link_local or ip.is_loopback:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        # An IPv4 address carried inside IPv6 (mapped, 6to4, Teredo) must itself be public.
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is not None:
            return _public(embedded)
    return True


def _allowed(address: str, port: int) -> bool:
    ip = ipaddress.ip_address(address)
    if any(ip in net for net in _extra_networks()):
        return True
    # Only the web's own ports: the checker must not become a port scanner.
    return port in (80, 443) and _public(ip)


def resolve(url: str) -> tuple[str, str, int, str]:
    """Check a URL and resolve its host: (scheme, host, port, address) or UnsafeURL."""
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as error:
        raise UnsafeURL("That address is not well formed.") from error
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UnsafeURL("Only http and https addresses can be fetched.")
    try:
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise FetchFailed("The host name does not resolve.") from error
    addresses = {info[4][0] for info in infos}
    if not addresses or not all(_allowed(address, port) for address in addresses):
        raise UnsafeURL("That address is not on the public internet.")
    return parts.scheme, parts.hostname, port, sorted(addresses)[0]


def _read(response, limit: int, deadline: float, connection) -> bytes:
    """Read at most `limit` bytes, giving up when the deadline passes however slowly the bytes trickle in."""
    chunks, size = [], 0
    while size < limit:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("The page took too long.")
        if connection.sock is not None:
            connection.sock.settimeout(remaining)
        chunk = response.read1(min(65536, limit - size)) if hasattr(response, "read1") else response.read(65536)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def request(
    url: str,
    *,
    method: str = "GET",
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 5.0,
    max_bytes: int = 1_000_000,
    max_redirects: int = 3,
) -> Fetched:
    """Fetch a URL under the rules above; raises UnsafeURL or FetchFailed. `timeout` bounds the whole fetch."""
    deadline = time.monotonic() + timeout
    for _hop in range(max_redirects + 1):
        scheme, host, port, address = resolve(url)
        connection_class = _PinnedHTTPSConnection if scheme == "https" else _PinnedHTTPConnection
        connection = connection_class(host, port, address, timeout)
        parts = urlsplit(url)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        try:
            connection.request(method, path, body=body, headers={"User-Agent": USER_AGENT, **(headers or {})})
            response = connection.getresponse()
            content = _read(response, max_bytes + 1, deadline, connection)
        except (OSError, http.client.HTTPException) as error:
            raise FetchFailed(type(error).__name__) from error
        finally:
            connection.close()
        if len(content) > max_bytes:
            raise UnsafeURL("The page is too large.")
        response_headers = {key.lower(): value for key, value in response.getheaders()}
        if response.status in (301, 302, 303, 307, 308) and "location" in response_headers:
            try:
                url = urljoin(url, response_headers["location"])
            except ValueError as error:
                raise UnsafeURL("The redirect is not well formed.") from error
            if response.status in (301, 302, 303):
                method, body = "GET", None  # as browsers do: a body is never resent to a new address
            continue
        return Fetched(url=url, status=response.status, headers=response_headers, body=content)
    raise FetchFailed("Too many redirects.")
