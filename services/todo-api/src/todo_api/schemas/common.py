"""Building blocks shared by the request models."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, EmailStr, Field, StringConstraints

from platform_common.auth.passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH


def _no_nul(value: str) -> str:
    # PostgreSQL text cannot hold NUL; reject it here rather than fail in the database.
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


NoNul = AfterValidator(_no_nul)
SafeStr = Annotated[str, NoNul]


def _to_utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


# Offsets are required (naive datetimes are ambiguous) and normalised, so a response
# shows the same instant the same way whether it came from the request or the database.
UtcDateTime = Annotated[AwareDatetime, AfterValidator(_to_utc)]


class RequestModel(BaseModel):
    """Base of request bodies: unknown (or read-only) fields are rejected with 422."""

    model_config = ConfigDict(extra="forbid")


Password = Annotated[
    str,
    NoNul,
    Field(
        min_length=MIN_PASSWORD_LENGTH,
        max_length=MAX_PASSWORD_LENGTH,
        examples=["correct horse battery staple"],
    ),
]
Email = Annotated[EmailStr, AfterValidator(str.lower), Field(max_length=320, examples=["ada@example.com"])]
FullName = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=200), NoNul, Field(examples=["Ada Lovelace"])
]
TenantName = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    NoNul,
    Field(examples=["Acme Inc."]),
]
