from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="TenantDeletionRequest")


@_attrs_define
class TenantDeletionRequest:
    """The owner's request to delete their tenant: its slug typed again, and their password.

    Attributes:
        confirm (str): The tenant's slug, typed again: anything else is refused (422 `deletion_not_confirmed`).
        password (str):
    """

    confirm: str
    password: str

    def to_dict(self) -> dict[str, Any]:
        confirm = self.confirm

        password = self.password

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "confirm": confirm,
                "password": password,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        confirm = d.pop("confirm")

        password = d.pop("password")

        tenant_deletion_request = cls(
            confirm=confirm,
            password=password,
        )

        return tenant_deletion_request
