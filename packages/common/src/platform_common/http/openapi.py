"""OpenAPI that tells the truth about errors: FastAPI documents its 422 with its own
``HTTPValidationError`` body, but every error here is the envelope; and any operation with
a body can also answer 400 (undecodable body), 413 (too large) and 415 (a media type it does
not declare, see ``platform_common.http.media_types``) before its handler runs."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from platform_common.errors import ErrorEnvelope
from platform_common.http.query import QUERY_SCHEMA_DEFINITIONS

_ENVELOPE_REF = {"$ref": "#/components/schemas/ErrorEnvelope"}
_FASTAPI_ERROR_SCHEMAS = ("HTTPValidationError", "ValidationError")


# Answers any operation with a request body can give before its handler runs.
_BODY_ERRORS = {
    "400": "The body could not be decoded",
    "413": "Request body too large",
    "415": "The body is not in the media type this operation declares",
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


def _envelope_for_validation_errors(spec: dict[str, Any]) -> dict[str, Any]:
    for operations in spec.get("paths", {}).values():
        for operation in operations.values():
            _headers_are_strings(operation)
            responses = operation.setdefault("responses", {})
            if "422" in responses:
                responses["422"] = _envelope("Invalid request")
            if "requestBody" in operation:
                for status, description in _BODY_ERRORS.items():
                    responses.setdefault(status, _envelope(description))
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})
    for name, definition in QUERY_SCHEMA_DEFINITIONS.items():
        schemas.setdefault(name, definition)
    for name in _FASTAPI_ERROR_SCHEMAS:
        schemas.pop(name, None)
    if "ErrorEnvelope" not in schemas:
        envelope = ErrorEnvelope.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(envelope.pop("$defs", {}))
        schemas["ErrorEnvelope"] = envelope
    return spec


def use_error_envelope_in_openapi(app: FastAPI) -> None:
    """Make ``app.openapi()`` document every 422 with the envelope schema (built once)."""

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
            app.openapi_schema = _envelope_for_validation_errors(spec)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
