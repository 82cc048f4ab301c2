from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_envelope import ErrorEnvelope
from ...models.invitation_accept import InvitationAccept
from ...models.token_pair import TokenPair
from ...types import Response


def _get_kwargs(
    *,
    body: InvitationAccept,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/auth/invitations/accept",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorEnvelope | TokenPair | None:
    if response.status_code == 200:
        response_200 = TokenPair.from_dict(response.json())

        return response_200

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
) -> Response[ErrorEnvelope | TokenPair]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: InvitationAccept,
) -> Response[ErrorEnvelope | TokenPair]:
    """Accept an invitation: join its tenant with the invited role and log in there

     A new address's account is created with `password`; an address that has an account
    must give that account's password. A forged, expired, used or revoked token, or a wrong
    password, is 400 `invalid_invitation`, one message for all. Limited per client IP
    (`RATE_LIMIT_INVITATION_ACCEPT_IP`).

    Args:
        body (InvitationAccept): The mailed link's token and a password: a new address's account
            gets this password; an
            address that already has an account must give that account's password.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorEnvelope | TokenPair]
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
    body: InvitationAccept,
) -> ErrorEnvelope | TokenPair | None:
    """Accept an invitation: join its tenant with the invited role and log in there

     A new address's account is created with `password`; an address that has an account
    must give that account's password. A forged, expired, used or revoked token, or a wrong
    password, is 400 `invalid_invitation`, one message for all. Limited per client IP
    (`RATE_LIMIT_INVITATION_ACCEPT_IP`).

    Args:
        body (InvitationAccept): The mailed link's token and a password: a new address's account
            gets this password; an
            address that already has an account must give that account's password.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorEnvelope | TokenPair
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: InvitationAccept,
) -> Response[ErrorEnvelope | TokenPair]:
    """Accept an invitation: join its tenant with the invited role and log in there

     A new address's account is created with `password`; an address that has an account
    must give that account's password. A forged, expired, used or revoked token, or a wrong
    password, is 400 `invalid_invitation`, one message for all. Limited per client IP
    (`RATE_LIMIT_INVITATION_ACCEPT_IP`).

    Args:
        body (InvitationAccept): The mailed link's token and a password: a new address's account
            gets this password; an
            address that already has an account must give that account's password.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorEnvelope | TokenPair]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: InvitationAccept,
) -> ErrorEnvelope | TokenPair | None:
    """Accept an invitation: join its tenant with the invited role and log in there

     A new address's account is created with `password`; an address that has an account
    must give that account's password. A forged, expired, used or revoked token, or a wrong
    password, is 400 `invalid_invitation`, one message for all. Limited per client IP
    (`RATE_LIMIT_INVITATION_ACCEPT_IP`).

    Args:
        body (InvitationAccept): The mailed link's token and a password: a new address's account
            gets this password; an
            address that already has an account must give that account's password.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorEnvelope | TokenPair
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
