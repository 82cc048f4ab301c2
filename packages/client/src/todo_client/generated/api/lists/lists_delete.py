from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_envelope import ErrorEnvelope
from ...models.tasks_of_deleted_list import (
    TasksOfDeletedList,
)
from ...types import UNSET, Response, Unset


def _get_kwargs(
    list_id: UUID,
    *,
    tasks: TasksOfDeletedList | Unset = UNSET,
    move_to: UUID | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_tasks: str | Unset = UNSET
    if not isinstance(tasks, Unset):
        json_tasks = tasks

    params["tasks"] = json_tasks

    json_move_to: str | Unset = UNSET
    if not isinstance(move_to, Unset):
        json_move_to = str(move_to)
    params["move_to"] = json_move_to

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "delete",
        "url": "/api/v1/lists/{list_id}".format(
            list_id=quote(str(list_id), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Any | ErrorEnvelope | None:
    if response.status_code == 204:
        response_204 = cast(Any, None)
        return response_204

    if response.status_code == 401:
        response_401 = ErrorEnvelope.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = ErrorEnvelope.from_dict(response.json())

        return response_403

    if response.status_code == 404:
        response_404 = ErrorEnvelope.from_dict(response.json())

        return response_404

    if response.status_code == 409:
        response_409 = ErrorEnvelope.from_dict(response.json())

        return response_409

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
) -> Response[Any | ErrorEnvelope]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    list_id: UUID,
    *,
    client: AuthenticatedClient,
    tasks: TasksOfDeletedList | Unset = UNSET,
    move_to: UUID | Unset = UNSET,
) -> Response[Any | ErrorEnvelope]:
    """Delete a list (not the default one)

     A list with tasks is deleted only when you say where they go: `tasks=delete` sends them to the
    trash, `move_to` appends them to another list of yours; else 409. The default list cannot be deleted
    (409). The list's tasks already in the trash are restored into the default list.

    Args:
        list_id (UUID):
        tasks (TasksOfDeletedList | Unset):
        move_to (UUID | Unset): Another of your lists, which the tasks are appended to.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | ErrorEnvelope]
    """

    kwargs = _get_kwargs(
        list_id=list_id,
        tasks=tasks,
        move_to=move_to,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    list_id: UUID,
    *,
    client: AuthenticatedClient,
    tasks: TasksOfDeletedList | Unset = UNSET,
    move_to: UUID | Unset = UNSET,
) -> Any | ErrorEnvelope | None:
    """Delete a list (not the default one)

     A list with tasks is deleted only when you say where they go: `tasks=delete` sends them to the
    trash, `move_to` appends them to another list of yours; else 409. The default list cannot be deleted
    (409). The list's tasks already in the trash are restored into the default list.

    Args:
        list_id (UUID):
        tasks (TasksOfDeletedList | Unset):
        move_to (UUID | Unset): Another of your lists, which the tasks are appended to.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | ErrorEnvelope
    """

    return sync_detailed(
        list_id=list_id,
        client=client,
        tasks=tasks,
        move_to=move_to,
    ).parsed


async def asyncio_detailed(
    list_id: UUID,
    *,
    client: AuthenticatedClient,
    tasks: TasksOfDeletedList | Unset = UNSET,
    move_to: UUID | Unset = UNSET,
) -> Response[Any | ErrorEnvelope]:
    """Delete a list (not the default one)

     A list with tasks is deleted only when you say where they go: `tasks=delete` sends them to the
    trash, `move_to` appends them to another list of yours; else 409. The default list cannot be deleted
    (409). The list's tasks already in the trash are restored into the default list.

    Args:
        list_id (UUID):
        tasks (TasksOfDeletedList | Unset):
        move_to (UUID | Unset): Another of your lists, which the tasks are appended to.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | ErrorEnvelope]
    """

    kwargs = _get_kwargs(
        list_id=list_id,
        tasks=tasks,
        move_to=move_to,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    list_id: UUID,
    *,
    client: AuthenticatedClient,
    tasks: TasksOfDeletedList | Unset = UNSET,
    move_to: UUID | Unset = UNSET,
) -> Any | ErrorEnvelope | None:
    """Delete a list (not the default one)

     A list with tasks is deleted only when you say where they go: `tasks=delete` sends them to the
    trash, `move_to` appends them to another list of yours; else 409. The default list cannot be deleted
    (409). The list's tasks already in the trash are restored into the default list.

    Args:
        list_id (UUID):
        tasks (TasksOfDeletedList | Unset):
        move_to (UUID | Unset): Another of your lists, which the tasks are appended to.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | ErrorEnvelope
    """

    return (
        await asyncio_detailed(
            list_id=list_id,
            client=client,
            tasks=tasks,
            move_to=move_to,
        )
    ).parsed
