from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.task_read import TaskRead


T = TypeVar("T", bound="TaskDelta")


@_attrs_define
class TaskDelta:
    """What changed since a cursor, oldest first.

    Attributes:
        items (list[TaskRead]): Tasks created or changed, as they now are.
        deleted (list[UUID]): Ids of tasks deleted; may name tasks this client never received (ignore those).
        next_cursor (str): Where the next request continues (also when nothing changed).
        has_more (bool): More changes are waiting: ask again with next_cursor at once.
    """

    items: list[TaskRead]
    deleted: list[UUID]
    next_cursor: str
    has_more: bool
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        items = []
        for items_item_data in self.items:
            items_item = items_item_data.to_dict()
            items.append(items_item)

        deleted = []
        for deleted_item_data in self.deleted:
            deleted_item = str(deleted_item_data)
            deleted.append(deleted_item)

        next_cursor = self.next_cursor

        has_more = self.has_more

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "items": items,
                "deleted": deleted,
                "next_cursor": next_cursor,
                "has_more": has_more,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.task_read import TaskRead  # noqa: PLC0415

        d = dict(src_dict)
        items = []
        _items = d.pop("items")
        for items_item_data in _items:
            items_item = TaskRead.from_dict(items_item_data)

            items.append(items_item)

        deleted = []
        _deleted = d.pop("deleted")
        for deleted_item_data in _deleted:
            deleted_item = UUID(deleted_item_data)

            deleted.append(deleted_item)

        next_cursor = d.pop("next_cursor")

        has_more = d.pop("has_more")

        task_delta = cls(
            items=items,
            deleted=deleted,
            next_cursor=next_cursor,
            has_more=has_more,
        )

        task_delta.additional_properties = d
        return task_delta

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
