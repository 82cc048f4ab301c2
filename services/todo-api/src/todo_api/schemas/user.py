from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from pydantic import ConfigDict, Field, StrictBool

from todo_api.models.user import UserRole
from todo_api.schemas.common import FullName, Password, ReadModel, RequestModel
from todo_api.schemas.datetimes import TimeZoneName


class UserRead(ReadModel):
    """A user as clients see it: never the password hash or token state."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "16fd2706-8baf-433b-82eb-8c7fada847da",
                    "tenant_id": "7c9e6679-7425-40de-944b-e07fc1f90ae7",
                    "email": "ada@example.com",
                    "full_name": "Ada Lovelace",
                    "role": "owner",
                    "is_active": True,
                    "time_zone": "Europe/Berlin",
                    "created_at": "2026-11-20T09:00:00Z",
                    "updated_at": "2026-11-20T09:00:00Z",
                }
            ]
        },
    )

    id: uuid.UUID
    tenant_id: uuid.UUID
    email: str
    full_name: str
    role: UserRole
    is_active: bool
    time_zone: str = Field(description="IANA time zone; recurring tasks' occurrences are computed in it.")
    created_at: datetime
    updated_at: datetime


class UserUpdateMe(RequestModel):
    """Absent fields stay as they are (neither may be null)."""

    # The ignores keep these non-nullable in the schema while None marks them absent.
    full_name: FullName = Field(default=None)  # type: ignore[assignment]
    time_zone: TimeZoneName = Field(  # type: ignore[assignment]
        default=None, description="IANA time zone name, e.g. Europe/Berlin.", examples=["Europe/Berlin"]
    )


class PasswordChange(RequestModel):
    current_password: Password
    new_password: Password
    revoke_personal_access_tokens: StrictBool = Field(
        default=False,
        description="Also revoke every personal access token of the person, in every tenant "
        "(a password reset always does; a change keeps them unless asked).",
    )


class AccountDeletion(RequestModel):
    """The caller's password, confirming the deletion."""

    password: Password


class UserAdminUpdate(RequestModel):
    full_name: FullName | None = None
    role: UserRole | None = None
    is_active: StrictBool | None = None


class MembershipTenant(ReadModel):
    id: uuid.UUID
    slug: str
    name: str


class MembershipRead(ReadModel):
    """One of the caller's memberships: the person's place in one tenant. ``id`` is the
    membership's user id there (an access token's ``sub`` in that tenant)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "16fd2706-8baf-433b-82eb-8c7fada847da",
                    "tenant": {
                        "id": "7c9e6679-7425-40de-944b-e07fc1f90ae7",
                        "slug": "acme",
                        "name": "Acme Inc.",
                    },
                    "role": "owner",
                    "is_active": True,
                    "full_name": "Ada Lovelace",
                    "last_used_at": "2026-11-20T09:00:00Z",
                    "created_at": "2026-11-20T09:00:00Z",
                    "current": True,
                }
            ]
        },
    )

    id: uuid.UUID
    tenant: MembershipTenant
    role: UserRole
    is_active: bool
    full_name: str
    last_used_at: datetime | None = Field(description="The last login to, or switch into, this tenant.")
    created_at: datetime
    current: bool = Field(description="Whether this is the tenant of the token that asked.")

    @classmethod
    def of(cls, row: Mapping[str, Any], *, current_tenant: uuid.UUID) -> MembershipRead:
        tenant = MembershipTenant(id=row["tenant_id"], slug=row["tenant_slug"], name=row["tenant_name"])
        return cls.model_validate(
            {
                **dict(row),
                "id": row["user_id"],
                "tenant": tenant,
                "current": row["tenant_id"] == current_tenant,
            }
        )
