from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="TaskStats")


@_attrs_define
class TaskStats:
    """
    Attributes:
        total (int):
        completed (int):
        open_ (int):
        overdue (int):
        due_today (int):
    """

    total: int
    completed: int
    open_: int
    overdue: int
    due_today: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        total = self.total

        completed = self.completed

        open_ = self.open_

        overdue = self.overdue

        due_today = self.due_today

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "total": total,
                "completed": completed,
                "open": open_,
                "overdue": overdue,
                "due_today": due_today,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        total = d.pop("total")

        completed = d.pop("completed")

        open_ = d.pop("open")

        overdue = d.pop("overdue")

        due_today = d.pop("due_today")

        task_stats = cls(
            total=total,
            completed=completed,
            open_=open_,
            overdue=overdue,
            due_today=due_today,
        )

        task_stats.additional_properties = d
        return task_stats

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
