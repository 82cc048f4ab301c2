"""Tasks: private to the authenticated user."""

from __future__ import annotations

import uuid
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Header, Query, Response, status

from platform_common.errors import (
    NotFound,
    PreconditionFailed,
    error_responses,
)
from platform_common.pagination import Page, PageParamsDep, make_page
from todo_api.api.deps import CurrentUser, SessionDep
from todo_api.api.responses import AUTHENTICATED, links_by_id
from todo_api.models import TaskPriority
from todo_api.schemas.common import SafeStr, UtcDateTime
from todo_api.schemas.task import (
    SORT_FIELDS,
    SORT_PATTERN,
    SortKey,
    TaskCreate,
    TaskFilter,
    TaskRead,
    TaskStats,
    TaskUpdate,
    TimeZoneName,
)
from todo_api.services.tasks import TaskService, etag_for, matches

router = APIRouter(prefix="/tasks", tags=["tasks"], responses=AUTHENTICATED)

DEFAULT_SORT = "-created_at"
UTC_ZONE = TimeZoneName("UTC")
IfMatch = Annotated[
    str | None,
    Header(max_length=200, description="Only act if the task's current ETag is listed (else 412)."),
]


async def task_filter(
    completed: bool | None = None,
    priority: Annotated[list[TaskPriority] | None, Query(description="Repeatable; any may match.")] = None,
    due_before: UtcDateTime | None = None,
    due_after: UtcDateTime | None = None,
    tag: Annotated[
        list[SafeStr] | None, Query(description="Repeatable; all must match.", max_length=20)
    ] = None,
    q: Annotated[
        SafeStr | None, Query(max_length=200, description="Case-insensitive text in title or description.")
    ] = None,
    overdue: bool | None = None,
) -> TaskFilter:
    return TaskFilter(
        completed=completed,
        priorities=tuple(priority or ()),
        due_before=due_before,
        due_after=due_after,
        tags=tuple(t.strip().lower() for t in tag or ()),
        search=q or None,
        overdue=overdue,
    )


async def sort_keys(
    sort: Annotated[
        str,
        Query(
            max_length=200,
            pattern=SORT_PATTERN,
            description=f"Comma-separated keys from {sorted(SORT_FIELDS)}; '-' for descending.",
        ),
    ] = DEFAULT_SORT,
) -> list[SortKey]:
    return [SortKey(part.lstrip("-"), part.startswith("-")) for part in sort.split(",")]


async def timezone(
    tz: Annotated[TimeZoneName, Query(description="IANA zone for 'today'.")] = UTC_ZONE,
) -> ZoneInfo:
    return ZoneInfo(tz.value)


def _location(task: TaskRead) -> str:
    return f"{router.prefix}/{task.id}"


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    operation_id="tasks_create",
    summary="Create a task",
    response_description="The created task (or, for a repeated Idempotency-Key, the original response).",
    responses={
        201: {
            "description": "The created task (or, for a repeated Idempotency-Key, the original response).",
            "links": links_by_id("task_id", "tasks_get", "tasks_update", "tasks_delete"),
        }
    },
)
async def create_task(
    body: TaskCreate,
    user: CurrentUser,
    session: SessionDep,
    response: Response,
    idempotency_key: Annotated[
        str | None,
        Header(
            min_length=1, max_length=255, pattern=r"^[\x21-\x7e]+$", description="Repeat-safe creation, 24 h."
        ),
    ] = None,
) -> TaskRead:
    created = await TaskService(session, user).create(body, idempotency_key)
    response.headers["Location"] = f"/api/v1{_location(created.task)}"
    response.headers["ETag"] = etag_for(created.task)
    if created.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return created.task


@router.get("", operation_id="tasks_list", summary="List, filter, sort and search your tasks")
async def list_tasks(
    user: CurrentUser,
    session: SessionDep,
    params: PageParamsDep,
    filters: Annotated[TaskFilter, Depends(task_filter)],
    sort: Annotated[list[SortKey], Depends(sort_keys)],
) -> Page[TaskRead]:
    tasks, total = await TaskService(session, user).list(filters, sort, params)
    return make_page(tasks, total=total, params=params)


@router.get("/stats", operation_id="tasks_stats", summary="Counts of your tasks")
async def task_stats(
    user: CurrentUser, session: SessionDep, tz: Annotated[ZoneInfo, Depends(timezone)]
) -> TaskStats:
    return await TaskService(session, user).stats(tz)


@router.get(
    "/{task_id:uuid}",
    operation_id="tasks_get",
    summary="One task, with its ETag",
    responses={**error_responses(NotFound), 304: {"description": "Not modified (If-None-Match matched)"}},
)
async def get_task(
    task_id: uuid.UUID,
    user: CurrentUser,
    session: SessionDep,
    response: Response,
    if_none_match: Annotated[str | None, Header(max_length=200)] = None,
) -> TaskRead:
    task = await TaskService(session, user).get(task_id)
    etag = etag_for(task)
    if if_none_match is not None and matches(if_none_match, etag):
        return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers={"ETag": etag})  # type: ignore[return-value]
    response.headers["ETag"] = etag
    return task


@router.patch(
    "/{task_id:uuid}",
    operation_id="tasks_update",
    summary="Change some fields of a task",
    responses=error_responses(NotFound, PreconditionFailed),
)
async def update_task(
    task_id: uuid.UUID,
    body: TaskUpdate,
    user: CurrentUser,
    session: SessionDep,
    response: Response,
    if_match: IfMatch = None,
) -> TaskRead:
    task = await TaskService(session, user).update(task_id, body, if_match)
    response.headers["ETag"] = etag_for(task)
    return task


@router.delete(
    "/{task_id:uuid}",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="tasks_delete",
    summary="Delete a task",
    responses=error_responses(NotFound, PreconditionFailed),
)
async def delete_task(
    task_id: uuid.UUID,
    user: CurrentUser,
    session: SessionDep,
    if_match: IfMatch = None,
) -> None:
    await TaskService(session, user).delete(task_id, if_match)
