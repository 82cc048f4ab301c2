from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.body_auth_token import BodyAuthToken
from ...models.error_envelope import ErrorEnvelope
from ...models.o_auth_error_envelope import OAuthErrorEnvelope
from ...models.token_pair import TokenPair
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    body: BodyAuthToken | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/auth/token",
    }

    if not isinstance(body, Unset):
        _kwargs["data"] = body.to_dict()
    headers["Content-Type"] = "application/x-www-form-urlencoded"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorEnvelope | OAuthErrorEnvelope | TokenPair | None:
    if response.status_code == 200:
        response_200 = TokenPair.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = OAuthErrorEnvelope.from_dict(response.json())

        return response_400

    if response.status_code == 413:
        response_413 = ErrorEnvelope.from_dict(response.json())

        return response_413

    if response.status_code == 415:
        response_415 = ErrorEnvelope.from_dict(response.json())

        return response_415

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
) -> Response[ErrorEnvelope | OAuthErrorEnvelope | TokenPair]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: BodyAuthToken | Unset = UNSET,
) -> Response[ErrorEnvelope | OAuthErrorEnvelope | TokenPair]:
    """Log in (OAuth2 password grant) or rotate a refresh token (refresh_token grant)

     The OAuth2 token endpoint. Errors follow RFC 6749 §5.2: 400 with `error` and
    `error_description` beside the envelope's `errors`. A refresh grant is the rotation of
    `POST /auth/refresh` and never counts toward the login limits.

    Args:
        body (BodyAuthToken | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorEnvelope | OAuthErrorEnvelope | TokenPair]
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
    client: AuthenticatedClient | Client,
    body: BodyAuthToken | Unset = UNSET,
) -> ErrorEnvelope | OAuthErrorEnvelope | TokenPair | None:
    """Log in (OAuth2 password grant) or rotate a refresh token (refresh_token grant)

     The OAuth2 token endpoint. Errors follow RFC 6749 §5.2: 400 with `error` and
    `error_description` beside the envelope's `errors`. A refresh grant is the rotation of
    `POST /auth/refresh` and never counts toward the login limits.

    Args:
        body (BodyAuthToken | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorEnvelope | OAuthErrorEnvelope | TokenPair
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: BodyAuthToken | Unset = UNSET,
) -> Response[ErrorEnvelope | OAuthErrorEnvelope | TokenPair]:
    """Log in (OAuth2 password grant) or rotate a refresh token (refresh_token grant)

     The OAuth2 token endpoint. Errors follow RFC 6749 §5.2: 400 with `error` and
    `error_description` beside the envelope's `errors`. A refresh grant is the rotation of
    `POST /auth/refresh` and never counts toward the login limits.

    Args:
        body (BodyAuthToken | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorEnvelope | OAuthErrorEnvelope | TokenPair]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: BodyAuthToken | Unset = UNSET,
) -> ErrorEnvelope | OAuthErrorEnvelope | TokenPair | None:
    """Log in (OAuth2 password grant) or rotate a refresh token (refresh_token grant)

     The OAuth2 token endpoint. Errors follow RFC 6749 §5.2: 400 with `error` and
    `error_description` beside the envelope's `errors`. A refresh grant is the rotation of
    `POST /auth/refresh` and never counts toward the login limits.

    Args:
        body (BodyAuthToken | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorEnvelope | OAuthErrorEnvelope | TokenPair
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
