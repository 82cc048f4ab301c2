from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_envelope import ErrorEnvelope
from ...models.personal_token_create import PersonalTokenCreate
from ...models.personal_token_created import PersonalTokenCreated
from ...types import Response


def _get_kwargs(
    *,
    body: PersonalTokenCreate,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/users/me/tokens",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorEnvelope | PersonalTokenCreated | None:
    if response.status_code == 201:
        response_201 = PersonalTokenCreated.from_dict(response.json())

        return response_201

    if response.status_code == 400:
        response_400 = ErrorEnvelope.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = ErrorEnvelope.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = ErrorEnvelope.from_dict(response.json())

        return response_403

    if response.status_code == 409:
        response_409 = ErrorEnvelope.from_dict(response.json())

        return response_409

    if response.status_code == 413:
        response_413 = ErrorEnvelope.from_dict(response.json())

        return response_413

    if response.status_code == 415:
        response_415 = ErrorEnvelope.from_dict(response.json())

        return response_415

    if response.status_code == 422:
        response_422 = ErrorEnvelope.from_dict(response.json())

        return response_422

    if response.status_code == 429:
        response_429 = ErrorEnvelope.from_dict(response.json())

        return response_429

    if response.status_code == 503:
        response_503 = ErrorEnvelope.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ErrorEnvelope | PersonalTokenCreated]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: PersonalTokenCreate,
) -> Response[ErrorEnvelope | PersonalTokenCreated]:
    """Make a personal access token (shown once)

     `Authorization: Bearer <token>` then calls the operations its scopes allow (each
    operation lists its scopes under the `PersonalAccessToken` security scheme), never the
    management of tokens, users, invitations, passwords, memberships, the tenant or the audit
    trail. Only a hash of the secret is stored; at most `MAX_TOKENS_PER_USER` per user (409).

    Args:
        body (PersonalTokenCreate): A name to recognise the token by, the scopes it may use (at
            least one) and, optionally,
            when it stops working (in the future; without one it works until revoked).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorEnvelope | PersonalTokenCreated]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    body: PersonalTokenCreate,
) -> ErrorEnvelope | PersonalTokenCreated | None:
    """Make a personal access token (shown once)

     `Authorization: Bearer <token>` then calls the operations its scopes allow (each
    operation lists its scopes under the `PersonalAccessToken` security scheme), never the
    management of tokens, users, invitations, passwords, memberships, the tenant or the audit
    trail. Only a hash of the secret is stored; at most `MAX_TOKENS_PER_USER` per user (409).

    Args:
        body (PersonalTokenCreate): A name to recognise the token by, the scopes it may use (at
            least one) and, optionally,
            when it stops working (in the future; without one it works until revoked).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorEnvelope | PersonalTokenCreated
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: PersonalTokenCreate,
) -> Response[ErrorEnvelope | PersonalTokenCreated]:
    """Make a personal access token (shown once)

     `Authorization: Bearer <token>` then calls the operations its scopes allow (each
    operation lists its scopes under the `PersonalAccessToken` security scheme), never the
    management of tokens, users, invitations, passwords, memberships, the tenant or the audit
    trail. Only a hash of the secret is stored; at most `MAX_TOKENS_PER_USER` per user (409).

    Args:
        body (PersonalTokenCreate): A name to recognise the token by, the scopes it may use (at
            least one) and, optionally,
            when it stops working (in the future; without one it works until revoked).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorEnvelope | PersonalTokenCreated]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: PersonalTokenCreate,
) -> ErrorEnvelope | PersonalTokenCreated | None:
    """Make a personal access token (shown once)

     `Authorization: Bearer <token>` then calls the operations its scopes allow (each
    operation lists its scopes under the `PersonalAccessToken` security scheme), never the
    management of tokens, users, invitations, passwords, memberships, the tenant or the audit
    trail. Only a hash of the secret is stored; at most `MAX_TOKENS_PER_USER` per user (409).

    Args:
        body (PersonalTokenCreate): A name to recognise the token by, the scopes it may use (at
            least one) and, optionally,
            when it stops working (in the future; without one it works until revoked).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorEnvelope | PersonalTokenCreated
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
