from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import ConfigDict

from todo_api.schemas.common import ReadModel, RequestModel, TenantName


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
