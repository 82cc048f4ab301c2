from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="InvitationAccept")


@_attrs_define
class InvitationAccept:
    """The mailed link's token and a password: a new address's account gets this password; an
    address that already has an account must give that account's password.

        Attributes:
            token (str):
            password (str):
            full_name (str | Unset): A new account's name (ignored for an existing one). Default: ''.
    """

    token: str
    password: str
    full_name: str | Unset = ""

    def to_dict(self) -> dict[str, Any]:
        token = self.token

        password = self.password

        full_name = self.full_name

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "token": token,
                "password": password,
            }
        )
        if full_name is not UNSET:
            field_dict["full_name"] = full_name

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        token = d.pop("token")

        password = d.pop("password")

        full_name = d.pop("full_name", UNSET)

        invitation_accept = cls(
            token=token,
            password=password,
            full_name=full_name,
        )

        return invitation_accept
