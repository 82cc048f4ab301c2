from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="TenantDeletionRead")


@_attrs_define
class TenantDeletionRead:
    """A pending deletion: the tenant is disabled, and the purge deletes it and all its data
    at ``purge_after`` unless its owner cancels before then.

        Attributes:
            tenant_id (UUID):
            slug (str):
            deletion_requested_at (datetime.datetime):
            purge_after (datetime.datetime): When the scheduled purge may delete the tenant; cancellable until then.
    """

    tenant_id: UUID
    slug: str
    deletion_requested_at: datetime.datetime
    purge_after: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        tenant_id = str(self.tenant_id)

        slug = self.slug

        deletion_requested_at = self.deletion_requested_at.isoformat()

        purge_after = self.purge_after.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "tenant_id": tenant_id,
                "slug": slug,
                "deletion_requested_at": deletion_requested_at,
                "purge_after": purge_after,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        tenant_id = UUID(d.pop("tenant_id"))

        slug = d.pop("slug")

        deletion_requested_at = datetime.datetime.fromisoformat(d.pop("deletion_requested_at"))

        purge_after = datetime.datetime.fromisoformat(d.pop("purge_after"))

        tenant_deletion_read = cls(
            tenant_id=tenant_id,
            slug=slug,
            deletion_requested_at=deletion_requested_at,
            purge_after=purge_after,
        )

        tenant_deletion_read.additional_properties = d
        return tenant_deletion_read

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
