"""Table conventions: constraint names, server-side ids and timestamps."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Column, DateTime, Enum, MetaData, func, text
from sqlmodel import Field, SQLModel

# Deterministic constraint names, so migrations can refer to them and autogenerate agrees.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata: MetaData = SQLModel.metadata
metadata.naming_convention = NAMING_CONVENTION

# Columns this release no longer maps but the previous one still writes (expand/contract):
# the next release's migration drops them, and removes them from here.
RETIRED_COLUMNS: dict[str, frozenset[str]] = {
    "idempotency_key": frozenset({"response_status"}),
    # The password moved to ``person``; a trigger keeps this copy for the previous release.
    "user": frozenset({"hashed_password"}),
}


class UUIDPrimaryKey(SQLModel):
    id: uuid.UUID | None = Field(
        default=None,
        primary_key=True,
        sa_column_kwargs={"server_default": text("gen_random_uuid()")},
    )


class CreatedAt(SQLModel):
    created_at: datetime | None = Field(
        default=None,
        sa_type=DateTime(timezone=True),
        sa_column_kwargs={"server_default": func.now(), "nullable": False},
    )


class Timestamps(CreatedAt):
    updated_at: datetime | None = Field(
        default=None,
        sa_type=DateTime(timezone=True),
        sa_column_kwargs={"server_default": func.now(), "onupdate": func.now(), "nullable": False},
    )


def enum_column(enum: type[StrEnum], name: str, default: StrEnum) -> Any:  # noqa: ANN401  # what Field() returns
    """A PostgreSQL enum column holding the members' *values* (``"high"``, not ``"HIGH"``),
    declared in the enum's order (so it sorts that way), with a server default."""
    return Field(
        default=default,
        sa_column=Column(
            Enum(enum, name=name, values_callable=lambda members: [member.value for member in members]),
            nullable=False,
            server_default=default.value,
        ),
    )
