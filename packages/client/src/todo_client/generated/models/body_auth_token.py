from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.body_auth_token_grant_type_type_0 import (
    BodyAuthTokenGrantTypeType0,
    check_body_auth_token_grant_type_type_0,
)
from ..types import UNSET, Unset

T = TypeVar("T", bound="BodyAuthToken")


@_attrs_define
class BodyAuthToken:
    """
    Attributes:
        grant_type (BodyAuthTokenGrantTypeType0 | None | Unset): `password` (the default) logs in; `refresh_token`
            rotates (RFC 6749 §6).
        username (None | str | Unset): Password grant: the user's e-mail address.
        password (None | str | Unset): Password grant: the password.
        refresh_token (None | str | Unset): Refresh grant: the refresh token to rotate.
        scope (str | Unset):  Default: ''.
        tenant (None | str | Unset): Password grant: the slug of the tenant to log in to; without it, the most recently
            used of the person's active memberships.
    """

    grant_type: BodyAuthTokenGrantTypeType0 | None | Unset = UNSET
    username: None | str | Unset = UNSET
    password: None | str | Unset = UNSET
    refresh_token: None | str | Unset = UNSET
    scope: str | Unset = ""
    tenant: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        grant_type: None | str | Unset
        if isinstance(self.grant_type, Unset):
            grant_type = UNSET
        elif isinstance(self.grant_type, str):
            grant_type = self.grant_type
        else:
            grant_type = self.grant_type

        username: None | str | Unset
        if isinstance(self.username, Unset):
            username = UNSET
        else:
            username = self.username

        password: None | str | Unset
        if isinstance(self.password, Unset):
            password = UNSET
        else:
            password = self.password

        refresh_token: None | str | Unset
        if isinstance(self.refresh_token, Unset):
            refresh_token = UNSET
        else:
            refresh_token = self.refresh_token

        scope = self.scope

        tenant: None | str | Unset
        if isinstance(self.tenant, Unset):
            tenant = UNSET
        else:
            tenant = self.tenant

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if grant_type is not UNSET:
            field_dict["grant_type"] = grant_type
        if username is not UNSET:
            field_dict["username"] = username
        if password is not UNSET:
            field_dict["password"] = password
        if refresh_token is not UNSET:
            field_dict["refresh_token"] = refresh_token
        if scope is not UNSET:
            field_dict["scope"] = scope
        if tenant is not UNSET:
            field_dict["tenant"] = tenant

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_grant_type(data: object) -> BodyAuthTokenGrantTypeType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                grant_type_type_0 = check_body_auth_token_grant_type_type_0(data)

                return grant_type_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(BodyAuthTokenGrantTypeType0 | None | Unset, data)

        grant_type = _parse_grant_type(d.pop("grant_type", UNSET))

        def _parse_username(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        username = _parse_username(d.pop("username", UNSET))

        def _parse_password(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        password = _parse_password(d.pop("password", UNSET))

        def _parse_refresh_token(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        refresh_token = _parse_refresh_token(d.pop("refresh_token", UNSET))

        scope = d.pop("scope", UNSET)

        def _parse_tenant(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        tenant = _parse_tenant(d.pop("tenant", UNSET))

        body_auth_token = cls(
            grant_type=grant_type,
            username=username,
            password=password,
            refresh_token=refresh_token,
            scope=scope,
            tenant=tenant,
        )

        body_auth_token.additional_properties = d
        return body_auth_token

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
