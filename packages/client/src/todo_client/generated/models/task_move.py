from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="TaskMove")


@_attrs_define
class TaskMove:
    """Where to put a task (and its subtasks). The list: ``list_id``, else the parent's,
    else the task's own. The parent: ``parent_id`` when sent (``null``: the top level), else
    the current one while the list stays, else the top level. The place among its new
    siblings: right after ``after_id`` (with ``before_id`` too, which must come after it),
    else right before ``before_id``, else last.

        Attributes:
            list_id (None | Unset | UUID):
            parent_id (None | Unset | UUID):
            after_id (None | Unset | UUID):
            before_id (None | Unset | UUID):
    """

    list_id: None | Unset | UUID = UNSET
    parent_id: None | Unset | UUID = UNSET
    after_id: None | Unset | UUID = UNSET
    before_id: None | Unset | UUID = UNSET

    def to_dict(self) -> dict[str, Any]:
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

        after_id: None | str | Unset
        if isinstance(self.after_id, Unset):
            after_id = UNSET
        elif isinstance(self.after_id, UUID):
            after_id = str(self.after_id)
        else:
            after_id = self.after_id

        before_id: None | str | Unset
        if isinstance(self.before_id, Unset):
            before_id = UNSET
        elif isinstance(self.before_id, UUID):
            before_id = str(self.before_id)
        else:
            before_id = self.before_id

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if list_id is not UNSET:
            field_dict["list_id"] = list_id
        if parent_id is not UNSET:
            field_dict["parent_id"] = parent_id
        if after_id is not UNSET:
            field_dict["after_id"] = after_id
        if before_id is not UNSET:
            field_dict["before_id"] = before_id

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

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

        def _parse_after_id(data: object) -> None | Unset | UUID:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                after_id_type_0 = UUID(data)

                return after_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | UUID, data)

        after_id = _parse_after_id(d.pop("after_id", UNSET))

        def _parse_before_id(data: object) -> None | Unset | UUID:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                before_id_type_0 = UUID(data)

                return before_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | UUID, data)

        before_id = _parse_before_id(d.pop("before_id", UNSET))

        task_move = cls(
            list_id=list_id,
            parent_id=parent_id,
            after_id=after_id,
            before_id=before_id,
        )

        return task_move
