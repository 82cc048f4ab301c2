"""The service's one table, tenant-owned, on a metadata of its own (never todo-api's)."""

from __future__ import annotations

import uuid

from sqlalchemy import MetaData, text
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from platform_common.db.tables import table_of, tenant_owned

metadata = MetaData()


class NotesModel(SQLModel, registry=registry(metadata=metadata)):
    """Base of the service's tables: its own registry, so its own metadata."""


class Note(NotesModel, table=True):
    __tablename__ = "example_note"
    __table_args__ = (tenant_owned(),)

    id: uuid.UUID | None = Field(
        default=None, primary_key=True, sa_column_kwargs={"server_default": text("gen_random_uuid()")}
    )
    tenant_id: uuid.UUID
    body: str = Field(max_length=500)
    done: bool = Field(default=False, sa_column_kwargs={"server_default": text("false")})


NOTES = table_of(Note)
