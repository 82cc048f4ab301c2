"""The error envelope: one exception hierarchy and one response shape for every non-2xx.

Bodies follow JSON:API error objects::

    {
        "errors": [
            {
                "status": "404",
                "code": "not_found",
                "title": "...",
                "detail": "...",
                "source": {"pointer": "/title"},
            }
        ],
        "meta": {"request_id": "..."},
    }
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field


class ErrorSource(BaseModel):
    """Where the problem is: a JSON Pointer into the body, or a parameter or header name."""

    model_config = ConfigDict(extra="forbid")

    pointer: str | None = Field(default=None, examples=["/title"])
    parameter: str | None = Field(default=None, examples=["size"])
    header: str | None = Field(default=None, examples=["If-Match"])


class ErrorObject(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: str = Field(description="HTTP status code, as a string.", examples=["404"])
    code: str = Field(description="Stable machine-readable error code.", examples=["not_found"])
    title: str = Field(description="Short summary; the same for every occurrence of the code.")
    detail: str | None = Field(default=None, description="Explanation of this occurrence.")
    source: ErrorSource | None = None


class ErrorMeta(BaseModel):
    request_id: str | None = Field(default=None, description="Also in the X-Request-ID header.")


class ErrorEnvelope(BaseModel):
    """Body of every non-2xx response."""

    errors: list[ErrorObject] = Field(min_length=1)
    meta: ErrorMeta


class APIError(Exception):
    """Base of every error an endpoint or service raises on purpose.

    Subclasses fix ``status_code``, ``code`` and ``title``; instances may add a
    ``detail``, a ``source``, extra response headers, and ``keep_changes`` to have the
    request's unit of work commit what it did before the error is answered. A family of
    errors whose protocol defines its own body fields (OAuth2's ``error``) adds them beside
    ``errors`` and ``meta`` through ``top_level`` and documents them with ``envelope``.
    """

    status_code: ClassVar[int] = 500
    code: ClassVar[str] = "internal_error"
    title: ClassVar[str] = "Internal server error"
    # The body's schema in the OpenAPI document: ErrorEnvelope or an extension of it.
    envelope: ClassVar[type[BaseModel]] = ErrorEnvelope

    def __init__(
        self,
        detail: str | None = None,
        *,
        source: ErrorSource | None = None,
        headers: dict[str, str] | None = None,
        keep_changes: bool = False,
    ) -> None:
        super().__init__(detail or self.title)
        self.detail = detail
        self.source = source
        self.headers = headers or {}
        # The unit of work commits before answering, instead of rolling back.
        self.keep_changes = keep_changes

    def top_level(self) -> dict[str, Any]:
        """Members of the body besides ``errors`` and ``meta``; none for most errors."""
        return {}

    def to_error_object(self) -> ErrorObject:
        return ErrorObject(
            status=str(self.status_code),
            code=self.code,
            title=self.title,
            detail=self.detail,
            source=self.source,
        )


class BadRequest(APIError):
    status_code = 400
    code = "bad_request"
    title = "Bad request"


class Unauthorized(APIError):
    status_code = 401
    code = "unauthorized"
    title = "Not authenticated"

    def __init__(self, detail: str | None = None, **kwargs: Any) -> None:
        super().__init__(detail, **kwargs)
        self.headers.setdefault("WWW-Authenticate", "Bearer")


class Forbidden(APIError):
    status_code = 403
    code = "forbidden"
    title = "Forbidden"


class NotFound(APIError):
    status_code = 404
    code = "not_found"
    title = "Resource not found"


class Conflict(APIError):
    status_code = 409
    code = "conflict"
    title = "Conflict"


class PreconditionFailed(APIError):
    status_code = 412
    code = "precondition_failed"
    title = "Precondition failed"


class PayloadTooLarge(APIError):
    status_code = 413
    code = "payload_too_large"
    title = "Request body too large"


class UnsupportedMediaType(APIError):
    status_code = 415
    code = "unsupported_media_type"
    title = "Unsupported media type"


class UnprocessableEntity(APIError):
    status_code = 422
    code = "validation_error"
    title = "Invalid request"


class TooManyRequests(APIError):
    status_code = 429
    code = "rate_limited"
    title = "Too many requests"


class InternalError(APIError):
    status_code = 500
    code = "internal_error"
    title = "Internal server error"


class ServiceUnavailable(APIError):
    status_code = 503
    code = "service_unavailable"
    title = "Service temporarily unavailable"


def error_responses(*errors: type[APIError]) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for the given error classes, all with the envelope schema.

    Use as ``@router.get(..., responses=error_responses(NotFound, Forbidden))``.
    Several classes with one status share one entry whose description lists each title.
    """
    by_status: dict[int, list[type[APIError]]] = {}
    for error in errors:
        by_status.setdefault(error.status_code, []).append(error)
    return {
        status: {
            # Classes of one status share a body schema only when they all use it.
            "model": _common_envelope(classes),
            "description": "; ".join(dict.fromkeys(e.title for e in classes)),
        }
        for status, classes in sorted(by_status.items())
    }


def _common_envelope(classes: list[type[APIError]]) -> type[BaseModel]:
    envelopes = {error.envelope for error in classes}
    return envelopes.pop() if len(envelopes) == 1 else ErrorEnvelope
