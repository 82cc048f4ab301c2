"""List requests and responses."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import ConfigDict, Field, StringConstraints

from todo_api.schemas.common import NON_BLANK, ReadModel, RequestModel

ListName = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=100, pattern=NON_BLANK),
    Field(examples=["Groceries"]),
]


class ListCreate(RequestModel):
    name: ListName


class ListUpdate(RequestModel):
    """JSON merge patch; ``name`` may be omitted but not null."""

    name: ListName = Field(default=None)  # type: ignore[assignment]  # None only ever means absent

    def changes(self) -> dict[str, object]:
        return self.model_dump(exclude_unset=True)


class ListRead(ReadModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "9b2c1f4e-3d5a-4b6c-8e7f-0a1b2c3d4e5f",
                    "name": "Inbox",
                    "position": "a0",
                    "is_default": True,
                    "created_at": "2026-11-20T09:30:00Z",
                    "updated_at": "2026-11-20T09:30:00Z",
                }
            ]
        }
    )

    id: uuid.UUID
    name: str
    position: str = Field(description="Opaque ordering key among your lists; compare as bytes.")
    is_default: bool
    created_at: datetime
    updated_at: datetime
