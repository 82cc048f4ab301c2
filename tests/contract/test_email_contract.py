"""The spec's e-mail schema says exactly what the server accepts, in both directions.

Clients and fuzzers validate against the spec (``idn-email``, ``maxLength``, ``pattern``:
here with jsonschema-rs, Schemathesis's own validator); the server runs email-validator
after the same ``maxLength`` and ``pattern``. Each address below is judged by both.
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema_rs
import pytest
from pydantic import TypeAdapter, ValidationError

from todo_api.schemas.email import Email

ROOT = Path(__file__).resolve().parents[2]
SPEC = json.loads((ROOT / "openapi.json").read_text())
SERVER = TypeAdapter(Email)


def _address(length: int) -> str:
    """An address of ``length`` characters (250 to 255): labels of at most 63."""
    return "a@" + ".".join(["b" * 63, "c" * 63, "d" * 63, "e" * (length - 197)]) + ".io"


ACCEPTED_BY_BOTH = [
    "ada@example.com",
    "A+b.c@Example.CO",
    "o'neil@x.io",
    "ü@bücher.example",  # RFC 6531: Unicode local part and domain
    "p1@xn--bcher-kva.example",
    "a@xn--p1ai.xn--p1ai",
    "l" * 64 + "@x.io",  # the longest local part
    _address(254),  # 254 octets, RFC 5321's limit
]
REFUSED_BY_BOTH = [
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


def _spec_schema(name: str, field: str) -> dict[str, object]:
    schema: dict[str, object] = SPEC["components"]["schemas"][name]["properties"][field]
    return schema


@pytest.mark.parametrize(("name", "field"), [("SignupRequest", "email"), ("UserCreate", "email")])
def test_the_spec_and_the_server_agree_on_every_address(name: str, field: str) -> None:
    schema = _spec_schema(name, field)
    assert schema["maxLength"] == 254
    assert schema["format"] == "idn-email"
    spec = jsonschema_rs.validator_for(schema, validate_formats=True)

    def server_accepts(address: str) -> bool:
        try:
            SERVER.validate_python(address)
        except ValidationError:
            return False
        return True

    verdicts = {address: (spec.is_valid(address), server_accepts(address)) for address in ACCEPTED_BY_BOTH}
    assert verdicts == dict.fromkeys(ACCEPTED_BY_BOTH, (True, True))
    verdicts = {address: (spec.is_valid(address), server_accepts(address)) for address in REFUSED_BY_BOTH}
    assert verdicts == dict.fromkeys(REFUSED_BY_BOTH, (False, False))
