from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import (
    TYPE_CHECKING,
    Any,
    Literal,
    TypeVar,
    cast,
)
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.exported_list import ExportedList
    from ..models.exported_task import ExportedTask
    from ..models.exported_token import ExportedToken
    from ..models.exported_webhook import ExportedWebhook
    from ..models.membership_read import MembershipRead
    from ..models.user_read import UserRead


T = TypeVar("T", bound="ExportDocument")


@_attrs_define
class ExportDocument:
    """Everything the caller owns in the token's tenant, as of one moment (one snapshot).

    Attributes:
        format_ (Literal['todo-export/1']): The document's format and version.
        exported_at (datetime.datetime):
        tenant_id (UUID):
        user_id (UUID):
        profile (UserRead): A user as clients see it: never the password hash or token state.
        memberships (list[MembershipRead]): As `GET /users/me/memberships` lists them.
        lists (list[ExportedList]):
        tasks (list[ExportedTask]):
        webhooks (list[ExportedWebhook]):
        tokens (list[ExportedToken]): The caller's personal access tokens, never their secrets.
    """

    format_: Literal["todo-export/1"]
    exported_at: datetime.datetime
    tenant_id: UUID
    user_id: UUID
    profile: UserRead
    memberships: list[MembershipRead]
    lists: list[ExportedList]
    tasks: list[ExportedTask]
    webhooks: list[ExportedWebhook]
    tokens: list[ExportedToken]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        format_ = self.format_

        exported_at = self.exported_at.isoformat()

        tenant_id = str(self.tenant_id)

        user_id = str(self.user_id)

        profile = self.profile.to_dict()

        memberships = []
        for memberships_item_data in self.memberships:
            memberships_item = memberships_item_data.to_dict()
            memberships.append(memberships_item)

        lists = []
        for lists_item_data in self.lists:
            lists_item = lists_item_data.to_dict()
            lists.append(lists_item)

        tasks = []
        for tasks_item_data in self.tasks:
            tasks_item = tasks_item_data.to_dict()
            tasks.append(tasks_item)

        webhooks = []
        for webhooks_item_data in self.webhooks:
            webhooks_item = webhooks_item_data.to_dict()
            webhooks.append(webhooks_item)

        tokens = []
        for tokens_item_data in self.tokens:
            tokens_item = tokens_item_data.to_dict()
            tokens.append(tokens_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "format": format_,
                "exported_at": exported_at,
                "tenant_id": tenant_id,
                "user_id": user_id,
                "profile": profile,
                "memberships": memberships,
                "lists": lists,
                "tasks": tasks,
                "webhooks": webhooks,
                "tokens": tokens,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.exported_list import ExportedList  # noqa: PLC0415
        from ..models.exported_task import ExportedTask  # noqa: PLC0415
        from ..models.exported_token import ExportedToken  # noqa: PLC0415
        from ..models.exported_webhook import ExportedWebhook  # noqa: PLC0415
        from ..models.membership_read import MembershipRead  # noqa: PLC0415
        from ..models.user_read import UserRead  # noqa: PLC0415

        d = dict(src_dict)
        format_ = cast(Literal["todo-export/1"], d.pop("format"))
        if format_ != "todo-export/1":
            raise ValueError(f"format must match const 'todo-export/1', got '{format_}'")

        exported_at = datetime.datetime.fromisoformat(d.pop("exported_at"))

        tenant_id = UUID(d.pop("tenant_id"))

        user_id = UUID(d.pop("user_id"))

        profile = UserRead.from_dict(d.pop("profile"))

        memberships = []
        _memberships = d.pop("memberships")
        for memberships_item_data in _memberships:
            memberships_item = MembershipRead.from_dict(memberships_item_data)

            memberships.append(memberships_item)

        lists = []
        _lists = d.pop("lists")
        for lists_item_data in _lists:
            lists_item = ExportedList.from_dict(lists_item_data)

            lists.append(lists_item)

        tasks = []
        _tasks = d.pop("tasks")
        for tasks_item_data in _tasks:
            tasks_item = ExportedTask.from_dict(tasks_item_data)

            tasks.append(tasks_item)

        webhooks = []
        _webhooks = d.pop("webhooks")
        for webhooks_item_data in _webhooks:
            webhooks_item = ExportedWebhook.from_dict(webhooks_item_data)

            webhooks.append(webhooks_item)

        tokens = []
        _tokens = d.pop("tokens")
        for tokens_item_data in _tokens:
            tokens_item = ExportedToken.from_dict(tokens_item_data)

            tokens.append(tokens_item)

        export_document = cls(
            format_=format_,
            exported_at=exported_at,
            tenant_id=tenant_id,
            user_id=user_id,
            profile=profile,
            memberships=memberships,
            lists=lists,
            tasks=tasks,
            webhooks=webhooks,
            tokens=tokens,
        )

        export_document.additional_properties = d
        return export_document

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
