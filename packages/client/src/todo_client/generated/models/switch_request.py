from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="SwitchRequest")


@_attrs_define
class SwitchRequest:
    """
    Attributes:
        tenant (str): The slug of another tenant the caller belongs to.
    """

    tenant: str

    def to_dict(self) -> dict[str, Any]:
        tenant = self.tenant

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "tenant": tenant,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        tenant = d.pop("tenant")

        switch_request = cls(
            tenant=tenant,
        )

        return switch_request
