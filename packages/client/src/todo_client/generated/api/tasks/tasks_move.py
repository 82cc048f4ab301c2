from http import HTTPStatus
from typing import Any
from urllib.parse import quote
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_envelope import ErrorEnvelope
from ...models.task_move import TaskMove
from ...models.task_read import TaskRead
from ...types import Response


def _get_kwargs(
    task_id: UUID,
    *,
    body: TaskMove,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/tasks/{task_id}/move".format(
            task_id=quote(str(task_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorEnvelope | TaskRead | None:
    if response.status_code == 200:
        response_200 = TaskRead.from_dict(response.json())

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
) -> Response[ErrorEnvelope | TaskRead]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    task_id: UUID,
    *,
    client: AuthenticatedClient,
    body: TaskMove,
) -> Response[ErrorEnvelope | TaskRead]:
    """Move a task, with its subtasks, to another place, parent or list

     Only the moved task's `position` changes (its siblings keep theirs): the key is made between its new
    neighbours. With `after_id` it goes right after that task, with only `before_id` right before it,
    with neither last. The answer is the task at its new place.

    Args:
        task_id (UUID):
        body (TaskMove): Where to put a task (and its subtasks). The list: ``list_id``, else the
            parent's,
            else the task's own. The parent: ``parent_id`` when sent (``null``: the top level), else
            the current one while the list stays, else the top level. The place among its new
            siblings: right after ``after_id`` (with ``before_id`` too, which must come after it),
            else right before ``before_id``, else last.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorEnvelope | TaskRead]
    """

    kwargs = _get_kwargs(
        task_id=task_id,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    task_id: UUID,
    *,
    client: AuthenticatedClient,
    body: TaskMove,
) -> ErrorEnvelope | TaskRead | None:
    """Move a task, with its subtasks, to another place, parent or list

     Only the moved task's `position` changes (its siblings keep theirs): the key is made between its new
    neighbours. With `after_id` it goes right after that task, with only `before_id` right before it,
    with neither last. The answer is the task at its new place.

    Args:
        task_id (UUID):
        body (TaskMove): Where to put a task (and its subtasks). The list: ``list_id``, else the
            parent's,
            else the task's own. The parent: ``parent_id`` when sent (``null``: the top level), else
            the current one while the list stays, else the top level. The place among its new
            siblings: right after ``after_id`` (with ``before_id`` too, which must come after it),
            else right before ``before_id``, else last.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorEnvelope | TaskRead
    """

    return sync_detailed(
        task_id=task_id,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    task_id: UUID,
    *,
    client: AuthenticatedClient,
    body: TaskMove,
) -> Response[ErrorEnvelope | TaskRead]:
    """Move a task, with its subtasks, to another place, parent or list

     Only the moved task's `position` changes (its siblings keep theirs): the key is made between its new
    neighbours. With `after_id` it goes right after that task, with only `before_id` right before it,
    with neither last. The answer is the task at its new place.

    Args:
        task_id (UUID):
        body (TaskMove): Where to put a task (and its subtasks). The list: ``list_id``, else the
            parent's,
            else the task's own. The parent: ``parent_id`` when sent (``null``: the top level), else
            the current one while the list stays, else the top level. The place among its new
            siblings: right after ``after_id`` (with ``before_id`` too, which must come after it),
            else right before ``before_id``, else last.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorEnvelope | TaskRead]
    """

    kwargs = _get_kwargs(
        task_id=task_id,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    task_id: UUID,
    *,
    client: AuthenticatedClient,
    body: TaskMove,
) -> ErrorEnvelope | TaskRead | None:
    """Move a task, with its subtasks, to another place, parent or list

     Only the moved task's `position` changes (its siblings keep theirs): the key is made between its new
    neighbours. With `after_id` it goes right after that task, with only `before_id` right before it,
    with neither last. The answer is the task at its new place.

    Args:
        task_id (UUID):
        body (TaskMove): Where to put a task (and its subtasks). The list: ``list_id``, else the
            parent's,
            else the task's own. The parent: ``parent_id`` when sent (``null``: the top level), else
            the current one while the list stays, else the top level. The place among its new
            siblings: right after ``after_id`` (with ``before_id`` too, which must come after it),
            else right before ``before_id``, else last.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorEnvelope | TaskRead
    """

    return (
        await asyncio_detailed(
            task_id=task_id,
            client=client,
            body=body,
        )
    ).parsed
