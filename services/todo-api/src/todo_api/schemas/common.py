"""Building blocks shared by the request models."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Self

from pydantic import (
    BaseModel,
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
