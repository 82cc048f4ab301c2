"""Deliveries on the wire: to the checked address, with the name as Host and SNI, nothing more.

Real receivers on 127.0.0.1 (ephemeral ports); the policy allows 127.0.0.0/8 explicitly, and
a replaceable resolver makes names resolve there.
"""

from __future__ import annotations

import asyncio
import ipaddress
import ssl
import threading
import time
from collections.abc import Sequence
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import httpx
import pytest

from platform_common.http.egress import EgressPolicy, check_target, egress_client, post
from tests.certificates import Certificate
from tests.receiver import Receiver, receiving

LOOPBACK = EgressPolicy(allowed_networks=(ipaddress.ip_network("127.0.0.0/8"),))


class CountingResolver:
    def __init__(self, answers: dict[str, Sequence[str]]) -> None:
        self.answers = answers
        self.calls = 0

    async def __call__(self, host: str, port: int) -> Sequence[str]:
        self.calls += 1
        return self.answers[host]


def client(**options: object) -> httpx.AsyncClient:
    return egress_client(connect_timeout=2, read_timeout=2, **options)  # type: ignore[arg-type]


async def deliver(
    url: str, resolver: CountingResolver, http: httpx.AsyncClient, cap: int = 1024, total: float = 10
) -> int:
    target = await check_target(url, LOOPBACK, resolver)
    reply = await post(
        http,
        target,
        content=b"{}",
        headers={"content-type": "application/json"},
        max_response_bytes=cap,
        total_seconds=total,
    )
    return reply.status_code


async def test_the_connection_goes_to_the_checked_address_with_the_name_as_host() -> None:
    resolver = CountingResolver({"hooks.test": ["127.0.0.1"]})
    with receiving() as receiver:
        async with client() as http:
            assert await deliver(f"http://hooks.test:{receiver.port}/in?x=1", resolver, http) == 200
    [request] = receiver.requests
    assert (request.path, request.headers["host"], request.body) == (
        "/in?x=1",
        f"hooks.test:{receiver.port}",
        b"{}",
    )
    assert resolver.calls == 1  # resolved once: the connection used that answer, no second lookup


def redirect_to_itself(handler: BaseHTTPRequestHandler) -> bool:
    handler.send_response(307)
    handler.send_header("Location", "/elsewhere")
    handler.send_header("Content-Length", "0")
    handler.end_headers()
    return True


async def test_redirects_are_not_followed() -> None:
    with receiving(Receiver(answer=redirect_to_itself)) as receiver:
        async with client() as http:
            assert await deliver(receiver.url, CountingResolver({}), http) == 307
    assert len(receiver.requests) == 1


async def test_proxy_variables_of_the_environment_are_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
    with receiving() as proxy, receiving() as receiver:
        for variable in ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
            monkeypatch.setenv(variable, f"http://127.0.0.1:{proxy.port}")
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        async with client() as http:
            assert await deliver(receiver.url, CountingResolver({}), http) == 200
    assert (len(receiver.requests), len(proxy.requests)) == (1, 0)


def endless_body(handler: BaseHTTPRequestHandler) -> bool:
    """Answer 200 and stream until the client hangs up."""
    handler.send_response(200)
    handler.send_header("Transfer-Encoding", "chunked")
    handler.end_headers()
    chunk = b"x" * 65536
    try:
        while True:
            handler.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
    except OSError:
        return True


async def test_an_endless_response_is_cut_at_the_cap() -> None:
    """Without the cap, reading this answer would go on until the delivery's deadline."""
    with receiving(Receiver(answer=endless_body)) as receiver:
        async with client() as http:
            assert await deliver(receiver.url, CountingResolver({}), http, cap=256 * 1024, total=5) == 200


def dripping_body(handler: BaseHTTPRequestHandler) -> bool:
    """Answer 200, then one byte at a time, each well within the read timeout."""
    handler.send_response(200)
    handler.send_header("Content-Length", "1000")
    handler.end_headers()
    try:
        for _ in range(1000):
            handler.wfile.write(b"x")
            handler.wfile.flush()
            time.sleep(0.2)
    except OSError:
        pass
    return True


async def test_a_dripping_response_ends_at_the_deadline() -> None:
    """The body would take 200 s; the delivery gives up at its 1 s deadline (the outer 20 s
    bound only keeps the test from hanging if that rule were gone)."""
    with receiving(Receiver(answer=dripping_body)) as receiver:
        async with client() as http:
            started = time.monotonic()
            with pytest.raises(TimeoutError):
                async with asyncio.timeout(20):
                    await deliver(receiver.url, CountingResolver({}), http, total=1)
            assert time.monotonic() - started < 10


async def test_a_receiver_that_never_answers_times_out() -> None:
    hold = threading.Event()
    with receiving(Receiver(hold=hold)) as receiver:
        async with egress_client(connect_timeout=1, read_timeout=0.5) as http:
            with pytest.raises(httpx.ReadTimeout):
                await deliver(receiver.url, CountingResolver({}), http)
        hold.set()


def certificate_for(name: str, directory: Path) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """A self-signed certificate for ``name``: the server's context, and a client's that trusts it."""
    certificate = Certificate.make(name, directory)
    return certificate.server_context(), certificate.trusting_context()


async def test_tls_to_the_checked_address_sends_the_name_and_verifies_the_certificate_for_it(
    tmp_path: Path,
) -> None:
    server, trusting = certificate_for("hooks.test", tmp_path)
    resolver = CountingResolver({"hooks.test": ["127.0.0.1"], "other.test": ["127.0.0.1"]})
    with receiving(tls=server) as receiver:
        async with client(verify=trusting) as http:
            assert await deliver(f"https://hooks.test:{receiver.port}/", resolver, http) == 200
            # The same address under a name the certificate does not carry: refused by verification.
            with pytest.raises(httpx.ConnectError, match="certificate verify failed"):
                await deliver(f"https://other.test:{receiver.port}/", resolver, http)
    assert receiver.sni[0] == "hooks.test"
    assert len(receiver.requests) == 1
