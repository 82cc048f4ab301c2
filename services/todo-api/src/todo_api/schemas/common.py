"""Building blocks shared by the request models."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Annotated, Any, Self

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
# (clients and fuzzers generate from it). A pattern must mean the same to the server
# (pydantic's Rust regex engine) as to JSON Schema (ECMA-262): anchored with ^...$ (in both,
# $ is the very end; Python's re would also let it match before a final newline), and no
# \s, \w or \d, whose sets differ between the dialects. PostgreSQL text cannot hold NUL.
NO_NUL = r"^[^\x00]*$"
# Unicode's White_Space, the set pydantic's strip_whitespace removes (Rust's str::trim).
# Spelled out: ECMA-262's \s adds U+FEFF and lacks U+0085, Python's adds U+001C..U+001F.
WHITESPACE = r"\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
# At least one character that is neither whitespace nor NUL. Checked after stripping that
# same whitespace, so it says the same of the value as sent.
NON_BLANK = rf"^[^\x00]*[^\x00{WHITESPACE}][^\x00]*$"

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
_ISO_DATETIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}")  # not \d: any script's digits


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

    # Patterns run on pydantic's default engine, Rust's regex: linear time, and its ^...$
    # means the whole value, as in JSON Schema (see NO_NUL).
    model_config = ConfigDict(extra="forbid")


Password = Annotated[
    str,
    Field(
        min_length=MIN_PASSWORD_LENGTH,
        max_length=MAX_PASSWORD_LENGTH,
        pattern=NO_NUL,
        examples=["correct horse battery staple"],
    ),
]


def _email(value: str) -> str:
    """Stored lower-case, so uniqueness ignores case.

    Syntax only, as the schema's "format: email" says: deliverability is the sign-up flow's
    business. ``test_environment`` lets ``.test`` addresses through (staging, tests); the
    other special-use names (``.local``, ``.localhost``, ``.invalid``, ``.onion``, ``.arpa``)
    cannot receive mail and stay refused. Options per call: the library's module-level
    lists are left as every other user of it expects them."""
    try:
        checked = validate_email(value, check_deliverability=False, test_environment=True)
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
