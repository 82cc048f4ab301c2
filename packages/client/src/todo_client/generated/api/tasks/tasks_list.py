import datetime
from http import HTTPStatus
from typing import Any
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_envelope import ErrorEnvelope
from ...models.page_task_read import PageTaskRead
from ...models.task_priority import TaskPriority
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    page: int | Unset = 1,
    size: int | Unset = 20,
    completed: bool | Unset = UNSET,
    priority: list[TaskPriority] | Unset = UNSET,
    due_before: datetime.datetime | Unset = UNSET,
    due_after: datetime.datetime | Unset = UNSET,
    tag: list[str] | Unset = UNSET,
    q: str | Unset = UNSET,
    overdue: bool | Unset = UNSET,
    list_id: UUID | Unset = UNSET,
    parent_id: UUID | Unset = UNSET,
    sort: str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["page"] = page

    params["size"] = size

    params["completed"] = completed

    json_priority: list[str] | Unset = UNSET
    if not isinstance(priority, Unset):
        json_priority = []
        for priority_item_data in priority:
            priority_item: str = priority_item_data
            json_priority.append(priority_item)

    params["priority"] = json_priority

    json_due_before: str | Unset = UNSET
    if not isinstance(due_before, Unset):
        json_due_before = due_before.isoformat()
    params["due_before"] = json_due_before

    json_due_after: str | Unset = UNSET
    if not isinstance(due_after, Unset):
        json_due_after = due_after.isoformat()
    params["due_after"] = json_due_after

    json_tag: list[str] | Unset = UNSET
    if not isinstance(tag, Unset):
        json_tag = tag

    params["tag"] = json_tag

    params["q"] = q

    params["overdue"] = overdue

    json_list_id: str | Unset = UNSET
    if not isinstance(list_id, Unset):
        json_list_id = str(list_id)
    params["list_id"] = json_list_id

    json_parent_id: str | Unset = UNSET
    if not isinstance(parent_id, Unset):
        json_parent_id = str(parent_id)
    params["parent_id"] = json_parent_id

    params["sort"] = sort

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/tasks",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorEnvelope | PageTaskRead | None:
    if response.status_code == 200:
        response_200 = PageTaskRead.from_dict(response.json())

        return response_200

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
) -> Response[ErrorEnvelope | PageTaskRead]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    page: int | Unset = 1,
    size: int | Unset = 20,
    completed: bool | Unset = UNSET,
    priority: list[TaskPriority] | Unset = UNSET,
    due_before: datetime.datetime | Unset = UNSET,
    due_after: datetime.datetime | Unset = UNSET,
    tag: list[str] | Unset = UNSET,
    q: str | Unset = UNSET,
    overdue: bool | Unset = UNSET,
    list_id: UUID | Unset = UNSET,
    parent_id: UUID | Unset = UNSET,
    sort: str | Unset = UNSET,
) -> Response[ErrorEnvelope | PageTaskRead]:
    """List, filter, sort and search your tasks

    Args:
        page (int | Unset): 1-based page number. Default: 1.
        size (int | Unset): Items per page. Default: 20.
        completed (bool | Unset):
        priority (list[TaskPriority] | Unset): Repeatable; any may match.
        due_before (datetime.datetime | Unset):
        due_after (datetime.datetime | Unset):
        tag (list[str] | Unset): Repeatable; all must match. Compared in the form tags are stored
            in (NFC, trimmed, case-folded).
        q (str | Unset): Word-prefix search of title and description: every word of `q` (split at
            whitespace; at most 10, each at most 64 characters) must begin a word of the task, in any
            case (`rep fin` finds 'Write the report' with 'Numbers from finance'). Punctuation
            separates words and is not searched for: a `q` without letters or digits filters nothing.
        overdue (bool | Unset):
        list_id (UUID | Unset): Only the tasks of this list (every level).
        parent_id (UUID | Unset): Only the subtasks of this task.
        sort (str | Unset): Comma-separated keys from ['created_at', 'due_at', 'position',
            'priority', 'title', 'updated_at']; '-' for descending. Default: 'position' with a list_id
            or parent_id (the manual order), else '-created_at'.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorEnvelope | PageTaskRead]
    """

    kwargs = _get_kwargs(
        page=page,
        size=size,
        completed=completed,
        priority=priority,
        due_before=due_before,
        due_after=due_after,
        tag=tag,
        q=q,
        overdue=overdue,
        list_id=list_id,
        parent_id=parent_id,
        sort=sort,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    page: int | Unset = 1,
    size: int | Unset = 20,
    completed: bool | Unset = UNSET,
    priority: list[TaskPriority] | Unset = UNSET,
    due_before: datetime.datetime | Unset = UNSET,
    due_after: datetime.datetime | Unset = UNSET,
    tag: list[str] | Unset = UNSET,
    q: str | Unset = UNSET,
    overdue: bool | Unset = UNSET,
    list_id: UUID | Unset = UNSET,
    parent_id: UUID | Unset = UNSET,
    sort: str | Unset = UNSET,
) -> ErrorEnvelope | PageTaskRead | None:
    """List, filter, sort and search your tasks

    Args:
        page (int | Unset): 1-based page number. Default: 1.
        size (int | Unset): Items per page. Default: 20.
        completed (bool | Unset):
        priority (list[TaskPriority] | Unset): Repeatable; any may match.
        due_before (datetime.datetime | Unset):
        due_after (datetime.datetime | Unset):
        tag (list[str] | Unset): Repeatable; all must match. Compared in the form tags are stored
            in (NFC, trimmed, case-folded).
        q (str | Unset): Word-prefix search of title and description: every word of `q` (split at
            whitespace; at most 10, each at most 64 characters) must begin a word of the task, in any
            case (`rep fin` finds 'Write the report' with 'Numbers from finance'). Punctuation
            separates words and is not searched for: a `q` without letters or digits filters nothing.
        overdue (bool | Unset):
        list_id (UUID | Unset): Only the tasks of this list (every level).
        parent_id (UUID | Unset): Only the subtasks of this task.
        sort (str | Unset): Comma-separated keys from ['created_at', 'due_at', 'position',
            'priority', 'title', 'updated_at']; '-' for descending. Default: 'position' with a list_id
            or parent_id (the manual order), else '-created_at'.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorEnvelope | PageTaskRead
    """

    return sync_detailed(
        client=client,
        page=page,
        size=size,
        completed=completed,
        priority=priority,
        due_before=due_before,
        due_after=due_after,
        tag=tag,
        q=q,
        overdue=overdue,
        list_id=list_id,
        parent_id=parent_id,
        sort=sort,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    page: int | Unset = 1,
    size: int | Unset = 20,
    completed: bool | Unset = UNSET,
    priority: list[TaskPriority] | Unset = UNSET,
    due_before: datetime.datetime | Unset = UNSET,
    due_after: datetime.datetime | Unset = UNSET,
    tag: list[str] | Unset = UNSET,
    q: str | Unset = UNSET,
    overdue: bool | Unset = UNSET,
    list_id: UUID | Unset = UNSET,
    parent_id: UUID | Unset = UNSET,
    sort: str | Unset = UNSET,
) -> Response[ErrorEnvelope | PageTaskRead]:
    """List, filter, sort and search your tasks

    Args:
        page (int | Unset): 1-based page number. Default: 1.
        size (int | Unset): Items per page. Default: 20.
        completed (bool | Unset):
        priority (list[TaskPriority] | Unset): Repeatable; any may match.
        due_before (datetime.datetime | Unset):
        due_after (datetime.datetime | Unset):
        tag (list[str] | Unset): Repeatable; all must match. Compared in the form tags are stored
            in (NFC, trimmed, case-folded).
        q (str | Unset): Word-prefix search of title and description: every word of `q` (split at
            whitespace; at most 10, each at most 64 characters) must begin a word of the task, in any
            case (`rep fin` finds 'Write the report' with 'Numbers from finance'). Punctuation
            separates words and is not searched for: a `q` without letters or digits filters nothing.
        overdue (bool | Unset):
        list_id (UUID | Unset): Only the tasks of this list (every level).
        parent_id (UUID | Unset): Only the subtasks of this task.
        sort (str | Unset): Comma-separated keys from ['created_at', 'due_at', 'position',
            'priority', 'title', 'updated_at']; '-' for descending. Default: 'position' with a list_id
            or parent_id (the manual order), else '-created_at'.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorEnvelope | PageTaskRead]
    """

    kwargs = _get_kwargs(
        page=page,
        size=size,
        completed=completed,
        priority=priority,
        due_before=due_before,
        due_after=due_after,
        tag=tag,
        q=q,
        overdue=overdue,
        list_id=list_id,
        parent_id=parent_id,
        sort=sort,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    page: int | Unset = 1,
    size: int | Unset = 20,
    completed: bool | Unset = UNSET,
    priority: list[TaskPriority] | Unset = UNSET,
    due_before: datetime.datetime | Unset = UNSET,
    due_after: datetime.datetime | Unset = UNSET,
    tag: list[str] | Unset = UNSET,
    q: str | Unset = UNSET,
    overdue: bool | Unset = UNSET,
    list_id: UUID | Unset = UNSET,
    parent_id: UUID | Unset = UNSET,
    sort: str | Unset = UNSET,
) -> ErrorEnvelope | PageTaskRead | None:
    """List, filter, sort and search your tasks

    Args:
        page (int | Unset): 1-based page number. Default: 1.
        size (int | Unset): Items per page. Default: 20.
        completed (bool | Unset):
        priority (list[TaskPriority] | Unset): Repeatable; any may match.
        due_before (datetime.datetime | Unset):
        due_after (datetime.datetime | Unset):
        tag (list[str] | Unset): Repeatable; all must match. Compared in the form tags are stored
            in (NFC, trimmed, case-folded).
        q (str | Unset): Word-prefix search of title and description: every word of `q` (split at
            whitespace; at most 10, each at most 64 characters) must begin a word of the task, in any
            case (`rep fin` finds 'Write the report' with 'Numbers from finance'). Punctuation
            separates words and is not searched for: a `q` without letters or digits filters nothing.
        overdue (bool | Unset):
        list_id (UUID | Unset): Only the tasks of this list (every level).
        parent_id (UUID | Unset): Only the subtasks of this task.
        sort (str | Unset): Comma-separated keys from ['created_at', 'due_at', 'position',
            'priority', 'title', 'updated_at']; '-' for descending. Default: 'position' with a list_id
            or parent_id (the manual order), else '-created_at'.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorEnvelope | PageTaskRead
    """

    return (
        await asyncio_detailed(
            client=client,
            page=page,
            size=size,
            completed=completed,
            priority=priority,
            due_before=due_before,
            due_after=due_after,
            tag=tag,
            q=q,
            overdue=overdue,
            list_id=list_id,
            parent_id=parent_id,
            sort=sort,
        )
    ).parsed
