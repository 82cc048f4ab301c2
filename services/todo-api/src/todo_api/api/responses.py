"""Error responses shared by many routes, documented once."""

from __future__ import annotations

from platform_common.errors import (
    Forbidden,
    ServiceUnavailable,
    TooManyRequests,
    Unauthorized,
    error_responses,
)

# Any route behind a bearer token may refuse it, limit the caller, or lose its database; and
# refuse a personal access token without the scope it needs (or any, for sessions only).
AUTHENTICATED = error_responses(Unauthorized, Forbidden, TooManyRequests, ServiceUnavailable)


def links_by_id(parameter: str, *operation_ids: str) -> dict[str, dict[str, object]]:
    """OpenAPI links from a created resource's ``id`` to the operations that take it,
    so generated clients and stateful fuzzers follow real workflows."""
    return {
        operation_id: {"operationId": operation_id, "parameters": {parameter: "$response.body#/id"}}
        for operation_id in operation_ids
    }


def links_by_id_if_match(parameter: str, *operation_ids: str) -> dict[str, dict[str, object]]:
    """Links to conditional writes: the resource's ``id``, and the response's ``ETag`` as the
    write's ``If-Match``, so a stateful client writes the version it just saw (and reaches
    the write itself, not only its 412)."""
    return {
        operation_id: {
            "operationId": operation_id,
            "parameters": {parameter: "$response.body#/id", "header.if-match": "$response.header.ETag"},
        }
        for operation_id in operation_ids
    }


# Response headers of versioned resources and keyed creation.
ETAG = {
    "ETag": {
        "description": "The resource's version, a strong validator: If-Match on a write, If-None-Match on a read.",
        "required": True,
        "schema": {"type": "string", "pattern": '^"[0-9]+"$'},
    }
}
CREATED = {
    "Location": {
        "description": "The path of the created resource.",
        "required": True,
        "schema": {"type": "string", "format": "uri-reference"},
    },
    "Idempotent-Replayed": {
        "description": "Present on a repeated Idempotency-Key: this is the first response, replayed.",
        "required": False,
        "schema": {"type": "string", "enum": ["true"]},
    },
}


def links_with_body(body: dict[str, str], *operation_ids: str) -> dict[str, dict[str, object]]:
    """OpenAPI links that fill the target's request body from this exchange, e.g. a token
    pair's ``refresh_token`` into ``auth_refresh`` (runtime expressions as values)."""
    return {
        operation_id: {"operationId": operation_id, "requestBody": body} for operation_id in operation_ids
    }
