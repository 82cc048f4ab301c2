"""What a client puts in a request path reaches the logs bounded, redacted and inert."""

from __future__ import annotations

import pytest

from platform_common.db.provision import ProvisionedDatabase
from platform_common.logging import configure_logging
from platform_common.observability.log_safety import MAX_LOGGED_CHARS
from platform_common.observability.redaction import REDACTED
from tests.integration.platform_common.observability.conftest import ObservedApp

JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyLTEifQ.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg"


async def test_a_long_path_is_logged_as_its_first_kib_marked_truncated(observed: ObservedApp) -> None:
    kept = 30  # the cut falls inside the token's payload
    path = "/" + "a" * (MAX_LOGGED_CHARS - 2 - kept) + "/" + JWT + "/" + "b" * 32 * 1024
    async with observed.serve() as client:
        response = await client.get(path)
    assert response.status_code == 404
    [line] = observed.access_lines()
    assert len(line["path"]) <= MAX_LOGGED_CHARS
    assert line["path"].endswith(f"/{REDACTED}")
    assert line["path_truncated"] == len(path) - MAX_LOGGED_CHARS
    assert JWT[:kept] not in observed.output()


async def test_console_lines_escape_control_characters(
    capsys: pytest.CaptureFixture[str], database: ProvisionedDatabase
) -> None:
    configure_logging("INFO", json_output=False)
    observed = ObservedApp(capsys, database.app_url)
    async with observed.serve(log_format="console") as client:
        response = await client.get("/a%00b%1B%5B2Jc%0D%0Ad%7F%C2%85e")
    assert response.status_code == 404
    [line] = [line for line in observed.output().splitlines() if "http_request" in line]
    assert "path=/a\\x00b\\x1b[2Jc\\x0d\\x0ad\\x7f\\x85e" in line  # one line: no forged second one
    for raw in ("\x00", "\x1b", "\r", "\x7f", "\x85"):
        assert raw not in observed.output()
