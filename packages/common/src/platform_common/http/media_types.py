"""415 for a request body in a media type the operation does not accept.

FastAPI reads a JSON body only when the ``Content-Type`` says JSON and a form only when it
says form; anything else reaches validation as raw bytes and comes back as a misleading 422
("Input should be a valid dictionary"). ``require_declared_media_type``, a router
dependency, answers 415 instead, naming the media type the spec declares for the operation
(``application/json``, or ``application/x-www-form-urlencoded`` for OAuth2's token
endpoint). A request with no body at all is left to validation (422 "Field required").
The OpenAPI side is in ``platform_common.http.openapi``: every operation with a body documents 415.
"""

from __future__ import annotations

from email.message import Message

from fastapi import Request

from platform_common.errors import ErrorSource, UnsupportedMediaType


def _accepts(declared: str, content_type: str) -> bool:
    message = Message()
    message["content-type"] = content_type
    sent = message.get_content_type()  # lower-case type/subtype, parameters dropped
    if declared == "application/json":
        # What FastAPI itself decodes as JSON: application/json and application/*+json.
        return sent.startswith("application/") and (sent == "application/json" or sent.endswith("+json"))
    return sent == declared


def _has_body(request: Request) -> bool:
    length = request.headers.get("content-length")
    return "transfer-encoding" in request.headers or (length is not None and length.strip() not in {"", "0"})


async def require_declared_media_type(request: Request) -> None:
    body_field = getattr(request.scope.get("route"), "body_field", None)
    if body_field is None:
        return
    declared: str = body_field.field_info.media_type
    content_type = request.headers.get("content-type")
    if content_type is None and not _has_body(request):
        return
    if content_type is None or not _accepts(declared, content_type):
        raise UnsupportedMediaType(
            f"The request body must be {declared}", source=ErrorSource(header="Content-Type")
        )
