from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="UserUpdateMe")


@_attrs_define
class UserUpdateMe:
    """
    Attributes:
        full_name (str):
    """

    full_name: str

    def to_dict(self) -> dict[str, Any]:
        full_name = self.full_name

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "full_name": full_name,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        full_name = d.pop("full_name")

        user_update_me = cls(
            full_name=full_name,
        )

        return user_update_me
