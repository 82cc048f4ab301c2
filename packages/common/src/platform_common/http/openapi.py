"""OpenAPI that tells the truth about errors and headers.

Errors: FastAPI documents its 422 with its own ``HTTPValidationError`` body, but every error
here is the envelope; any operation can answer 413 (a request of any method may carry a
body, and the edge refuses one over the limit before routing); and any operation with a body
can also answer 400 (undecodable body) and 415 (a media type it does not declare, see
``platform_common.http.media_types``) before its handler runs.

Headers the platform sets, documented on every response that carries them, so clients and
Schemathesis' header checks know them: ``X-Request-ID`` on every response, ``WWW-Authenticate``
on a 401, ``Retry-After`` on a 429 or 503, and the ``X-RateLimit-*`` window on a 429 (always)
and on the successes of any operation that can answer 429 (when limits are on). A service
documents its own (``ETag``, ``Location``, ...) in its routes' ``responses``."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute

from platform_common.errors import ErrorEnvelope
from platform_common.http.query import QUERY_SCHEMA_DEFINITIONS
from platform_common.request_id import REQUEST_ID_HEADER, REQUEST_ID_PATTERN

_ENVELOPE_REF = {"$ref": "#/components/schemas/ErrorEnvelope"}
_FASTAPI_ERROR_SCHEMAS = ("HTTPValidationError", "ValidationError")


# Answers any operation with a request body can give before its handler runs.
_BODY_ERRORS = {
    "400": "The body could not be decoded",
    "415": "The body is not in the media type this operation declares",
}
_TOO_LARGE = "Request body too large (any method: the limit applies before routing)"


def _header(description: str, schema: dict[str, Any], *, required: bool = True) -> dict[str, Any]:
    return {"description": description, "required": required, "schema": schema}


_SECONDS = {"type": "integer", "minimum": 0}
_LIMIT = {"type": "integer", "minimum": 1}
_WINDOW = (
    ("X-RateLimit-Limit", "RateLimitLimit", "Requests the tightest window allows.", _LIMIT),
    ("X-RateLimit-Remaining", "RateLimitRemaining", "Requests left in that window.", _SECONDS),
    ("X-RateLimit-Reset", "RateLimitReset", "Seconds until that window starts again.", _SECONDS),
)
# Documented once, in components.headers, and referred to from each response.
HEADER_COMPONENTS: dict[str, dict[str, Any]] = {
    "RequestId": _header(
        "The request's id (a well-formed incoming X-Request-ID is kept); an error's meta.request_id.",
        {"type": "string", "pattern": REQUEST_ID_PATTERN},
    ),
    "WwwAuthenticate": _header(
        "How to authenticate: with a bearer token.", {"type": "string", "pattern": "^Bearer"}
    ),
    "RetryAfter": _header("Seconds to wait before trying again.", _SECONDS),
    # On a 429, the window that was exceeded; on a success, the tightest window that counted
    # the request, sent only while rate limits are on.
    **{component: _header(description, schema) for _, component, description, schema in _WINDOW},
    **{
        f"{component}IfLimited": _header(
            f"{description} Sent while rate limits are on.", schema, required=False
        )
        for _, component, description, schema in _WINDOW
    },
}


def _platform_headers(status: str, rate_limited: bool) -> dict[str, Any]:
    """Header name -> component, for a response with this status."""
    components = {REQUEST_ID_HEADER: "RequestId"}
    if status == "401":
        components["WWW-Authenticate"] = "WwwAuthenticate"
    elif status == "429":
        components.update(
            {name: component for name, component, _, _ in _WINDOW}, **{"Retry-After": "RetryAfter"}
        )
    elif status == "503":
        components["Retry-After"] = "RetryAfter"
    elif rate_limited and status.startswith("2"):
        components.update({name: f"{component}IfLimited" for name, component, _, _ in _WINDOW})
    return {name: {"$ref": f"#/components/headers/{component}"} for name, component in components.items()}


def _document_headers(responses: dict[str, Any]) -> None:
    rate_limited = "429" in responses
    for status, response in list(responses.items()):
        # A new dict per response: FastAPI shares response objects between operations.
        responses[status] = {
            **response,
            "headers": {**_platform_headers(status, rate_limited), **response.get("headers", {})},
        }


def _envelope(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": dict(_ENVELOPE_REF)}}}


def _headers_are_strings(operation: dict[str, Any]) -> None:
    """FastAPI documents an optional header or query parameter as ``anyOf: [<type>, null]``;
    no client can send a JSON null in a header or a query string, so the schema is the type
    alone (absence is what optional means). Fuzzers read the ``anyOf`` as "anything but an
    array is invalid" and send ``?tag=1e+227``, which is a perfectly good string."""
    for parameter in operation.get("parameters", []):
        schema = parameter.get("schema", {})
        variants = schema.get("anyOf")
        if parameter.get("in") in {"header", "query"} and variants:
            non_null = [v for v in variants if v.get("type") != "null"]
            if len(non_null) == 1:
                rest = {k: v for k, v in schema.items() if k != "anyOf"}
                parameter["schema"] = {**non_null[0], **rest}


def _post_process(spec: dict[str, Any]) -> dict[str, Any]:
    for operations in spec.get("paths", {}).values():
        for operation in operations.values():
            _headers_are_strings(operation)
            responses = operation.setdefault("responses", {})
            if "422" in responses:
                responses["422"] = _envelope("Invalid request")
            responses.setdefault("413", _envelope(_TOO_LARGE))
            if "requestBody" in operation:
                for status, description in _BODY_ERRORS.items():
                    responses.setdefault(status, _envelope(description))
            _document_headers(responses)
    spec.setdefault("components", {}).setdefault("headers", {}).update(HEADER_COMPONENTS)
    schemas = spec["components"].setdefault("schemas", {})
    for name, definition in QUERY_SCHEMA_DEFINITIONS.items():
        schemas.setdefault(name, definition)
    for name in _FASTAPI_ERROR_SCHEMAS:
        schemas.pop(name, None)
    if "ErrorEnvelope" not in schemas:
        envelope = ErrorEnvelope.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(envelope.pop("$defs", {}))
        schemas["ErrorEnvelope"] = envelope
    return spec


def _no_422_where_routes_answer_otherwise(spec: dict[str, Any], routes: list[BaseRoute]) -> None:
    """FastAPI documents a 422 for every operation with parameters; a route that answers
    invalid requests with another error (``documents_validation_error = False``, e.g. the
    OAuth token endpoint's 400) does not give it."""
    for route in routes:
        if isinstance(route, APIRoute) and not getattr(route, "documents_validation_error", True):
            for method in route.methods or ():
                spec["paths"][route.path_format][method.lower()]["responses"].pop("422", None)


def use_error_envelope_in_openapi(app: FastAPI) -> None:
    """Make ``app.openapi()`` document every error with the envelope schema, and the
    platform's response headers (built once)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            spec = get_openapi(
                title=app.title,
                version=app.version,
                summary=app.summary,
                description=app.description,
                routes=app.routes,
                tags=app.openapi_tags,
                servers=app.servers,
            )
            _no_422_where_routes_answer_otherwise(spec, app.routes)
            app.openapi_schema = _post_process(spec)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
