"""Tasks: private to the authenticated user."""

from __future__ import annotations

import uuid
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import Depends, Header, Query, Response, status

from platform_common.errors import (
    NotFound,
    PreconditionFailed,
    error_responses,
)
from platform_common.http.conditional import if_none_match_matches
from platform_common.pagination import Page, make_page
from todo_api.api.deps import DeltaDep, TasksDep, token_scope
from todo_api.api.responses import AUTHENTICATED, CREATED, ETAG, links_by_id, links_by_id_if_match
from todo_api.api.routing import resource_router
from todo_api.schemas.datetimes import TimeZoneName
from todo_api.schemas.personal_token import Scope
from todo_api.schemas.task import (
    DeltaQuery,
    TaskCreate,
    TaskDelta,
    TaskMove,
    TaskQuery,
    TaskRead,
    TaskStats,
    TaskUpdate,
)
from todo_api.services.delta import CursorExpired, InvalidCursor
from todo_api.services.errors import TaskQuotaExceeded
from todo_api.services.tasks import etag_for

router = resource_router("tasks", responses=AUTHENTICATED)

UTC_ZONE = TimeZoneName("UTC")
IfMatch = Annotated[
    str | None,
    Header(
        max_length=200,
        description="Only act if the task's current ETag is listed (strong comparison; else 412).",
    ),
]


async def timezone(
    tz: Annotated[TimeZoneName, Query(description="IANA zone for 'today'.")] = UTC_ZONE,
) -> ZoneInfo:
    return ZoneInfo(tz.value)


def _location(task: TaskRead) -> str:
    return f"{router.prefix}/{task.id}"


# Every answer that carries a task carries its ETag, and links it into the next write's If-Match.
_TASK_LINKS = {
    **links_by_id("task_id", "tasks_get", "tasks_move"),
    **links_by_id_if_match("task_id", "tasks_update", "tasks_delete"),
}
# A 412 tells the current version, so a client can re-read and decide.
_STALE: dict[int | str, dict[str, Any]] = {412: {**error_responses(PreconditionFailed)[412], "headers": ETAG}}


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    operation_id="tasks_create",
    dependencies=[token_scope(Scope.TASKS_WRITE)],
    summary="Create a task (last in its list, or under its parent)",
    response_description="The created task (or, for a repeated Idempotency-Key, the original response).",
    responses={
        201: {
            "description": "The created task (or, for a repeated Idempotency-Key, the original response).",
            "headers": {**ETAG, **CREATED},
            "links": _TASK_LINKS,
        },
        **error_responses(TaskQuotaExceeded),
        **error_responses(NotFound),
        422: {
            "description": "Invalid body; or a parent in another list, or nested too deep (pointer /parent_id)"
        },
    },
)
async def create_task(
    body: TaskCreate,
    tasks: TasksDep,
    response: Response,
    idempotency_key: Annotated[
        str | None,
        Header(
            min_length=1, max_length=255, pattern=r"^[\x21-\x7e]+$", description="Repeat-safe creation, 24 h."
        ),
    ] = None,
) -> TaskRead:
    created = await tasks.create(body, idempotency_key)
    response.headers["Location"] = _location(created.task)
    response.headers["ETag"] = etag_for(created.task)
    if created.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return created.task


@router.get(
    "",
    operation_id="tasks_list",
    dependencies=[token_scope(Scope.TASKS_READ)],
    summary="List, filter, sort and search your tasks",
    responses=error_responses(NotFound),
    openapi_extra=TaskQuery.openapi(),
)
async def list_tasks(
    tasks: TasksDep, query: Annotated[TaskQuery, Depends(TaskQuery.from_request)]
) -> Page[TaskRead]:
    items, total = await tasks.list(query.task_filter(), query.sort_keys(), query)
    return make_page(items, total=total, query=query)


@router.get(
    "/stats",
    operation_id="tasks_stats",
    dependencies=[token_scope(Scope.TASKS_READ)],
    summary="Counts of your tasks",
)
async def task_stats(tasks: TasksDep, tz: Annotated[ZoneInfo, Depends(timezone)]) -> TaskStats:
    return await tasks.stats(tz)


