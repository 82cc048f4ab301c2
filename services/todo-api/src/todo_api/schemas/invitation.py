"""Invitations as owners and admins make and read them, and their acceptance."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import ConfigDict, Field

from todo_api.models.user import UserRole
from todo_api.schemas.auth import OpaqueToken
from todo_api.schemas.common import FullName, Password, ReadModel, RequestModel
from todo_api.schemas.email import Email


class InvitationCreate(RequestModel):
    """An address to invite to the caller's tenant, and the role it joins with (an owner role
    only by an owner)."""

    email: Email
    role: UserRole = UserRole.MEMBER


class InvitationRead(ReadModel):
    """An invitation as its tenant's owners and admins see it: never its token."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "3f2b8c1e-5d4a-4b6c-9e8f-7a6b5c4d3e2f",
                    "email": "grace@example.com",
                    "role": "member",
                    "invited_by": "16fd2706-8baf-433b-82eb-8c7fada847da",
                    "created_at": "2026-12-01T09:00:00Z",
                    "expires_at": "2026-12-08T09:00:00Z",
                }
            ]
        },
    )

    id: uuid.UUID
    email: str
    role: UserRole
    invited_by: uuid.UUID = Field(description="The owner or admin who invited (a user id).")
    created_at: datetime
    expires_at: datetime = Field(description="Seven days after it was sent: the link stops working then.")


class InvitationAccept(RequestModel):
    """The mailed link's token and a password: a new address's account gets this password; an
    address that already has an account must give that account's password."""

    token: OpaqueToken
    password: Password
    full_name: FullName = Field(default="", description="A new account's name (ignored for an existing one).")
