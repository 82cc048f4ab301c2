from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..models.time_zone_name import TimeZoneName, check_time_zone_name
from ..types import UNSET, Unset

T = TypeVar("T", bound="UserUpdateMe")


@_attrs_define
class UserUpdateMe:
    """Absent fields stay as they are (neither may be null).

    Attributes:
        full_name (str | Unset):
        time_zone (TimeZoneName | Unset):
    """

    full_name: str | Unset = UNSET
    time_zone: TimeZoneName | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        full_name = self.full_name

        time_zone: str | Unset = UNSET
        if not isinstance(self.time_zone, Unset):
            time_zone = self.time_zone

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if full_name is not UNSET:
            field_dict["full_name"] = full_name
        if time_zone is not UNSET:
            field_dict["time_zone"] = time_zone

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        full_name = d.pop("full_name", UNSET)

        _time_zone = d.pop("time_zone", UNSET)
        time_zone: TimeZoneName | Unset
        if isinstance(_time_zone, Unset):
            time_zone = UNSET
        else:
            time_zone = check_time_zone_name(_time_zone)

        user_update_me = cls(
            full_name=full_name,
            time_zone=time_zone,
        )

        return user_update_me
