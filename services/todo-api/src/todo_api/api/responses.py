"""Error responses shared by many routes, documented once."""

from __future__ import annotations

from platform_common.errors import ServiceUnavailable, TooManyRequests, Unauthorized, error_responses

# Any route behind a bearer token may refuse it, limit the caller, or lose its database.
AUTHENTICATED = error_responses(Unauthorized, TooManyRequests, ServiceUnavailable)


def links_by_id(parameter: str, *operation_ids: str) -> dict[str, dict[str, object]]:
    """OpenAPI links from a created resource's ``id`` to the operations that take it,
    so generated clients and stateful fuzzers follow real workflows."""
    return {
        operation_id: {"operationId": operation_id, "parameters": {parameter: "$response.body#/id"}}
        for operation_id in operation_ids
    }


def links_with_body(body: dict[str, str], *operation_ids: str) -> dict[str, dict[str, object]]:
    """OpenAPI links that fill the target's request body from this exchange, e.g. a token
    pair's ``refresh_token`` into ``auth_refresh`` (runtime expressions as values)."""
    return {
        operation_id: {"operationId": operation_id, "requestBody": body} for operation_id in operation_ids
    }
