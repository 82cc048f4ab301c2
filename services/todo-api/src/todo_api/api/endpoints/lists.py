"""Lists: the authenticated user's own groups of tasks, one of them the default."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Query, Response, status

from platform_common.errors import Conflict, NotFound, error_responses
from platform_common.pagination import Page, PageQuery, make_page
from todo_api.api.deps import ListsDep, token_scope
from todo_api.api.responses import AUTHENTICATED, links_by_id
from todo_api.api.routing import resource_router
from todo_api.schemas.personal_token import Scope
from todo_api.schemas.task_list import ListCreate, ListRead, ListUpdate
from todo_api.services.lists import TasksOfDeletedList

router = resource_router("lists", responses=AUTHENTICATED)

Pages = Annotated[PageQuery, Depends(PageQuery.from_request)]
_LIST_LINKS = {
    **links_by_id("list_id", "lists_get", "lists_update", "lists_delete"),
    # The list's tasks.
    "tasks_list": {"operationId": "tasks_list", "parameters": {"query.list_id": "$response.body#/id"}},
}


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    operation_id="lists_create",
    dependencies=[token_scope(Scope.LISTS_WRITE)],
    summary="Create a list (last in your order)",
    responses={
        **error_responses(Conflict),
        201: {"description": "The created list", "links": _LIST_LINKS},
    },
)
async def create_list(body: ListCreate, lists: ListsDep, response: Response) -> ListRead:
    created = await lists.create(body)
    response.headers["Location"] = f"{router.prefix}/{created.id}"
    return created


@router.get(
    "",
    operation_id="lists_list",
    dependencies=[token_scope(Scope.LISTS_READ)],
    summary="Your lists, in order",
    openapi_extra=PageQuery.openapi(),
)
async def list_lists(lists: ListsDep, query: Pages) -> Page[ListRead]:
    items, total = await lists.page(query)
    return make_page(items, total=total, query=query)


@router.get(
    "/{list_id:uuid}",
    operation_id="lists_get",
    dependencies=[token_scope(Scope.LISTS_READ)],
    summary="One list",
    responses={**error_responses(NotFound), 200: {"description": "The list", "links": _LIST_LINKS}},
)
async def get_list(list_id: uuid.UUID, lists: ListsDep) -> ListRead:
    return await lists.get(list_id)


@router.patch(
    "/{list_id:uuid}",
    operation_id="lists_update",
    dependencies=[token_scope(Scope.LISTS_WRITE)],
    summary="Rename a list",
    responses={
        **error_responses(NotFound),
        200: {"description": "The list as it now is", "links": _LIST_LINKS},
    },
)
async def update_list(list_id: uuid.UUID, body: ListUpdate, lists: ListsDep) -> ListRead:
    return await lists.update(list_id, body)


@router.delete(
    "/{list_id:uuid}",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="lists_delete",
    dependencies=[token_scope(Scope.LISTS_WRITE, Scope.TASKS_WRITE)],
    summary="Delete a list (not the default one)",
    description=(
        "A list with tasks is deleted only when you say where they go: `tasks=delete` sends them to "
        "the trash, `move_to` appends them to another list of yours; else 409. The default list "
        "cannot be deleted (409). The list's tasks already in the trash are restored into the default list."
    ),
    responses=error_responses(NotFound, Conflict),
)
async def delete_list(
    list_id: uuid.UUID,
    lists: ListsDep,
    tasks: Annotated[
        TasksOfDeletedList | None, Query(description="`delete`: the list's tasks go to the trash with it.")
    ] = None,
    move_to: Annotated[
        uuid.UUID | None, Query(description="Another of your lists, which the tasks are appended to.")
    ] = None,
) -> None:
    await lists.delete(list_id, tasks, move_to)
