from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from platform_common.observability.redaction import (
    REDACTED,
    is_sensitive_key,
    redact,
    redact_secrets,
    redact_text,
)

JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"


@pytest.mark.parametrize(
    "key",
    [
        "Authorization", "authorization", "Proxy-Authorization", b"authorization", "cookie", "Set-Cookie",
        "password", "new_password", "currentPassword", "client_secret", "refresh_token", "access_token",
        "token", "X-API-Key", "api_key",
    ],
)  # fmt: skip
def test_sensitive_keys(key: str | bytes) -> None:
    assert is_sensitive_key(key)


@pytest.mark.parametrize("key", ["tenant_id", "user_id", "token_version", "token_id", "route", "status", 3])
def test_ordinary_keys_stay_readable(key: object) -> None:
    assert not is_sensitive_key(key)


def test_values_under_sensitive_keys_are_replaced_at_any_depth() -> None:
    event = {
        "event": "login",
        "body": {"email": "a@example.com", "password": "hunter2hunter2", "profile": [{"api_key": "k-123"}]},
        "headers": [(b"authorization", b"Bearer abc"), (b"accept", b"*/*")],
        "cookies": {"session": "s3cr3t"},
    }
    redacted = redact_secrets(None, "info", dict(event))
    assert redacted["body"] == {
        "email": "a@example.com",
        "password": REDACTED,
        "profile": [{"api_key": REDACTED}],
    }
    assert redacted["headers"] == [(b"authorization", REDACTED), (b"accept", b"*/*")]
    assert redacted["cookies"] == REDACTED
    assert event["body"]["password"] == "hunter2hunter2"  # the caller's objects are not mutated


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("upstream said: Authorization: Bearer abc.def-ghi", "abc.def-ghi"),
        (f"bad token {JWT} rejected", JWT),
        ("connect to postgresql://app:pa55word@db:5432/todo failed", "pa55word"),
        ("basic auth Basic dXNlcjpwYXNz", "dXNlcjpwYXNz"),
        ("login for ada with password=correct-horse", "correct-horse"),
        ("""payload {"refresh_token": "rt_abc123", "email": "a@b.c"}""", "rt_abc123"),
        ("GET /callback?code=1&access_token=at_xyz789&state=2", "at_xyz789"),
        ("client_secret: cs-42", "cs-42"),
    ],
)
def test_secrets_in_free_text_are_scrubbed(text: str, secret: str) -> None:
    scrubbed = redact(text)
    assert isinstance(scrubbed, str)
    assert secret not in scrubbed
    assert REDACTED in scrubbed


@pytest.mark.parametrize("text", ["token_version=3", "tokens: 5", "retry after 3 s", "tenant_id=t-1"])
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert redact(text) == text


def test_structured_tracebacks_are_scrubbed() -> None:
    exception = [
        {"exc_type": "ValueError", "exc_value": f"token {JWT}", "frames": [{"name": "f", "lineno": 1}]}
    ]
    redacted = redact_secrets(None, "error", {"event": "boom", "exception": exception})
    assert JWT not in str(redacted)
    assert redacted["exception"][0]["frames"] == [{"name": "f", "lineno": 1}]


def _best_seconds(*texts: str, rounds: int = 15) -> list[float]:
    """The best time of each text over interleaved rounds: on a busy machine a slow spell
    then hits every size alike, and the minimum is the run nothing interrupted."""
    best = [float("inf")] * len(texts)
    for _ in range(rounds):
        for index, text in enumerate(texts):
            started = time.perf_counter()
            redact_text(text)
            best[index] = min(best[index], time.perf_counter() - started)
    return best


# Shapes that made a backtracking engine try every start position and scan to the end from
# each: quadratic time, seconds of a frozen worker for one request path.
ADVERSARIAL = {
    "url_scheme_run": lambda size: "/" + "a." * (size // 2) + "://x",
    "jwt_prefix_run": lambda size: "/" + "eyJ-" * (size // 4),
    "jwt_dotted_run": lambda size: "/" + "eyJ." * (size // 4),
    "token_names": lambda size: "/" + "token=" * (size // 6),
}


@pytest.mark.parametrize("shape", ADVERSARIAL.values(), ids=ADVERSARIAL.keys())
def test_redaction_time_grows_linearly_with_the_input(shape: Callable[[int], str]) -> None:
    small, large = _best_seconds(shape(16 * 1024), shape(64 * 1024))
    assert large / small < 6  # four times the input: about four times the time, not sixteen
    assert large < 0.25


@pytest.mark.parametrize("shape", ADVERSARIAL.values(), ids=ADVERSARIAL.keys())
def test_secrets_after_an_adversarial_run_are_still_redacted(shape: Callable[[int], str]) -> None:
    path = shape(16 * 1024) + f"/{JWT}/x?dsn=postgresql://app:pa55word@db/todo"
    scrubbed = redact_text(path)
    assert JWT not in scrubbed
    assert "pa55word" not in scrubbed


@pytest.mark.parametrize(
    "text",
    [
        f"/callback/{JWT}",
        f"/x-{JWT}",  # glued to a hyphen: still a JWT
        f"token={JWT}&state=1",
        "Authorization: Bearer\u00a0abc.def",  # any Unicode space Python calls whitespace
        "redis://:pa55word@cache:6379/0 and postgresql://app:pa55word@db/todo",
    ],
)
def test_secrets_in_request_paths_are_redacted(text: str) -> None:
    scrubbed = redact_text(text)
    assert JWT not in scrubbed
    assert "pa55word" not in scrubbed
    assert "abc.def" not in scrubbed
