from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_envelope import ErrorEnvelope
from ...models.tenant_deletion_read import TenantDeletionRead
from ...models.tenant_deletion_request import TenantDeletionRequest
from ...types import Response


def _get_kwargs(
    *,
    body: TenantDeletionRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/tenants/current/deletion",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorEnvelope | TenantDeletionRead | None:
    if response.status_code == 202:
        response_202 = TenantDeletionRead.from_dict(response.json())

        return response_202

    if response.status_code == 400:
        response_400 = ErrorEnvelope.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = ErrorEnvelope.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = ErrorEnvelope.from_dict(response.json())

        return response_403

    if response.status_code == 404:
        response_404 = ErrorEnvelope.from_dict(response.json())

        return response_404

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
) -> Response[ErrorEnvelope | TenantDeletionRead]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: TenantDeletionRequest,
) -> Response[ErrorEnvelope | TenantDeletionRead]:
    """Delete the caller's tenant (owner): disabled now, purged after the grace period

     The owner types the tenant's slug in `confirm` (else 422 `deletion_not_confirmed`) and gives their
    password (a wrong one is 403, counted as a wrong current password at `POST /users/me/password` is).
    The tenant is disabled at once: every session and token of every member ends, every authenticated
    request into it is 404 `tenant_not_found`, and a login into it is refused as a wrong password is,
    except its owner's (naming the tenant), which admits only `GET` and `DELETE
    /tenants/current/deletion`. The scheduled purge deletes the tenant and all its data after
    `purge_after`; its slug stays taken until then. Admins and members: 403.

    Args:
        body (TenantDeletionRequest): The owner's request to delete their tenant: its slug typed
            again, and their password.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorEnvelope | TenantDeletionRead]
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
    body: TenantDeletionRequest,
) -> ErrorEnvelope | TenantDeletionRead | None:
    """Delete the caller's tenant (owner): disabled now, purged after the grace period

     The owner types the tenant's slug in `confirm` (else 422 `deletion_not_confirmed`) and gives their
    password (a wrong one is 403, counted as a wrong current password at `POST /users/me/password` is).
    The tenant is disabled at once: every session and token of every member ends, every authenticated
    request into it is 404 `tenant_not_found`, and a login into it is refused as a wrong password is,
    except its owner's (naming the tenant), which admits only `GET` and `DELETE
    /tenants/current/deletion`. The scheduled purge deletes the tenant and all its data after
    `purge_after`; its slug stays taken until then. Admins and members: 403.

    Args:
        body (TenantDeletionRequest): The owner's request to delete their tenant: its slug typed
            again, and their password.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorEnvelope | TenantDeletionRead
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: TenantDeletionRequest,
) -> Response[ErrorEnvelope | TenantDeletionRead]:
    """Delete the caller's tenant (owner): disabled now, purged after the grace period

     The owner types the tenant's slug in `confirm` (else 422 `deletion_not_confirmed`) and gives their
    password (a wrong one is 403, counted as a wrong current password at `POST /users/me/password` is).
    The tenant is disabled at once: every session and token of every member ends, every authenticated
    request into it is 404 `tenant_not_found`, and a login into it is refused as a wrong password is,
    except its owner's (naming the tenant), which admits only `GET` and `DELETE
    /tenants/current/deletion`. The scheduled purge deletes the tenant and all its data after
    `purge_after`; its slug stays taken until then. Admins and members: 403.

    Args:
        body (TenantDeletionRequest): The owner's request to delete their tenant: its slug typed
            again, and their password.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorEnvelope | TenantDeletionRead]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: TenantDeletionRequest,
) -> ErrorEnvelope | TenantDeletionRead | None:
    """Delete the caller's tenant (owner): disabled now, purged after the grace period

     The owner types the tenant's slug in `confirm` (else 422 `deletion_not_confirmed`) and gives their
    password (a wrong one is 403, counted as a wrong current password at `POST /users/me/password` is).
    The tenant is disabled at once: every session and token of every member ends, every authenticated
    request into it is 404 `tenant_not_found`, and a login into it is refused as a wrong password is,
    except its owner's (naming the tenant), which admits only `GET` and `DELETE
    /tenants/current/deletion`. The scheduled purge deletes the tenant and all its data after
    `purge_after`; its slug stays taken until then. Admins and members: 403.

    Args:
        body (TenantDeletionRequest): The owner's request to delete their tenant: its slug typed
            again, and their password.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorEnvelope | TenantDeletionRead
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
