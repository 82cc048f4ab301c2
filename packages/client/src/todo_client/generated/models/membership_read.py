from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.user_role import UserRole, check_user_role

if TYPE_CHECKING:
    from ..models.membership_tenant import MembershipTenant


T = TypeVar("T", bound="MembershipRead")


@_attrs_define
class MembershipRead:
    """One of the caller's memberships: the person's place in one tenant. ``id`` is the
    membership's user id there (an access token's ``sub`` in that tenant).

        Attributes:
            id (UUID):
            tenant (MembershipTenant):
            role (UserRole):
            is_active (bool):
            full_name (str):
            last_used_at (datetime.datetime | None): The last login to, or switch into, this tenant.
            created_at (datetime.datetime):
            current (bool): Whether this is the tenant of the token that asked.
    """

    id: UUID
    tenant: MembershipTenant
    role: UserRole
    is_active: bool
    full_name: str
    last_used_at: datetime.datetime | None
    created_at: datetime.datetime
    current: bool
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        tenant = self.tenant.to_dict()

        role: str = self.role

        is_active = self.is_active

        full_name = self.full_name

        last_used_at: None | str
        if isinstance(self.last_used_at, datetime.datetime):
            last_used_at = self.last_used_at.isoformat()
        else:
            last_used_at = self.last_used_at

        created_at = self.created_at.isoformat()

        current = self.current

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "tenant": tenant,
                "role": role,
                "is_active": is_active,
                "full_name": full_name,
                "last_used_at": last_used_at,
                "created_at": created_at,
                "current": current,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.membership_tenant import MembershipTenant  # noqa: PLC0415

        d = dict(src_dict)
        id = UUID(d.pop("id"))

        tenant = MembershipTenant.from_dict(d.pop("tenant"))

        role = check_user_role(d.pop("role"))

        is_active = d.pop("is_active")

        full_name = d.pop("full_name")

        def _parse_last_used_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                last_used_at_type_0 = datetime.datetime.fromisoformat(data)

                return last_used_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        last_used_at = _parse_last_used_at(d.pop("last_used_at"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        current = d.pop("current")

        membership_read = cls(
            id=id,
            tenant=tenant,
            role=role,
            is_active=is_active,
            full_name=full_name,
            last_used_at=last_used_at,
            created_at=created_at,
            current=current,
        )

        membership_read.additional_properties = d
        return membership_read

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
