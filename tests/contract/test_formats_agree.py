"""The spec's string formats say exactly what the server accepts, in both directions.

Clients and fuzzers validate against the spec (here with jsonschema-rs, Schemathesis's own
validator, formats asserted); the server runs its own parsers: email-validator after the
schema's ``maxLength`` and ``pattern`` for e-mail addresses, an RFC 3339 reader for
date-times. Each value below is judged by both, and both must give the same verdict.
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema_rs
import pytest
from pydantic import TypeAdapter, ValidationError

from todo_api.schemas.datetimes import UtcDateTime
from todo_api.schemas.email import Email

ROOT = Path(__file__).resolve().parents[2]
SPEC = json.loads((ROOT / "openapi.json").read_text())


def _address(length: int) -> str:
    """An address of ``length`` characters (250 to 255): labels of at most 63."""
    return "a@" + ".".join(["b" * 63, "c" * 63, "d" * 63, "e" * (length - 197)]) + ".io"


ADDRESSES_ACCEPTED_BY_BOTH = [
    "ada@example.com",
    "A+b.c@Example.CO",
    "o'neil@x.io",
    "ü@bücher.example",  # RFC 6531: Unicode local part and domain
    "p1@xn--bcher-kva.example",
    "a@xn--p1ai.xn--p1ai",
    "l" * 64 + "@x.io",  # the longest local part
    _address(254),  # 254 octets, RFC 5321's limit
]
ADDRESSES_REFUSED_BY_BOTH = [
    '"a b"@x.io',  # quoted local part
    "a@[127.0.0.1]",  # IP-literal domain
    "a@localhost",  # no dot in the domain
    "a@1.2.3.4",
    "a@b.123",  # a numeric top-level domain
    "l" * 65 + "@x.io",
    _address(255),  # 255 octets
    "a..b@x.io",
    ".a@x.io",
    "a@-x.io",
    "a@x_y.io",
    "a@x.io.",
    "a b@x.io",
    "a@x.io\n",
    "a\x00@x.io",
]


DATE_TIMES_ACCEPTED_BY_BOTH = [
    "2026-12-01T17:00:00+01:00",
    "2026-12-01t17:00:00z",  # RFC 3339 5.6: "T" and "Z" may be lower case
    "2026-12-01T17:00:00.123456789Z",
    "2026-12-01T17:00:00-00:00",
    "2026-12-01T17:00:00+23:59",
    "2026-12-31T23:59:60Z",  # a leap second, 23:59:60 in UTC
    "2026-12-31T22:59:60-01:00",
    "0000-01-01T00:00:00Z",  # year 0000 is RFC 3339's too
    "9999-12-31T23:00:00-14:00",
]
DATE_TIMES_REFUSED_BY_BOTH = [
    "2026-12-01 17:00:00Z",
    "2026-12-01_17:00:00Z",
    "2026-12-01T17:00Z",  # seconds are required
    "2026-12-01T17:00:00",  # so is the offset
    "2026-12-01T17:00:00+0100",
    "2026-12-01T17:00:00,5Z",
    "2026-12-01T17:00:00.Z",
    "2026-12-01T12:59:60Z",  # not a leap second in UTC
    "2026-12-01T24:00:00Z",
    "2026-12-01T17:00:00+24:00",
    "2026-12-01T17:00:00+01:60",
    "2026-02-30T17:00:00Z",
    "2026-12-01T17:00:00Z\n",
    "\uff12026-12-01T17:00:00Z",  # a full-width digit
    "1764608400",
]


def _property(name: str, field: str) -> dict[str, object]:
    schema: dict[str, object] = SPEC["components"]["schemas"][name]["properties"][field]
    return schema


def _verdicts(schema: dict[str, object], server: TypeAdapter[object], values: list[str]) -> dict[str, object]:
    """Each value's verdict as (the spec, the server)."""
    spec = jsonschema_rs.validator_for(schema, validate_formats=True)

    def server_accepts(value: str) -> bool:
        try:
            server.validate_python(value)
        except ValidationError:
            return False
        return True

    return {value: (spec.is_valid(value), server_accepts(value)) for value in values}


@pytest.mark.parametrize(("name", "field"), [("SignupRequest", "email"), ("InvitationCreate", "email")])
def test_the_spec_and_the_server_agree_on_every_address(name: str, field: str) -> None:
    schema = _property(name, field)
    assert (schema["maxLength"], schema["format"]) == (254, "idn-email")
    server = TypeAdapter(Email)
    assert _verdicts(schema, server, ADDRESSES_ACCEPTED_BY_BOTH) == dict.fromkeys(
        ADDRESSES_ACCEPTED_BY_BOTH, (True, True)
    )
    assert _verdicts(schema, server, ADDRESSES_REFUSED_BY_BOTH) == dict.fromkeys(
        ADDRESSES_REFUSED_BY_BOTH, (False, False)
    )


def test_the_spec_and_the_server_agree_on_every_date_time() -> None:
    [schema] = [s for s in _property("TaskCreate", "due_at")["anyOf"] if s.get("format")]  # type: ignore[attr-defined]
    assert schema == {"type": "string", "format": "date-time"}
    server = TypeAdapter(UtcDateTime)
    accepted, refused = DATE_TIMES_ACCEPTED_BY_BOTH, DATE_TIMES_REFUSED_BY_BOTH
    assert _verdicts(schema, server, accepted) == dict.fromkeys(accepted, (True, True))
    assert _verdicts(schema, server, refused) == dict.fromkeys(refused, (False, False))
