from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.audit_event_read_details import AuditEventReadDetails


T = TypeVar("T", bound="AuditEventRead")


@_attrs_define
class AuditEventRead:
    """
    Attributes:
        id (UUID):
        tenant_id (UUID):
        type_ (str): What happened: one of the `type` filter's values (`auth.login.succeeded`, `auth.login.failed`,
            `auth.logout`, `auth.session.revoked`, `auth.password.changed`, `auth.password.lockout`,
            `auth.password.reset_requested`, `auth.password.reset`, `user.created`, `user.deleted`, `user.role.changed`,
            `user.activated`, `user.deactivated`, `account.deleted`, `webhook.created`, `webhook.deleted`,
            `invitation.created`, `invitation.revoked`, `invitation.accepted`, `tenant.deletion_requested`,
            `tenant.deletion_cancelled`, `token.created`, `token.revoked`); an event recorded by a newer release may carry a
            type not listed here, and is listed as it was stored.
        actor_id (None | UUID): The user who acted; null when no one was authenticated (a failed login) or the service
            did.
        subject_id (None | UUID): What the event is about: a user's id (auth.*, user.*, invitation.accepted), a
            webhook's (webhook.*) or an invitation's (invitation.created, invitation.revoked).
        ip (None | str): The client's address, as the rate limits see it (TRUSTED_PROXIES); null when it is not an IP
            address.
        user_agent (None | str): The request's User-Agent, at most 512 characters.
        created_at (datetime.datetime):
        details (AuditEventReadDetails): A few facts of the event (never a secret); keys by type.
    """

    id: UUID
    tenant_id: UUID
    type_: str
    actor_id: None | UUID
    subject_id: None | UUID
    ip: None | str
    user_agent: None | str
    created_at: datetime.datetime
    details: AuditEventReadDetails
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        tenant_id = str(self.tenant_id)

        type_ = self.type_

        actor_id: None | str
        if isinstance(self.actor_id, UUID):
            actor_id = str(self.actor_id)
        else:
            actor_id = self.actor_id

        subject_id: None | str
        if isinstance(self.subject_id, UUID):
            subject_id = str(self.subject_id)
        else:
            subject_id = self.subject_id

        ip: None | str
        ip = self.ip

        user_agent: None | str
        user_agent = self.user_agent

        created_at = self.created_at.isoformat()

        details = self.details.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "tenant_id": tenant_id,
                "type": type_,
                "actor_id": actor_id,
                "subject_id": subject_id,
                "ip": ip,
                "user_agent": user_agent,
                "created_at": created_at,
                "details": details,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.audit_event_read_details import AuditEventReadDetails  # noqa: PLC0415

        d = dict(src_dict)
        id = UUID(d.pop("id"))

        tenant_id = UUID(d.pop("tenant_id"))

        type_ = d.pop("type")

        def _parse_actor_id(data: object) -> None | UUID:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                actor_id_type_0 = UUID(data)

                return actor_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | UUID, data)

        actor_id = _parse_actor_id(d.pop("actor_id"))

        def _parse_subject_id(data: object) -> None | UUID:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                subject_id_type_0 = UUID(data)

                return subject_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | UUID, data)

        subject_id = _parse_subject_id(d.pop("subject_id"))

        def _parse_ip(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        ip = _parse_ip(d.pop("ip"))

        def _parse_user_agent(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        user_agent = _parse_user_agent(d.pop("user_agent"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        details = AuditEventReadDetails.from_dict(d.pop("details"))

        audit_event_read = cls(
            id=id,
            tenant_id=tenant_id,
            type_=type_,
            actor_id=actor_id,
            subject_id=subject_id,
            ip=ip,
            user_agent=user_agent,
            created_at=created_at,
            details=details,
        )

        audit_event_read.additional_properties = d
        return audit_event_read

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
