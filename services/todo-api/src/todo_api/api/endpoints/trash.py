"""The trash: the authenticated user's deleted tasks, restorable until purged."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from platform_common.pagination import Page, PageQuery, make_page
from todo_api.api.deps import TasksDep, token_scope
from todo_api.api.responses import AUTHENTICATED
from todo_api.api.routing import resource_router
from todo_api.schemas.personal_token import Scope
from todo_api.schemas.task import TaskRead

router = resource_router("trash", responses=AUTHENTICATED)


@router.get(
    "/tasks",
    operation_id="trash_tasks",
    dependencies=[token_scope(Scope.TASKS_READ)],
    summary="Your trashed tasks, most recently trashed first",
    description="Trashed tasks are purged `TRASH_RETENTION_DAYS` after they were deleted (by default 30).",
    openapi_extra=PageQuery.openapi(),
)
async def trashed_tasks(
    tasks: TasksDep, query: Annotated[PageQuery, Depends(PageQuery.from_request)]
) -> Page[TaskRead]:
    items, total = await tasks.trash(query)
    return make_page(items, total=total, query=query)
