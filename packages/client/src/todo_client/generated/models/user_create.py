from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="UserCreate")


@_attrs_define
class UserCreate:
    """A new member of the caller's tenant.

    Attributes:
        email (str): An address of RFC 6531 (Unicode allowed), at most 254 octets in UTF-8, with a local part of at most
            64; no quoted local part, no IP-literal domain. Stored and compared in one normal form (NFC, Unicode domain,
            lower case).
        password (str):
        full_name (str | Unset):  Default: ''.
    """

    email: str
    password: str
    full_name: str | Unset = ""

    def to_dict(self) -> dict[str, Any]:
        email = self.email

        password = self.password

        full_name = self.full_name

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "email": email,
                "password": password,
            }
        )
        if full_name is not UNSET:
            field_dict["full_name"] = full_name

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        email = d.pop("email")

        password = d.pop("password")

        full_name = d.pop("full_name", UNSET)

        user_create = cls(
            email=email,
            password=password,
            full_name=full_name,
        )

        return user_create
