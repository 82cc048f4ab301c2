"""The OAuth 2.0 token endpoint's errors (RFC 6749 §5.2) in the platform's envelope.

A stock OAuth2 client reads ``{"error": "invalid_grant", "error_description": "..."}`` from
a 400; every other client of the platform reads ``errors`` and ``meta``. The token endpoint
answers both at once: the envelope with ``error`` and ``error_description`` beside it.

``TokenEndpointRoute`` is the route class of a token endpoint: a request it cannot read
(a missing or malformed parameter, an undecodable body) is 400 ``invalid_request``, an unknown ``grant_type``
400 ``unsupported_grant_type``, never the 422 of other routes.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Sequence
from http import HTTPStatus
from typing import Any, ClassVar, Literal

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import Field
from starlette.exceptions import HTTPException

from platform_common.app import ServiceRoute
from platform_common.error_handlers import source_for_location
from platform_common.errors import BadRequest, ErrorEnvelope

OAuthErrorCode = Literal[
    "invalid_request",
    "invalid_client",
    "invalid_grant",
    "unauthorized_client",
    "unsupported_grant_type",
    "invalid_scope",
]
PASSWORD_GRANT = "password"  # noqa: S105  # the grant type's name (RFC 6749 §4.3)
REFRESH_TOKEN_GRANT = "refresh_token"  # noqa: S105  # the grant type's name (RFC 6749 §6)


class OAuthErrorEnvelope(ErrorEnvelope):
    """The envelope, plus RFC 6749 §5.2's members for OAuth2 clients."""

    error: OAuthErrorCode = Field(description="RFC 6749 §5.2 error code; also errors[0].code.")
    error_description: str = Field(description="Human-readable explanation; also errors[0].detail.")


class OAuthError(BadRequest):
    """A token request refused as RFC 6749 §5.2 says: 400, ``error`` and ``error_description``."""

    envelope = OAuthErrorEnvelope

    def top_level(self) -> dict[str, Any]:
        return {"error": self.code, "error_description": self.detail or self.title}


class InvalidRequest(OAuthError):
    code = "invalid_request"
    title = "The token request is missing a parameter or has a malformed one"


class InvalidGrant(OAuthError):
    code = "invalid_grant"
    title = "The credentials or the refresh token are invalid, expired or revoked"


class UnsupportedGrantType(OAuthError):
    code = "unsupported_grant_type"
    title = "The grant type is not supported"


def error_for_invalid_request(errors: Sequence[Any]) -> OAuthError:
    """The OAuth error for a token request that failed validation (first problem wins)."""
    first = errors[0] if errors else {}
    location = tuple(first.get("loc", ()))
    name = str(location[-1]) if location else None
    source = source_for_location(location)
    if name == "grant_type":
        return UnsupportedGrantType(
            f"grant_type must be {PASSWORD_GRANT} or {REFRESH_TOKEN_GRANT}", source=source
        )
    message = str(first.get("msg", "Invalid value"))
    return InvalidRequest(f"{name}: {message}" if name else message, source=source)


class TokenEndpointRoute(ServiceRoute):
    """An OAuth2 token endpoint: its validation failures are OAuth errors, not 422s (the
    OpenAPI document then lists no 422 for it; see ``platform_common.http.openapi``)."""

    documents_validation_error: ClassVar[bool] = False

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def token_endpoint(request: Request) -> Response:
            try:
                return await handler(request)
            except RequestValidationError as exc:
                raise error_for_invalid_request(exc.errors()) from None
            except HTTPException as exc:  # a body FastAPI could not parse
                if exc.status_code != HTTPStatus.BAD_REQUEST:
                    raise
                raise InvalidRequest("The body could not be decoded") from None

        return token_endpoint
