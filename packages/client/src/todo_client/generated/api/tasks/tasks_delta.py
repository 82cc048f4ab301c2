from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_envelope import ErrorEnvelope
from ...models.task_delta import TaskDelta
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    cursor: str | Unset = UNSET,
    size: int | Unset = 100,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["cursor"] = cursor

    params["size"] = size

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/tasks/delta",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorEnvelope | TaskDelta | None:
    if response.status_code == 200:
        response_200 = TaskDelta.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = ErrorEnvelope.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = ErrorEnvelope.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = ErrorEnvelope.from_dict(response.json())

        return response_403

    if response.status_code == 410:
        response_410 = ErrorEnvelope.from_dict(response.json())

        return response_410

    if response.status_code == 413:
        response_413 = ErrorEnvelope.from_dict(response.json())

        return response_413

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
) -> Response[ErrorEnvelope | TaskDelta]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    cursor: str | Unset = UNSET,
    size: int | Unset = 100,
) -> Response[ErrorEnvelope | TaskDelta]:
    """What changed in your tasks since a cursor

     Without `cursor`, pages through all your tasks; with the `next_cursor` of the previous answer,
    returns what was created, changed (`items`) or deleted (`deleted`) since, oldest first. No change is
    ever missed, also while others write. Keep asking while `has_more`; keep `next_cursor` for the next
    sync. A cursor older than the tombstone retention is 410: sync again without one.

    Args:
        cursor (str | Unset): The next_cursor of the previous answer; absent to start a full sync.
        size (int | Unset): At most this many changes (items and deleted). Default: 100.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorEnvelope | TaskDelta]
    """

    kwargs = _get_kwargs(
        cursor=cursor,
        size=size,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    cursor: str | Unset = UNSET,
    size: int | Unset = 100,
) -> ErrorEnvelope | TaskDelta | None:
    """What changed in your tasks since a cursor

     Without `cursor`, pages through all your tasks; with the `next_cursor` of the previous answer,
    returns what was created, changed (`items`) or deleted (`deleted`) since, oldest first. No change is
    ever missed, also while others write. Keep asking while `has_more`; keep `next_cursor` for the next
    sync. A cursor older than the tombstone retention is 410: sync again without one.

    Args:
        cursor (str | Unset): The next_cursor of the previous answer; absent to start a full sync.
        size (int | Unset): At most this many changes (items and deleted). Default: 100.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorEnvelope | TaskDelta
    """

    return sync_detailed(
        client=client,
        cursor=cursor,
        size=size,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    cursor: str | Unset = UNSET,
    size: int | Unset = 100,
) -> Response[ErrorEnvelope | TaskDelta]:
    """What changed in your tasks since a cursor

     Without `cursor`, pages through all your tasks; with the `next_cursor` of the previous answer,
    returns what was created, changed (`items`) or deleted (`deleted`) since, oldest first. No change is
    ever missed, also while others write. Keep asking while `has_more`; keep `next_cursor` for the next
    sync. A cursor older than the tombstone retention is 410: sync again without one.

    Args:
        cursor (str | Unset): The next_cursor of the previous answer; absent to start a full sync.
        size (int | Unset): At most this many changes (items and deleted). Default: 100.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorEnvelope | TaskDelta]
    """

    kwargs = _get_kwargs(
        cursor=cursor,
        size=size,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    cursor: str | Unset = UNSET,
    size: int | Unset = 100,
) -> ErrorEnvelope | TaskDelta | None:
    """What changed in your tasks since a cursor

     Without `cursor`, pages through all your tasks; with the `next_cursor` of the previous answer,
    returns what was created, changed (`items`) or deleted (`deleted`) since, oldest first. No change is
    ever missed, also while others write. Keep asking while `has_more`; keep `next_cursor` for the next
    sync. A cursor older than the tombstone retention is 410: sync again without one.

    Args:
        cursor (str | Unset): The next_cursor of the previous answer; absent to start a full sync.
        size (int | Unset): At most this many changes (items and deleted). Default: 100.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorEnvelope | TaskDelta
    """

    return (
        await asyncio_detailed(
            client=client,
            cursor=cursor,
            size=size,
        )
    ).parsed
