from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.task_priority import TaskPriority, check_task_priority

T = TypeVar("T", bound="ExportedTask")


@_attrs_define
class ExportedTask:
    """A task as stored: trashed ones (``deleted_at`` set) and subtasks (``parent_id``) too.

    Attributes:
        id (UUID):
        tenant_id (UUID):
        owner_id (UUID):
        title (str):
        description (str):
        completed (bool):
        completed_at (datetime.datetime | None):
        priority (TaskPriority): Declared in rising order; PostgreSQL sorts the enum in this order.
        due_at (datetime.datetime | None):
        tags (list[str]):
        version (int):
        change_seq (int):
        recurrence (None | str):
        occurrences_left (int | None):
        next_occurrence_id (None | UUID):
        occurrence_spawned (bool):
        list_id (UUID):
        parent_id (None | UUID):
        position (str):
        deleted_at (datetime.datetime | None):
        created_at (datetime.datetime):
        updated_at (datetime.datetime):
    """

    id: UUID
    tenant_id: UUID
    owner_id: UUID
    title: str
    description: str
    completed: bool
    completed_at: datetime.datetime | None
    priority: TaskPriority
    due_at: datetime.datetime | None
    tags: list[str]
    version: int
    change_seq: int
    recurrence: None | str
    occurrences_left: int | None
    next_occurrence_id: None | UUID
    occurrence_spawned: bool
    list_id: UUID
    parent_id: None | UUID
    position: str
    deleted_at: datetime.datetime | None
    created_at: datetime.datetime
    updated_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        tenant_id = str(self.tenant_id)

        owner_id = str(self.owner_id)

        title = self.title

        description = self.description

        completed = self.completed

        completed_at: None | str
        if isinstance(self.completed_at, datetime.datetime):
            completed_at = self.completed_at.isoformat()
        else:
            completed_at = self.completed_at

        priority: str = self.priority

        due_at: None | str
        if isinstance(self.due_at, datetime.datetime):
            due_at = self.due_at.isoformat()
        else:
            due_at = self.due_at

        tags = self.tags

        version = self.version

        change_seq = self.change_seq

        recurrence: None | str
        recurrence = self.recurrence

        occurrences_left: int | None
        occurrences_left = self.occurrences_left

        next_occurrence_id: None | str
        if isinstance(self.next_occurrence_id, UUID):
            next_occurrence_id = str(self.next_occurrence_id)
        else:
            next_occurrence_id = self.next_occurrence_id

        occurrence_spawned = self.occurrence_spawned

        list_id = str(self.list_id)

        parent_id: None | str
        if isinstance(self.parent_id, UUID):
            parent_id = str(self.parent_id)
        else:
            parent_id = self.parent_id

        position = self.position

        deleted_at: None | str
        if isinstance(self.deleted_at, datetime.datetime):
            deleted_at = self.deleted_at.isoformat()
        else:
            deleted_at = self.deleted_at

        created_at = self.created_at.isoformat()

        updated_at = self.updated_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "tenant_id": tenant_id,
                "owner_id": owner_id,
                "title": title,
                "description": description,
                "completed": completed,
                "completed_at": completed_at,
                "priority": priority,
                "due_at": due_at,
                "tags": tags,
                "version": version,
                "change_seq": change_seq,
                "recurrence": recurrence,
                "occurrences_left": occurrences_left,
                "next_occurrence_id": next_occurrence_id,
                "occurrence_spawned": occurrence_spawned,
                "list_id": list_id,
                "parent_id": parent_id,
                "position": position,
                "deleted_at": deleted_at,
                "created_at": created_at,
                "updated_at": updated_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = UUID(d.pop("id"))

        tenant_id = UUID(d.pop("tenant_id"))

        owner_id = UUID(d.pop("owner_id"))

        title = d.pop("title")

        description = d.pop("description")

        completed = d.pop("completed")

        def _parse_completed_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                completed_at_type_0 = datetime.datetime.fromisoformat(data)

                return completed_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        completed_at = _parse_completed_at(d.pop("completed_at"))

        priority = check_task_priority(d.pop("priority"))

        def _parse_due_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                due_at_type_0 = datetime.datetime.fromisoformat(data)

                return due_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        due_at = _parse_due_at(d.pop("due_at"))

        tags = cast(list[str], d.pop("tags"))

        version = d.pop("version")

        change_seq = d.pop("change_seq")

        def _parse_recurrence(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        recurrence = _parse_recurrence(d.pop("recurrence"))

        def _parse_occurrences_left(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        occurrences_left = _parse_occurrences_left(d.pop("occurrences_left"))

        def _parse_next_occurrence_id(data: object) -> None | UUID:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                next_occurrence_id_type_0 = UUID(data)

                return next_occurrence_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | UUID, data)

        next_occurrence_id = _parse_next_occurrence_id(d.pop("next_occurrence_id"))

        occurrence_spawned = d.pop("occurrence_spawned")

        list_id = UUID(d.pop("list_id"))

        def _parse_parent_id(data: object) -> None | UUID:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                parent_id_type_0 = UUID(data)

                return parent_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | UUID, data)

        parent_id = _parse_parent_id(d.pop("parent_id"))

        position = d.pop("position")

        def _parse_deleted_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                deleted_at_type_0 = datetime.datetime.fromisoformat(data)

                return deleted_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        deleted_at = _parse_deleted_at(d.pop("deleted_at"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        exported_task = cls(
            id=id,
            tenant_id=tenant_id,
            owner_id=owner_id,
            title=title,
            description=description,
            completed=completed,
            completed_at=completed_at,
            priority=priority,
            due_at=due_at,
            tags=tags,
            version=version,
            change_seq=change_seq,
            recurrence=recurrence,
            occurrences_left=occurrences_left,
            next_occurrence_id=next_occurrence_id,
            occurrence_spawned=occurrence_spawned,
            list_id=list_id,
            parent_id=parent_id,
            position=position,
            deleted_at=deleted_at,
            created_at=created_at,
            updated_at=updated_at,
        )

        exported_task.additional_properties = d
        return exported_task

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
