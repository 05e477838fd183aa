"""A TCP proxy on 127.0.0.1 that can cut every connection through it, as a database restart does."""

from __future__ import annotations

import contextlib
import socket
import threading


class CuttingProxy:
    """Forwards to `target`. `cut_on(pattern)` cuts every connection when a client next sends `pattern`
    (the chunk carrying it is dropped); `cut_all()` cuts them at once. New connections are accepted after,
    unless the proxy is `down()` until `up()`."""

    def __init__(self, target: tuple[str, int]):
        self.target = target
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.pattern: bytes | None = None
        self.refusing = False
        self.cuts = 0
        self._sockets: set[socket.socket] = set()
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def down(self) -> None:
        """The server is gone: every connection is cut and new ones are closed as they arrive."""
        self.refusing = True
        self.cut_all()

    def up(self) -> None:
        self.refusing = False

    def cut_on(self, pattern: bytes) -> None:
        self.pattern = pattern

    def cut_all(self) -> None:
        with self._lock:
            sockets, self._sockets = self._sockets, set()
            self.cuts += 1
        self._close(*sockets)

    def _close(self, *sockets: socket.socket) -> None:
        with self._lock:
            self._sockets -= set(sockets)
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def close(self) -> None:
        self.listener.close()
        self.cut_all()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if self.refusing:
                client.close()
                continue
            server = socket.create_connection(self.target)
            with self._lock:
                self._sockets |= {client, server}
            threading.Thread(target=self._pipe, args=(client, server, True), daemon=True).start()
            threading.Thread(target=self._pipe, args=(server, client, False), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket, from_client: bool) -> None:
        while True:
            try:
                chunk = source.recv(65536)
            except OSError:
                return
            if not chunk:  # one side closed: close its pair only
                self._close(source, sink)
                return
            if from_client and self.pattern and self.pattern in chunk:
                self.pattern = None
                self.cut_all()
                return
            try:
                sink.sendall(chunk)
            except OSError:
                return
