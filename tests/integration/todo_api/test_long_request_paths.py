"""A long, hostile request path costs the worker that logs it next to nothing.

The path reaches the access line (and its redaction) after the client has its 404, so a
slow log line does not show in that response: it shows as a stalled event loop, in the
latency of whatever the same worker serves next. Hence a real uvicorn process with one
worker, and the health probe timed right behind each hostile request.
"""

from __future__ import annotations

import socket
import time
from pathlib import Path

import httpx
import pytest

from platform_common.db.provision import ProvisionedDatabase
from platform_common.observability.log_safety import MAX_LOGGED_CHARS
from tests.service_process import running_service

pytestmark = pytest.mark.slow

PATH_BYTES = 64 * 1024
# Shapes that once took a backtracking redaction engine seconds per line (about 11 s for
# the first at this size).
HOSTILE_PATHS = {
    "url_scheme_run": "/" + "a." * ((PATH_BYTES - 5) // 2) + "://x",
    "jwt_prefix_run": "/" + "eyJ-" * ((PATH_BYTES - 1) // 4),
}


def raw_get(api_url: str, path: str) -> bytes:
    """One request as written, past httpx's URL length limit; the status line that answered it."""
    host, port = api_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as connection:
        connection.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
        return connection.makefile("rb").readline()


def test_a_64_kib_path_does_not_stall_the_health_probe(database: ProvisionedDatabase, tmp_path: Path) -> None:
    with (
        running_service(database.app_url, tmp_path) as service,
        httpx.Client(base_url=service.api_url) as probe,
    ):
        probe.get("/healthz")  # connected and warm
        for path in HOSTILE_PATHS.values():
            assert raw_get(service.api_url, path).startswith(b"HTTP/1.1 404")
            started = time.perf_counter()
            assert probe.get("/healthz").status_code == 200
            assert time.perf_counter() - started < 2.0  # the stall was over 5 s (the probe timed out)
        lines = [line for line in service.log_lines() if line.get("status") == 404]
    assert len(lines) == len(HOSTILE_PATHS)
    for line, path in zip(lines, HOSTILE_PATHS.values(), strict=True):
        assert len(line["path"]) <= MAX_LOGGED_CHARS
        assert line["path_truncated"] == len(path) - MAX_LOGGED_CHARS
