from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_envelope import ErrorEnvelope
from ...models.signup_verified import SignupVerified
from ...models.signup_verify import SignupVerify
from ...types import Response


def _get_kwargs(
    *,
    body: SignupVerify,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/auth/signup/verify",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorEnvelope | SignupVerified | None:
    if response.status_code == 201:
        response_201 = SignupVerified.from_dict(response.json())

        return response_201

    if response.status_code == 400:
        response_400 = ErrorEnvelope.from_dict(response.json())

        return response_400

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
) -> Response[ErrorEnvelope | SignupVerified]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: SignupVerify,
) -> Response[ErrorEnvelope | SignupVerified]:
    """Create the tenant and its owner with a sign-up token, and log the owner in

     A forged, expired or used token is 400 `invalid_signup_token`. Where the address already
    has an account (the e-mail said so), `password` must be its password, else 400
    `invalid_signup_password` (the token stays usable; the fifth wrong one spends it); for a
    new address `password` is ignored. A taken slug is 409 and leaves the token usable.

    Args:
        body (SignupVerify): The token of the e-mailed link; for an address that already has an
            account (the e-mail
            says so), that account's password too. A new address's verification ignores ``password``.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorEnvelope | SignupVerified]
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
    body: SignupVerify,
) -> ErrorEnvelope | SignupVerified | None:
    """Create the tenant and its owner with a sign-up token, and log the owner in

     A forged, expired or used token is 400 `invalid_signup_token`. Where the address already
    has an account (the e-mail said so), `password` must be its password, else 400
    `invalid_signup_password` (the token stays usable; the fifth wrong one spends it); for a
    new address `password` is ignored. A taken slug is 409 and leaves the token usable.

    Args:
        body (SignupVerify): The token of the e-mailed link; for an address that already has an
            account (the e-mail
            says so), that account's password too. A new address's verification ignores ``password``.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorEnvelope | SignupVerified
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: SignupVerify,
) -> Response[ErrorEnvelope | SignupVerified]:
    """Create the tenant and its owner with a sign-up token, and log the owner in

     A forged, expired or used token is 400 `invalid_signup_token`. Where the address already
    has an account (the e-mail said so), `password` must be its password, else 400
    `invalid_signup_password` (the token stays usable; the fifth wrong one spends it); for a
    new address `password` is ignored. A taken slug is 409 and leaves the token usable.

    Args:
        body (SignupVerify): The token of the e-mailed link; for an address that already has an
            account (the e-mail
            says so), that account's password too. A new address's verification ignores ``password``.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorEnvelope | SignupVerified]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: SignupVerify,
) -> ErrorEnvelope | SignupVerified | None:
    """Create the tenant and its owner with a sign-up token, and log the owner in

     A forged, expired or used token is 400 `invalid_signup_token`. Where the address already
    has an account (the e-mail said so), `password` must be its password, else 400
    `invalid_signup_password` (the token stays usable; the fifth wrong one spends it); for a
    new address `password` is ignored. A taken slug is 409 and leaves the token usable.

    Args:
        body (SignupVerify): The token of the e-mailed link; for an address that already has an
            account (the e-mail
            says so), that account's password too. A new address's verification ignores ``password``.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorEnvelope | SignupVerified
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
