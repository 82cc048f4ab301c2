"""Request ids: accept a well-formed incoming ``X-Request-ID`` or make one, echo it back.

The id lives in a context variable for the request (set by the edge middleware,
``platform_common.http.middleware``), so every log line and error envelope made while
handling the request carries it.
"""

from __future__ import annotations

import re
import uuid
from contextvars import ContextVar, Token

REQUEST_ID_HEADER = "X-Request-ID"

# Wider than UUIDs (proxies such as nginx send 32 hex characters) but never free text,
# so an id is safe to log and to echo. fullmatch, and no ``$``: a trailing newline is refused.
REQUEST_ID_PATTERN = "^[A-Za-z0-9._-]{8,128}$"  # in the spec's dialect too: ASCII classes only
_WELL_FORMED = re.compile(REQUEST_ID_PATTERN[1:-1])

_current: ContextVar[str | None] = ContextVar("request_id", default=None)


def is_well_formed(value: str) -> bool:
    return _WELL_FORMED.fullmatch(value) is not None


def new_request_id() -> str:
    return uuid.uuid4().hex


def current_request_id() -> str | None:
    """The id of the request being handled, or None outside a request."""
    return _current.get()


def bind_request_id(value: str) -> Token[str | None]:
    return _current.set(value)


def unbind_request_id(token: Token[str | None]) -> None:
    _current.reset(token)