@router.get(
    "/delta",
    operation_id="tasks_delta",
    dependencies=[token_scope(Scope.TASKS_READ)],
    summary="What changed in your tasks since a cursor",
    description=(
        "Without `cursor`, pages through all your tasks; with the `next_cursor` of the previous "
        "answer, returns what was created, changed (`items`) or deleted (`deleted`) since, oldest "
        "first. No change is ever missed, also while others write. Keep asking while `has_more`; "
        "keep `next_cursor` for the next sync. A cursor older than the tombstone retention is 410: "
        "sync again without one."
    ),
    openapi_extra=DeltaQuery.openapi(),
    responses={
        200: {
            "description": "The changes, oldest first, and the cursor to continue from",
            "links": {
                "tasks_delta": {
                    "operationId": "tasks_delta",
                    "parameters": {"cursor": "$response.body#/next_cursor"},
                }
            },
        },
        **error_responses(InvalidCursor, CursorExpired),
    },
)
async def task_delta(
    delta: DeltaDep, query: Annotated[DeltaQuery, Depends(DeltaQuery.from_request)]
) -> TaskDelta:
    return await delta.delta(query.cursor, query.size)


@router.get(
    "/{task_id:uuid}",
    operation_id="tasks_get",
    dependencies=[token_scope(Scope.TASKS_READ)],
    summary="One task, with its ETag",
    responses={
        200: {"description": "The task", "headers": ETAG, "links": _TASK_LINKS},
        304: {"description": "Not modified (If-None-Match matched, weakly)", "headers": ETAG},
        **error_responses(NotFound),
    },
)
async def get_task(
    task_id: uuid.UUID,
    tasks: TasksDep,
    response: Response,
    if_none_match: Annotated[
        str | None,
        Header(max_length=200, description="304 if the task's current ETag is listed (weak comparison)."),
    ] = None,
) -> TaskRead:
    task = await tasks.get(task_id)
    etag = etag_for(task)
    if if_none_match is not None and if_none_match_matches(if_none_match, etag):
        return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers={"ETag": etag})  # type: ignore[return-value]
    response.headers["ETag"] = etag
    return task


@router.patch(
    "/{task_id:uuid}",
    operation_id="tasks_update",
    dependencies=[token_scope(Scope.TASKS_WRITE)],
    summary="Change some fields of a task",
    description="A JSON merge patch. A patch that changes nothing writes nothing: same version, same ETag.",
    responses={
        200: {"description": "The task as it now is", "headers": ETAG, "links": _TASK_LINKS},
        **error_responses(NotFound),
        **_STALE,
    },
)
async def update_task(
    task_id: uuid.UUID,
    body: TaskUpdate,
    tasks: TasksDep,
    response: Response,
    if_match: IfMatch = None,
) -> TaskRead:
    task = await tasks.update(task_id, body, if_match)
    response.headers["ETag"] = etag_for(task)
    return task


@router.delete(
    "/{task_id:uuid}",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="tasks_delete",
    dependencies=[token_scope(Scope.TASKS_WRITE)],
    summary="Move a task (and its subtasks) to the trash",
    responses={
        204: {
            "description": "In the trash, restorable until purged",
            "links": {
                "tasks_restore": {
                    "operationId": "tasks_restore",
                    "parameters": {"task_id": "$request.path.task_id"},
                }
            },
        },
        **error_responses(NotFound),
        **_STALE,
    },
)
async def delete_task(
    task_id: uuid.UUID,
    tasks: TasksDep,
    if_match: IfMatch = None,
) -> None:
    await tasks.delete(task_id, if_match)


@router.post(
    "/{task_id:uuid}/move",
    operation_id="tasks_move",
    dependencies=[token_scope(Scope.TASKS_WRITE)],
    summary="Move a task, with its subtasks, to another place, parent or list",
    description=(
        "Only the moved task's `position` changes (its siblings keep theirs): the key is made "
        "between its new neighbours. With `after_id` it goes right after that task, with only "
        "`before_id` right before it, with neither last. The answer is the task at its new place."
    ),
    responses={
        200: {"description": "The task at its new place", "headers": ETAG, "links": _TASK_LINKS},
        **error_responses(NotFound),
        422: {
            "description": (
                "Invalid body; or a parent in another list, a cycle, nesting deeper than 4 levels "
                "(pointer /parent_id), or an after_id/before_id that is not a sibling at the destination"
            )
        },
    },
)
async def move_task(task_id: uuid.UUID, body: TaskMove, tasks: TasksDep, response: Response) -> TaskRead:
    task = await tasks.move(task_id, body)
    response.headers["ETag"] = etag_for(task)
    return task


@router.post(
    "/{task_id:uuid}/restore",
    operation_id="tasks_restore",
    dependencies=[token_scope(Scope.TASKS_WRITE)],
    summary="Bring a task back from the trash, with the subtasks trashed with it",
    responses={
        200: {"description": "The restored task", "headers": ETAG, "links": _TASK_LINKS},
        **error_responses(NotFound),
    },
)
async def restore_task(task_id: uuid.UUID, tasks: TasksDep, response: Response) -> TaskRead:
    task = await tasks.restore(task_id)
    response.headers["ETag"] = etag_for(task)
    return task
