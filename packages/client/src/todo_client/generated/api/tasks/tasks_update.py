from http import HTTPStatus
from typing import Any
from urllib.parse import quote
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_envelope import ErrorEnvelope
from ...models.task_read import TaskRead
from ...models.task_update import TaskUpdate
from ...types import UNSET, Response, Unset


def _get_kwargs(
    task_id: UUID,
    *,
    body: TaskUpdate,
    if_match: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(if_match, Unset):
        headers["if-match"] = if_match

    _kwargs: dict[str, Any] = {
        "method": "patch",
        "url": "/api/v1/tasks/{task_id}".format(
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

    if response.status_code == 412:
        response_412 = ErrorEnvelope.from_dict(response.json())

        return response_412

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
    body: TaskUpdate,
    if_match: str | Unset = UNSET,
) -> Response[ErrorEnvelope | TaskRead]:
    """Change some fields of a task

     A JSON merge patch. A patch that changes nothing writes nothing: same version, same ETag.

    Args:
        task_id (UUID):
        if_match (str | Unset): Only act if the task's current ETag is listed (strong comparison;
            else 412).
        body (TaskUpdate): JSON merge patch: absent fields stay as they are; ``null`` clears
            ``description``,
            ``due_at`` and ``recurrence``. The other fields may be omitted but not null (defaults are
            never validated, so ``None`` below only ever means "absent").

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorEnvelope | TaskRead]
    """

    kwargs = _get_kwargs(
        task_id=task_id,
        body=body,
        if_match=if_match,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    task_id: UUID,
    *,
    client: AuthenticatedClient,
    body: TaskUpdate,
    if_match: str | Unset = UNSET,
) -> ErrorEnvelope | TaskRead | None:
    """Change some fields of a task

     A JSON merge patch. A patch that changes nothing writes nothing: same version, same ETag.

    Args:
        task_id (UUID):
        if_match (str | Unset): Only act if the task's current ETag is listed (strong comparison;
            else 412).
        body (TaskUpdate): JSON merge patch: absent fields stay as they are; ``null`` clears
            ``description``,
            ``due_at`` and ``recurrence``. The other fields may be omitted but not null (defaults are
            never validated, so ``None`` below only ever means "absent").

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
        if_match=if_match,
    ).parsed


async def asyncio_detailed(
    task_id: UUID,
    *,
    client: AuthenticatedClient,
    body: TaskUpdate,
    if_match: str | Unset = UNSET,
) -> Response[ErrorEnvelope | TaskRead]:
    """Change some fields of a task

     A JSON merge patch. A patch that changes nothing writes nothing: same version, same ETag.

    Args:
        task_id (UUID):
        if_match (str | Unset): Only act if the task's current ETag is listed (strong comparison;
            else 412).
        body (TaskUpdate): JSON merge patch: absent fields stay as they are; ``null`` clears
            ``description``,
            ``due_at`` and ``recurrence``. The other fields may be omitted but not null (defaults are
            never validated, so ``None`` below only ever means "absent").

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorEnvelope | TaskRead]
    """

    kwargs = _get_kwargs(
        task_id=task_id,
        body=body,
        if_match=if_match,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    task_id: UUID,
    *,
    client: AuthenticatedClient,
    body: TaskUpdate,
    if_match: str | Unset = UNSET,
) -> ErrorEnvelope | TaskRead | None:
    """Change some fields of a task

     A JSON merge patch. A patch that changes nothing writes nothing: same version, same ETag.

    Args:
        task_id (UUID):
        if_match (str | Unset): Only act if the task's current ETag is listed (strong comparison;
            else 412).
        body (TaskUpdate): JSON merge patch: absent fields stay as they are; ``null`` clears
            ``description``,
            ``due_at`` and ``recurrence``. The other fields may be omitted but not null (defaults are
            never validated, so ``None`` below only ever means "absent").

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
            if_match=if_match,
        )
    ).parsed
