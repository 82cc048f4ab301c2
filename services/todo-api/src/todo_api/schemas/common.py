"""Building blocks shared by the request models."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Annotated, Any, Self

import email_validator
from email_validator import EmailNotValidError, validate_email
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
)

from platform_common.auth.passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH

# Constraints written as patterns, so the OpenAPI schema says exactly what is accepted
# (clients and fuzzers generate from it). PostgreSQL text cannot hold NUL: refuse it here.
NO_NUL = r"^[^\x00]*$"
# At least one character that is neither whitespace nor NUL (checked after stripping).
NON_BLANK = r"^[^\x00]*[^\s\x00][^\x00]*$"

SafeStr = Annotated[str, Field(pattern=NO_NUL)]


_EARLIEST = datetime.min.replace(tzinfo=UTC)
_LATEST = datetime.max.replace(tzinfo=UTC)


def _to_utc(value: datetime) -> datetime:
    try:
        return value.astimezone(UTC)
    except OverflowError:
        # Valid RFC 3339 instants such as 0001-01-01T00:00+14:00 or 9999-12-31T23:00-14:00 lie
        # outside Python's range once in UTC (an OverflowError, a 500). Clamp them to its ends:
        # exact for filters, at most 14 hours off for a due date at the end of the calendar.
        return _EARLIEST if value.year == datetime.min.year else _LATEST


# Offsets are required (naive datetimes are ambiguous) and normalised, so a response
# shows the same instant the same way whether it came from the request or the database.
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


def _iso_only(value: object) -> object:
    # pydantic would also read a bare number as a Unix time; the schema says date-time.
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not _ISO_DATETIME.match(value):
        raise ValueError("must be an ISO 8601 date-time with an offset, e.g. 2026-12-01T17:00:00+01:00")
    return value


UtcDateTime = Annotated[AwareDatetime, BeforeValidator(_iso_only), AfterValidator(_to_utc)]


def _assume_utc(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


# A timestamptz read back from PostgreSQL. asyncpg writes datetime.max / datetime.min in UTC
# (a due date of 9999-12-31T23:59:59.999999Z, say) as PostgreSQL's +/-infinity and reads
# those back as *naive* datetime.max / min; the column is UTC, so say so, or the response
# would carry a date-time without an offset.
StoredDateTime = Annotated[datetime, AfterValidator(_assume_utc)]


class ReadModel(BaseModel):
    """Base of response models: the one place a database row becomes what clients see
    (only the model's fields are taken; a row's other columns, say a password hash, never are)."""

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Self:
        return cls.model_validate(dict(row))


class RequestModel(BaseModel):
    """Base of request bodies: unknown (or read-only) fields are rejected with 422."""

    # python-re: the same notion of whitespace as the stripping (str.strip) that precedes it.
    model_config = ConfigDict(extra="forbid", regex_engine="python-re")


Password = Annotated[
    str,
    Field(
        min_length=MIN_PASSWORD_LENGTH,
        max_length=MAX_PASSWORD_LENGTH,
        pattern=NO_NUL,
        examples=["correct horse battery staple"],
    ),
]


# Syntax only, as the schema's "format: email" says: deliverability is the sign-up flow's
# business, and special-use domains (".test", ".local", ...) are legitimate in staging.
# email-validator documents emptying this list as the way to allow them.
email_validator.SPECIAL_USE_DOMAIN_NAMES.clear()


def _email(value: str) -> str:
    """Stored lower-case, so uniqueness ignores case."""
    try:
        checked = validate_email(value, check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValueError(f"value is not a valid email address: {exc}") from exc
    return checked.normalized.lower()


Email = Annotated[
    str,
    Field(max_length=320, json_schema_extra={"format": "email"}, examples=["ada@example.com"]),
    AfterValidator(_email),
]
FullName = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=200, pattern=NO_NUL),
    Field(examples=["Ada Lovelace"]),
]
TenantName = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=NON_BLANK),
    Field(examples=["Acme Inc."]),
]
