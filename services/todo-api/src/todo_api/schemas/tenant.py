from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, Any, Self

from pydantic import ConfigDict, Field

from todo_api.schemas.common import Password, ReadModel, RequestModel, SafeStr, TenantName


class TenantRead(ReadModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "7c9e6679-7425-40de-944b-e07fc1f90ae7",
                    "slug": "acme",
                    "name": "Acme Inc.",
                    "created_at": "2026-11-20T09:00:00Z",
                }
            ]
        },
    )

    id: uuid.UUID
    slug: str
    name: str
    created_at: datetime


class TenantUpdate(RequestModel):
    name: TenantName


class TenantDeletionRequest(RequestModel):
    """The owner's request to delete their tenant: its slug typed again, and their password."""

    confirm: Annotated[
        SafeStr,
        Field(
            max_length=63,
            description="The tenant's slug, typed again: anything else is refused (422 `deletion_not_confirmed`).",
            examples=["my-tenant-slug"],
        ),
    ]
    password: Password


class TenantDeletionRead(ReadModel):
    """A pending deletion: the tenant is disabled, and the purge deletes it and all its data
    at ``purge_after`` unless its owner cancels before then."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "tenant_id": "7c9e6679-7425-40de-944b-e07fc1f90ae7",
                    "slug": "acme",
                    "deletion_requested_at": "2026-12-01T09:00:00Z",
                    "purge_after": "2026-12-08T09:00:00Z",
                }
            ]
        },
    )

    tenant_id: uuid.UUID
    slug: str
    deletion_requested_at: datetime
    purge_after: datetime = Field(
        description="When the scheduled purge may delete the tenant; cancellable until then."
    )

    @classmethod
    def from_tenant(cls, row: Mapping[str, Any]) -> Self:
        return cls.model_validate({**dict(row), "tenant_id": row["id"]})
