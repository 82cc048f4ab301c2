from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define

from ..models.task_priority import TaskPriority, check_task_priority
from ..types import UNSET, Unset

T = TypeVar("T", bound="TaskCreate")


@_attrs_define
class TaskCreate:
    """
    Attributes:
        title (str):
        description (str | Unset):  Default: ''.
        priority (TaskPriority | Unset): Declared in rising order; PostgreSQL sorts the enum in this order.
        due_at (datetime.datetime | None | Unset):
        tags (list[str] | Unset):
        completed (bool | Unset):  Default: False.
        recurrence (None | str | Unset):
        list_id (None | Unset | UUID): The list to create it in; your default list if absent.
        parent_id (None | Unset | UUID): A task of the same list to nest it under (at most 4 levels deep).
    """

    title: str
    description: str | Unset = ""
    priority: TaskPriority | Unset = UNSET
    due_at: datetime.datetime | None | Unset = UNSET
    tags: list[str] | Unset = UNSET
    completed: bool | Unset = False
    recurrence: None | str | Unset = UNSET
    list_id: None | Unset | UUID = UNSET
    parent_id: None | Unset | UUID = UNSET

    def to_dict(self) -> dict[str, Any]:
        title = self.title

        description = self.description

        priority: str | Unset = UNSET
        if not isinstance(self.priority, Unset):
            priority = self.priority

        due_at: None | str | Unset
        if isinstance(self.due_at, Unset):
            due_at = UNSET
        elif isinstance(self.due_at, datetime.datetime):
            due_at = self.due_at.isoformat()
        else:
            due_at = self.due_at

        tags: list[str] | Unset = UNSET
        if not isinstance(self.tags, Unset):
            tags = self.tags

        completed = self.completed

        recurrence: None | str | Unset
        if isinstance(self.recurrence, Unset):
            recurrence = UNSET
        else:
            recurrence = self.recurrence

        list_id: None | str | Unset
        if isinstance(self.list_id, Unset):
            list_id = UNSET
        elif isinstance(self.list_id, UUID):
            list_id = str(self.list_id)
        else:
            list_id = self.list_id

        parent_id: None | str | Unset
        if isinstance(self.parent_id, Unset):
            parent_id = UNSET
        elif isinstance(self.parent_id, UUID):
            parent_id = str(self.parent_id)
        else:
            parent_id = self.parent_id

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "title": title,
            }
        )
        if description is not UNSET:
            field_dict["description"] = description
        if priority is not UNSET:
            field_dict["priority"] = priority
        if due_at is not UNSET:
            field_dict["due_at"] = due_at
        if tags is not UNSET:
            field_dict["tags"] = tags
        if completed is not UNSET:
            field_dict["completed"] = completed
        if recurrence is not UNSET:
            field_dict["recurrence"] = recurrence
        if list_id is not UNSET:
            field_dict["list_id"] = list_id
        if parent_id is not UNSET:
            field_dict["parent_id"] = parent_id

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        title = d.pop("title")

        description = d.pop("description", UNSET)

        _priority = d.pop("priority", UNSET)
        priority: TaskPriority | Unset
        if isinstance(_priority, Unset):
            priority = UNSET
        else:
            priority = check_task_priority(_priority)

        def _parse_due_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                due_at_type_0 = datetime.datetime.fromisoformat(data)

                return due_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        due_at = _parse_due_at(d.pop("due_at", UNSET))

        tags = cast(list[str], d.pop("tags", UNSET))

        completed = d.pop("completed", UNSET)

        def _parse_recurrence(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        recurrence = _parse_recurrence(d.pop("recurrence", UNSET))

        def _parse_list_id(data: object) -> None | Unset | UUID:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                list_id_type_0 = UUID(data)

                return list_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | UUID, data)

        list_id = _parse_list_id(d.pop("list_id", UNSET))

        def _parse_parent_id(data: object) -> None | Unset | UUID:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                parent_id_type_0 = UUID(data)

                return parent_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | UUID, data)

        parent_id = _parse_parent_id(d.pop("parent_id", UNSET))

        task_create = cls(
            title=title,
            description=description,
            priority=priority,
            due_at=due_at,
            tags=tags,
            completed=completed,
            recurrence=recurrence,
            list_id=list_id,
            parent_id=parent_id,
        )

        return task_create
