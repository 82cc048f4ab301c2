"""Request ids: accept a well-formed incoming ``X-Request-ID`` or make one, echo it back."""

from __future__ import annotations

import re

from asgi_correlation_id import CorrelationIdMiddleware, correlation_id
from starlette.types import ASGIApp

REQUEST_ID_HEADER = "X-Request-ID"

# Wider than UUIDs (proxies such as nginx send 32 hex characters) but never free text,
# so an id is safe to log and to echo.
_WELL_FORMED = re.compile(r"^[A-Za-z0-9._-]{8,128}$")


def is_well_formed(value: str) -> bool:
    return bool(_WELL_FORMED.fullmatch(value))


def current_request_id() -> str | None:
    """The id of the request being handled, or None outside a request."""
    return correlation_id.get()


def request_id_middleware(app: ASGIApp) -> CorrelationIdMiddleware:
    """Wrap ``app`` so each request carries an id in its context and response headers."""
    return CorrelationIdMiddleware(app, header_name=REQUEST_ID_HEADER, validator=is_well_formed)
