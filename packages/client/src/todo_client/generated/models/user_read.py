from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.user_role import UserRole, check_user_role

T = TypeVar("T", bound="UserRead")


@_attrs_define
class UserRead:
    """A user as clients see it: never the password hash or token state.

    Attributes:
        id (UUID):
        tenant_id (UUID):
        email (str):
        full_name (str):
        role (UserRole):
        is_active (bool):
        time_zone (str): IANA time zone; recurring tasks' occurrences are computed in it.
        created_at (datetime.datetime):
        updated_at (datetime.datetime):
    """

    id: UUID
    tenant_id: UUID
    email: str
    full_name: str
    role: UserRole
    is_active: bool
    time_zone: str
    created_at: datetime.datetime
    updated_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        tenant_id = str(self.tenant_id)

        email = self.email

        full_name = self.full_name

        role: str = self.role

        is_active = self.is_active

        time_zone = self.time_zone

        created_at = self.created_at.isoformat()

        updated_at = self.updated_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "tenant_id": tenant_id,
                "email": email,
                "full_name": full_name,
                "role": role,
                "is_active": is_active,
                "time_zone": time_zone,
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

        email = d.pop("email")

        full_name = d.pop("full_name")

        role = check_user_role(d.pop("role"))

        is_active = d.pop("is_active")

        time_zone = d.pop("time_zone")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        user_read = cls(
            id=id,
            tenant_id=tenant_id,
            email=email,
            full_name=full_name,
            role=role,
            is_active=is_active,
            time_zone=time_zone,
            created_at=created_at,
            updated_at=updated_at,
        )

        user_read.additional_properties = d
        return user_read

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
