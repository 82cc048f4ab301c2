"""List rules: private to their owner, at most ``MAX_LISTS_PER_USER`` each, the default list
kept. Every task write a list operation causes goes through ``TaskService``."""

from __future__ import annotations

import uuid
from enum import StrEnum

from platform_common.errors import Conflict, ErrorSource, UnprocessableEntity
from platform_common.pagination import PageQuery
from todo_api.repositories.lists import ListRepository
from todo_api.schemas.task_list import ListCreate, ListRead, ListUpdate
from todo_api.schemas.webhook import EventType
from todo_api.services.auth import Caller
from todo_api.services.events import OwnEvents
from todo_api.services.ordering import key_between
from todo_api.services.pages import rows_and_total
from todo_api.services.tasks import TaskService


class TasksOfDeletedList(StrEnum):
    DELETE = "delete"


class ListService:
    def __init__(self, caller: Caller, max_lists: int) -> None:
        self.lists = ListRepository(caller.transaction, caller.id)
        self.tasks = TaskService(caller)
        self.events = OwnEvents(caller)
        self.max_lists = max_lists

    async def create(self, request: ListCreate) -> ListRead:
        """Last in the owner's order. Under the placement lock, so concurrent creations can
        neither pass the limit nor take the same position."""
        await self.tasks.lock_placement()
        if await self.lists.count() >= self.max_lists:
            raise Conflict(f"You already have the maximum of {self.max_lists} lists")
        position = key_between(await self.lists.last_position(), None)
        created = ListRead.from_row(await self.lists.insert({"name": request.name, "position": position}))
        await self.events.emit(EventType.LIST_CREATED, created)
        return created

    async def page(self, params: PageQuery) -> tuple[list[ListRead], int]:
        rows = await self.lists.page(limit=params.limit, offset=params.offset)
        rows, total = await rows_and_total(rows, params, self.lists.count)
        return [ListRead.from_row(row) for row in rows], total

    async def get(self, list_id: uuid.UUID) -> ListRead:
        return ListRead.from_row(await self.tasks.list_of(list_id))

    async def update(self, list_id: uuid.UUID, request: ListUpdate) -> ListRead:
        """A patch that changes nothing writes nothing (``updated_at`` stays)."""
        current = ListRead.from_row(await self.tasks.list_of(list_id))
        changes = {
            name: value for name, value in request.changes().items() if getattr(current, name) != value
        }
        if not changes:
            return current
        row = await self.lists.update(list_id, changes)
        if row is None:  # pragma: no cover - read just above, in this transaction
            raise Conflict("The list was deleted meanwhile")
        updated = ListRead.from_row(row)
        await self.events.emit(EventType.LIST_UPDATED, updated)
        return updated

    async def delete(
        self, list_id: uuid.UUID, tasks: TasksOfDeletedList | None, move_to: uuid.UUID | None
    ) -> None:
        """The default list stays (409). A list with live tasks goes only when the caller
        says where they go: to the trash (``tasks=delete``) or to another list (``move_to``);
        else 409. Its trashed tasks are handed to the default list, where a restore puts them."""
        default = await self.tasks.lock_placement()
        deleted = ListRead.from_row(await self.tasks.list_of(list_id))
        if deleted.is_default:
            raise Conflict("The default list cannot be deleted")
        if tasks is not None and move_to is not None:
            raise UnprocessableEntity(
                "Give either tasks=delete or move_to, not both", source=ErrorSource(parameter="move_to")
            )
        if move_to is not None:
            target = await self.tasks.list_of(move_to)
            if target["id"] == list_id:
                raise UnprocessableEntity(
                    "Tasks cannot be moved to the list being deleted", source=ErrorSource(parameter="move_to")
                )
            await self.tasks.move_list(list_id, target["id"])
        elif tasks is TasksOfDeletedList.DELETE:
            await self.tasks.trash_list(list_id)
        elif await self.tasks.count_in_list(list_id):
            raise Conflict("The list has tasks: delete them with it (?tasks=delete) or move them (?move_to=)")
        await self.tasks.hand_over_trash(list_id, default["id"])
        await self.lists.delete(list_id)
        await self.events.emit(EventType.LIST_DELETED, deleted)
