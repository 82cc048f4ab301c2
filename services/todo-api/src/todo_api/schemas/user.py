from __future__ import annotations

import uuid
from datetime import datetime

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


class UserAdminUpdate(RequestModel):
    full_name: FullName | None = None
    role: UserRole | None = None
    is_active: StrictBool | None = None
