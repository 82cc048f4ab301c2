"""Personal access tokens as their owner makes and reads them, and the scopes they carry."""

from __future__ import annotations

import uuid
from enum import StrEnum
from typing import Annotated

from pydantic import ConfigDict, Field, JsonValue, StringConstraints

from todo_api.schemas.common import NON_BLANK, ReadModel, RequestModel
from todo_api.schemas.datetimes import StoredDateTime, UtcDateTime


class Scope(StrEnum):
    """What a personal access token may do: read or write one kind of data. Every operation a
    token may call declares the scopes it needs; one that declares none is for a session's
    access token only (tokens, users, invitations, passwords, memberships, the tenant, the
    audit trail)."""

    TASKS_READ = "tasks:read"
    TASKS_WRITE = "tasks:write"
    LISTS_READ = "lists:read"
    LISTS_WRITE = "lists:write"
    WEBHOOKS_READ = "webhooks:read"
    WEBHOOKS_WRITE = "webhooks:write"


TokenName = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=100, pattern=NON_BLANK),
    Field(examples=["CI export script"]),
]


def _distinct(scopes: list[Scope]) -> list[Scope]:
    return sorted(dict.fromkeys(scopes))


class PersonalTokenCreate(RequestModel):
    """A name to recognise the token by, the scopes it may use (at least one) and, optionally,
    when it stops working (in the future; without one it works until revoked)."""

    name: TokenName
    scopes: Annotated[
        list[Scope], Field(min_length=1, max_length=len(Scope), examples=[["tasks:read", "lists:read"]])
    ]
    expires_at: UtcDateTime | None = Field(default=None, examples=["2027-06-01T00:00:00Z"])

    def distinct_scopes(self) -> list[Scope]:
        return _distinct(self.scopes)


_EXAMPLE: dict[str, JsonValue] = {
    "id": "6a1f4c2e-9b3d-4e5f-8a7b-1c2d3e4f5a6b",
    "name": "CI export script",
    "scopes": ["lists:read", "tasks:read"],
    "created_at": "2026-12-01T09:00:00Z",
    "expires_at": "2027-06-01T00:00:00Z",
    "last_used_at": None,
}


class PersonalTokenRead(ReadModel):
    """A token as its owner lists it: never its secret (only a hash of it is stored)."""

    model_config = ConfigDict(json_schema_extra={"examples": [_EXAMPLE]})

    id: uuid.UUID
    name: str
    scopes: list[Scope]
    created_at: StoredDateTime
    expires_at: StoredDateTime | None = Field(description="When it stops working; null: never.")
    last_used_at: StoredDateTime | None = Field(
        description="When it last authenticated a request, to within a minute; null: never used."
    )


class PersonalTokenCreated(PersonalTokenRead):
    """A new token, with the token itself: shown this once, never again."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    **_EXAMPLE,
                    "token": "tdo_pat_7c9e6679742540de944be07fc1f90ae7_6a1f4c2e9b3d4e5f8a7b1c2d3e4f5a6b_"
                    "Xq3v0m4E2b9Kc7Lr1Yt8Wp5Zs6Dn0Gh2Jk4Mf1Ab3Cd",
                }
            ]
        }
    )

    token: str = Field(description="`Authorization: Bearer <token>`; shown once, store it now.")
