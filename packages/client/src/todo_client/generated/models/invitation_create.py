from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..models.user_role import UserRole, check_user_role
from ..types import UNSET, Unset

T = TypeVar("T", bound="InvitationCreate")


@_attrs_define
class InvitationCreate:
    """An address to invite to the caller's tenant, and the role it joins with (an owner role
    only by an owner).

        Attributes:
            email (str): An address of RFC 6531 (Unicode allowed), at most 254 octets in UTF-8, with a local part of at most
                64; no quoted local part, no IP-literal domain. Stored and compared in one normal form (NFC, Unicode domain,
                lower case).
            role (UserRole | Unset):
    """

    email: str
    role: UserRole | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        email = self.email

        role: str | Unset = UNSET
        if not isinstance(self.role, Unset):
            role = self.role

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "email": email,
            }
        )
        if role is not UNSET:
            field_dict["role"] = role

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        email = d.pop("email")

        _role = d.pop("role", UNSET)
        role: UserRole | Unset
        if isinstance(_role, Unset):
            role = UNSET
        else:
            role = check_user_role(_role)

        invitation_create = cls(
            email=email,
            role=role,
        )

        return invitation_create
