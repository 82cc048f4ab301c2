"""A structlog processor that keeps secrets out of every log line.

Values under sensitive keys are replaced wherever they sit (nested dicts, lists, header
pairs such as ``[(b"authorization", b"Bearer ...")]``), and free text (exception messages,
tracebacks) is scrubbed of bearer tokens, JWTs and passwords in URLs. It runs last, just
before rendering, so it also sees what earlier processors added.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache

from structlog.types import EventDict, WrappedLogger

REDACTED = "[REDACTED]"

_SENSITIVE_FRAGMENTS = ("password", "passwd", "secret", "authorization", "cookie", "api_key", "apikey")
_TEXT_PATTERNS = (
    (re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]+"), rf"\1 {REDACTED}"),
    (re.compile(r"\beyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*"), REDACTED),  # a JWT
    (re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://[^/\s:@]+):[^@\s/]+@"), rf"\1:{REDACTED}@"),  # URL password
    # password=..., "refresh_token": "...", ?access_token=...&: a sensitive name, then its value
    (
        re.compile(
            r"""(?i)\b([a-z_]*(?:password|passwd|secret|token|api[_-]?key)["']?\s*[:=]\s*["']?)[^\s"',;&}]+"""
        ),
        rf"\1{REDACTED}",
    ),
)


def is_sensitive_key(key: object) -> bool:
    if isinstance(key, bytes):
        key = key.decode("latin-1")
    if not isinstance(key, str):
        return False
    return _sensitive_name(key)


@lru_cache(maxsize=4096)
def _sensitive_name(key: str) -> bool:
    """Per key name, once: every log line asks about the same few field names."""
    name = key.lower().replace("-", "_")
    return name == "token" or name.endswith("_token") or any(f in name for f in _SENSITIVE_FRAGMENTS)


# What every pattern above needs to match somewhere in the text. Most values in a log line
# (methods, routes, ids, statuses) contain none of it, and one search is far cheaper than
# four substitutions: this runs on every string of every line.
_MIGHT_HOLD_A_SECRET = re.compile(r"(?i)bearer|basic|eyJ|://|passw|secret|token|api[_-]?key")


def redact_text(text: str) -> str:
    if not _MIGHT_HOLD_A_SECRET.search(text):
        return text
    for pattern, replacement in _TEXT_PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def redact(value: object) -> object:
    """A copy of ``value`` with every secret replaced; the original is left untouched."""
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, Mapping):
        return {k: REDACTED if is_sensitive_key(k) else redact(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        if len(value) == 2 and is_sensitive_key(value[0]):  # a (name, value) header pair
            items = [value[0], REDACTED]
        else:
            items = [redact(item) for item in value]
        return tuple(items) if isinstance(value, tuple) else items
    return value


def redact_secrets(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
    return {key: REDACTED if is_sensitive_key(key) else redact(value) for key, value in event_dict.items()}
