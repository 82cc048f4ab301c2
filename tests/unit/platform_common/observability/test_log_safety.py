from __future__ import annotations

import pytest
from structlog.types import EventDict

from platform_common.observability.log_safety import (
    MAX_LOGGED_CHARS,
    cap_long_values,
    escape_control_characters,
)
from platform_common.observability.redaction import REDACTED, redact_secrets

JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"


def logged(event: EventDict) -> EventDict:
    """Capping, then redaction: the order of the logging pipeline."""
    return redact_secrets(None, "info", cap_long_values(None, "info", event))


def test_a_long_field_is_cut_and_says_by_how_much() -> None:
    path = "/" + "a" * 5000
    event = logged({"event": "http_request", "path": path, "status": 404})
    assert event["path"] == path[:MAX_LOGGED_CHARS]
    assert event["path_truncated"] == len(path) - MAX_LOGGED_CHARS
    assert event["status"] == 404


def test_a_field_at_the_limit_is_left_whole() -> None:
    path = "/" + "a" * (MAX_LOGGED_CHARS - 1)
    assert logged({"path": path}) == {"path": path}


def test_tracebacks_are_not_cut() -> None:
    traceback = "Traceback (most recent call last):\n" + '  File "x.py", line 1\n' * 500
    assert logged({"event": "boom", "exception": traceback}) == {"event": "boom", "exception": traceback}


def straddling(secret: str, kept: int) -> str:
    """A path whose cut at MAX_LOGGED_CHARS falls after the first ``kept`` characters of ``secret``."""
    return "/" + "a" * (MAX_LOGGED_CHARS - 2 - kept) + "/" + secret + "/rest"


@pytest.mark.parametrize("kept", [5, 19, 20, 21, 40, 48, 60, len(JWT) - 1])
def test_a_jwt_cut_in_half_leaves_no_part_of_itself(kept: int) -> None:
    event = logged({"path": straddling(JWT, kept)})
    assert JWT[:kept] not in event["path"]
    assert event["path"].endswith(REDACTED)


@pytest.mark.parametrize(
    ("secret", "kept", "left"),
    [
        ("postgresql://app:pa55word@db/todo", len("postgresql://app:pa5"), "pa5"),
        ("redis://:pa55word@cache/0", len("redis://:pa55"), "pa55"),
        ("Bearer abcdefghijkl", len("Bearer abcd"), "abcd"),
        ("password=hunter2hunter2", len("password=hunt"), "hunt"),
    ],
)
def test_other_secrets_cut_in_half_leave_nothing(secret: str, kept: int, left: str) -> None:
    event = logged({"path": straddling(secret, kept)})
    assert left not in event["path"]
    assert REDACTED in event["path"]


def test_control_characters_are_escaped_for_the_console() -> None:
    event = escape_control_characters(
        None, "info", {"event": "http_request", "path": "/a\x00b\x1b[2J\r\nc\x7f\x85\u00e9", "status": 404}
    )
    assert event == {
        "event": "http_request",
        "path": "/a\\x00b\\x1b[2J\\x0d\\x0ac\\x7f\\x85\u00e9",
        "status": 404,
    }


def test_a_traceback_keeps_its_lines_but_not_its_escape_sequences() -> None:
    event = escape_control_characters(
        None, "error", {"exception": "Traceback:\n  ValueError: \x1b[2Jx\x00\n"}
    )
    assert event["exception"] == "Traceback:\n  ValueError: \\x1b[2Jx\\x00\n"
