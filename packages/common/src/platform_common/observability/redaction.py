"""A structlog processor that keeps secrets out of every log line.

Values under sensitive keys are replaced wherever they sit (nested dicts, lists, header
pairs such as ``[(b"authorization", b"Bearer ...")]``), and free text (exception messages,
tracebacks) is scrubbed of bearer tokens, JWTs and passwords in URLs. It runs last, just
before rendering, so it also sees what earlier processors added.

The text patterns run on RE2 (``google-re2``), not on Python's backtracking ``re``: they see
request paths and other client text, and a backtracking engine tries every start position
and backtracks from each, so two of them (the JWT and the URL password) took quadratic time
on inputs such as ``"a." * 32000 + "://x"`` and froze the worker for seconds. RE2 is linear
in the input for any pattern, so that guarantee holds for patterns added later too; an
anchoring trick (a lookbehind per pattern) would have to be re-proven for each, and would
also stop seeing a JWT right after a ``-``. RE2 has no Unicode ``\\s``, so whitespace is
spelled out as the set Python's ``\\s`` means.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Protocol

import re2
from structlog.types import EventDict, WrappedLogger

REDACTED = "[REDACTED]"

_SENSITIVE_FRAGMENTS = ("password", "passwd", "secret", "authorization", "cookie", "api_key", "apikey")

# Python's \s for str (str.isspace): the ASCII controls, U+001C..U+001F, NEL and Unicode's Z*.
_SPACE = r"\t\n\x0b\x0c\r\x1c-\x1f\x85\p{Z}"
# A JWT: three base64url segments, the first a JSON object (so "eyJ").
_JWT_HEAD = r"\beyJ[A-Za-z0-9_-]*"
# scheme://user  (the password follows a colon, and ends at "@")
_URL_USER = rf"(?i)\b([a-z][a-z0-9+.-]*://[^/{_SPACE}:@]*)"


class _Pattern(Protocol):
    """What is used of a compiled RE2 pattern (google-re2 ships no types)."""

    def sub(self, repl: str, text: str) -> str: ...


def _compile(pattern: str) -> _Pattern:
    compiled: _Pattern = re2.compile(pattern)
    return compiled


_TEXT_PATTERNS = (
    (_compile(rf"(?i)\b(bearer|basic)[{_SPACE}]+[A-Za-z0-9._~+/=-]+"), rf"\1 {REDACTED}"),
    (_compile(rf"{_JWT_HEAD}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*"), REDACTED),
    (_compile(rf"{_URL_USER}:[^@{_SPACE}/]+@"), rf"\1:{REDACTED}@"),
    # password=..., "refresh_token": "...", ?access_token=...&: a sensitive name, then its value
    (
        _compile(
            rf"""(?i)\b([a-z_]*(?:password|passwd|secret|token|api[_-]?key)["']?[{_SPACE}]*[:=][{_SPACE}]*["']?)[^{_SPACE}"',;&}}]+"""
        ),
        rf"\1{REDACTED}",
    ),
)

# A value cut short (see log_safety) may end inside a secret. The bearer and name=value
# patterns above still match what is left of one; these two would not, because what they
# need comes last (a JWT's signature, a URL password's "@"), so an unfinished one at the
# very end is redacted on its own.
_CUT_TAIL_PATTERNS = (
    (_compile(rf"{_JWT_HEAD}(?:\.[A-Za-z0-9_-]*)?\z"), REDACTED),
    (_compile(rf"{_URL_USER}:[^@{_SPACE}/]*\z"), rf"\1:{REDACTED}"),
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
# four substitutions: this runs on every string of every line. Fixed-length alternatives,
# so linear on Python's re as well.
_MIGHT_HOLD_A_SECRET = re.compile(r"(?i)bearer|basic|eyJ|://|passw|secret|token|api[_-]?key")


def _substitute(patterns: tuple[tuple[_Pattern, str], ...], text: str) -> str:
    for pattern, replacement in patterns:
        text = pattern.sub(replacement, text)
    return text


def redact_text(text: str) -> str:
    if not _MIGHT_HOLD_A_SECRET.search(text):
        return text
    return _substitute(_TEXT_PATTERNS, text)


def redact_cut_tail(head: str) -> str:
    """``head``, the start of a longer text, without the part of a secret the cut left at its end."""
    return _substitute(_CUT_TAIL_PATTERNS, head)


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
    """In place (the event dict is this line's own): every line passes here, and most of its
    values are numbers, ids or ``None`` that need no more than a type check."""
    for key, value in event_dict.items():
        if is_sensitive_key(key):
            event_dict[key] = REDACTED
        elif type(value) is str:
            event_dict[key] = redact_text(value)
        elif isinstance(value, Mapping | list | tuple):
            event_dict[key] = redact(value)
    return event_dict
