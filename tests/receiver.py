"""A real HTTP receiver for webhook tests: a server on 127.0.0.1, an ephemeral port, its own thread.

It records every request (headers as received, raw body) and answers each with the next
status of its script (then ``default``). ``hold`` keeps requests waiting until released,
so a test can act while a delivery is in flight (SIGTERM, SIGKILL).
"""

from __future__ import annotations

import ssl
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]  # lower-cased names
    body: bytes


@dataclass
class Receiver:
    port: int = 0
    default: int = 200
    script: list[int] = field(default_factory=list)
    requests: list[Received] = field(default_factory=list)
    hold: threading.Event | None = None  # when given, each request waits until it is set
    answer: Callable[[BaseHTTPRequestHandler], bool] | None = None  # custom answer; True when done
    sni: list[str | None] = field(default_factory=list)
    _arrived: threading.Condition = field(default_factory=threading.Condition)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def next_status(self) -> int:
        return self.script.pop(0) if self.script else self.default

    def record(self, received: Received) -> None:
        with self._arrived:
            self.requests.append(received)
            self._arrived.notify_all()

    def wait_for(self, count: int, *, timeout: float = 30.0) -> list[Received]:
        """The first ``count`` requests, once they have arrived (else ``TimeoutError``)."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while len(self.requests) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"{len(self.requests)} of {count} requests arrived")
                self._arrived.wait(remaining)
            return list(self.requests[:count])


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            receiver.record(Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
            if receiver.hold is not None:
                receiver.hold.wait()
            if receiver.answer is not None and receiver.answer(self):
                return
            self.send_response(receiver.next_status())
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, format: str, *args: object) -> None:  # the stdlib's name
            pass

    return Handler


@contextmanager
def receiving(receiver: Receiver | None = None, *, tls: ssl.SSLContext | None = None) -> Iterator[Receiver]:
    """Serve ``receiver`` on 127.0.0.1 (an ephemeral port) for the block."""
    receiver = receiver or Receiver()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(receiver))
    server.daemon_threads = True
    if tls is not None:
        tls.sni_callback = lambda _socket, name, _context: receiver.sni.append(name)  # type: ignore[assignment,func-returns-value]
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    receiver.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        if receiver.hold is not None:
            receiver.hold.set()
        server.shutdown()
        server.server_close()
