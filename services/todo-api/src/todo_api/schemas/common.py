"""Building blocks shared by the request models."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, EmailStr, Field, StringConstraints

from platform_common.auth.passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH


def _no_nul(value: str) -> str:
    # PostgreSQL text cannot hold NUL; reject it here rather than fail in the database.
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


SafeStr = Annotated[str, AfterValidator(_no_nul)]


class RequestModel(BaseModel):
    """Base of request bodies: unknown (or read-only) fields are rejected with 422."""

    model_config = ConfigDict(extra="forbid")


Password = Annotated[
    SafeStr,
    Field(
        min_length=MIN_PASSWORD_LENGTH,
        max_length=MAX_PASSWORD_LENGTH,
        examples=["correct horse battery staple"],
    ),
]
Email = Annotated[EmailStr, AfterValidator(str.lower), Field(max_length=320, examples=["ada@example.com"])]
FullName = Annotated[
    SafeStr, StringConstraints(strip_whitespace=True, max_length=200), Field(examples=["Ada Lovelace"])
]
TenantName = Annotated[
    SafeStr,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    Field(examples=["Acme Inc."]),
]
