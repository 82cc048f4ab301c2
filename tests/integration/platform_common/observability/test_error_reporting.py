"""Error reporting (SENTRY_DSN) against a local HTTP endpoint standing in for Sentry: an
unhandled error is sent with its request id, trace id, tenant id and release, and without
tokens, passwords or the request's body."""

from __future__ import annotations

import gzip
import json
import threading
import zlib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
import sentry_sdk
from fastapi import Request

from platform_common.observability.error_reporting import configure_error_reporting
from tests.integration.factories import signup
from todo_api.api.deps import CallerDep
from todo_api.core.config import Settings
from todo_api.main import create_app

VERSION = (Path(__file__).resolve().parents[4] / "VERSION").read_text().strip()
BODY_SECRET = "hunter2-from-the-body"  # what must not leave the process
BODY_TEXT = "private words of the request body"


class Receiver(ThreadingHTTPServer):
    """What a Sentry server would receive: each envelope's items, decoded."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.envelopes: list[tuple[str, list[Any]]] = []  # (raw text, parsed lines)
        self.arrived = threading.Event()


class _Handler(BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self) -> None:
        raw = self.rfile.read(int(self.headers["Content-Length"]))
        encoding = self.headers.get("Content-Encoding", "")
        if encoding == "gzip":
            raw = gzip.decompress(raw)
        elif encoding == "deflate":
            raw = zlib.decompress(raw)
        elif encoding == "br":
            import brotli  # type: ignore[import-not-found]

            raw = brotli.decompress(raw)
        text = raw.decode()
        lines = [json.loads(line) for line in text.splitlines() if line.strip().startswith("{")]
        self.server.envelopes.append((text, lines))
        self.server.arrived.set()
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args: object) -> None:  # keep the test output quiet
        pass


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        configure_error_reporting(None, service_name="", service_version="", environment="")


async def explode(request: Request, caller: CallerDep, payload: dict[str, str]) -> None:
    """Careless code: its exception message quotes the request's secrets (not its other text)."""
    token = request.headers["authorization"]
    raise RuntimeError(f"boom with {token}; password={payload['password']} at postgresql://app:pw@db/x")


async def test_an_unhandled_error_is_reported_with_its_ids_and_without_secrets(
    settings: Settings, clean_database: None, receiver: Receiver
) -> None:
    dsn = f"http://0123456789abcdef0123456789abcdef@127.0.0.1:{receiver.server_address[1]}/42"
    app = create_app(settings.model_copy(update={"sentry_dsn": dsn}))
    app.router.add_api_route("/api/v1/explode", explode, methods=["POST"])
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            account = await signup(client, "acme")
            response = await client.post(
                "/api/v1/explode",
                json={"password": BODY_SECRET, "note": BODY_TEXT},
                headers={**account.headers, "Cookie": "session=cookie-secret"},
            )
    assert response.status_code == 500
    sentry_sdk.flush(timeout=5)
    assert receiver.arrived.wait(5), "nothing reached the stand-in Sentry"
    [(text, lines)] = [
        envelope for envelope in receiver.envelopes if '"type":"event"' in envelope[0].replace(" ", "")
    ]
    [event] = [line for line in lines if line.get("exception")]

    tags = event["tags"]
    assert tags["request_id"] == response.headers["x-request-id"] == response.json()["meta"]["request_id"]
    trace_id = response.headers["traceresponse"].split("-")[1]
    assert tags["trace_id"] == trace_id
    assert tags["tenant_id"] == account.tenant_id
    assert tags["route"] == "/api/v1/explode"
    assert event["release"] == f"todo-api@{VERSION}"
    assert event["environment"] == "test"
    assert event["exception"]["values"][0]["type"] == "RuntimeError"

    for secret in (
        account.access_token,
        account.refresh_token,
        BODY_SECRET,
        BODY_TEXT,
        "cookie-secret",
        ":pw@",
    ):
        assert secret not in text, secret
    assert "[REDACTED]" in event["exception"]["values"][0]["value"]
    assert "request" not in event  # no headers, cookies, query or body at all


async def test_without_a_dsn_nothing_is_sent(client: httpx.AsyncClient, receiver: Receiver) -> None:
    assert not sentry_sdk.get_client().is_active()
    assert (await client.get("/healthz")).status_code == 200
    assert receiver.envelopes == []
