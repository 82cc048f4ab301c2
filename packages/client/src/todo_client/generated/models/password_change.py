from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="PasswordChange")


@_attrs_define
class PasswordChange:
    """
    Attributes:
        current_password (str):
        new_password (str):
        revoke_personal_access_tokens (bool | Unset): Also revoke every personal access token of the person, in every
            tenant (a password reset always does; a change keeps them unless asked). Default: False.
    """

    current_password: str
    new_password: str
    revoke_personal_access_tokens: bool | Unset = False

    def to_dict(self) -> dict[str, Any]:
        current_password = self.current_password

        new_password = self.new_password

        revoke_personal_access_tokens = self.revoke_personal_access_tokens

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "current_password": current_password,
                "new_password": new_password,
            }
        )
        if revoke_personal_access_tokens is not UNSET:
            field_dict["revoke_personal_access_tokens"] = revoke_personal_access_tokens

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        current_password = d.pop("current_password")

        new_password = d.pop("new_password")

        revoke_personal_access_tokens = d.pop("revoke_personal_access_tokens", UNSET)

        password_change = cls(
            current_password=current_password,
            new_password=new_password,
            revoke_personal_access_tokens=revoke_personal_access_tokens,
        )

        return password_change
