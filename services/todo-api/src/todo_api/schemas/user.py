from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, StrictBool

from todo_api.models.user import UserRole
from todo_api.schemas.common import Email, FullName, Password, RequestModel


class UserRead(BaseModel):
    """A user as clients see it: never the password hash or token state."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    tenant_id: uuid.UUID
    email: str
    full_name: str
    role: UserRole
    is_active: bool
    created_at: datetime
    updated_at: datetime


class UserUpdateMe(RequestModel):
    full_name: FullName


class PasswordChange(RequestModel):
    current_password: Password
    new_password: Password


class UserCreate(RequestModel):
    """A new member of the caller's tenant."""

    email: Email
    password: Password
    full_name: FullName = ""


class UserAdminUpdate(RequestModel):
    full_name: FullName | None = None
    role: UserRole | None = None
    is_active: StrictBool | None = None
