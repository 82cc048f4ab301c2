"""Turn every failure into the error envelope: our errors, FastAPI's and Starlette's own.

``install_error_handlers`` registers handlers for ``APIError``, request validation
and Starlette's ``HTTPException`` (404, 405, ...). Anything else that escapes is answered
with a bare 500 by the edge middleware (``platform_common.http.middleware``), which logs it
once, on the request's access line.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from http import HTTPStatus
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from platform_common.errors import (
    APIError,
    ErrorEnvelope,
    ErrorMeta,
    ErrorObject,
    ErrorSource,
    UnprocessableEntity,
)
from platform_common.http.allowed_methods import allowed_methods
from platform_common.request_id import REQUEST_ID_HEADER, current_request_id

logger = structlog.get_logger(__name__)

# Codes for statuses Starlette raises itself; anything else falls back to the phrase.
_CODES_BY_STATUS = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
    503: "service_unavailable",
}


def envelope_response(
    errors: Sequence[ErrorObject],
    status_code: int,
    headers: dict[str, str] | None = None,
    *,
    top_level: dict[str, Any] | None = None,
) -> JSONResponse:
    """The envelope; ``top_level`` adds members beside ``errors`` and ``meta`` (first in the body),
    for protocols that define their own (OAuth2's ``error``, ``error_description``)."""
    envelope = ErrorEnvelope(errors=list(errors), meta=ErrorMeta(request_id=current_request_id()))
    body = envelope.model_dump(mode="json", exclude_none=True)
    if top_level:
        body = {**top_level, **body}
    return JSONResponse(body, status_code=status_code, headers=headers)


def _escape_pointer_token(token: str | int) -> str:
    return str(token).replace("~", "~0").replace("/", "~1")


def source_for_location(loc: Sequence[str | int]) -> ErrorSource | None:
    """Map a pydantic error location to a JSON:API ``source``.

    ``("body", "tags", 2)`` → pointer ``/tags/2``; ``("query", "size")`` → parameter
    ``size``; ``("header", "if-match")`` → header ``if-match``.
    """
    if not loc:
        return None
    where, *rest = loc
    if where == "body":
        return ErrorSource(pointer="".join(f"/{_escape_pointer_token(p)}" for p in rest))
    if where == "header" and rest:
        return ErrorSource(header=str(rest[0]))
    if where in {"query", "path", "cookie"} and rest:
        return ErrorSource(parameter=str(rest[0]))
    return None


def validation_error_objects(errors: Iterable[Any]) -> list[ErrorObject]:
    """One error object per validation problem, never echoing the rejected input."""
    return [
        ErrorObject(
            status="422",
            code=UnprocessableEntity.code,
            title=UnprocessableEntity.title,
            detail=str(error.get("msg", "Invalid value")),
            source=source_for_location(tuple(error.get("loc", ()))),
        )
        for error in errors
    ] or [UnprocessableEntity().to_error_object()]


async def _api_error(_: Request, exc: Exception) -> JSONResponse:
    if not isinstance(exc, APIError):  # registered for APIError only
        raise TypeError(exc)
    return envelope_response([exc.to_error_object()], exc.status_code, exc.headers, top_level=exc.top_level())


async def _validation_error(_: Request, exc: Exception) -> JSONResponse:
    if not isinstance(exc, RequestValidationError):  # registered for RequestValidationError only
        raise TypeError(exc)
    return envelope_response(validation_error_objects(exc.errors()), 422)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    if not isinstance(exc, StarletteHTTPException):  # registered for StarletteHTTPException only
        raise TypeError(exc)
    status = exc.status_code
    phrase = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
    code = _CODES_BY_STATUS.get(status, phrase.lower().replace(" ", "_").replace("-", "_"))
    # Starlette's own detail is the status phrase; anything else came from our code.
    detail = None if exc.detail == phrase else str(exc.detail)
    error = ErrorObject(status=str(status), code=code, title=phrase, detail=detail)
    headers = dict(exc.headers or {})
    if status == 405:
        documented = allowed_methods(request.app.openapi(), request.url.path)
        headers["Allow"] = ", ".join(documented) or headers.get("Allow", "")
    return envelope_response([error], status, headers)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(APIError, _api_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)


__all__ = ["REQUEST_ID_HEADER", "envelope_response", "install_error_handlers"]
